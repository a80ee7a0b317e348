package dev.reprise.cli;

/**
 * A failure the user can act on (a bad program file, a refused reservation...): Main prints
 * "reprise: " + the message, one line, and exits with {@link #status}. Never a stack trace.
 */
final class UserError extends RuntimeException {
    final int status;

    UserError(String message, int status) {
        super(message, null, false, false);
        this.status = status;
    }
}
