package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
            "endless_threads, jit", "endless_threads, interp",
    })
    void multithreadedProgramsReplayIdentically(String program, String engine) throws Exception {
        boolean jit = engine.equals("jit");
        Path dir = tmp.resolve(program);
        String[] args = switch (program) {
            case "racy_counter" -> new String[] {"100000"};
            case "racy_threads" -> new String[] {"20000", "6"};
            default -> new String[0];
        };
        replaysIdenticallyWithBothEngines(dir, jit, RecordReplay.record(dir, program, jit, args));
    }

    /** The recording in {@code dir} (made with the JIT or not, the guest ending with {@code status}) replays to its digest under both engines. */
    private static void replaysIdenticallyWithBothEngines(Path dir, boolean jit, int status) throws Exception {
        long recorded = RecordReplay.recordedDigest(dir);
        for (boolean replayJit : new boolean[] {jit, !jit}) {
            RecordReplay.Replayed r = RecordReplay.replay(dir, replayJit);
            assertThat(r.result().verdict()).as(r.result().message()).isEqualTo(Sessions.Verdict.IDENTICAL);
            assertThat(r.result().digest()).isEqualTo(recorded);
            assertThat(r.result().status()).isEqualTo(status);
        }
    }

    /**
     * Granules finer than a page (64 bytes): programs whose threads share pages (neighbouring
     * bytes, a lock beside its data, stacks read by another thread, a race) record and replay
     * identically, with both engines.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "byte_neighbours, jit", "byte_neighbours, interp",
            "lrsc_spinlock, jit", "pthreads, jit", "pthreads, interp",
            "racy_threads, jit", "signal_threads, jit", "false_sharing, jit", "false_sharing, interp",
    })
    void fineGranulesReplayIdentically(String program, String engine) throws Exception {
        boolean jit = engine.equals("jit");
        Path dir = tmp.resolve(program);
        String[] args = program.equals("racy_threads") ? new String[] {"20000", "6"} : new String[0];
        replaysIdenticallyWithBothEngines(dir, jit, RecordReplay.record(dir, program, jit, 64, 0, args));
    }

    /**
     * What fine granules are for: false_sharing's two threads write the two halves of one page.
     * With page granules that page moves between them (at every one of its turn-taking rounds);
     * with 64-byte granules a granule of it moves at most twice (a read, then a write, away from
     * the thread that touched the whole page first), never back.
     */
    @Test
    void fineGranulesKeepNeighboursApart() throws Exception {
        Path fine = tmp.resolve("fine");
        RecordReplay.record(fine, "false_sharing", true, 64, 0);
        long shared = sharedPage(fine);
        Map<Long, Integer> fineMoves = transfers(fine, Event.Target.GRANULE);
        fineMoves.keySet().removeIf(k -> k * 64 >>> 12 != shared);
        assertThat(fineMoves.values()).as("transfers per 64-byte granule of the page").allMatch(n -> n <= 2);
        assertThat(fineMoves.values().stream().mapToInt(Integer::intValue).sum()).isLessThanOrEqualTo(2 * 64);
        assertThat(transfers(fine, Event.Target.LINE)).isEmpty();
        assertThat(transfers(fine, Event.Target.WORD)).as("the turn word's granule: true sharing, not split").isEmpty();
    }

    /**
     * With page granules, false_sharing's page moves at each of its 80 turns, each thread taking
     * it for its own half: false sharing. After {@link Granule#SPLIT_AFTER} moves the recorder
     * splits it into lines, which move at most twice each, never back. The page of the turn word
     * moves as often, but for true sharing (both threads want that word): it stays whole. The
     * recording replays identically with both engines.
     */
    @Test
    void aGranuleThatKeepsMovingForFalseSharingIsSplit() throws Exception {
        Path dir = tmp.resolve("split");
        int status = RecordReplay.record(dir, "false_sharing", true, 4096, 0);
        long shared = sharedPage(dir);
        Map<Long, Integer> pages = transfers(dir, Event.Target.GRANULE);
        // Takes from a vCPU in a system call do not wait for it to split: a few more moves at most.
        assertThat(pages.get(shared)).isBetween(Granule.SPLIT_AFTER, Granule.SPLIT_AFTER + 4);
        Map<Long, Integer> lines = transfers(dir, Event.Target.LINE);
        assertThat(lines).as("lines that moved").isNotEmpty();
        assertThat(lines.keySet()).as("lines of the shared page only").allMatch(k -> k * 64 >>> 12 == shared);
        assertThat(lines.values()).as("transfers per line").allMatch(n -> n <= 2);
        long turnPage = shared - 1;   // guest-tests/src/false_sharing.c: the turn word's page is right below
        assertThat(pages.get(turnPage)).as("the turn word's page").isGreaterThan(2 * Granule.SPLIT_AFTER);
        assertThat(transfers(dir, Event.Target.WORD)).isEmpty();
        replaysIdenticallyWithBothEngines(dir, true, status);
    }

    /** The page false_sharing says its halves are in, as a page number. */
    private static long sharedPage(Path dir) throws Exception {
        Matcher where = Pattern.compile("page 0x([0-9a-f]+) ").matcher(RecordReplay.replay(dir, true).stdout());
        assertThat(where.find()).isTrue();
        return Long.parseLong(where.group(1), 16) >>> 12;
    }

    /** Transfers per id of {@code target} in a recording, all vCPUs. */
    private static Map<Long, Integer> transfers(Path dir, Event.Target target) {
        Map<Long, Integer> moves = new HashMap<>();
        try (RecordingReader r = RecordingReader.open(dir)) {
            for (int v : r.vcpus()) {
                try (EventCursor c = r.cursor(v)) {
                    for (Event e; (e = c.peek()) != null; c.take()) {
                        if (e instanceof Event.Transfer t && t.target() == target) moves.merge(t.id(), 1, Integer::sum);
                    }
                }
            }
        }
        return moves;
    }
}
