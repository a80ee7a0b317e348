package dev.reprise.replay;

/**
 * A recording that cannot be read, one subclass per reason so that the CLI maps each to its own
 * exit status. {@link #getMessage()} is one line for the user, naming the directory. Unchecked, so
 * that a cursor can report a bad event in the middle of a replay without every caller declaring it.
 */
public abstract sealed class RecordingException extends RuntimeException {
    private RecordingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The directory does not exist. */
    public static final class Missing extends RecordingException {
        Missing(String message) {
            super(message, null);
        }
    }

    /** The path exists but is not a Reprise recording (no header, another file type). */
    public static final class Foreign extends RecordingException {
        Foreign(String message) {
            super(message, null);
        }
    }

    /** A Reprise recording of a format version this build does not read. */
    public static final class VersionMismatch extends RecordingException {
        public final int found;

        VersionMismatch(String message, int found) {
            super(message, null);
            this.found = found;
        }
    }

    /** Bytes that fail their checks: a checksum, an impossible value, an undecodable event. */
    public static final class Corrupted extends RecordingException {
        Corrupted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A file that ends early, or a complete recording with fewer events than its completion marker lists. */
    public static final class Truncated extends RecordingException {
        Truncated(String message) {
            super(message, null);
        }
    }
}
