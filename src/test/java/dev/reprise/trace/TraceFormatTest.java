package dev.reprise.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** The file format on its own: what is written is read back, across chunks and vCPUs; damage is a TraceFileException. */
class TraceFormatTest {
    @TempDir
    Path dir;

    /** Two vCPUs written in turns, enough to fill many chunks, with extreme values and more than 15 effects. */
    private Path write(long records) throws Exception {
        Path file = dir.resolve("t.trace");
        try (TraceWriter w = new TraceWriter(file, new TraceHeader("interp", "/p", List.of("p", "ä b"), 0x1000))) {
            TraceWriter.Vcpu[] v = {w.vcpu(0), w.vcpu(3)};
            long[] zero = new long[32];
            v[0].state(0, 0x10000, zero, zero, 0);
            v[1].state(7, 0x20000, zero, zero, 0);
            Random random = new Random(1);
            for (long n = 0; n < records; n++) {
                TraceWriter.Vcpu out = v[(int) (n % 2)];
                if (n % 1000 == 999) {
                    out.change(random.nextLong());
                    for (int r = 1; r < 32; r++) out.x(r, random.nextLong()); // 31 effects
                    out.finish();
                    continue;
                }
                out.instruction(out.icount + (n % 97 == 0 ? 5 : 0), n % 13 == 0 ? random.nextLong() & ~1L : out.pc,
                        n % 3 == 0 ? 0x4501 : 0x00a50533);
                out.x(1 + (int) (n % 31), n % 7 == 0 ? Long.MIN_VALUE : n);
                if (n % 5 == 0) out.f((int) (n % 32), random.nextLong());
                if (n % 11 == 0) out.fcsr((int) (n % 256));
                if (n % 4 == 0) out.store(1 << (n % 4), random.nextLong(), -1L);
                if (n % 6 == 0) out.load(8, Long.MAX_VALUE - n);
                out.finish();
            }
            v[0].end();
            v[1].end();
        }
        return file;
    }

    @Test
    void recordsReadBackAsWritten() throws Exception {
        Path file = write(50_000);
        try (TraceReader r = new TraceReader(file)) {
            assertThat(r.header()).isEqualTo(new TraceHeader("interp", "/p", List.of("p", "ä b"), 0x1000));
            assertThat(r.vcpus()).containsExactly(0, 3);
            // Write the same records again through a second writer from what was read: the files must be equal.
            Path copy = dir.resolve("copy.trace");
            try (TraceWriter w = new TraceWriter(copy, r.header())) {
                List<TraceReader.Stream> streams = List.of(r.stream(0), r.stream(3));
                TraceWriter.Vcpu[] out = {w.vcpu(0), w.vcpu(3)};
                Step s = new Step();
                List<Boolean> live = new ArrayList<>(List.of(true, true));
                while (live.contains(true)) {
                    for (int i = 0; i < 2; i++) {
                        if (!live.get(i)) continue;
                        if (!streams.get(i).next(s)) {
                            live.set(i, false);
                            continue;
                        }
                        rewrite(s, streams.get(i).state(), out[i]);
                    }
                }
                out[0].end();
                out[1].end();
            }
            List<String> expected = records(file), actual = records(copy);
            for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
                assertThat(actual.get(i)).as("record %d", i).isEqualTo(expected.get(i));
            }
            assertThat(actual).hasSameSizeAs(expected);
        }
    }

    private static void rewrite(Step s, TraceState before, TraceWriter.Vcpu out) {
        if (s.kind == Step.Kind.STATE) {
            out.state(s.icount, s.pc, before.x, before.f, before.fcsr);
            return;
        }
        if (s.kind == Step.Kind.INSN) out.instruction(s.icount, s.pc, s.bits);
        else out.change(s.pc);
        for (int e = 0; e < s.effects(); e++) {
            switch (s.type(e)) {
                case Step.X -> out.x(s.reg(e), s.value(e));
                case Step.F -> out.f(s.reg(e), s.value(e));
                case Step.FCSR -> out.fcsr((int) s.value(e));
                case Step.STORE -> out.store(s.reg(e), s.address(e), s.value(e));
                default -> out.load(s.reg(e), s.address(e));
            }
        }
        out.finish();
    }

    /** Every record of every vCPU as text, with the state before it. */
    private static List<String> records(Path file) throws Exception {
        List<String> lines = new ArrayList<>();
        try (TraceReader r = new TraceReader(file)) {
            for (int v : r.vcpus()) {
                TraceReader.Stream s = r.stream(v);
                Step step = new Step();
                while (s.next(step)) {
                    lines.add(v + " " + step.kind + " " + step.icount + " " + Long.toHexString(step.pc) + " "
                            + Integer.toHexString(step.bits) + " " + step.effects(" ") + " | " + s.state().x[5]);
                }
            }
        }
        assertThat(lines).hasSizeGreaterThan(50_000);
        return lines;
    }

    @Test
    void damageIsATraceFileExceptionNeverAnythingElse() throws Exception {
        byte[] good = Files.readAllBytes(write(2_000));
        Random random = new Random(2);
        Path bad = dir.resolve("bad.trace");
        for (int round = 0; round < 300; round++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + round % 4; k++) b[random.nextInt(b.length)] = (byte) random.nextInt();
            Files.write(bad, round % 10 == 0 ? java.util.Arrays.copyOf(b, random.nextInt(b.length)) : b);
            try (TraceReader r = new TraceReader(bad)) {
                Step s = new Step();
                for (int v : r.vcpus()) {
                    TraceReader.Stream stream = r.stream(v);
                    while (stream.next(s)) s.effects(" ");
                }
            } catch (TraceFileException expected) {
                assertThat(expected.getMessage()).startsWith(bad + ": ").doesNotContain("\n");
            } catch (Exception | Error e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }

    @Test
    void foreignFilesAndOtherVersionsAreNamed() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "just some text that is long enough\n");
        assertThatThrownBy(() -> new TraceReader(text)).isInstanceOf(TraceFileException.class)
                .hasMessage(text + ": not a Reprise trace");
        byte[] b = Files.readAllBytes(write(10));
        b[TraceWriter.MAGIC.length] = 9;
        Path future = Files.write(dir.resolve("future.trace"), b);
        assertThatThrownBy(() -> new TraceReader(future)).isInstanceOf(TraceFileException.class)
                .hasMessage(future + ": trace format version 9; this reprise reads version 1");
    }
}
