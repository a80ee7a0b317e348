package dev.reprise.trace;

import dev.reprise.GuestRunner;
import dev.reprise.replay.Checkpoint;
import dev.reprise.replay.RecordingReader;
import dev.reprise.replay.Sessions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code reprise trace --replay DIR --from-checkpoint K}: each vCPU's trace starts at its state at
 * the checkpoint's cut and is, record for record, the tail of the whole replay's trace from there.
 */
class TraceFromCheckpointTest {
    @TempDir
    Path tmp;

    private static GuestRunner.Result reprise(String... args) throws Exception {
        return GuestRunner.run(GuestRunner.repriseCommand(args), Map.of("PATH", "/usr/bin:/bin"), new byte[0], 300);
    }

    @Test
    void theTraceFromACheckpointIsTheWholeTracesTail() throws Exception {
        Path dir = tmp.resolve("rec");
        // racy_counter: two workers count while the main thread waits in pthread_join (inside a futex call at most cuts).
        // Every 100000 of its ~1.2M instructions: cuts come about there (Cuts#clock), and this needs three.
        var rec = reprise("record", "-o", dir.toString(), "--checkpoint-every", "100000", "--", "guest-tests/bin/racy_counter", "100000");
        assertThat(rec.status()).as(rec.stderr()).isZero();
        Path whole = tmp.resolve("whole.trace");
        var all = reprise("trace", "--replay", dir.toString(), "-o", whole.toString());
        assertThat(all.status()).as(all.stdout() + all.stderr()).isZero();
        assertThat(all.stdout()).startsWith("identical: ");
        int n;
        try (RecordingReader r = RecordingReader.open(dir)) {
            n = r.checkpoints().size();
        }
        assertThat(n).isGreaterThanOrEqualTo(3);
        for (int k : new int[] {1, n - 1}) {
            Path part = tmp.resolve("from-" + k + ".trace");
            var from = reprise("trace", "--replay", dir.toString(), "--from-checkpoint", Integer.toString(k), "-o", part.toString());
            assertThat(from.status()).as(from.stdout() + from.stderr()).isZero();
            assertThat(from.stdout()).isEqualTo(all.stdout());   // the replay's verdict line: identical, same digest
            Checkpoint cut;
            try (RecordingReader r = RecordingReader.open(dir)) {
                cut = Sessions.readCheckpoint(r, k);
            }
            assertTail(whole, part, cut);
        }

        // Mistakes: one line each, the replay's statuses; no trace file is left behind.
        Path none = tmp.resolve("none.trace");
        var missing = reprise("trace", "--replay", dir.toString(), "--from-checkpoint", "99", "-o", none.toString());
        assertThat(missing.status()).isEqualTo(80);
        assertThat(missing.stderr().strip()).doesNotContain("\n").contains("no checkpoint 99");
        var negative = reprise("trace", "--replay", dir.toString(), "--from-checkpoint", "-1", "-o", none.toString());
        assertThat(negative.status()).isEqualTo(64);
        assertThat(negative.stderr().strip()).doesNotContain("\n").contains("--from-checkpoint -1");
        var noReplay = reprise("trace", "--from-checkpoint", "1", "-o", none.toString(), "--", "guest-tests/bin/hello");
        assertThat(noReplay.status()).isEqualTo(64);
        assertThat(noReplay.stderr()).contains("--from-checkpoint K needs --replay DIR");
        assertThat(none).doesNotExist();
    }

    /** Every vCPU's stream in {@code part} is the tail of its stream in {@code whole} from its icount at {@code cut}. */
    private static void assertTail(Path whole, Path part, Checkpoint cut) throws Exception {
        try (TraceReader w = new TraceReader(whole); TraceReader p = new TraceReader(part)) {
            // vCPUs that had ended before the cut run no more instructions: they have no stream from there.
            var live = cut.logs().stream().filter(l -> !l.ended()).map(Checkpoint.LogPosition::vcpu).toList();
            assertThat(p.vcpus()).containsAll(live).isSubsetOf(w.vcpus());
            for (int v : p.vcpus()) {
                Checkpoint.LogPosition at = cut.log(v);
                long icount = at == null ? 0 : at.icount();   // no position: created after the cut, traced from its start
                TraceReader.Stream ps = p.stream(v), ws = w.stream(v);
                Step first = new Step(), step = new Step();
                assertThat(ps.next(first)).isTrue();
                assertThat(first.kind).isEqualTo(Step.Kind.STATE);
                assertThat(first.icount).as("vCPU %d starts at the cut", v).isEqualTo(icount);
                // Run the whole trace up to that icount: its state there is the part's first state.
                boolean more;
                while ((more = ws.next(step)) && (step.kind == Step.Kind.STATE || step.icount < icount)) { }
                assertThat(more).as("vCPU %d's whole trace reaches icount %d", v, icount).isTrue();
                TraceState a = ws.state(), b = ps.state();   // registers before the record just read (a reader's pc is only its delta base)
                assertThat(first.pc).as("vCPU %d's pc at icount %d", v, icount).isEqualTo(step.pc);
                assertThat(b.x).as("vCPU %d's x registers at icount %d", v, icount).isEqualTo(a.x);
                assertThat(b.f).as("vCPU %d's f registers at icount %d", v, icount).isEqualTo(a.f);
                assertThat(b.fcsr).isEqualTo(a.fcsr);
                long records = 0;
                Step other = new Step();
                do {
                    assertThat(ps.next(other)).as("vCPU %d's trace from the cut ends early, at icount %d", v, step.icount).isTrue();
                    assertThat(other.sameAs(step)).as("vCPU %d's record %d after the cut (icount %d)", v, records, step.icount).isTrue();
                    records++;
                } while (ws.next(step));
                assertThat(ps.next(other)).as("vCPU %d's trace from the cut goes on past the whole one", v).isFalse();
                assertThat(records).isPositive();
            }
        }
        assertThat(Files.size(part)).isLessThan(Files.size(whole));
    }
}
