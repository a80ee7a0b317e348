package dev.reprise.jit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.GuestRunner;
import dev.reprise.cpu.Hart;
import dev.reprise.cpu.StepObserver;
import dev.reprise.isa.Decoder;
import dev.reprise.isa.Disassembler;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;
import dev.reprise.linux.Exec;
import dev.reprise.linux.Host;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.ProcessControl;
import dev.reprise.linux.Task;
import dev.reprise.trace.Step;
import dev.reprise.trace.TraceDiff;
import dev.reprise.trace.TraceHeader;
import dev.reprise.trace.TraceReader;
import dev.reprise.trace.TraceWriter;
import dev.reprise.trace.Tracer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tracing through the JIT: the traced translation reports every instruction exactly as the
 * interpreter does (trace diff says identical for every single-threaded guest program, every
 * block translated), and a bug in the translator shows up in {@code trace diff} at the
 * instruction it breaks.
 */
class TraceJitTest {
    @TempDir
    Path dir;

    /**
     * The guest programs with more than one thread (each source checked: pthread, std::thread,
     * OpenMP or clone), whose interleaving differs from run to run. Everything else in
     * guest-tests/bin is traced.
     */
    static final Set<String> MULTI_THREADED = Set.of("atomic_counter", "bench_core_2", "bench_cpu_2", "byte_neighbours", "clone_bad_tid", "cpp_threads", "endless_threads", "false_sharing",
            "litmus_lb", "litmus_mp", "litmus_sb", "lrsc_spinlock", "many_threads", "openmp_reduction", "pthreads", "racy_counter", "racy_threads",
            "self_modifying", "signal_threads", "spin_progress");

    /** Arguments that keep a long program short (instead of guest-tests/expected/NAME.args); the whole run is traced. */
    static final Map<String, List<String>> SHORT_ARGS = Map.of("bench_cpu_1", List.of("2000"));
    /**
     * Programs too long to trace whole within the test's time (malloc_heavy runs about a billion
     * instructions): only the instructions before this icount are traced, then the run is ended.
     */
    static final Map<String, Long> WINDOW = Map.of("malloc_heavy", 3_000_000L);
    /** The exit status of a run ended after its window. */
    static final int ENDED_AFTER_WINDOW = 99;

    @TestFactory
    Stream<DynamicTest> interpreterAndJitTracesAreIdentical() throws Exception {
        List<String> programs;
        try (Stream<Path> s = Files.list(GuestRunner.root().resolve("guest-tests/bin"))) {
            programs = s.map(p -> p.getFileName().toString()).filter(n -> !MULTI_THREADED.contains(n)).sorted().toList();
        }
        assertThat(programs).hasSizeGreaterThanOrEqualTo(19);
        return programs.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path interp = dir.resolve(name + ".interp"), jit = dir.resolve(name + ".jit");
            List<byte[]> outputs = new ArrayList<>();
            int interpStatus = trace(name, false, interp, outputs), jitStatus = trace(name, true, jit, outputs);
            Long window = WINDOW.get(name);
            assertThat(jitStatus).as("exit status").isEqualTo(interpStatus)
                    .isEqualTo(window != null ? ENDED_AFTER_WINDOW : expectedStatus(name));
            String out = diff(interp, jit);
            assertThat(out).startsWith("identical: ");
            long records = Long.parseLong(out.split(" ")[1]);
            assertThat(records).as("instructions traced").isGreaterThan(window != null ? window : 500);
        }));
    }

    /**
     * A translator bug, injected: every {@code kind} instruction translated with imm + 1. The
     * expected report is computed from the interpreter's trace alone: the first such instruction
     * whose result imm + 1 changes (rd not x0; for andi not every operand is changed by it).
     */
    @ParameterizedTest
    @EnumSource(value = Op.class, names = {"ADDI", "ANDI"})
    void aWrongImmediateInTheTranslatorIsReportedAtItsIcountAndPc(Op kind) throws Exception {
        Path good = dir.resolve("good.trace"), bad = dir.resolve("bad.trace");
        trace("fs_c", false, good, new ArrayList<>());
        long icount = -1, pc = 0, right = 0, wrong = 0;
        int rd = 0;
        try (TraceReader reader = new TraceReader(good)) {
            TraceReader.Stream s = reader.stream(0);
            Step step = new Step();
            while (icount < 0 && s.next(step)) {
                if (step.kind != Step.Kind.INSN) continue;
                Insn insn = Decoder.decode(step.bits);
                if (insn.op() != kind || insn.rd() == 0) continue;
                long a = s.state().x[insn.rs1()];   // the registers before this instruction
                if (result(kind, a, insn.imm()) == result(kind, a, insn.imm() + 1)) continue;
                icount = step.icount;
                pc = step.pc;
                rd = insn.rd();
                right = result(kind, a, insn.imm());
                wrong = result(kind, a, insn.imm() + 1);
            }
        }
        assertThat(icount).as("fs_c runs an %s that imm + 1 changes", kind).isPositive();

        Translator.faultyImmediate = kind;
        try {
            trace("fs_c", true, bad, new ArrayList<>());
        } finally {
            Translator.faultyImmediate = null;
        }
        String out = diff(good, bad);
        String reg = Disassembler.xreg(rd);
        assertThat(out).startsWith(String.format("vCPU 0 diverges at icount %d, pc 0x%x", icount, pc));
        assertThat(out).containsPattern(String.format("\n  %s: +expected 0x%x \\(A\\), actual 0x%x \\(B\\)\n", reg, right, wrong));
        assertThat(out.lines().filter(l -> l.startsWith("      ")).count()).as("five instructions of context:\n" + out).isEqualTo(5);
    }

    private static long result(Op kind, long a, long imm) {
        return switch (kind) {
            case ADDI -> a + imm;
            case ANDI -> a & imm;
            default -> throw new IllegalArgumentException(kind.toString());
        };
    }

    /**
     * Runs guest program {@code name} in this JVM as {@code reprise trace} does (its own vCPU
     * thread, with its expected arguments, environment and stdin; stdout discarded), with the JIT
     * or the interpreter, tracing every instruction (of its {@link #WINDOW}) into {@code file}.
     * The interpreter's run appends what the kernel wrote for some system calls to {@code outputs},
     * the JIT's run gets the same bytes ({@link Harness}). Returns the exit status.
     */
    static int trace(String name, boolean jit, Path file, List<byte[]> outputs) throws Exception {
        Path program = GuestRunner.root().resolve("guest-tests/bin").resolve(name);
        Path expected = GuestRunner.root().resolve("guest-tests/expected");
        List<String> argv = new ArrayList<>(List.of(program.toString()));
        if (SHORT_ARGS.containsKey(name)) argv.addAll(SHORT_ARGS.get(name));
        else if (Files.exists(expected.resolve(name + ".args"))) argv.addAll(Files.readAllLines(expected.resolve(name + ".args")));
        Path envFile = expected.resolve(name + ".env");
        List<String> env = Files.exists(envFile) ? Files.readAllLines(envFile).stream().filter(l -> !l.isEmpty()).toList() : List.of();
        Path stdin = expected.resolve(name + ".stdin");
        try (Process process = new Process(new Options(program, argv, env, null, null, 0, jit))) {
            redirect(process, 0, Files.exists(stdin) ? stdin.toString() : "/dev/null", 0 /* O_RDONLY */);
            redirect(process, 1, "/dev/null", 1 /* O_WRONLY */);
            Exec.Start start = Exec.load(process, process.options);
            TraceHeader header = new TraceHeader(jit ? "jit" : "interp", program.toString(), argv, 0);
            int status;
            long window = WINDOW.getOrDefault(name, Long.MAX_VALUE);
            try (TraceWriter writer = new TraceWriter(file, header)) {
                StepObserver.Factory tracers = Tracer.factory(writer, -1, 0, window);
                process.observers = (vcpu, hart) -> new Harness(tracers.start(vcpu, hart), process, outputs, jit, window);
                Task.first(process, start).start();
                status = process.awaitExit();
            }
            return status;
        }
    }

    /**
     * Around the tracer: pins what the kernel wrote that differs from run to run (clock readings,
     * inode numbers and file times in directory entries and stat buffers): the interpreter's run
     * records those bytes of each such system call, the JIT's run gets the same bytes, as a replay
     * of a recording would. Also ends the run once the window is traced. It changes guest memory
     * only between instructions, after an ecall; the trace still shows every instruction of both
     * engines.
     */
    static final class Harness implements StepObserver {
        static final int ECALL = 0x73;
        /** System call number to {the argument holding the buffer, its size (-1: the result)}. */
        static final Map<Long, int[]> OUTPUTS = Map.of(61L /* getdents64 */, new int[] {1, -1},
                79L /* newfstatat */, new int[] {2, 128}, 80L /* fstat */, new int[] {1, 128},
                113L /* clock_gettime */, new int[] {1, 16}, 291L /* statx */, new int[] {4, 256});
        private final StepObserver tracer;
        private final Process process;
        private final List<byte[]> outputs;
        private final boolean replay;
        private final long window;
        private long pc, icount;
        private int readings;
        private boolean ended;

        Harness(StepObserver tracer, Process process, List<byte[]> outputs, boolean replay, long window) {
            this.tracer = tracer;
            this.process = process;
            this.outputs = outputs;
            this.replay = replay;
            this.window = window;
        }

        @Override
        public void before(Hart h) {
            pc = h.pc;
            icount = h.icount;
            tracer.before(h);
        }

        @Override
        public void after(Hart h) {
            int[] output = OUTPUTS.get(h.x[17]);
            if (output != null && h.icount == icount + 1 && h.x[10] >= 0 && isEcall(h, pc)) {
                long buffer = h.x[10 + output[0]];
                int size = output[1] < 0 ? (int) h.x[10] : output[1];
                if (!replay) {
                    byte[] bytes = new byte[size];
                    for (int i = 0; i < size; i++) bytes[i] = (byte) h.mmu.lbu(buffer + i);
                    outputs.add(bytes);
                } else if (readings < outputs.size() && outputs.get(readings).length == size) {
                    byte[] bytes = outputs.get(readings);
                    for (int i = 0; i < size; i++) h.mmu.sb(buffer + i, bytes[i]);
                }
                readings++;
            }
            tracer.after(h);
            if (h.icount >= window && !ended) {
                ended = true;
                ProcessControl.exit(process, ENDED_AFTER_WINDOW);
            }
        }

        @Override
        public void ended(Hart h) {
            tracer.ended(h);
        }

        private static boolean isEcall(Hart h, long pc) {
            return h.mmu.fetch16(pc) == ECALL && h.mmu.fetch16(pc + 2) == 0;
        }
    }

    /** Puts host file {@code path} at guest fd {@code fd}. */
    private static void redirect(Process process, int fd, String path, int flags) {
        process.files.close(fd);
        int host = Host.openat(-100 /* AT_FDCWD */, path, flags | 02000000 /* O_CLOEXEC */, 0);
        assertThat(host).as("open " + path).isNotNegative();
        assertThat(process.files.install(host, false, fd)).isEqualTo(fd);
    }

    static int expectedStatus(String name) throws Exception {
        return Integer.parseInt(Files.readString(GuestRunner.root().resolve("guest-tests/expected").resolve(name + ".status")).trim());
    }

    /** What {@code trace diff A B} prints. */
    static String diff(Path a, Path b) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            boolean same = TraceDiff.diff(a, b, out);
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertThat(same).as(text).isEqualTo(text.startsWith("identical: "));
            return text;
        }
    }
}
