package dev.reprise.cli;

import dev.reprise.linux.Exec;
import dev.reprise.linux.LoadError;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import picocli.CommandLine.Command;
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
    @Option(names = {"-L", "--sysroot"}, paramLabel = "DIR",
            description = "Root for the dynamic loader and its libraries (like qemu -L).",
            defaultValue = "${env:QEMU_LD_PREFIX}")
    Path sysroot;

    /** -E and -U in command-line order: "VAR=VALUE" sets, a bare "VAR" unsets (qemu applies them in order). */
    final List<String> environmentChanges = new ArrayList<>();

    @Option(names = {"-E"}, paramLabel = "VAR=VALUE", description = "Set a variable in the guest's environment.")
    void set(String assignment) {
        if (assignment.indexOf('=') <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-E wants VAR=VALUE, got '" + assignment + "'");
        }
        environmentChanges.add(assignment);
    }

    @Option(names = {"-U"}, paramLabel = "VAR", description = "Remove a variable from the guest's environment.")
    void unset(String name) {
        environmentChanges.add(name);
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-0", "--argv0"}, paramLabel = "ARGV0", description = "The guest's argv[0] (default: PROGRAM as given).")
    String argv0;

    @Option(names = "--strace", description = "Print every system call, qemu -strace style, to stderr.",
            defaultValue = "${env:REPRISE_STRACE:-false}")
    boolean strace;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for AT_RANDOM and getrandom.",
            defaultValue = "${env:REPRISE_SEED:-0}")
    long seed;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "Execution engine: ${COMPLETION-CANDIDATES}.",
            defaultValue = "${env:REPRISE_ENGINE:-jit}")
    Engine engine;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "The riscv64 ELF program.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> args = new ArrayList<>();

    /** jit: translated blocks (the interpreter for what they do not cover); interp: the interpreter alone. */
    enum Engine { jit, interp }

    /** Exit status when the host refuses what Reprise needs (the guest address-space reservation). */
    static final int HOST_REFUSED = 74;

    @Override
    public Integer call() throws Exception {
        Options options = options();
        Process process;
        try {
            process = new Process(options);
        } catch (IllegalStateException e) { // the host refused the guest address-space reservation
            System.err.println("reprise: " + e.getMessage());
            return HOST_REFUSED;
        }
        Exec.Start start;
        try {
            start = Exec.load(process, options);
        } catch (LoadError e) {
            System.err.println("reprise: " + e.getMessage());
            return e.kind.exitStatus;
        }
        Task.first(process, start).start();
        return process.awaitExit();
    }

    Options options() {
        List<String> argv = new ArrayList<>();
        argv.add(argv0 != null ? argv0 : program.toString());
        argv.addAll(args);
        return new Options(program, argv, Exec.qemuEnvironment(hostEnvironment(), environmentChanges),
                sysroot == null || sysroot.toString().isEmpty() ? null : sysroot,
                strace ? System.err : null, seed, engine == Engine.jit);
    }

    /** This process's environment in the order the kernel gave it (System.getenv() has no order). */
    static List<String> hostEnvironment() {
        try {
            byte[] raw = java.nio.file.Files.readAllBytes(Path.of("/proc/self/environ"));
            List<String> env = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    if (i > start) env.add(new String(raw, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1));
                    start = i + 1;
                }
            }
            return env;
        } catch (java.io.IOException e) {
            List<String> env = new ArrayList<>();
            System.getenv().forEach((k, v) -> env.add(k + "=" + v));
            return env;
        }
    }
}
