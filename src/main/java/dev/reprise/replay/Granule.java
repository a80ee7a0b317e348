package dev.reprise.replay;

/**
 * The CREW state of one memory granule or kernel resource while recording: who may write it (one
 * vCPU) or read it (any number), and where each vCPU last gave it up, which is what a taker logs.
 *
 * <p>A granule of at most a page that vCPUs keep taking from each other is <em>split</em> into
 * pieces (docs/memory-model.md): a granule wider than a line into lines ({@link #LINE_SHIFT}), a
 * line into words ({@link #WORD_SHIFT}). Its state is frozen into {@link #split}, each piece
 * starts as a copy of it (so every ordering it implied still holds), and the granule itself is
 * dead: every operation on it finds {@link #split} set and goes to the pieces instead.
 *
 * <p>Threading: every field is guarded by this object's monitor, except {@link #split}, which is
 * set once under it and read without it (the state it points to is never changed). Lock order: a
 * vCPU's {@link RecordingVcpu} monitor may be held when taking this one, never the other way round.
 */
final class Granule {
    /** Most vCPUs a recording can have: readers are a bit set in a long. */
    static final int MAX_VCPUS = 64;
    /** No vCPU. */
    static final int NONE = -1;
    /** log2 of a line (a host cache line), what a split granule wider than a line becomes. */
    static final int LINE_SHIFT = 6;
    /** log2 of a word, what a split line becomes: the widest access, never split further. */
    static final int WORD_SHIFT = 3;
    /** Transfers after which a granule is split when a holder is asked to give it up again (counted by {@link #moves}). */
    static final int SPLIT_AFTER = 16;

    /** Granule number (address / granule size), or {@code -1 - id} for a kernel resource. */
    final long key;
    /** log2 of the granule's size in bytes (memory granules only). */
    final int shift;
    /** Once split: the frozen state its pieces start from (volatile: read without the monitor). */
    volatile Granule split;
    /** Transfers logged for it (takes ordered after another vCPU): a granule that ping-pongs is split. */
    int moves;
    /**
     * Of those, the ones from one vCPU to another at a known access ({@link #moved}: handoffs),
     * and of these the ones whose taker accessed another piece ({@link #pieceShift}) than the
     * vCPU before it (false sharing: the vCPUs want different parts of it).
     */
    int handoffs, falseMoves;
    /** The vCPU that last took it at a known access, and the piece it accessed (-1: none yet). */
    private int lastTaker = NONE, lastPiece = -1;
    /** The vCPU holding exclusive rights, or NONE. */
    int writer = NONE;
    /** vCPUs holding shared rights (bit v); never includes the writer. */
    long readers;
    /** Each vCPU's position ({@link RecordingVcpu#position}) when it last gave up (some of) its rights here; valid where {@link #released} has its bit. */
    long[] releasedAt;   // allocated at the first release: most granules of a fine-grained recording are never given up
    long released;
    /** The last writer's vCPU and position when it stopped writing (downgraded or released): every later reader must wait for it. */
    int lastWriter = NONE;
    long lastWriteEnd;
    /**
     * vCPUs that have held shared rights since the last exclusive take (bit v; the last writer too,
     * if it kept reading): the next writer must wait for each where it last gave them up.
     */
    long readersSinceWrite;
    /**
     * The vCPU that asked the holders to give the granule up, or NONE: no other vCPU may take it
     * before that one has, or a reader spinning on a flag would take it straight back, every time,
     * and starve the writer it waits for.
     */
    int reservedFor = NONE;

    Granule(long key, int shift) {
        this.key = key;
        this.shift = shift;
    }

    boolean isResource() {
        return key < 0;
    }

    /** What a transfer of this granule names: a resource, a granule of the recording's size, or a piece of a split one. */
    Event.Target target(int recordingShift) {
        if (isResource()) return Event.Target.RESOURCE;
        if (shift == recordingShift) return Event.Target.GRANULE;
        return shift == LINE_SHIFT ? Event.Target.LINE : Event.Target.WORD;
    }

    /** log2 of the size of the pieces this granule splits into. */
    int pieceShift() {
        return shift > LINE_SHIFT ? LINE_SHIFT : WORD_SHIFT;
    }

    /** The first address of a memory granule. */
    long address() {
        return key << shift;
    }

    /** The first address after a memory granule. */
    long end() {
        return key + 1 << shift;
    }

    /** A transfer of this granule to {@code v} was logged; {@code v} accessed address {@code at} (-1: the kernel, no one address). */
    void moved(int v, long at) {
        moves++;
        if (at < 0) return;
        int piece = (int) (at - address() >>> pieceShift());
        if (lastTaker != NONE && lastTaker != v) {
            handoffs++;
            if (piece != lastPiece) falseMoves++;
        }
        lastTaker = v;
        lastPiece = piece;
    }

    /**
     * True if a holder asked to give this granule up should split it instead: a memory granule of
     * at most a page that has moved between vCPUs {@link #SPLIT_AFTER} times, at least three in
     * four of its handoffs for false sharing. Where the vCPUs want the same piece (a lock, and the data it
     * guards next to it) one transfer moves all they use: split, each piece would move on its own.
     */
    boolean splits(int pageShift) {
        if (isResource() || split != null || shift <= WORD_SHIFT || shift > pageShift || moves < SPLIT_AFTER) return false;
        return 4 * falseMoves >= 3 * handoffs;
    }

    /** Splits this granule into pieces (under its monitor): freezes its state for them, reservation aside. */
    void split() {
        Granule frozen = piece(key, shift);
        frozen.reservedFor = NONE;   // a reservation is for one taker of the whole granule: pieces start free
        split = frozen;
    }

    /** A copy of this state for piece {@code key} of size {@code 1 << shift} (this granule frozen: {@link #split}). */
    Granule piece(long key, int shift) {
        Granule w = new Granule(key, shift);
        w.writer = writer;
        w.readers = readers;
        w.releasedAt = releasedAt == null ? null : releasedAt.clone();
        w.released = released;
        w.lastWriter = lastWriter;
        w.lastWriteEnd = lastWriteEnd;
        w.readersSinceWrite = readersSinceWrite;
        w.reservedFor = reservedFor;
        return w;
    }

    /** vCPUs other than {@code v} whose rights conflict with {@code v} taking shared ({@code write} false) or exclusive rights. */
    long conflicts(int v, boolean write) {
        long others = writer != NONE && writer != v ? 1L << writer : 0;
        if (write) others |= readers & ~(1L << v);
        return others;
    }

    boolean holds(int v) {
        return writer == v || (readers & 1L << v) != 0;
    }

    /**
     * Vcpu {@code v} gives up its rights at {@code position}: all of them, or ({@code keepShared}) only
     * the right to write. Returns false if it held nothing to give up.
     */
    boolean release(int v, boolean keepShared, long position) {
        if (split != null) return false;   // its pieces hold the rights now
        boolean wasWriter = writer == v;
        if (wasWriter) {
            writer = NONE;
            if (keepShared) {
                readers |= 1L << v;
                readersSinceWrite |= 1L << v;
            }
            lastWriter = v;
            lastWriteEnd = position;
        } else if ((readers & 1L << v) != 0 && !keepShared) {
            readers &= ~(1L << v);
        } else {
            return false;
        }
        if (releasedAt == null) releasedAt = new long[MAX_VCPUS];
        releasedAt[v] = position;
        released |= 1L << v;
        return true;
    }

    /**
     * The vCPUs whose releases {@code v} must be ordered after when it takes shared ({@code write}
     * false) or exclusive rights now that nobody conflicts (bit u; where: {@link #releasePoint}).
     * The last writer, unless {@code v} holds rights: then it has held them since before that write
     * (nobody writes while others hold rights) and is ordered after it already. For exclusive
     * rights also everyone who read since the last exclusive take. Derived from the granule's
     * history, not from whom the taker happened to wait for: a vCPU may have given the granule up
     * for another taker that then did not take it (a cut parks it), or for a request served late.
     */
    long predecessors(int v, boolean write) {
        long p = write ? readersSinceWrite & ~(1L << v) : 0;
        if (lastWriter != NONE && lastWriter != v && !holds(v)) p |= 1L << lastWriter;
        return p;
    }

    /** Where predecessor {@code u} gave the granule up: its last release if it read since the last write and {@code write}, else the end of its writing. */
    long releasePoint(int u, boolean write) {
        return write && (readersSinceWrite & 1L << u) != 0 ? releasedAt[u] : lastWriteEnd;
    }

    /** True if {@code v} may take the granule once nobody holds conflicting rights (nobody else has it reserved). */
    boolean mayTake(int v) {
        return reservedFor == NONE || reservedFor == v;
    }

    /** Gives {@code v} the rights it asked for (the caller checked there is no conflict). */
    void take(int v, boolean write) {
        if (reservedFor == v) reservedFor = NONE;
        if (write) {
            readers &= ~(1L << v);
            writer = v;
            readersSinceWrite = 0;   // the taker is ordered after them all: later writers wait for it
        } else if (writer != v) {
            readers |= 1L << v;
            readersSinceWrite |= 1L << v;
        }
    }
}
