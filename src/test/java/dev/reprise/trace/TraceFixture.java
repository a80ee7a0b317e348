package dev.reprise.trace;

import dev.reprise.GuestRunner;
import dev.reprise.cpu.StepObserver;
import dev.reprise.linux.Exec;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Runs guest programs in this JVM, single-stepped on the test's thread, optionally traced. */
final class TraceFixture {
    private TraceFixture() {}

    /** The single-threaded guest programs whose runs repeat exactly (no clocks, no files, no threads). */
    static final List<String> SINGLE_THREADED = List.of("fs_arith", "fs_atomics", "fs_c", "fs_fp", "hello", "argv_env",
            "exit_status", "setjmp_longjmp", "segv_handler", "signals", "crash_segv", "crash_sigill");

    static Path program(String name) {
        return GuestRunner.root().resolve("guest-tests/bin").resolve(name);
    }

    /** A process for {@code name} with its expected arguments and an empty environment, as QEMU gets in the tests. */
    static Task start(String name) throws Exception {
        Path program = program(name);
        Path argsFile = GuestRunner.root().resolve("guest-tests/expected").resolve(name + ".args");
        List<String> argv = new ArrayList<>(List.of(program.toString()));
        if (Files.exists(argsFile)) argv.addAll(Files.readAllLines(argsFile));
        Process process = new Process(new Options(program, argv, List.of(), null, null, 0));
        return Task.first(process, Exec.load(process, process.options));
    }

    /** Traces {@code name} into {@code file}; {@code wrap} may put a test observer around the tracer. */
    static void trace(String name, Path file, UnaryOperator<StepObserver> wrap) throws Exception {
        Task task = start(name);
        TraceHeader header = new TraceHeader("interp", program(name).toString(), List.of(name), 0);
        try (TraceWriter writer = new TraceWriter(file, header)) {
            StepObserver.Factory tracers = Tracer.factory(writer, -1, 0, Long.MAX_VALUE);
            task.process.observers = (vcpu, hart) -> wrap.apply(tracers.start(vcpu, hart));
            while (task.step()) { }
        }
    }
}
