package dev.reprise.trace;

import dev.reprise.GuestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reprise trace}, {@code trace show} and {@code trace diff} end to end, each in a fresh JVM. */
class TraceCommandTest {
    @TempDir
    Path dir;

    private static GuestRunner.Result reprise(String... args) throws Exception {
        return GuestRunner.run(GuestRunner.repriseCommand(args), Map.of("PATH", "/usr/bin:/bin"), new byte[0], 300);
    }

    @Test
    void traceWritesWhatShowPrintsAndTheGuestsStatusIsKept() throws Exception {
        Path trace = dir.resolve("hello.trace");
        var run = reprise("trace", "-o", trace.toString(), "--", "guest-tests/bin/hello");
        assertThat(run.stdout()).isEqualTo("Hello, RISC-V!\n40 + 2 = 42\n");
        assertThat(run.status()).isZero();

        var shown = reprise("trace", "show", "--count", "3", trace.toString());
        assertThat(shown.status()).as(shown.stderr()).isZero();
        List<String> lines = shown.stdout().lines().toList();
        assertThat(lines.get(0)).isEqualTo("# " + trace + ", engine interp: guest-tests/bin/hello");
        assertThat(lines.get(1)).isEqualTo("# vCPU 0");
        assertThat(lines.get(2)).containsPattern("^ +0 +[0-9a-f]+  _start +\\(start of vCPU 0's trace\\)$");
        assertThat(lines.get(3)).containsPattern("^ +0 +[0-9a-f]+  _start +\\S+ ");
        assertThat(lines).hasSize(6);

        var same = reprise("trace", "diff", trace.toString(), trace.toString());
        assertThat(same.stdout()).startsWith("identical: ");
        assertThat(same.status()).isZero();
    }

    @Test
    void theJitTracesItsOwnCodeAndItsTraceDiffsAsIdenticalToTheInterpreters() throws Exception {
        Path interp = dir.resolve("interp.trace"), jit = dir.resolve("jit.trace");
        var a = reprise("trace", "-o", interp.toString(), "--", "guest-tests/bin/fs_c");
        var b = reprise("trace", "--engine", "jit", "-o", jit.toString(), "--", "guest-tests/bin/fs_c");
        assertThat(b.status()).as(b.stderr()).isEqualTo(42).isEqualTo(a.status());
        assertThat(b.stdout()).isEqualTo(a.stdout()).contains("fib(15)=610");

        var shown = reprise("trace", "show", "--count", "1", jit.toString());
        assertThat(shown.stdout().lines().findFirst()).contains("# " + jit + ", engine jit: guest-tests/bin/fs_c");
        var same = reprise("trace", "diff", interp.toString(), jit.toString());
        assertThat(same.stdout()).as(same.stdout()).matches("identical: [0-9]{5,} records, 1 vCPU\n");
        assertThat(same.status()).isZero();
    }

    @Test
    void aWindowOfOneVcpuHoldsExactlyThoseInstructions() throws Exception {
        Path trace = dir.resolve("window.trace");
        var run = reprise("trace", "--vcpu", "0", "--from", "1000", "--count", "50", "-o", trace.toString(), "--",
                "guest-tests/bin/fs_arith");
        assertThat(run.status()).as(run.stderr()).isZero();
        try (TraceReader reader = new TraceReader(trace)) {
            TraceReader.Stream s = reader.stream(0);
            Step step = new Step();
            assertThat(s.next(step)).isTrue();
            assertThat(step.kind).isEqualTo(Step.Kind.STATE);
            assertThat(step.icount).isEqualTo(1000);
            long expected = 1000;
            while (s.next(step)) assertThat(step.icount).isEqualTo(expected++);
            assertThat(expected).isEqualTo(1050);
        }
    }

    @Test
    void eachThreadOfAMultithreadedGuestHasItsOwnStream() throws Exception {
        Path trace = dir.resolve("pthreads.trace");
        var run = reprise("trace", "-o", trace.toString(), "--", "guest-tests/bin/pthreads");
        assertThat(run.status()).as(run.stderr()).isZero();
        try (TraceReader reader = new TraceReader(trace)) {
            List<Integer> vcpus = reader.vcpus();
            assertThat(vcpus.size()).isGreaterThan(1);
            Step step = new Step();
            for (int v : vcpus) {
                TraceReader.Stream s = reader.stream(v);
                assertThat(s.next(step)).isTrue();
                assertThat(step.kind).as("vCPU %d starts with its registers", v).isEqualTo(Step.Kind.STATE);
                long instructions = 0;
                while (s.next(step)) if (step.kind == Step.Kind.INSN) instructions++;
                assertThat(instructions).as("vCPU %d", v).isPositive();
            }
        }
        var same = reprise("trace", "diff", trace.toString(), trace.toString());
        assertThat(same.stdout()).startsWith("identical: ").contains(" vCPUs");
    }

    @Test
    void usageMistakesAreUsageErrors() throws Exception {
        var noOutput = reprise("trace", "--", "guest-tests/bin/hello");
        assertThat(noOutput.status()).isEqualTo(64);
        assertThat(noOutput.stderr()).isEqualTo("reprise: Missing the trace file: -o FILE (see 'reprise trace --help')\n");
        var notElf = reprise("trace", "-o", dir.resolve("x").toString(), "--", "pom.xml");
        assertThat(notElf.status()).isEqualTo(67);
    }
}
