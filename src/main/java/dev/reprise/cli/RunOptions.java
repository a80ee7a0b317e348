package dev.reprise.cli;

import dev.reprise.linux.Exec;
import dev.reprise.linux.LoadError;
import dev.reprise.linux.Process;
import dev.reprise.linux.Options;
import dev.reprise.mem.HostRefusedException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options of every command that runs a guest (run, trace): qemu-user's -L, -E, -U, -0, --strace, and --seed. */
final class RunOptions {
    @Option(names = {"-L", "--sysroot"}, paramLabel = "DIR",
            description = "Root for the dynamic loader and its libraries (like qemu -L).",
            defaultValue = "${env:QEMU_LD_PREFIX}")
    Path sysroot;

    /** -E and -U in command-line order: "VAR=VALUE" sets, a bare "VAR" unsets (qemu applies them in order). */
    final List<String> environmentChanges = new ArrayList<>();

    @Option(names = {"-E"}, paramLabel = "VAR=VALUE", description = "Set a variable in the guest's environment.")
    void set(String assignment) {
        if (assignment.indexOf('=') <= 0) {
            throw new ParameterException(spec.commandLine(), "-E wants VAR=VALUE, got '" + assignment + "'");
        }
        environmentChanges.add(assignment);
    }

    @Option(names = {"-U"}, paramLabel = "VAR", description = "Remove a variable from the guest's environment.")
    void unset(String name) {
        environmentChanges.add(name);
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"-0", "--argv0"}, paramLabel = "ARGV0", description = "The guest's argv[0] (default: PROGRAM as given).")
    String argv0;

    @Option(names = "--strace", description = "Print every system call, qemu -strace style, to stderr.",
            defaultValue = "${env:REPRISE_STRACE:-false}")
    boolean strace;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for AT_RANDOM and getrandom.",
            defaultValue = "${env:REPRISE_SEED:-0}")
    long seed;

    /** How to start {@code program} with {@code args} under these options, with the JIT or the interpreter alone. */
    Options options(Path program, List<String> args, boolean jit) {
        List<String> argv = new ArrayList<>();
        argv.add(argv0 != null ? argv0 : program.toString());
        argv.addAll(args);
        return new Options(program, argv, Exec.qemuEnvironment(hostEnvironment(), environmentChanges),
                sysroot == null || sysroot.toString().isEmpty() ? null : sysroot,
                strace ? System.err : null, seed, jit);
    }

    /** The sysroot given (-L or QEMU_LD_PREFIX), or null. */
    Path sysroot() {
        return sysroot == null || sysroot.toString().isEmpty() ? null : sysroot;
    }

    /** A process with {@code program} loaded, ready to start its first thread. */
    record Launch(Process process, Options options, Exec.Start start) {}

    /**
     * Creates the process and loads the program, or throws {@link UserError}: a load error with
     * its own status, or {@link #HOST_REFUSED} when the host refuses the guest address space.
     */
    Launch launch(Path program, List<String> args, boolean jit) {
        return launch(options(program, args, jit));
    }

    /** {@link #launch(Path, List, boolean)} with its options made already. */
    Launch launch(Options options) {
        Process process;
        try {
            process = new Process(options);
        } catch (HostRefusedException e) { // the host refused the guest address-space reservation
            throw new UserError(e.getMessage(), HOST_REFUSED);
        }
        try {
            return new Launch(process, options, Exec.load(process, options));
        } catch (LoadError e) {
            process.close();
            throw new UserError(e.getMessage(), e.kind.exitStatus);
        }
    }

    /** Exit status when the host refuses what Reprise needs (the guest address-space reservation). */
    static final int HOST_REFUSED = 74;

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
