package dev.reprise.cli;

import dev.reprise.replay.RecordingException;

/** The exit status of each kind of unreadable recording (inspect, and replay and debug later). */
final class RecordingErrors {
    private RecordingErrors() {}

    static final int MISSING = 80, FOREIGN = 81, VERSION = 82, CORRUPTED = 83, TRUNCATED = 84;

    static int status(RecordingException e) {
        return switch (e) {
            case RecordingException.Missing m -> MISSING;
            case RecordingException.Foreign f -> FOREIGN;
            case RecordingException.VersionMismatch v -> VERSION;
            case RecordingException.Corrupted c -> CORRUPTED;
            case RecordingException.Truncated t -> TRUNCATED;
        };
    }
}
