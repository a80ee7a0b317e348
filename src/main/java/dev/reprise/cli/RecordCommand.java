package dev.reprise.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reprise record}: runs a program like {@code run}, its threads in parallel, and records
 * the run. The work is in {@link RecordSession}, so that registering this command never loads the
 * replay package (nor Chronicle) for {@code run}.
 */
@Command(name = "record", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a riscv64 Linux program with its threads in parallel and record the run, so that "
                + "'reprise replay' can repeat it exactly. The exit status is the guest's.",
        footer = {"", "Exit status: the guest's; 128+N when signal N killed it; 64 usage error; 66-74 as for 'run';",
                "75 the recording directory cannot be written."})
final class RecordCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "The recording directory (new or empty; default replay-logs/PROGRAM-TIMESTAMP).")
    Path output;

    @Option(names = "--granule", paramLabel = "BYTES", defaultValue = "4096",
            description = "Bytes per ownership granule: a power of two from 64 bytes to 1 GiB (default ${DEFAULT-VALUE}, a page).")
    long granule;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "Execution engine: ${COMPLETION-CANDIDATES}.",
            defaultValue = "${env:REPRISE_ENGINE:-jit}")
    RunCommand.Engine engine;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Take a checkpoint of the whole machine about every N guest instructions (all threads together), "
                    + "for replays and the debugger to start from; 0: none.",
            defaultValue = "${env:REPRISE_CHECKPOINT_EVERY:-" + RecordSession.DEFAULT_CHECKPOINT_EVERY + "}")
    long checkpointEvery;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "The riscv64 ELF program.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return RecordSession.record(run, program, args, engine, output, granule, checkpointEvery);
    }
}
