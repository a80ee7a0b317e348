package dev.reprise.trace;

import dev.reprise.GuestRunner;
import dev.reprise.cli.Main;
import dev.reprise.cpu.Hart;
import dev.reprise.cpu.StepObserver;
import dev.reprise.isa.Disassembler;
import dev.reprise.isa.Op;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code trace diff}: finds injected faults exactly, agrees with QEMU's logs, and rejects bad files in one line. */
class TraceDiffTest {
    @TempDir
    Path dir;

    /** Flips a bit of the destination of the first {@code kind} instruction that retires at or after {@code from}. */
    static final class Fault implements StepObserver {
        private final StepObserver inner;
        private final Op kind;
        private final long from;
        private long pc, before;
        long icount = -1, faultPc;
        int rd;

        Fault(StepObserver inner, Op kind, long from) {
            this.inner = inner;
            this.kind = kind;
            this.from = from;
        }

        @Override
        public void before(Hart h) {
            pc = h.pc;
            before = h.icount;
            inner.before(h);
        }

        @Override
        public void after(Hart h) {
            if (icount < 0 && h.icount > from && h.icount == before + 1) {
                int lo = h.mmu.fetch16(pc);
                var insn = h.decode((lo & 3) != 3 ? lo : lo | h.mmu.fetch16(pc + 2) << 16);
                if (insn.op() == kind && insn.rd() != 0) {
                    h.x[insn.rd()] ^= 0x10;
                    icount = h.icount - 1;
                    faultPc = pc;
                    rd = insn.rd();
                }
            }
            inner.after(h);
        }

        @Override
        public void ended(Hart h) {
            inner.ended(h);
        }
    }

    @Test
    void anInjectedFaultIsReportedAtItsIcountPcAndRegister() throws Exception {
        Path clean = dir.resolve("clean.trace"), faulty = dir.resolve("faulty.trace");
        TraceFixture.trace("fs_c", clean, o -> o);
        Fault[] fault = new Fault[1];
        TraceFixture.trace("fs_c", faulty, o -> fault[0] = new Fault(o, Op.ADDI, 5000));
        Fault f = fault[0];
        assertThat(f.icount).as("the fault was injected").isPositive();

        String out = diff(clean, faulty, 1);
        String reg = Disassembler.xreg(f.rd);
        assertThat(out).startsWith(String.format("vCPU 0 diverges at icount %d, pc 0x%x", f.icount, f.faultPc));
        assertThat(out).containsPattern("\n  " + reg + ": +expected 0x[0-9a-f]+ \\(A\\), actual 0x[0-9a-f]+ \\(B\\)");
        assertThat(out.lines().filter(l -> l.startsWith("      ")).count()).as("five instructions of context:\n" + out).isEqualTo(5);
        assertThat(diff(clean, clean, 0)).startsWith("identical: ");
    }

    @TestFactory
    Stream<DynamicTest> qemuLogsOfFreestandingProgramsDiffAsIdentical() throws Exception {
        assumeTrue(GuestRunner.onPath("qemu-riscv64"), "qemu-riscv64 is not installed (apt-get install qemu-user)");
        List<String> programs;
        try (Stream<Path> s = Files.list(GuestRunner.root().resolve("guest-tests/bin"))) {
            programs = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("fs_")).sorted().toList();
        }
        assertThat(programs).isNotEmpty();
        return programs.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Path log = qemuLog(name), trace = dir.resolve(name + ".trace");
            TraceFixture.trace(name, trace, o -> o);
            assertThat(diff(log, trace, 0)).startsWith("identical: ");
            assertThat(diff(trace, log, 0)).startsWith("identical: ");
        }));
    }

    @Test
    void aFaultIsFoundAgainstQemuTooAtTheInstructionThatCausedIt() throws Exception {
        assumeTrue(GuestRunner.onPath("qemu-riscv64"), "qemu-riscv64 is not installed (apt-get install qemu-user)");
        Path log = qemuLog("fs_arith"), faulty = dir.resolve("faulty.trace");
        Fault[] fault = new Fault[1];
        TraceFixture.trace("fs_arith", faulty, o -> fault[0] = new Fault(o, Op.ADDI, 1000));
        Fault f = fault[0];
        String out = diff(log, faulty, 1);
        assertThat(out).startsWith(String.format("vCPU 0 diverges at icount %d, pc 0x%x", f.icount, f.faultPc));
        assertThat(out).contains("\n  " + Disassembler.xreg(f.rd) + ":");
    }

    @Test
    void truncatedForeignAndMissingFilesGiveOneLineAndStatus2() throws Exception {
        Path good = dir.resolve("good.trace");
        TraceFixture.trace("fs_arith", good, o -> o);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.trace"), Arrays.copyOf(bytes, bytes.length / 2));
        Path headerOnly = Files.write(dir.resolve("short.trace"), Arrays.copyOf(bytes, 20));
        Path foreign = Files.writeString(dir.resolve("foreign.txt"), "hello\nworld\n");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        Path missing = dir.resolve("missing.trace");
        for (Path bad : List.of(truncated, headerOnly, foreign, empty, missing)) {
            var r = GuestRunner.run(GuestRunner.repriseCommand("trace", "diff", good.toString(), bad.toString()), Map.of(),
                    new byte[0], 60);
            assertThat(r.status()).as(bad + ": " + r.stderr()).isEqualTo(2);
            assertThat(r.stderr()).as(bad.toString()).startsWith("reprise: " + bad + ": ").doesNotContain("Exception").hasLineCount(1);
        }
        var shown = GuestRunner.run(GuestRunner.repriseCommand("trace", "show", truncated.toString()), Map.of(), new byte[0], 60);
        assertThat(shown.status()).isEqualTo(2);
        assertThat(shown.stderr()).isEqualTo("reprise: " + truncated + ": truncated trace (it ends before its end marker: the run was cut short?)\n");
    }

    @Test
    void aTruncatedQemuLogGivesOneLineAndStatus2() throws Exception {
        assumeTrue(GuestRunner.onPath("qemu-riscv64"), "qemu-riscv64 is not installed (apt-get install qemu-user)");
        Path trace = dir.resolve("fs_arith.trace");
        TraceFixture.trace("fs_arith", trace, o -> o);
        byte[] log = Files.readAllBytes(qemuLog("fs_arith"));
        for (int cut : new int[] {log.length / 2, log.length - 1 - 40}) {
            Path truncated = Files.write(dir.resolve("cut" + cut + ".log"), Arrays.copyOf(log, cut));
            var r = GuestRunner.run(GuestRunner.repriseCommand("trace", "diff", truncated.toString(), trace.toString()),
                    Map.of(), new byte[0], 60);
            assertThat(r.status()).as(r.stdout() + r.stderr()).isEqualTo(2);
            assertThat(r.stderr()).startsWith("reprise: " + truncated + ": truncated QEMU log").hasLineCount(1);
        }
    }

    private Path qemuLog(String name) throws Exception {
        Path log = dir.resolve(name + ".log");
        Path program = TraceFixture.program(name);
        var qemu = GuestRunner.run(List.of("qemu-riscv64", "-singlestep", "-d", "cpu,fpu,nochain", "-D", log.toString(),
                program.toString()), Map.of(), new byte[0], 120);
        assertThat(Files.size(log)).as("qemu wrote a log (status %d)", qemu.status()).isPositive();
        return log;
    }

    /** Runs {@code reprise trace diff A B} in this JVM, checks its exit status and returns what it printed. */
    private static String diff(Path a, Path b, int status) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int actual;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            actual = Main.execute("trace", "diff", a.toString(), b.toString());
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(actual).as(out).isEqualTo(status);
        return out;
    }
}
