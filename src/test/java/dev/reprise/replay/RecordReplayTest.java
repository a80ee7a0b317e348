package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Recordings of real parallel runs replay exactly: the racy counter's lost updates, and every
 * multithreaded guest program, with both engines. All in this JVM, with real host threads.
 */
class RecordReplayTest {
    @TempDir
    Path tmp;

    private static final Pattern COUNT = Pattern.compile("count=(\\d+)\n");

    /**
     * DESIGN's promise in one test: 20 recordings of the race show different outcomes (on 2 cores
     * the threads really run at once), and each recording replays 20 times to its own count and
     * its recorded final digest.
     */
    @Test
    void racyCounterRecordingsDifferAndEachReplaysToItsOwnOutcome() throws Exception {
        Set<Long> counts = new LinkedHashSet<>();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Path dir = tmp.resolve("racy-" + i);
            assertThat(RecordReplay.record(dir, "racy_counter", true, "30000")).isZero();
            long recorded = RecordReplay.recordedDigest(dir);
            String first = null;
            for (int k = 0; k < 20; k++) {
                RecordReplay.Replayed r = RecordReplay.replay(dir, true);
                assertThat(r.result().verdict()).as("recording %d, replay %d: %s", i, k, r.result().message())
                        .isEqualTo(Sessions.Verdict.IDENTICAL);
                assertThat(r.result().digest()).isEqualTo(recorded);
                if (first == null) first = r.stdout();
                assertThat(r.stdout()).as("recording %d, replay %d", i, k).isEqualTo(first);
            }
            Matcher m = COUNT.matcher(first);
            assertThat(m.matches()).as(first).isTrue();
            counts.add(Long.parseLong(m.group(1)));
            seen.add(first.trim());
        }
        assertThat(counts).as("the counts of 20 recordings: %s", seen).hasSizeGreaterThanOrEqualTo(2);
    }

    /** Every multithreaded guest program records and replays identically, under the engine it was recorded with and the other. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "pthreads, jit", "pthreads, interp",
            "openmp_reduction, jit", "openmp_reduction, interp",
            "cpp_threads, jit", "cpp_threads, interp",
            "atomic_counter, jit", "atomic_counter, interp",
            "lrsc_spinlock, jit", "lrsc_spinlock, interp",
            "litmus_mp, jit", "litmus_mp, interp",
            "litmus_sb, jit", "litmus_sb, interp",
            "litmus_lb, jit", "litmus_lb, interp",
            "spin_progress, jit", "spin_progress, interp",
            "byte_neighbours, jit", "byte_neighbours, interp",
            "self_modifying, jit", "self_modifying, interp",
            "racy_counter, jit", "racy_counter, interp",
            "racy_threads, jit", "racy_threads, interp",
            "signal_threads, jit", "signal_threads, interp",
            "clone_bad_tid, jit", "clone_bad_tid, interp",
    })
    void multithreadedProgramsReplayIdentically(String program, String engine) throws Exception {
        boolean jit = engine.equals("jit");
        Path dir = tmp.resolve(program);
        String[] args = switch (program) {
            case "racy_counter" -> new String[] {"100000"};
            case "racy_threads" -> new String[] {"20000", "6"};
            default -> new String[0];
        };
        int status = RecordReplay.record(dir, program, jit, args);
        long recorded = RecordReplay.recordedDigest(dir);
        for (boolean replayJit : new boolean[] {jit, !jit}) {
            RecordReplay.Replayed r = RecordReplay.replay(dir, replayJit);
            assertThat(r.result().verdict()).as(r.result().message()).isEqualTo(Sessions.Verdict.IDENTICAL);
            assertThat(r.result().digest()).isEqualTo(recorded);
            assertThat(r.result().status()).isEqualTo(status);
        }
    }
}
