package dev.reprise.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprise replay}: repeats a recorded run, in parallel, and says whether it went
 * identically. The work is in {@link ReplaySession} (never loaded for {@code run}).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay a recording, one host thread per vCPU, and print one line: identical (with the final "
                + "digest), or the first divergence. Needs the recorded program at its recorded path (checked by SHA-256).",
        footer = {"", "Exit status: 0 identical; 3 diverged; 4 the recording is incomplete (replayed up to its last",
                "complete event); 64 usage error; 66-74 the program cannot be loaded; 80 no such recording;",
                "81 not a Reprise recording; 82 another format version; 83 corrupted; 84 truncated;",
                "85 the recorded program is missing or different."})
final class ReplayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The recording directory.")
    Path dir;

    @Option(names = "--echo", description = "Write the guest's output (its writes to stdout and stderr) as it is replayed.")
    boolean echo;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "Execution engine: ${COMPLETION-CANDIDATES}.",
            defaultValue = "${env:REPRISE_ENGINE:-jit}")
    RunCommand.Engine engine;

    @Option(names = {"-L", "--sysroot"}, paramLabel = "DIR",
            description = "Root for the dynamic loader, as when recording (dynamic programs only).")
    Path sysroot;

    @Option(names = "--from-checkpoint", paramLabel = "K",
            description = "Start from the recording's checkpoint K (0, 1, ...; 'reprise inspect' counts them) instead of the "
                    + "beginning, and replay to the end.")
    Long fromCheckpoint;

    @Override
    public Integer call() throws Exception {
        if (fromCheckpoint != null && fromCheckpoint < 0) {
            throw new UserError("--from-checkpoint " + fromCheckpoint + ": checkpoints are numbered from 0", Main.USAGE);
        }
        return ReplaySession.replay(dir, echo, engine == RunCommand.Engine.jit, sysroot, fromCheckpoint);
    }
}
