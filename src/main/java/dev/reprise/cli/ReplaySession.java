package dev.reprise.cli;

import dev.reprise.linux.Exec;
import dev.reprise.linux.LoadError;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.replay.RecordingException;
import dev.reprise.replay.RecordingHeader;
import dev.reprise.replay.RecordingReader;
import dev.reprise.replay.Replayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code reprise replay} does (kept out of {@link ReplayCommand} so that {@code run} never loads it). */
final class ReplaySession {
    private ReplaySession() {}

    static final int DIVERGED = 3, INCOMPLETE = 4, WRONG_PROGRAM = 85;

    static int replay(Path dir, boolean echo, boolean jit, Path sysroot) throws InterruptedException {
        try (RecordingReader recording = RecordingReader.open(dir)) {
            RecordingHeader header = recording.header();
            Path program = Path.of(header.program());
            checkProgram(dir, header, program);
            Options options = new Options(program, header.argv(), header.env(), sysroot, null, header.seed(), jit);
            Process process;
            try {
                process = new Process(options);
            } catch (IllegalStateException e) {
                throw new UserError(e.getMessage(), RunOptions.HOST_REFUSED);
            }
            Replayer replayer = new Replayer(process, recording, echo ? System.out : null, echo ? System.err : null);
            Exec.Start start;
            try {
                start = Exec.load(process, options);
            } catch (LoadError e) {
                throw new UserError(e.getMessage(), e.kind.exitStatus);
            }
            Task.first(process, start).start();
            int status = process.awaitExit();
            replayer.awaitAllExited();
            System.out.flush();
            return verdict(recording, replayer, status);
        } catch (RecordingException e) {
            throw new UserError(e.getMessage(), RecordingErrors.status(e));
        }
    }

    /** Replay needs the very program that was recorded, at the path the recording names. */
    private static void checkProgram(Path dir, RecordingHeader header, Path program) {
        try {
            if (!Files.isRegularFile(program)) {
                throw new UserError(dir + ": the recorded program " + program + " is not here (replay runs it again; SHA-256 "
                        + header.programSha256Hex() + ")", WRONG_PROGRAM);
            }
            if (!header.isOf(program)) {
                throw new UserError(dir + ": " + program + " is not the recorded program (its SHA-256 differs from "
                        + header.programSha256Hex() + ")", WRONG_PROGRAM);
            }
        } catch (IOException e) {
            throw new UserError(dir + ": cannot read the recorded program " + program + ": " + e.getMessage(), WRONG_PROGRAM);
        }
    }

    private static int verdict(RecordingReader recording, Replayer replayer, int status) {
        if (replayer.unreadable() != null) throw replayer.unreadable();
        if (replayer.divergence() != null) {
            System.out.println(replayer.divergence().message());
            return DIVERGED;
        }
        String digest = String.format("%016x", replayer.finalDigest());
        if (!recording.complete() || replayer.ranOut()) {
            System.out.println("incomplete recording: replayed up to its last complete event, identical so far"
                    + " (the recorder did not finish; digest there " + digest + ")");
            return INCOMPLETE;
        }
        if (recording.finalDigest().isPresent() && recording.finalDigest().getAsLong() != replayer.finalDigest()) {
            System.out.println("divergence: the final state differs: expected digest "
                    + String.format("%016x", recording.finalDigest().getAsLong()) + ", got " + digest);
            return DIVERGED;
        }
        System.out.println("identical: " + recording.vcpus().size() + " vCPUs, final digest " + digest
                + ", guest exit status " + status);
        return 0;
    }
}
