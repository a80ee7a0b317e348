package dev.reprise.cli;

import dev.reprise.linux.Options;
import dev.reprise.replay.Recorder;
import dev.reprise.replay.RecordingHeader;
import dev.reprise.replay.RecordingWriter;
import dev.reprise.replay.Sessions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** What {@code reprise record} does (kept out of {@link RecordCommand} so that {@code run} never loads it). */
final class RecordSession {
    private RecordSession() {}

    /** Exit status when the recording directory cannot be created or written. */
    static final int CANNOT_WRITE = 75;
    /** Largest granule: 1 GiB (a power of two, at least {@link Recorder#MIN_GRANULE}). */
    private static final long MAX_GRANULE = 1L << 30;

    /** The default of --checkpoint-every (docs/cli.md says why). */
    static final String DEFAULT_CHECKPOINT_EVERY = "4000000000";

    static int record(RunOptions run, Path program, List<String> args, RunCommand.Engine engine, Path output, long granule,
                      long checkpointEvery) throws InterruptedException {
        if (checkpointEvery < 0) throw new UserError("--checkpoint-every " + checkpointEvery + ": must be 0 (none) or a number of instructions", Main.USAGE);
        if (granule < Recorder.MIN_GRANULE || granule > MAX_GRANULE || Long.bitCount(granule) != 1) {
            throw new UserError("--granule " + granule + ": must be a power of two from " + Recorder.MIN_GRANULE + " to " + MAX_GRANULE
                    + " bytes", Main.USAGE);
        }
        Path dir = output != null ? output : defaultDirectory(program);
        // The writer digests the program, writes the header and opens vCPU 0's queue on a thread of
        // its own while this one loads the program (docs/performance.md, "record start-up"); the
        // first vCPU waits for it. A program that cannot be loaded leaves no recording behind.
        boolean jit = engine == RunCommand.Engine.jit;
        Options options = run.options(program, args, jit);
        RecordingWriter writer;
        try {
            writer = RecordingWriter.start(dir, () -> RecordingHeader.of(program, options.argv(), options.env(), granule,
                    options.seed(), engine.name()));
        } catch (IOException e) {
            throw new UserError("cannot write the recording " + dir + ": " + e.getMessage(), CANNOT_WRITE);
        }
        RunOptions.Launch launch;
        try {
            launch = run.launch(options);
        } catch (RuntimeException | Error e) {
            writer.abandon();
            throw e;
        }
        int status;
        try {
            status = Sessions.record(launch.process(), launch.start(), writer, granule, checkpointEvery);
        } catch (IOException e) {
            throw new UserError("cannot write the recording " + dir + ": " + e.getMessage(), CANNOT_WRITE);
        } finally {
            writer.close();
        }
        System.err.println("reprise: recorded to " + dir + " (replay: reprise replay " + dir + ")");
        return status;
    }

    /** replay-logs/PROGRAM-yyyyMMdd-HHmmss-SSS. */
    private static Path defaultDirectory(Path program) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        return Path.of("replay-logs", program.getFileName() + "-" + stamp);
    }
}
