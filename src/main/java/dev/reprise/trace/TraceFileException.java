package dev.reprise.trace;

import java.io.IOException;

/**
 * A trace or log that cannot be read: missing, foreign, of another format version, truncated or
 * corrupt. The message is one line that starts with the file's name; the CLI prints it after
 * "reprise: " and exits with status 2.
 */
public final class TraceFileException extends IOException {
    public TraceFileException(Object file, String what) {
        super(file + ": " + what);
    }
}
