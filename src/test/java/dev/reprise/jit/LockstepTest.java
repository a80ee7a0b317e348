package dev.reprise.jit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.reprise.GuestRunner;
import dev.reprise.cpu.Hart;
import dev.reprise.linux.Exec;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.mem.AddressSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The proof of equivalence on real programs: every single-threaded guest program runs in this
 * JVM twice, once with the JIT stepping one block at a time and once in the interpreter stepping
 * as many instructions; at every block boundary the full register state (pc, x, f, fcsr, icount)
 * must be equal, and at the end the exit status and a digest of all guest memory.
 */
class LockstepTest {
    /**
     * Programs left out, each for a reason: several threads (their interleaving differs from run to
     * run), system calls whose results differ between two runs (clocks, file times, temporary
     * names: fileio, syscalls_misc; recording will pin those), input the in-process run cannot give
     * (stdin_read), or too long to step (bench_cpu_*). GuestProgramsTest runs all of them with the JIT.
     * Programs with an expected/NAME.args file get those arguments (the benchmarks' short run).
     */
    static final Set<String> EXCLUDED = Set.of("atomic_counter", "byte_neighbours", "clone_bad_tid", "cpp_threads", "endless_threads", "false_sharing", "litmus_lb", "litmus_mp",
            "litmus_sb", "lrsc_spinlock", "many_threads", "openmp_reduction", "pthreads", "racy_counter", "racy_threads", "self_modifying", "signal_threads", "spin_progress", "bench_cpu_1",
            "bench_cpu_2", "bench_core_2", "fileio", "syscalls_misc", "stdin_read");

    @TestFactory
    Stream<DynamicTest> jitEqualsInterpreterAtEveryBlockBoundary() throws Exception {
        Path bin = GuestRunner.root().resolve("guest-tests/bin");
        List<Path> programs;
        try (Stream<Path> s = Files.list(bin)) {
            programs = s.filter(p -> !EXCLUDED.contains(p.getFileName().toString())).sorted().toList();
        }
        assertThat(programs).hasSizeGreaterThan(10);
        return programs.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> lockstep(p)));
    }

    static void lockstep(Path program) throws Exception {
        Process refProcess = process(program, false), jitProcess = process(program, true);
        Task ref = Task.first(refProcess, Exec.load(refProcess, refProcess.options));
        Task jit;
        String threshold = System.getProperty("reprise.jit.threshold");
        System.setProperty("reprise.jit.threshold", "0");   // translate every block, not only hot ones
        try {
            jit = Task.first(jitProcess, Exec.load(jitProcess, jitProcess.options));
        } finally {
            if (threshold == null) System.clearProperty("reprise.jit.threshold");
            else System.setProperty("reprise.jit.threshold", threshold);
        }
        long blocks = 0;
        boolean running = true;
        while (running) {
            running = jit.stepBlock();
            boolean refRunning = true;
            while (refRunning && ref.hart.icount < jit.hart.icount) refRunning = ref.step();
            // A trap retires nothing: the interpreter takes one more step to raise it (and deliver its signal).
            if (jit.lastStepTrapped() && refRunning) {
                refRunning = ref.step();
                assertThat(ref.lastStepTrapped()).as("interpreter trapped too, at icount %d", ref.hart.icount).isTrue();
            }
            assertThat(refRunning).as("%s: both still running after block %d", program.getFileName(), blocks).isEqualTo(running);
            if (running) compare(ref.hart, jit.hart, blocks);
            blocks++;
        }
        assertThat(blocks).isGreaterThan(10);
        assertThat(jitProcess.awaitExit()).as("exit status").isEqualTo(refProcess.awaitExit());
        assertThat(digest(jitProcess.space)).as("guest memory at exit").isEqualTo(digest(refProcess.space));
    }

    static Process process(Path program, boolean jit) {
        String path = program.toAbsolutePath().toString();
        List<String> argv = new java.util.ArrayList<>(List.of(path));
        Path args = GuestRunner.root().resolve("guest-tests/expected/" + program.getFileName() + ".args");
        try {
            if (Files.exists(args)) argv.addAll(Files.readAllLines(args));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Process(new Options(program.toAbsolutePath(), argv, List.of("LC_ALL=C"), null, null, 0, jit));
    }

    static void compare(Hart ref, Hart jit, long block) {
        if (ref.pc == jit.pc && ref.icount == jit.icount && java.util.Arrays.equals(ref.x, jit.x)
                && java.util.Arrays.equals(ref.f, jit.f) && ref.frm == jit.frm && ref.fflags == jit.fflags) return;
        StringBuilder sb = new StringBuilder(String.format("diverged after block %d: pc interp 0x%x jit 0x%x, icount %d / %d%n",
                block, ref.pc, jit.pc, ref.icount, jit.icount));
        for (int r = 0; r < 32; r++) {
            if (ref.x[r] != jit.x[r]) sb.append(String.format("  x%d: interp 0x%x, jit 0x%x%n", r, ref.x[r], jit.x[r]));
            if (ref.f[r] != jit.f[r]) sb.append(String.format("  f%d: interp 0x%x, jit 0x%x%n", r, ref.f[r], jit.f[r]));
        }
        sb.append(String.format("  fcsr: interp %d/%d, jit %d/%d%n", ref.frm, ref.fflags, jit.frm, jit.fflags));
        fail(sb.toString());
    }

    /** SHA-256 over every readable mapping (addresses, rights and bytes). */
    static String digest(AddressSpace space) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (AddressSpace.Mapping m : space.mappings()) {
            md.update(String.format("%x-%x:%d;", m.start(), m.end(), m.prot()).getBytes());
            if ((AddressSpace.effective(m.prot()) & AddressSpace.PROT_READ) == 0 || m.end() - m.start() > (64 << 20)) continue;
            byte[] page = new byte[(int) AddressSpace.PAGE_SIZE];
            for (long a = m.start(); a < m.end(); a += page.length) {
                space.read(a, page, 0, page.length);
                md.update(page);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
