package dev.reprise.cli;

import dev.reprise.linux.ElfFile;
import dev.reprise.linux.Exec;
import dev.reprise.linux.LoadError;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.trace.Step;
import dev.reprise.trace.TraceDiff;
import dev.reprise.trace.TraceFileException;
import dev.reprise.trace.TraceHeader;
import dev.reprise.trace.TracePrinter;
import dev.reprise.trace.TraceReader;
import dev.reprise.trace.TraceWriter;
import dev.reprise.trace.Tracer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code reprise trace}: runs a program writing a per-instruction trace; {@code show} and {@code diff} read traces. */
@Command(name = "trace", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {TraceCommand.Show.class, TraceCommand.Diff.class},
        description = {"Run a riscv64 Linux program, writing a trace of every retired instruction (pc, instruction,",
                "destination register and value, fcsr changes, memory addresses and stored values) per vCPU.",
                "Every vCPU runs on its own thread and reports each instruction. The exit status is the guest's."},
        footer = {"", "Exit status: the guest's (as 'reprise run'); 2 when the trace cannot be written; 64 usage error."})
final class TraceCommand implements Callable<Integer> {
    /** Exit status for unreadable, foreign or truncated traces and logs. */
    static final int TRACE_ERROR = 2;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The trace file to write.")
    Path output;

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "Execution engine: ${COMPLETION-CANDIDATES} (jit: its own translated code, all of it).",
            defaultValue = "interp")
    RunCommand.Engine engine;

    @Option(names = "--vcpu", paramLabel = "N", description = "Trace only vCPU N (0 is the first thread; default: all).")
    Integer vcpu;

    @Option(names = "--from", paramLabel = "ICOUNT", description = "Start at this instruction count (per vCPU).",
            defaultValue = "0")
    long from;

    @Option(names = "--count", paramLabel = "N", description = "Trace at most N instructions per vCPU (default: all).")
    Long count;

    @Mixin
    RunOptions run;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROGRAM", description = "The riscv64 ELF program.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> args = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Option(names = "--replay", paramLabel = "DIR",
            description = "Trace the replay of a recording instead of running PROGRAM (needs the recorded program, as replay does).")
    Path replay;

    @Option(names = "--from-checkpoint", paramLabel = "K",
            description = "With --replay: start the replay at the recording's checkpoint K (0, 1, ...) instead of the beginning;"
                    + " the trace then holds what the whole replay's trace holds from there on.")
    Long fromCheckpoint;

    @Override
    public Integer call() throws Exception {
        if (output == null) throw new ParameterException(spec.commandLine(), "Missing the trace file: -o FILE");
        if (fromCheckpoint != null && replay == null) {
            throw new ParameterException(spec.commandLine(), "--from-checkpoint K needs --replay DIR (a recording's checkpoint)");
        }
        if (fromCheckpoint != null && fromCheckpoint < 0) {
            throw new UserError("--from-checkpoint " + fromCheckpoint + ": checkpoints are numbered from 0", Main.USAGE);
        }
        if (from < 0 || count != null && count <= 0 || vcpu != null && vcpu < 0) {
            throw new ParameterException(spec.commandLine(), "--from, --count and --vcpu take non-negative numbers (--count positive)");
        }
        if (replay != null) {
            if (program != null) throw new ParameterException(spec.commandLine(), "--replay DIR takes no PROGRAM: the recording names it");
            return ReplaySession.trace(replay, fromCheckpoint, engine == RunCommand.Engine.jit, run.sysroot(), output, engine.name(),
                    vcpu == null ? -1 : vcpu, from, count == null ? Long.MAX_VALUE : count);
        }
        if (program == null) throw new ParameterException(spec.commandLine(), "Missing PROGRAM (or a subcommand: show, diff)");
        // With the JIT, Task makes traced translations that call the tracer around every instruction.
        RunOptions.Launch launch = run.launch(program, args, engine == RunCommand.Engine.jit);
        Process process = launch.process();
        Options options = launch.options();
        Exec.Start start = launch.start();
        long bias = loadBias(start);
        TraceHeader header = new TraceHeader(engine.name(), program.toAbsolutePath().toString(), options.argv(), bias);
        TraceWriter writer;
        try {
            writer = new TraceWriter(output, header);
        } catch (IOException e) {
            System.err.println("reprise: " + e.getMessage());
            return TRACE_ERROR;
        }
        process.observers = Tracer.factory(writer, vcpu == null ? -1 : vcpu, from, count == null ? Long.MAX_VALUE : count);
        Task.first(process, start).start();
        int status = process.awaitExit();
        try {
            writer.close();
        } catch (IOException e) {
            System.err.println("reprise: " + e.getMessage());
            return TRACE_ERROR;
        }
        return status;
    }

    /** Where the program's ELF addresses were loaded: non-zero only for a static-pie (no interpreter) program. */
    private long loadBias(Exec.Start start) {
        try {
            ElfFile elf = ElfFile.read(program, program.toString());
            return elf.type == ElfFile.ET_DYN && elf.interpreter == null ? start.pc() - elf.entry : 0;
        } catch (LoadError e) { // it was just loaded, so it can be read
            throw new UserError(e.getMessage(), e.kind.exitStatus);
        }
    }

    /** Runs {@code body}, turning a bad trace file into one line and exit status 2. */
    static int guarded(IoBody body) {
        try {
            return body.run();
        } catch (TraceFileException e) {
            System.err.println("reprise: " + e.getMessage());
        } catch (IOException e) {
            System.err.println("reprise: " + e.getMessage());
        }
        return TRACE_ERROR;
    }

    interface IoBody {
        int run() throws IOException;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Print a trace as text: icount, pc, symbol, disassembly, effects.",
            footer = {"", "Exit status: 0; 2 when FILE is missing, not a Reprise trace, or truncated."})
    static final class Show implements Callable<Integer> {
        @Option(names = "--from", paramLabel = "ICOUNT", description = "Start at this instruction count.", defaultValue = "0")
        long from;

        @Option(names = "--count", paramLabel = "N", description = "Print at most N instructions per vCPU (default: all).")
        Long count;

        @Option(names = "--vcpu", paramLabel = "N", description = "Only vCPU N (default: all, one after another).")
        Integer vcpu;

        @Parameters(index = "0", paramLabel = "FILE", description = "A trace written by 'reprise trace'.")
        Path file;

        @Override
        public Integer call() {
            PrintStream out = System.out;
            return guarded(() -> {
                try (TraceReader reader = new TraceReader(file)) {
                    TraceHeader h = reader.header();
                    out.printf("# %s, engine %s: %s%n", file, h.engine(), String.join(" ", h.argv()));
                    TracePrinter printer = TracePrinter.forHeader(h);
                    Step step = new Step();
                    for (int v : reader.vcpus()) {
                        if (vcpu != null && v != vcpu) continue;
                        out.printf("# vCPU %d%n", v);
                        TraceReader.Stream s = reader.stream(v);
                        long shown = 0;
                        long limit = count == null ? Long.MAX_VALUE : count;
                        while (shown < limit && s.next(step)) {
                            if (step.icount < from) continue;
                            out.println(printer.line(step));
                            if (step.kind == Step.Kind.INSN) shown++;
                        }
                    }
                    out.flush();
                    return 0;
                }
            });
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Print the first divergence between two traces: each a Reprise trace or a QEMU log",
                    "(qemu-riscv64 -singlestep -d cpu[,fpu],nochain -D FILE). A is expected, B actual."},
            footer = {"", "Exit status: 0 identical; 1 diverged; 2 a file is missing, foreign or truncated."})
    static final class Diff implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "A", description = "The expected trace or QEMU log.")
        Path a;

        @Parameters(index = "1", paramLabel = "B", description = "The trace or QEMU log to check.")
        Path b;

        @Override
        public Integer call() {
            return guarded(() -> {
                boolean same = TraceDiff.diff(a, b, System.out);
                System.out.flush();
                return same ? 0 : 1;
            });
        }
    }
}
