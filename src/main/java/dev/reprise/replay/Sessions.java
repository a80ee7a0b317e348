package dev.reprise.replay;

import dev.reprise.linux.Exec;
import dev.reprise.linux.LoadError;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole recording or replay of a program, start to end: what {@code reprise record} and
 * {@code reprise replay} run, and what tests run in-process.
 */
public final class Sessions {
    private Sessions() {}

    /**
     * Runs {@code process} (its program loaded: {@code start}) with its threads in parallel and
     * records it into {@code writer}; returns the guest's exit status. The recording is complete
     * when this returns normally.
     */
    public static int record(Process process, Exec.Start start, RecordingWriter writer, long granule)
            throws InterruptedException, IOException {
        return record(process, start, writer, granule, 0);
    }

    /**
     * {@link #record(Process, Exec.Start, RecordingWriter, long)}, with a checkpoint at a consistent
     * cut every {@code checkpointEvery} guest instructions (all threads together; 0: none).
     *
     * @throws IOException the recording cannot be written (also: its start, {@link RecordingWriter#start}, failed)
     */
    public static int record(Process process, Exec.Start start, RecordingWriter writer, long granule, long checkpointEvery)
            throws InterruptedException, IOException {
        Recorder recorder = new Recorder(process, writer, granule, checkpointEvery);
        Task first;
        try {
            first = Task.first(process, start);   // opens vCPU 0's log: waits for the writer's start
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        first.start();
        int status = process.awaitExit();
        recorder.awaitAllExited();
        writer.finish(recorder.finalDigest());
        return status;
    }

    /** The pid of the recorded process: vCPU 0's log starts with its own creation. */
    static int recordedPid(RecordingReader recording) {
        if (recording.vcpus().contains(0)) {
            try (EventCursor first = recording.cursor(0)) {
                if (first.peek() instanceof Event.Clone c && c.childVcpu() == 0) return c.tid();
            }
        }
        if (!recording.complete()) {
            throw new RecordingException.Truncated(recording.directory() + ": truncated recording (the recorder was killed"
                    + " before the first thread's first event)");
        }
        throw new RecordingException.Corrupted(recording.directory() + ": corrupted recording (vCPU 0's log does not start"
                + " with the first thread's creation)", null);
    }

    /** How a replay ended. */
    public enum Verdict { IDENTICAL, DIVERGED, INCOMPLETE }

    /**
     * @param verdict    identical, diverged, or as far as an incomplete recording goes
     * @param divergence where it diverged (null unless DIVERGED by an event; a final-state mismatch has none)
     * @param message    the one line to print
     * @param digest     the replay's final machine digest
     * @param status     the guest's exit status in the replay
     */
    public record Result(Verdict verdict, Replayer.Divergence divergence, String message, long digest, int status) {}

    /**
     * Replays {@code recording} on a fresh process of the recorded program (which must be at its
     * recorded path: the caller checks), with the JIT or the interpreter, echoing the guest's
     * output to {@code out}/{@code err} when they are not null.
     *
     * @throws LoadError            the program cannot be loaded
     * @throws RecordingException   the recording cannot be read as far as the replay needs
     * @throws dev.reprise.mem.HostRefusedException the host refuses the guest address space
     */
    public static Result replay(RecordingReader recording, boolean jit, Path sysroot, PrintStream out, PrintStream err)
            throws LoadError, InterruptedException {
        return replay(recording, jit, sysroot, out, err, null);
    }

    /** {@link #replay}, with every vCPU's steps told to {@code observers} (a traced replay; null: none). */
    public static Result replay(RecordingReader recording, boolean jit, Path sysroot, PrintStream out, PrintStream err,
                                dev.reprise.cpu.StepObserver.Factory observers) throws LoadError, InterruptedException {
        RecordingHeader header = recording.header();
        Options options = new Options(Path.of(header.program()), header.argv(), header.env(), sysroot, null, header.seed(), jit);
        try (Process process = new Process(options, recordedPid(recording))) {
            Replayer replayer = new Replayer(process, recording, out, err);
            process.observers = observers;
            Exec.Start start = Exec.load(process, options);
            Task.first(process, start).start();
            return finish(recording, process, replayer, out);
        }
    }

    /**
     * Replays {@code recording} from its checkpoint {@code checkpoint} to the end: the checkpoint is
     * restored into a fresh process (memory, memory map, signal actions, every live vCPU's
     * registers and thread state), each vCPU's log is read from where it stood at the cut, and the
     * verdict is the one a whole replay gives (identical with the same final digest, or where it
     * diverged). The program is not loaded: it must be there only for a dynamic one's sysroot checks.
     *
     * @throws RecordingException the recording or the checkpoint cannot be read (no such checkpoint: Missing)
     */
    public static Result replayFrom(RecordingReader recording, long checkpoint, boolean jit, Path sysroot, PrintStream out,
                                    PrintStream err) throws InterruptedException {
        return replayFrom(recording, readCheckpoint(recording, checkpoint), jit, sysroot, out, err, null);
    }

    /** {@link #replayFrom(RecordingReader, long, boolean, Path, PrintStream, PrintStream)} from a checkpoint read already, traced by {@code observers} (null: none). */
    public static Result replayFrom(RecordingReader recording, Checkpoint checkpoint, boolean jit, Path sysroot, PrintStream out,
                                    PrintStream err, dev.reprise.cpu.StepObserver.Factory observers) throws InterruptedException {
        if (checkpoint.logs().isEmpty() && !checkpoint.vcpus().isEmpty()) {
            throw new RecordingException.Corrupted(recording.directory() + ": corrupted checkpoint " + checkpoint.sequence()
                    + " (it says nowhere where the logs stand)", null);
        }
        RecordingHeader header = recording.header();
        Options options = new Options(Path.of(header.program()), header.argv(), header.env(), sysroot, null, header.seed(), jit);
        try (Process process = new Process(options, recordedPid(recording))) {
            Replayer replayer = new Replayer(process, recording, out, err, checkpoint);
            process.observers = observers;
            Checkpoints.restore(checkpoint, process);
            replayer.restoreEnded();
            List<Task> tasks = new ArrayList<>();
            for (Checkpoint.VcpuState s : checkpoint.vcpus()) {
                Checkpoint.LogPosition at = checkpoint.log(s.vcpu());
                if (at == null || at.ended() || s.tid() - process.pid != s.vcpu() || s.registerDigest() != at.registerDigest()) {
                    throw new RecordingException.Corrupted(recording.directory() + ": corrupted checkpoint " + checkpoint.sequence()
                            + " (vCPU " + s.vcpu() + "'s state and log position disagree)", null);
                }
                Task t = Task.restored(process, s.tid());
                s.restoreInto(t);
                tasks.add(t);
            }
            if (tasks.isEmpty()) throw new RecordingException.Corrupted(recording.directory() + ": corrupted checkpoint "
                    + checkpoint.sequence() + " (no live vCPU)", null);
            for (Task t : tasks) t.start();
            return finish(recording, process, replayer, out);
        }
    }

    /** Reads checkpoint {@code sequence} of {@code recording}. @throws RecordingException.Missing when it has no such checkpoint */
    public static Checkpoint readCheckpoint(RecordingReader recording, long sequence) {
        Path file = recording.directory().resolve(Layout.CHECKPOINTS).resolve(String.format("checkpoint-%06d", sequence));
        if (sequence < 0 || !java.nio.file.Files.isRegularFile(file)) {
            throw new RecordingException.Missing(recording.directory() + ": no checkpoint " + sequence + " (the recording has "
                    + recording.checkpoints().size() + ")");
        }
        Checkpoint c = Checkpoints.read(file);
        if (c.sequence() != sequence) {
            throw new RecordingException.Corrupted(file + ": corrupted checkpoint (it says it is number " + c.sequence() + ")", null);
        }
        return c;
    }

    /**
     * The latest checkpoint at which {@code vcpu} had not yet run past {@code icount} (its icount at
     * the cut is at most that; a vCPU created after the cut counts as 0), or empty when there is
     * none: what the debugger restores to reach that instruction without replaying from the start.
     */
    public static java.util.Optional<Checkpoint> checkpointAtOrBefore(RecordingReader recording, int vcpu, long icount) {
        List<Path> files = recording.checkpoints();
        for (int i = files.size() - 1; i >= 0; i--) {
            // Only the log positions of the ones passed over: a checkpoint's memory image is most of its file.
            Checkpoint.Logs logs = Checkpoints.readLogs(files.get(i));
            Checkpoint.LogPosition p = logs.log(vcpu);
            if ((p == null ? 0 : p.icount()) <= icount) return java.util.Optional.of(readCheckpoint(recording, logs.sequence()));
        }
        return java.util.Optional.empty();
    }

    /** Waits for the replay's end and says how it went. */
    private static Result finish(RecordingReader recording, Process process, Replayer replayer, PrintStream out)
            throws InterruptedException {
        {
            int status = process.awaitExit();
            replayer.awaitAllExited();
            if (out != null) out.flush();
            if (replayer.unreadable() != null) throw replayer.unreadable();
            long digest = replayer.finalDigest();
            String hex = String.format("%016x", digest);
            if (replayer.divergence() != null) {
                return new Result(Verdict.DIVERGED, replayer.divergence(), replayer.divergence().message(), digest, status);
            }
            if (!recording.complete() || replayer.ranOut()) {
                return new Result(Verdict.INCOMPLETE, null, "incomplete recording: replayed up to its last complete event,"
                        + " identical so far (the recorder did not finish; digest there " + hex + ")", digest, status);
            }
            if (recording.finalDigest().isPresent() && recording.finalDigest().getAsLong() != digest) {
                return new Result(Verdict.DIVERGED, null, "divergence: the final state differs: expected digest "
                        + String.format("%016x", recording.finalDigest().getAsLong()) + ", got " + hex, digest, status);
            }
            return new Result(Verdict.IDENTICAL, null, "identical: " + recording.vcpus().size() + " vCPUs, final digest " + hex
                    + ", guest exit status " + status, digest, status);
        }
    }
}
