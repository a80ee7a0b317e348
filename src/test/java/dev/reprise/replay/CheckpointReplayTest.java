package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The recorder's checkpoints are consistent cuts: multithreaded programs recorded with a small
 * checkpoint interval replay from their first, a middle and their last checkpoint to the same verdict and final
 * digest as a whole replay, with both engines. Real parallel guest threads, in this JVM.
 */
class CheckpointReplayTest {
    @TempDir
    Path tmp;

    /** Intervals chosen for two to five checkpoints per run on a quiet machine (the suite's time is counted). */
    @ParameterizedTest(name = "{0} {1} every {2}")
    @CsvSource({
            "racy_counter, jit, 300000", "racy_counter, interp, 300000",
            "pthreads, jit, 4000000",
            "lrsc_spinlock, jit, 8000000",
            "openmp_reduction, jit, 6000000",
            "cpp_threads, jit, 1500000",
    })
    void replayFromFirstMiddleAndLastCheckpointEndsLikeTheWholeReplay(String program, String engine, long every) throws Exception {
        boolean jit = engine.equals("jit");
        Path dir = tmp.resolve(program);
        String[] args = program.equals("racy_counter") ? new String[] {"100000"} : new String[0];
        int status = RecordReplay.record(dir, program, jit, every, args);
        RecordReplay.Replayed whole = RecordReplay.replay(dir, jit);
        assertThat(whole.result().verdict()).as(whole.result().message()).isEqualTo(Sessions.Verdict.IDENTICAL);
        assertThat(whole.result().digest()).isEqualTo(RecordReplay.recordedDigest(dir));
        int n = RecordReplay.checkpoints(dir);
        assertThat(n).as("checkpoints taken").isGreaterThanOrEqualTo(2);
        // The first, a middle and the last checkpoint (a loaded machine may take dozens: the suite's time counts).
        for (int k : java.util.stream.IntStream.of(0, n / 2, n - 1).distinct().toArray()) {
            for (boolean replayJit : new boolean[] {jit, !jit}) {
                RecordReplay.Replayed r = RecordReplay.replayFrom(dir, k, replayJit);
                assertThat(r.result().message()).as("checkpoint %d of %d, jit %s", k, n, replayJit).isEqualTo(whole.result().message());
                assertThat(r.result().verdict()).isEqualTo(Sessions.Verdict.IDENTICAL);
                assertThat(r.result().digest()).isEqualTo(whole.result().digest());
                assertThat(r.result().status()).isEqualTo(status);
            }
        }
    }

    /**
     * bench_cpu_1 spends its time in one loop, which translated code runs on without a block
     * boundary (Jit.runAbout): the checkpoint clock still gets its checkpoints taken along the
     * way, not only after the loop (Cuts#clock), and replay from the middle one is identical.
     */
    @RepeatedTest(2)
    void aProgramInOneLongLoopGetsItsCheckpointsAlongTheWay() throws Exception {
        Path dir = tmp.resolve("loop");
        RecordReplay.record(dir, "bench_cpu_1", true, 100_000_000, "15000000");   // 2 loops of ~435M instructions
        List<Long> at = new ArrayList<>();
        try (RecordingReader r = RecordingReader.open(dir)) {
            for (int k = 0; k < r.checkpoints().size(); k++) at.add(Sessions.readCheckpoint(r, k).log(0).icount());
        }
        assertThat(at).as("vCPU 0's icount at each checkpoint").isSorted();
        // 2 without the clock, at the loops' ends; 8 at exact marks; the clock's cuts are about there.
        assertThat(at.size()).as("checkpoints of %s", at).isGreaterThanOrEqualTo(3);
        assertThat(at).as("not only at the loops' ends").anyMatch(icount -> icount < 400_000_000);
        RecordReplay.Replayed r = RecordReplay.replayFrom(dir, at.size() / 2, true);
        assertThat(r.result().verdict()).as(r.result().message()).isEqualTo(Sessions.Verdict.IDENTICAL);
        assertThat(r.result().digest()).isEqualTo(RecordReplay.recordedDigest(dir));
    }

    /**
     * racy_counter's main thread waits in pthread_join (a futex wait) while its two workers count:
     * the cuts take it as it is, inside that call, and replay from there runs the call again.
     */
    @RepeatedTest(3)
    void aCutTakesAThreadInsideItsFutexWaitAsItIs() throws Exception {
        Path dir = tmp.resolve("racy");
        RecordReplay.record(dir, "racy_counter", true, 250000, "100000");
        List<Integer> inWait = new ArrayList<>();
        try (RecordingReader r = RecordingReader.open(dir)) {
            for (int k = 0; k < r.checkpoints().size(); k++) {
                Checkpoint c = Sessions.readCheckpoint(r, k);
                assertThat(c.sequence()).isEqualTo(k);
                assertThat(c.logs()).extracting(Checkpoint.LogPosition::vcpu).containsExactly(0, 1, 2);
                // Version 4: each position also says how many queue excerpts its events take (replay seeks there by index).
                assertThat(c.logs()).allSatisfy(l -> assertThat(l.excerpts()).isGreaterThanOrEqualTo(l.events()));
                assertThat(Checkpoints.readLogs(r.checkpoints().get(k))).isEqualTo(new Checkpoint.Logs(k, c.logs()));
                Checkpoint.LogPosition main = c.log(0);
                if (main.inSyscall()) {
                    inWait.add(k);
                    Checkpoint.VcpuState s = c.vcpus().getFirst();
                    assertThat(s.x()[17]).as("a7: the call").isEqualTo(98);   // futex
                    assertThat(s.icount()).isEqualTo(main.icount());
                }
            }
        }
        assertThat(inWait).as("checkpoints with the main thread in pthread_join's futex wait").isNotEmpty();
        try (RecordingReader r = RecordingReader.open(dir)) {
            // The debugger's seek: the latest checkpoint where the vCPU has not yet passed the instruction.
            List<Long> workerAt = new ArrayList<>();   // vCPU 1's icount at each checkpoint (0 before it exists)
            for (int k = 0; k < r.checkpoints().size(); k++) {
                Checkpoint.LogPosition p = Sessions.readCheckpoint(r, k).log(1);
                workerAt.add(p == null ? 0 : p.icount());
            }
            assertThat(workerAt).isSorted();
            assertThat(Sessions.checkpointAtOrBefore(r, 1, Long.MAX_VALUE)).get().extracting(Checkpoint::sequence)
                    .isEqualTo((long) workerAt.size() - 1);
            for (long target : new long[] {workerAt.get(0) - 1, workerAt.get(0), workerAt.get(workerAt.size() / 2) + 1}) {
                long expected = -1;
                for (int k = 0; k < workerAt.size(); k++) if (workerAt.get(k) <= target) expected = k;
                var found = Sessions.checkpointAtOrBefore(r, 1, target);
                assertThat(found.map(Checkpoint::sequence).orElse(-1L)).as("at or before icount %d of %s", target, workerAt).isEqualTo(expected);
            }
        }
        long digest = RecordReplay.recordedDigest(dir);
        for (int k : inWait) {
            RecordReplay.Replayed r = RecordReplay.replayFrom(dir, k, true);
            assertThat(r.result().verdict()).as(r.result().message()).isEqualTo(Sessions.Verdict.IDENTICAL);
            assertThat(r.result().digest()).isEqualTo(digest);
        }
    }
}
