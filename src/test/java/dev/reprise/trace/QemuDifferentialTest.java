package dev.reprise.trace;

import dev.reprise.GuestRunner;
import dev.reprise.linux.Exec;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For every freestanding guest program (guest-tests/bin/fs_*: no libc, so no random bytes are
 * consumed), Reprise's registers before every instruction equal QEMU's
 * ({@code qemu-riscv64 -singlestep -d cpu,fpu,nochain}); with the JIT, at every block boundary.
 * Skips only where qemu-riscv64 is absent.
 */
class QemuDifferentialTest {
    @TestFactory
    Stream<DynamicTest> registerStatesEqualQemusBeforeEveryInstruction() throws IOException {
        assumeTrue(GuestRunner.onPath("qemu-riscv64"), "qemu-riscv64 is not installed (apt-get install qemu-user)");
        Path bin = GuestRunner.root().resolve("guest-tests/bin");
        List<Path> programs;
        try (Stream<Path> s = Files.list(bin)) {
            programs = s.filter(p -> p.getFileName().toString().startsWith("fs_")).sorted().toList();
        }
        assertThat(programs).as("freestanding guest programs in guest-tests/bin").isNotEmpty();
        return programs.stream().flatMap(p -> Stream.of(
                DynamicTest.dynamicTest(p.getFileName() + " [interp]", () -> compare(p, false)),
                DynamicTest.dynamicTest(p.getFileName() + " [jit]", () -> compare(p, true))));
    }

    static void compare(Path program, boolean jit) throws Exception {
        Path log = Files.createTempFile("qemu-", ".log");
        try {
            String path = program.toAbsolutePath().toString();
            var qemu = GuestRunner.run(List.of("qemu-riscv64", "-singlestep", "-d", "cpu,fpu,nochain", "-D",
                    log.toString(), path), Map.of(), new byte[0], 120);
            Process process = new Process(new Options(program.toAbsolutePath(), List.of(path), List.of(), null, null, 0, jit));
            Task task;
            String threshold = System.getProperty("reprise.jit.threshold");
            System.setProperty("reprise.jit.threshold", "0");   // the JIT translates every block at once
            try {
                task = Task.first(process, Exec.load(process, process.options));
            } finally {
                if (threshold == null) System.clearProperty("reprise.jit.threshold");
                else System.setProperty("reprise.jit.threshold", threshold);
            }
            long steps = 0;
            try (QemuLog q = new QemuLog(log)) {
                QemuLog.State expected;
                while ((expected = q.next()) != null) {
                    assertThat(process.exiting()).as("Reprise ended after %d instructions but QEMU went on at pc 0x%x",
                            steps, expected.pc()).isFalse();
                    check(task, expected, steps);
                    if (!jit) {
                        task.step();
                        steps++;
                        continue;
                    }
                    // One block, then QEMU's state before the next instruction Reprise will run.
                    long before = task.hart.icount;
                    task.stepBlock();
                    assertThat(task.lastStepTrapped()).as("freestanding programs do not trap").isFalse();
                    steps += task.hart.icount - before;
                    for (long i = before + 1; i < task.hart.icount && expected != null; i++) expected = q.next();
                }
            }
            assertThat(process.exiting()).as("Reprise still runs after QEMU's last instruction").isTrue();
            assertThat(process.awaitExit()).as("exit status").isEqualTo(qemu.status());
            assertThat(steps).isPositive();
            process.close();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void check(Task task, QemuLog.State expected, long steps) {
        var h = task.hart;
        boolean same = h.pc == expected.pc() && Arrays.equals(h.x, expected.x())
                && (expected.f() == null || Arrays.equals(h.f, expected.f()));
        if (same) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("diverged before instruction %d at pc 0x%x (QEMU: 0x%x)%n", steps, h.pc, expected.pc()));
        for (int r = 0; r < 32; r++) {
            if (h.x[r] != expected.x()[r]) sb.append(String.format("  x%d: reprise 0x%x, qemu 0x%x%n", r, h.x[r], expected.x()[r]));
            if (expected.f() != null && h.f[r] != expected.f()[r])
                sb.append(String.format("  f%d: reprise 0x%x, qemu 0x%x%n", r, h.f[r], expected.f()[r]));
        }
        fail(sb.toString());
    }
}
