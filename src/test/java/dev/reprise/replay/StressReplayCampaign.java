package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opt-in stress campaign (`mvn test -Dtest=StressReplayCampaign -Dreprise.stress=ROUNDS`, default 5
 * rounds; its name keeps it out of the default test run): records the
 * multithreaded guest programs again and again, each with both engines, and replays every recording
 * with both engines; a recording that does not replay identically is kept (its directory printed).
 * Optional: -Dreprise.stress.programs=pthreads,cpp_threads.
 */
class StressReplayCampaign {
    @Test
    void recordingsReplayIdenticallyRoundAfterRound() throws Exception {
        int rounds = Integer.getInteger("reprise.stress", 5);
        String[] programs = System.getProperty("reprise.stress.programs",
                "pthreads,cpp_threads,openmp_reduction,lrsc_spinlock,racy_counter,racy_threads").split(",");
        Path keep = Files.createTempDirectory("reprise-stress");
        List<String> failures = new ArrayList<>();
        int pairs = 0;
        for (int round = 0; round < rounds; round++) {
            for (String program : programs) {
                for (boolean jit : new boolean[] {round % 2 == 0, round % 2 != 0}) {
                    Path dir = keep.resolve(program + "-" + round + (jit ? "-jit" : "-interp"));
                    String[] args = switch (program) {
                        case "racy_counter" -> new String[] {"100000"};
                        case "racy_threads" -> new String[] {"20000", "6"};
                        default -> new String[0];
                    };
                    RecordReplay.record(dir, program, jit, args);
                    long recorded = RecordReplay.recordedDigest(dir);
                    boolean ok = true;
                    for (boolean replayJit : new boolean[] {jit, !jit}) {
                        RecordReplay.Replayed r = RecordReplay.replay(dir, replayJit);
                        pairs++;
                        if (r.result().verdict() != Sessions.Verdict.IDENTICAL || r.result().digest() != recorded) {
                            ok = false;
                            failures.add(dir + " replayed with " + (replayJit ? "jit" : "interp") + ": " + r.result().message());
                            System.err.println("STRESS FAILURE " + failures.getLast());
                        }
                    }
                    if (ok) deleteTree(dir);
                }
            }
            System.err.println("stress: round " + (round + 1) + " of " + rounds + ", " + pairs + " replays, " + failures.size() + " failures");
        }
        assertThat(failures).as("kept in %s", keep).isEmpty();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
