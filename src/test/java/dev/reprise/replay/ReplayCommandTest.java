package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.GuestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprise record} and {@code reprise replay} as a user meets them (each in its own JVM):
 * the guest's status and output, divergence after tampering, a recorder killed with SIGKILL, and
 * every kind of bad recording.
 */
class ReplayCommandTest {
    @TempDir
    Path tmp;

    static GuestRunner.Result reprise(String... args) throws Exception {
        return GuestRunner.run(GuestRunner.repriseCommand(args), Map.of(), new byte[0], 300);
    }

    @Test
    void recordRunsTheGuestAndReplayRepeatsItIdentically() throws Exception {
        Path dir = tmp.resolve("rec");
        var rec = reprise("record", "-o", dir.toString(), "--", "guest-tests/bin/racy_counter", "50000");
        assertThat(rec.status()).as(rec.stderr()).isZero();
        assertThat(rec.stdout()).matches("count=\\d+\n");
        var replay = reprise("replay", "--echo", dir.toString());
        assertThat(replay.status()).as(replay.stderr()).isZero();
        // The replayed guest prints the recorded count again, then the verdict with the recorded digest.
        String digest = String.format("%016x", RecordReplay.recordedDigest(dir));
        assertThat(replay.stdout()).isEqualTo(rec.stdout() + "identical: 3 vCPUs, final digest " + digest + ", guest exit status 0\n");
        var quiet = reprise("replay", "--engine", "interp", dir.toString());
        assertThat(quiet.stdout()).as("no echo without --echo").startsWith("identical: 3 vCPUs, final digest " + digest);
    }

    /** A replay traced per instruction is the same run whatever the engine: even a racy multithreaded one. */
    @Test
    void tracesOfAReplayAreIdenticalUnderBothEngines() throws Exception {
        Path dir = tmp.resolve("rec");
        assertThat(RecordReplay.record(dir, "racy_counter", true, "3000")).isZero();
        Path a = tmp.resolve("interp.trace"), b = tmp.resolve("jit.trace");
        var ti = reprise("trace", "--replay", dir.toString(), "-o", a.toString());
        assertThat(ti.status()).as(ti.stdout() + ti.stderr()).isZero();
        assertThat(ti.stdout()).startsWith("identical: 3 vCPUs");
        var tj = reprise("trace", "--replay", dir.toString(), "--engine", "jit", "-o", b.toString());
        assertThat(tj.status()).as(tj.stdout() + tj.stderr()).isZero();
        var diff = reprise("trace", "diff", a.toString(), b.toString());
        assertThat(diff.status()).as(diff.stdout()).isZero();
        assertThat(diff.stdout()).startsWith("identical: ").contains("3 vCPUs");
    }

    /** A recording holds 64 threads: the guest's further clones fail with EAGAIN (one line says so), in the replay too. */
    @Test
    void aSixtyFifthThreadIsRefusedWithEagain() throws Exception {
        Path dir = tmp.resolve("many");
        var rec = reprise("record", "-o", dir.toString(), "--", "guest-tests/bin/many_threads");
        assertThat(rec.status()).as(rec.stderr()).isZero();
        assertThat(rec.stdout()).isEqualTo("created=63 eagain=17 other=0 started=63\n");
        assertThat(rec.stderr()).contains("reprise: a recording holds at most 64 threads: the guest's clone fails with EAGAIN\n")
                .doesNotContain("Exception");
        var replay = reprise("replay", "--echo", dir.toString());
        assertThat(replay.status()).as(replay.stderr()).isZero();
        assertThat(replay.stdout()).startsWith(rec.stdout() + "identical: 64 vCPUs");
    }

    @Test
    void recordKeepsTheGuestsExitStatus() throws Exception {
        var rec = reprise("record", "-o", tmp.resolve("exit").toString(), "--", "guest-tests/bin/exit_status");
        assertThat(rec.status()).isEqualTo(Integer.parseInt(Files.readString(
                GuestRunner.root().resolve("guest-tests/expected/exit_status.status")).strip()));
        assertThat(reprise("replay", tmp.resolve("exit").toString()).status()).isZero();
    }

    /** One event of vCPU 1 gets another register digest: replay names that vCPU, icount and pc, and exits with 3. */
    @Test
    void aTamperedEventIsTheReportedDivergence() throws Exception {
        Path original = tmp.resolve("original"), tampered = tmp.resolve("tampered");
        assertThat(RecordReplay.record(original, "pthreads", true)).isZero();
        Event victim = null;
        try (RecordingReader in = RecordingReader.open(original);
             RecordingWriter out = RecordingWriter.create(tampered, in.header())) {
            for (int v : in.vcpus()) {
                VcpuLog log = out.vcpu(v);
                try (EventCursor c = in.cursor(v)) {
                    for (int n = 0; c.peek() != null; n++) {
                        Event e = c.take();
                        if (v == 1 && n == 3) {
                            victim = e;
                            e = withDigest(e, e.digest() ^ 1);
                        }
                        log.append(e);
                    }
                }
            }
            out.finish(in.finalDigest().orElseThrow());
        }
        assertThat(victim).isNotNull();
        var r = reprise("replay", tampered.toString());
        assertThat(r.status()).as(r.stdout() + r.stderr()).isEqualTo(3);
        assertThat(r.stdout()).startsWith("divergence: vCPU 1 at icount " + victim.icount() + ", pc 0x" + Long.toHexString(victim.pc())
                + ": expected ").contains(", got ").doesNotContain("\n" + "divergence");
        assertThat(reprise("replay", original.toString()).status()).as("the original still replays").isZero();
    }

    private static Event withDigest(Event e, long d) {
        return switch (e) {
            case Event.Transfer t -> new Event.Transfer(t.icount(), t.pc(), d, t.target(), t.id(), t.exclusive(), t.holders());
            case Event.Release r -> new Event.Release(r.icount(), r.pc(), d);
            case Event.Syscall s -> new Event.Syscall(s.icount(), s.pc(), d, s.number(), s.result(), s.writes());
            case Event.Clone c -> new Event.Clone(c.icount(), c.pc(), d, c.childVcpu(), c.tid());
            case Event.Signal s -> new Event.Signal(s.icount(), s.pc(), d, s.info());
            case Event.Exit x -> new Event.Exit(x.icount(), x.pc(), d, x.status());
        };
    }

    /** A recorder killed with SIGKILL leaves an incomplete recording: it replays up to its last complete event and says so. */
    @Test
    void aKilledRecorderLeavesAnIncompleteRecordingThatReplaysSoFar() throws Exception {
        Path dir = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(GuestRunner.repriseCommand("record", "-o", dir.toString(), "--",
                "guest-tests/bin/racy_counter", "2000000000"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(GuestRunner.root().toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process recorder = pb.start();
        try {
            // Wait until both workers have logged something, then kill the recorder mid-run.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!(Files.isDirectory(dir.resolve("vcpu-2")) && hasQueueFile(dir.resolve("vcpu-1")) && eventsOf(dir, 2) > 20)) {
                assertThat(System.nanoTime()).as("the recording never got going").isLessThan(deadline);
                assertThat(recorder.isAlive()).as("the recorder ended by itself").isTrue();
                Thread.sleep(200);
            }
        } finally {
            recorder.destroyForcibly();   // SIGKILL
            recorder.waitFor();
        }
        assertThat(Files.exists(dir.resolve("complete"))).isFalse();
        var r = reprise("replay", dir.toString());
        assertThat(r.status()).as(r.stdout() + r.stderr()).isEqualTo(4);
        assertThat(r.stdout()).startsWith("incomplete recording: replayed up to its last complete event");
        assertThat(reprise("inspect", dir.toString()).stdout()).contains("INCOMPLETE");
    }

    /** Killed while it takes checkpoints: still incomplete, never complete; replay from a checkpoint says so too. */
    @Test
    void aKilledRecorderWithCheckpointsLeavesAnIncompleteRecording() throws Exception {
        Path dir = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(GuestRunner.repriseCommand("record", "-o", dir.toString(), "--checkpoint-every", "3000000",
                "--", "guest-tests/bin/racy_counter", "2000000000"));
        Process recorder = new ProcessBuilder(cmd).directory(GuestRunner.root().toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(dir.resolve("checkpoints/checkpoint-000001"))) {
                assertThat(System.nanoTime()).as("no checkpoints").isLessThan(deadline);
                assertThat(recorder.isAlive()).as("the recorder ended by itself").isTrue();
                Thread.sleep(100);
            }
        } finally {
            recorder.destroyForcibly();   // SIGKILL, perhaps in the middle of the next checkpoint
            recorder.waitFor();
        }
        assertThat(Files.exists(dir.resolve("complete"))).isFalse();
        try (var files = Files.list(dir.resolve("checkpoints"))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("only whole checkpoints, under their names")
                    .allMatch(n -> n.matches("checkpoint-[0-9]{6}(\\.tmp)?"));
        }
        var r = reprise("replay", "--from-checkpoint", "1", dir.toString());
        assertThat(r.status()).as(r.stdout() + r.stderr()).isEqualTo(4);
        assertThat(r.stdout()).startsWith("incomplete recording: replayed up to its last complete event");
    }

    /** From the command line: record with checkpoints, replay from one of them; the verdict line is the whole replay's. */
    @Test
    void replayFromACheckpointEndsWithTheWholeReplaysLine() throws Exception {
        Path dir = tmp.resolve("rec");
        // Every 100000 of its ~1.2M instructions: cuts come about there (Cuts#clock), and this needs three.
        var rec = reprise("record", "-o", dir.toString(), "--checkpoint-every", "100000", "--", "guest-tests/bin/racy_counter", "100000");
        assertThat(rec.status()).as(rec.stderr()).isZero();
        assertThat(RecordReplay.checkpoints(dir)).isGreaterThanOrEqualTo(3);
        var whole = reprise("replay", dir.toString());
        assertThat(whole.status()).as(whole.stdout() + whole.stderr()).isZero();
        var from = reprise("replay", "--from-checkpoint", "2", "--echo", dir.toString());
        assertThat(from.status()).as(from.stdout() + from.stderr()).isZero();
        assertThat(from.stdout()).isEqualTo(rec.stdout() + whole.stdout());   // the count is printed at the end, after the cut

        // Bad checkpoints: one line, the recording's statuses.
        assertOneLineError(reprise("replay", "--from-checkpoint", "99", dir.toString()), 80, "no checkpoint 99");
        Path file = dir.resolve("checkpoints/checkpoint-000001");
        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x40;
        Files.write(file, flipped);
        assertOneLineError(reprise("replay", "--from-checkpoint", "1", dir.toString()), 83, "corrupted checkpoint");
        // (truncated and other-version checkpoint files: CheckpointTest, and their statuses are the recording's: 84, 82)
        var negative = reprise("replay", "--from-checkpoint", "-1", dir.toString());
        assertThat(negative.status()).isEqualTo(64);
        assertThat(negative.stderr().strip()).doesNotContain("\n").contains("--from-checkpoint -1");
    }

    private static boolean hasQueueFile(Path vcpuDir) throws Exception {
        if (!Files.isDirectory(vcpuDir)) return false;
        try (var files = Files.list(vcpuDir)) {
            return files.anyMatch(f -> f.toString().endsWith(".cq4"));
        }
    }

    private static long eventsOf(Path dir, int vcpu) {
        try (RecordingReader r = RecordingReader.open(dir); EventCursor c = r.cursor(vcpu)) {
            long n = 0;
            while (c.peek() != null && n <= 20) {
                c.take();
                n++;
            }
            return n;
        } catch (RuntimeException e) {
            return 0;   // not readable yet
        }
    }

    // ---- bad recordings: one line, a status each ----

    static void assertOneLineError(GuestRunner.Result r, int status, String text) {
        assertThat(r.status()).as(r.stdout() + r.stderr()).isEqualTo(status);
        assertThat(r.stderr().strip()).as("one line").doesNotContain("\n").startsWith("reprise: ").contains(text);
        assertThat(r.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badRecordingsGetOneLineAndTheirOwnStatus() throws Exception {
        assertOneLineError(reprise("replay", tmp.resolve("none").toString()), 80, "no such recording");
        Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(tmp.resolve("foreign/header"), "not a recording");
        assertOneLineError(reprise("replay", tmp.resolve("foreign").toString()), 81, "not a Reprise recording");

        Path good = tmp.resolve("good");
        assertThat(RecordReplay.record(good, "hello", true)).isZero();
        byte[] header = Files.readAllBytes(good.resolve("header"));

        byte[] version = header.clone();
        version[11] = 7;
        Files.write(good.resolve("header"), version);
        assertOneLineError(reprise("replay", good.toString()), 82, "format version 7");

        byte[] corrupted = header.clone();
        corrupted[corrupted.length - 1] ^= 1;
        Files.write(good.resolve("header"), corrupted);
        assertOneLineError(reprise("replay", good.toString()), 83, "corrupted");

        Files.write(good.resolve("header"), java.util.Arrays.copyOf(header, header.length - 9));
        assertOneLineError(reprise("replay", good.toString()), 84, "truncated");

        Files.write(good.resolve("header"), header);
        assertThat(reprise("replay", good.toString()).status()).as("restored").isZero();
    }

    @Test
    void anotherProgramAtTheRecordedPathIsRefused() throws Exception {
        Path dir = tmp.resolve("rec");
        Path copy = Files.copy(GuestRunner.root().resolve("guest-tests/bin/hello"), tmp.resolve("hello"));
        var rec = reprise("record", "-o", dir.toString(), "--", copy.toString());
        assertThat(rec.status()).as(rec.stderr()).isZero();
        Files.copy(GuestRunner.root().resolve("guest-tests/bin/exit_status"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertOneLineError(reprise("replay", dir.toString()), 85, "is not the recorded program");
        Files.delete(copy);
        assertOneLineError(reprise("replay", dir.toString()), 85, "is not here");
    }
}
