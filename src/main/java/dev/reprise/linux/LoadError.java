package dev.reprise.linux;

/**
 * A program that cannot be started. Each kind has its own exit status, so scripts can tell them
 * apart; the message is one line for the user.
 */
public final class LoadError extends Exception {
    public enum Kind {
        CANNOT_OPEN(66), NOT_ELF(67), WRONG_CLASS(68), WRONG_MACHINE(69), TRUNCATED(70), MALFORMED(71),
        NO_INTERPRETER(72), NO_SYSROOT(73);

        public final int exitStatus;

        Kind(int exitStatus) {
            this.exitStatus = exitStatus;
        }
    }

    public final Kind kind;

    public LoadError(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }
}
