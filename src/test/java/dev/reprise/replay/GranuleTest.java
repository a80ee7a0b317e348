package dev.reprise.replay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whom a taker must be ordered after ({@link Granule#predecessors}): derived from the granule's
 * history, so that a release made for a taker that never took the granule is not lost. The
 * scenarios are the interleavings the recorder's threads produce, played on one granule in order.
 * Positions are {@link RecordingVcpu#position}s (2 × icount + 1 at a boundary).
 */
class GranuleTest {
    private final Granule g = new Granule(127, 12);

    private static long bit(int v) {
        return 1L << v;
    }

    @Test
    void aReaderThatGaveTheGranuleUpForAParkedTakerStillOrdersTheNextWrite() {
        // lrsc_spinlock recorded with checkpoints: vCPU 2 holds the lock word, vCPU 1 reads it (spins).
        g.take(2, true);
        assertThat(g.release(2, true, 101)).isTrue();          // 2 keeps reading: downgraded for 1's read
        assertThat(g.predecessors(1, false)).isEqualTo(bit(2));
        assertThat(g.releasePoint(2, false)).isEqualTo(101);
        g.take(1, false);
        // vCPU 4 wants to write: it reserves the granule, both readers give it up ...
        g.reservedFor = 4;
        assertThat(g.release(2, false, 103)).isTrue();
        assertThat(g.release(1, false, 5001)).isTrue();
        // ... and vCPU 4 parks for a cut, giving up its reservation: vCPU 2 (the last writer) writes.
        g.reservedFor = Granule.NONE;
        assertThat(g.conflicts(2, true)).isZero();
        assertThat(g.predecessors(2, true)).as("vCPU 1 read until 5001: 2's write must come after").isEqualTo(bit(1));
        assertThat(g.releasePoint(1, true)).isEqualTo(5001);
    }

    @Test
    void aWriterRetakingAfterAnotherReadMustBeOrderedAfterThatRead() {
        g.take(0, true);
        g.release(0, false, 11);
        assertThat(g.predecessors(1, false)).isEqualTo(bit(0));
        g.take(1, false);
        g.release(1, false, 77);                                // for a request whose taker never came
        // 0 was the last writer and nobody holds the granule: still not a silent take.
        assertThat(g.predecessors(0, true)).isEqualTo(bit(1));
        assertThat(g.releasePoint(1, true)).isEqualTo(77);
        g.take(0, true);
        assertThat(g.readersSinceWrite).isZero();
        g.release(0, false, 13);
        // After that write, the next reader is ordered after it alone (transitively after 1).
        assertThat(g.predecessors(1, false)).isEqualTo(bit(0));
        assertThat(g.releasePoint(0, false)).isEqualTo(13);
    }

    @Test
    void aReaderWaitsForTheEndOfTheWriteNotForTheWritersLaterReads() {
        g.take(0, true);
        g.release(0, true, 21);                                 // stops writing at 21, reads on
        g.take(1, false);
        g.release(0, false, 900);                               // stops reading at 900
        assertThat(g.predecessors(2, false)).isEqualTo(bit(0));
        assertThat(g.releasePoint(0, false)).isEqualTo(21);
        // A writer waits for both the end of 0's reads and 1's.
        g.release(1, false, 40);
        assertThat(g.predecessors(2, true)).isEqualTo(bit(0) | bit(1));
        assertThat(g.releasePoint(0, true)).isEqualTo(900);
        assertThat(g.releasePoint(1, true)).isEqualTo(40);
    }

    @Test
    void aHolderUpgradingIsOrderedAfterOtherReadersButNotAgainAfterTheLastWriter() {
        g.take(0, true);
        g.release(0, false, 5);
        g.take(1, false);
        g.take(2, false);
        g.release(2, false, 61);
        // 1 holds shared rights taken after 0's write: it needs 2's reads before its write, not 0 again.
        assertThat(g.conflicts(1, true)).isZero();
        assertThat(g.predecessors(1, true)).isEqualTo(bit(2));
    }

    @Test
    void nothingToOrderAfterForTheFirstTakerOrTheOwnWrites() {
        assertThat(g.predecessors(3, true)).isZero();
        g.take(3, true);
        g.release(3, false, 9);
        assertThat(g.predecessors(3, true)).isZero();
        assertThat(g.predecessors(3, false)).isZero();
        g.take(3, false);
        assertThat(g.predecessors(4, false)).isEqualTo(bit(3));
        g.take(4, false);
        assertThat(g.predecessors(4, false)).as("holds it: ordered when it took it").isZero();
    }

    @Test
    void aSplitGranulesPiecesStartFromItsStateAndItHoldsNothingAnyMore() {
        g.take(0, true);
        g.release(0, true, 31);                                 // 0 wrote, reads on
        g.take(1, false);
        g.reservedFor = 2;
        long page = 127L << 12;
        for (int i = 0; i < Granule.SPLIT_AFTER; i++) {
            assertThat(g.splits(12)).isFalse();
            g.moved(i % 2, page + (i % 2) * 2048 + 8 * i);   // each thread in its own half: false sharing
        }
        assertThat(g.splits(12)).isTrue();
        g.split();
        assertThat(g.splits(12)).as("once").isFalse();
        assertThat(g.release(1, false, 50)).as("its pieces hold the rights").isFalse();
        assertThat(g.pieceShift()).isEqualTo(Granule.LINE_SHIFT);
        Granule line = g.split.piece(127L << 6 | 5, Granule.LINE_SHIFT);
        assertThat(line.address()).isEqualTo(127L * 4096 + 5 * 64);
        assertThat(line.end()).isEqualTo(line.address() + 64);
        assertThat(line.holds(0)).isTrue();
        assertThat(line.holds(1)).isTrue();
        assertThat(line.writer).isEqualTo(Granule.NONE);
        assertThat(line.predecessors(2, true)).as("a writer of the line waits for both readers").isEqualTo(bit(0) | bit(1));
        assertThat(line.conflicts(2, true)).isEqualTo(bit(0) | bit(1));
        assertThat(line.mayTake(3)).as("the reservation was for a taker of the page").isTrue();
        assertThat(line.pieceShift()).isEqualTo(Granule.WORD_SHIFT);
        assertThat(line.target(12)).isEqualTo(Event.Target.LINE);
        for (int i = 0; i < Granule.SPLIT_AFTER; i++) line.moved(i % 2, line.address() + 8 * (i % 2));
        assertThat(line.splits(12)).isTrue();
        line.split();
        Granule word = line.split.piece(line.address() >>> 3, Granule.WORD_SHIFT);
        assertThat(word.target(12)).isEqualTo(Event.Target.WORD);
        for (int i = 0; i < Granule.SPLIT_AFTER; i++) word.moved(i % 2, word.address());
        assertThat(word.splits(12)).as("a word is never split").isFalse();
        assertThat(new Granule(-1, 0).target(12)).isEqualTo(Event.Target.RESOURCE);
        assertThat(g.target(12)).isEqualTo(Event.Target.GRANULE);
    }

    @Test
    void onlyFalseSharingSplits() {
        long page = 127L << 12;
        for (int i = 0; i < 4 * Granule.SPLIT_AFTER; i++) {
            g.moved(i % 2, page + 0x40 + 8 * (i % 2));          // both threads want line 1 (a lock and its counter)
            g.moved(i % 2, page + 0x40);                        // and the same thread again (a read, then a write)
            g.moved(i % 2, -1);                                 // and the kernel for it (no one address)
        }
        assertThat(g.moves).isEqualTo(12 * Granule.SPLIT_AFTER);
        assertThat(g.splits(12)).as("true sharing: one transfer moves all they use").isFalse();
        Granule h = new Granule(128, 12);
        for (int i = 0; i < Granule.SPLIT_AFTER; i++) h.moved(i % 2, (128L << 12) + (i % 2 == 0 ? 0 : 0xff8));
        assertThat(h.splits(12)).isTrue();
        assertThat(h.splits(11)).as("only granules of at most a page").isFalse();
    }
}
