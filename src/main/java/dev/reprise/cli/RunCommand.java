package dev.reprise.cli;

import dev.reprise.linux.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code reprise run}: runs a riscv64 Linux program, every guest thread on its own host thread. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a riscv64 Linux program. The exit status is the guest's.",
        footer = {"", "Exit status: the guest's; 128+N when signal N killed it; 64 usage error; 66 cannot open;",
                "67 not an ELF; 68 not ELF64; 69 not RISC-V; 70 truncated; 71 malformed; 72 dynamic loader",
                "missing under the sysroot; 73 dynamic program without --sysroot; 74 the host refused memory."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "Execution engine: ${COMPLETION-CANDIDATES}.",
            defaultValue = "${env:REPRISE_ENGINE:-jit}")
    Engine engine;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "The riscv64 ELF program.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> args = new ArrayList<>();

    /** The execution engines: the interpreter (the reference semantics) and the JIT. */
    enum Engine { interp, jit }

    @Override
    public Integer call() throws Exception {
        RunOptions.Launch launch = run.launch(program, args, engine == Engine.jit);
        Task.first(launch.process(), launch.start()).start();
        return launch.process().awaitExit();
    }
}
