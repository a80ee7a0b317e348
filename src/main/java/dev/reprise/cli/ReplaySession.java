package dev.reprise.cli;

import dev.reprise.linux.LoadError;
import dev.reprise.mem.HostRefusedException;
import dev.reprise.replay.RecordingException;
import dev.reprise.replay.RecordingHeader;
import dev.reprise.replay.RecordingReader;
import dev.reprise.replay.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code reprise replay} does (kept out of {@link ReplayCommand} so that {@code run} never loads it). */
final class ReplaySession {
    private ReplaySession() {}

    static final int DIVERGED = 3, INCOMPLETE = 4, WRONG_PROGRAM = 85;

    /** {@code from}: the checkpoint to start from, or null for the beginning. */
    static int replay(Path dir, boolean echo, boolean jit, Path sysroot, Long from) throws InterruptedException {
        try (RecordingReader recording = RecordingReader.open(dir)) {
            RecordingHeader header = recording.header();
            checkProgram(dir, header, Path.of(header.program()));
            Sessions.Result result = from == null
                    ? Sessions.replay(recording, jit, sysroot, echo ? System.out : null, echo ? System.err : null)
                    : Sessions.replayFrom(recording, from, jit, sysroot, echo ? System.out : null, echo ? System.err : null);
            return verdict(result);
        } catch (RecordingException | LoadError | HostRefusedException e) {
            throw userError(e);
        }
    }

    /**
     * {@code reprise trace --replay DIR}: replays DIR with every instruction traced to {@code output}
     * (the trace's program is the recorded one; a static program, so no load bias), from the start
     * or from checkpoint {@code checkpoint} (null: the start). Each vCPU's stream then starts with its
     * state at the cut: what the whole replay's trace holds from that icount on. Returns the
     * replay's status as {@code replay} gives it; 2 if the trace file cannot be written.
     */
    static int trace(Path dir, Long checkpoint, boolean jit, Path sysroot, Path output, String engine, int only, long from, long count)
            throws InterruptedException {
        try (RecordingReader recording = RecordingReader.open(dir)) {
            RecordingHeader header = recording.header();
            checkProgram(dir, header, Path.of(header.program()));
            // Read before the trace file is created: a bad checkpoint leaves no empty trace behind.
            dev.reprise.replay.Checkpoint cut = checkpoint == null ? null : Sessions.readCheckpoint(recording, checkpoint);
            dev.reprise.trace.TraceWriter writer;
            try {
                writer = new dev.reprise.trace.TraceWriter(output, new dev.reprise.trace.TraceHeader(engine,
                        Path.of(header.program()).toAbsolutePath().toString(), header.argv(), 0));
            } catch (java.io.IOException e) {
                System.err.println("reprise: " + e.getMessage());
                return TraceCommand.TRACE_ERROR;
            }
            var observers = dev.reprise.trace.Tracer.factory(writer, only, from, count);
            Sessions.Result result = cut == null ? Sessions.replay(recording, jit, sysroot, null, null, observers)
                    : Sessions.replayFrom(recording, cut, jit, sysroot, null, null, observers);
            try {
                writer.close();
            } catch (java.io.IOException e) {
                System.err.println("reprise: " + e.getMessage());
                return TraceCommand.TRACE_ERROR;
            }
            return verdict(result);
        } catch (RecordingException | LoadError | HostRefusedException e) {
            throw userError(e);
        }
    }

    /** Prints the replay's one line and returns its exit status. */
    private static int verdict(Sessions.Result result) {
        System.out.println(result.message());
        return switch (result.verdict()) {
            case IDENTICAL -> 0;
            case DIVERGED -> DIVERGED;
            case INCOMPLETE -> INCOMPLETE;
        };
    }

    /** The one-line error and status of what stops a replay before it runs: a bad recording, a program that does not load, no guest memory. */
    private static UserError userError(Exception e) {
        return switch (e) {
            case RecordingException r -> new UserError(r.getMessage(), RecordingErrors.status(r));
            case LoadError l -> new UserError(l.getMessage(), l.kind.exitStatus);
            default -> new UserError(e.getMessage(), RunOptions.HOST_REFUSED);   // the host refused the guest address space
        };
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
}
