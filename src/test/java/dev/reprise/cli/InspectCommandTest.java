package dev.reprise.cli;

import dev.reprise.replay.Event;
import dev.reprise.replay.RecordingHeader;
import dev.reprise.replay.RecordingWriter;
import dev.reprise.replay.VcpuLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reprise inspect} on recordings made with the store API (there is no recorder yet). */
class InspectCommandTest {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {}

    static Result inspect(Path dir, boolean json) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = InspectReport.print(dir, json, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Event.Transfer take(long icount, long granule, int holder, long holderIcount) {
        return new Event.Transfer(icount, 0x10100, 1, Event.Target.GRANULE, granule, true, List.of(new Event.Holder(holder, holderIcount)));
    }

    /** vCPU 0: three transfers of granule 5, one of 9, one of a line and one of a word of split granules, a write(2), a clone, exit at 1000; vCPU 1: a transfer of 5, two releases, exit at 777. */
    Path recording(boolean finish) throws Exception {
        Path dir = tmp.resolve("rec");
        var header = new RecordingHeader(RecordingHeader.FORMAT_VERSION, "guest-tests/bin/racy_counter", new byte[32],
                List.of("racy_counter", "2"), List.of("A=1"), 0, 4096, 7, "interp");
        try (RecordingWriter w = RecordingWriter.create(dir, header)) {
            VcpuLog v0 = w.vcpu(0), v1 = w.vcpu(1);
            v0.append(new Event.Clone(10, 0x10000, 1, 1, 1001));
            v0.append(take(100, 5, 1, 50));
            v1.append(new Event.Release(50, 0x10200, 2));
            v1.append(take(120, 5, 0, 100));
            v0.append(take(200, 5, 1, 120));
            v1.append(new Event.Release(120, 0x10200, 2));
            v0.append(take(300, 9, 1, 120));
            v0.append(take(400, 5, 1, 120));
            v0.append(new Event.Transfer(450, 0x10100, 1, Event.Target.LINE, 0x23d1, true, List.of(new Event.Holder(1, 120))));
            v0.append(new Event.Transfer(460, 0x10100, 1, Event.Target.WORD, 0x11e8b, true, List.of(new Event.Holder(1, 120))));
            v0.append(new Event.Syscall(500, 0x10300, 3, 64, 6, List.of()));
            v1.append(new Event.Exit(777, 0x10400, 4, 0));
            v0.append(new Event.Exit(1000, 0x10400, 5, 0));
            if (finish) w.finish();
        }
        return dir;
    }

    @Test
    void textSummary() throws Exception {
        Path dir = recording(true);
        Result r = inspect(dir, false);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("status       complete\n", "format       version " + RecordingHeader.FORMAT_VERSION + "\n", "arguments    racy_counter 2\n",
                "program      guest-tests/bin/racy_counter (sha256 " + "00".repeat(32) + ")", "vCPUs        2\n");
        assertThat(r.out()).containsPattern("log size +[0-9.]+ KiB \\([0-9]+ bytes\\)");
        assertThat(r.out()).contains("vCPU    instructions     events  transfer   release   syscall     clone    signal      exit\n");
        assertThat(r.out()).contains("0               1000          9         6         0         1         1         0         1\n");
        assertThat(r.out()).contains("1                777          4         1         2         0         0         0         1\n");
        assertThat(r.out()).contains("all             1777         13         7         2         1         1         0         2\n");
        assertThat(r.out()).containsPattern("granule 5 \\(address 0x5000\\) +4 transfers\n      taken at 0x10100: 4\n"
                + "  granule 9 \\(address 0x9000\\) +1 transfers\n      taken at 0x10100: 1\n");
        assertThat(r.out()).contains("line 0x8f440 (of a split granule)", "word 0x8f458 (of a split granule)");
    }

    @Test
    void jsonSummary() throws Exception {
        Result r = inspect(recording(true), true);
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("{\"recording\":").endsWith("}\n").contains("\"complete\":true",
                "\"formatVersion\":" + RecordingHeader.FORMAT_VERSION,
                "\"argv\":[\"racy_counter\",\"2\"]",
                "{\"vcpu\":0,\"instructions\":1000,\"events\":9,\"eventsByKind\":{\"transfer\":6,\"release\":0,\"syscall\":1,\"clone\":1,\"signal\":0,\"exit\":1}}",
                "\"contended\":[{\"target\":\"granule\",\"id\":5,\"transfers\":4,\"takenAt\":[{\"pc\":65792,\"transfers\":4}]},"
                        + "{\"target\":\"granule\",\"id\":9,\"transfers\":1,\"takenAt\":[{\"pc\":65792,\"transfers\":1}]},"
                        + "{\"target\":\"line\",\"id\":9169,\"transfers\":1,\"takenAt\":[{\"pc\":65792,\"transfers\":1}]},"
                        + "{\"target\":\"word\",\"id\":73355,\"transfers\":1,\"takenAt\":[{\"pc\":65792,\"transfers\":1}]}]");
    }

    @Test
    void anIncompleteRecordingSaysSo() throws Exception {
        Path dir = recording(false);
        Result r = inspect(dir, false);
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("status       INCOMPLETE", "vCPUs        2 so far");
        assertThat(inspect(dir, true).out()).contains("\"complete\":false");
    }

    @Test
    void badRecordingsGetOneLineAndTheirOwnStatus() throws Exception {
        assertThat(inspect(tmp.resolve("none"), false)).satisfies(r -> {
            assertThat(r.status()).isEqualTo(RecordingErrors.MISSING);
            assertThat(r.err()).matches("reprise: .*: no such recording\n");
        });
        assertThat(inspect(tmp, false).status()).isEqualTo(RecordingErrors.FOREIGN);
        Path dir = recording(true);
        byte[] header = Files.readAllBytes(dir.resolve("header"));

        Files.write(dir.resolve("header"), java.util.Arrays.copyOf(header, header.length - 3));
        assertThat(inspect(dir, false).status()).isEqualTo(RecordingErrors.TRUNCATED);

        byte[] flipped = header.clone();
        flipped[40] ^= 1;
        Files.write(dir.resolve("header"), flipped);
        assertThat(inspect(dir, false).status()).isEqualTo(RecordingErrors.CORRUPTED);

        byte[] v9 = header.clone();
        v9[11] = 9;   // a version this Reprise does not read
        Files.write(dir.resolve("header"), v9);
        Result r = inspect(dir, false);
        assertThat(r.status()).isEqualTo(RecordingErrors.VERSION);
        assertThat(r.err()).endsWith("\n").doesNotContain("Exception").hasLineCount(1);
    }

    @Test
    void fromTheCommandLineInAFreshJvm() throws Exception {
        Path dir = recording(true);
        var r = dev.reprise.GuestRunner.run(dev.reprise.GuestRunner.repriseCommand("inspect", "--json", dir.toString()),
                java.util.Map.of(), new byte[0], 120);
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();   // no Chronicle banner, no analytics notice
        assertThat(r.stdout()).contains("\"complete\":true", "\"events\":13");
        var missing = dev.reprise.GuestRunner.run(dev.reprise.GuestRunner.repriseCommand("inspect", tmp.resolve("none").toString()),
                java.util.Map.of(), new byte[0], 120);
        assertThat(missing.status()).isEqualTo(RecordingErrors.MISSING);
        assertThat(missing.stderr()).hasLineCount(1);
    }

    @Test
    void registeredAsASubcommand() {
        assertThat(Main.execute("inspect", "--help")).isZero();
    }
}
