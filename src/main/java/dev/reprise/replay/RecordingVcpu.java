package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.KernelWrites;
import dev.reprise.linux.Task;
import dev.reprise.linux.TaskExit;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Ownership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One vCPU while recording: the granules it holds (through {@link Granule}), the requests other
 * vCPUs send it, and its log.
 *
 * <p>A vCPU runs guest code ({@code RUNNING}: it gives granules up only at its boundaries, when
 * asked), is inside a system call ({@code KERNEL}: others take what it holds without its help, at
 * the position where the call started, except what the call itself writes), or has ended
 * ({@code EXITED}: others take from it freely).
 *
 * <p>Threading: the vCPU's own thread calls everything except {@link #requestRelease}, which
 * takers call. {@link #state}, {@link #stoppedPosition} and {@link #drops} are guarded by this
 * object's monitor (lock order: this, then one {@link Granule}; never two granules at once:
 * RecordingLocksTest); {@link #writtenInKernel} is a
 * concurrent set, changed under the monitor of the granule added;
 * {@link #requests} is a concurrent queue; every other field belongs to the own thread.
 */
final class RecordingVcpu implements Ownership, KernelWrites.Listener {
    private static final int RUNNING = 0, KERNEL = 1, EXITED = 2;

    final int id;
    final Task task;
    private final Hart hart;
    private final Recorder recorder;
    final VcpuLog log;

    private int state = RUNNING;
    /** Where a vCPU in a system call or ended stopped ({@link #position}): takers log it as its release point. */
    private long stoppedPosition;
    /** Granules taken from this vCPU while it was in a system call: its TLB forgets them before it runs guest code again. */
    private final List<Drop> drops = new ArrayList<>();

    /** A granule given up in a system call: all rights, or ({@code keepShared}) only the right to write. */
    private record Drop(Granule granule, boolean keepShared) {}
    /**
     * Granules (and resources) the current system call writes: kept until it ends, because replay
     * puts the call's writes in at its end; giving one up in the middle would let a taker see it
     * without them. Added by the own thread under the granule's monitor, read by takers under it.
     */
    private final Set<Granule> writtenInKernel = ConcurrentHashMap.newKeySet();
    /**
     * The granules of the signal frame written at icount {@link #frameIcount} (own thread only): kept
     * until an instruction has run after it. Replay delivers the signal at the same boundary after
     * publishing that it got there, so a release there must not carry the frame, nor come before it.
     */
    private final Set<Granule> frame = new HashSet<>();
    private long frameIcount = -1;
    /** A taker waits for a {@link #frame} granule (own thread): serve requests again after the next instruction. */
    private boolean frameWanted;

    /** A taker wants {@code granule}: all rights ({@code exclusive}) or only the right to write. */
    private record Request(Granule granule, boolean exclusive) {}

    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();

    /** In a system call (own thread's view of KERNEL): its events carry the state at the ecall. */
    private boolean inKernel;
    private long kernelPc, kernelDigest;
    /** Own thread: set at its first boundary. */
    boolean started;
    /** The vCPU's host thread, set at its first boundary (volatile: others {@link #wake} it). */
    volatile Thread thread;
    /** The icount of the last RELEASE logged: one per boundary is enough to mark progress. */
    private long lastRelease = -1;

    // ---- checkpoints ({@link Cuts}) ---------------------------------------------------------------------
    /** Events logged so far (volatile: a cut reads it). */
    volatile long logged;
    /**
     * Where this vCPU is for a cut ({@code Cuts.NEW}, ...), its saved state, and how it ended:
     * guarded by the {@link Cuts} (whose clock also reads the state racily, for an estimate).
     */
    int cutState;
    Checkpoint.VcpuState cutSaved;
    long endPosition, endDigest;
    /** Own thread: its first boundary was seen; the icount its instructions were counted up to (read racily by Cuts' clock). */
    boolean cutStarted;
    long counted;

    /** The recorder's granules are finer than a page: a page's first touch takes those of it nobody has. */
    private final boolean fine;
    /**
     * Pages of granules finer than a page ({@link #fine}, or a split granule's words): what this
     * vCPU holds on each, a bit per word ({@link #mark}): {@code [0, 8)} any rights, {@code [8, 16)}
     * exclusive; {@code [16]} is 1 once guest code touched the page (it tried to take the whole
     * page). Made from the granules' state when first needed, then kept up to date by this vCPU's
     * takes and releases. The TLB may remember such a page only while all of it is held. Own
     * thread only: rights are taken and given up by the own thread, or taken from it in a system
     * call and forgotten when the call ends ({@link #leaveKernel}).
     */
    private final HashMap<Long, long[]> finePages = new HashMap<>();
    private static final int TOUCHED = 16;
    /** The last page of {@link #finePages} looked up (own thread): a mixed page's accesses all come through here. */
    private long lastPage = -1;
    private long[] lastHeld;

    RecordingVcpu(int id, Task task, Recorder recorder, VcpuLog log) {
        this.id = id;
        this.task = task;
        this.hart = task.hart;
        this.recorder = recorder;
        this.log = log;
        this.fine = recorder.granuleShift < AddressSpace.PAGE_SHIFT;
    }

    // ---- taking rights ---------------------------------------------------------------------------------

    /**
     * The Mmu refills a TLB entry. Guest code that needs a transfer stops before its instruction
     * (an OWNERSHIP fault; the vCPU takes the granule at the boundary); the kernel writes only what
     * {@link #kernelWillWrite} took, and reads what it likes without taking it (its result is logged).
     */
    @Override
    public int acquire(long address, int size, boolean write) {
        long page = address >>> AddressSpace.PAGE_SHIFT;
        // A page of finer granules (or of a split one): its bits answer without a granule lookup.
        if (page == lastPage || finePages.containsKey(page)) return acquireFine(address, size, write);
        for (;;) {
            Granule g = recorder.granuleAt(address);
            if (g.shift < AddressSpace.PAGE_SHIFT) return acquireFine(address, size, write);
            if (inKernel && write) {
                if (take(g, true, true, -1)) return EXCLUSIVE;
                continue;   // split meanwhile
            }
            synchronized (g) {
                if (g.split != null) continue;
                if ((write ? g.writer == id : g.holds(id)) || takeSilently(g, write)) return g.writer == id ? EXCLUSIVE : SHARED;
            }
            if (inKernel) return 0;   // a read by the kernel (a futex word): allowed once, nothing cached
            throw ownershipFault(address, write);
        }
    }

    /**
     * {@link #acquire} on a page of granules finer than a page: takes what the access touches
     * (and, the first time this vCPU touches a page of {@link #fine} granules, every granule of it
     * that nobody else has, so that a private page is cached like a page granule), then says what
     * the TLB may remember.
     */
    private int acquireFine(long address, int size, boolean write) {
        long[] held = heldOn(address >>> AddressSpace.PAGE_SHIFT);
        if (!inKernel) {
            if (covers(held, address, size, write)) return tlbRights(held, write);
            if (held[TOUCHED] == 0) {
                held[TOUCHED] = 1;   // once: a page shared with others would try it at every access
                if (fine) takeFreeGranules(address & -AddressSpace.PAGE_SIZE, write);
            }
        }
        for (long a = address, end = address + size; a < end; ) {
            Granule g = recorder.granuleAt(a);
            if (inKernel && write) {
                if (take(g, true, true, -1)) a = g.end();
                continue;
            }
            boolean split, ok;
            synchronized (g) {
                split = g.split != null;
                ok = !split && ((write ? g.writer == id : g.holds(id)) || takeSilently(g, write));
            }
            if (ok) a = g.end();
            else if (split) continue;
            else if (inKernel) return 0;
            else throw ownershipFault(a, write);
        }
        if (inKernel) return 0;   // what others took during the call is forgotten only when it ends: cache nothing
        return tlbRights(held, write);
    }

    /** The first touch of a page of fine granules: takes those nobody has (and nothing orders) silently. */
    private void takeFreeGranules(long pageAddress, boolean write) {
        for (long a = pageAddress, end = pageAddress + AddressSpace.PAGE_SIZE; a < end; ) {
            Granule g = recorder.granuleAt(a);
            synchronized (g) {
                if (g.split != null) continue;
                if (!g.holds(id)) takeSilently(g, write);
            }
            a = g.end();
        }
    }

    /** The Mmu answers later accesses to the page from these bits, until they are not enough (then it calls {@link #acquire}). */
    @Override
    public long[] wordRights(long page) {
        return page == lastPage ? lastHeld : finePages.get(page);
    }

    /** What the TLB may remember of a page of fine granules: all of it held exclusive, or shared for a read. */
    private static int tlbRights(long[] held, boolean write) {
        if (all(held, EXCLUSIVE_WORDS)) return EXCLUSIVE;
        return !write && all(held, 0) ? SHARED : 0;
    }

    private static boolean all(long[] held, int from) {
        for (int i = from; i < from + 8; i++) if (held[i] != -1L) return false;
        return true;
    }

    /** True if {@code held} says this vCPU may already make the access (its words held exclusive for a write). */
    private static boolean covers(long[] held, long address, int size, boolean write) {
        int base = write ? EXCLUSIVE_WORDS : 0;
        int first = (int) (address & AddressSpace.PAGE_SIZE - 1) >>> Granule.WORD_SHIFT;
        int last = (int) (address + size - 1 & AddressSpace.PAGE_SIZE - 1) >>> Granule.WORD_SHIFT;
        if (last < first) return false;   // wraps past the page: not for this page's mask
        for (int w = first; w <= last; w++) if ((held[base + (w >>> 6)] & 1L << w) == 0) return false;
        return true;
    }

    /**
     * What this vCPU holds on a page of fine granules (own thread): made from the granules'
     * state the first time ({@link Recorder#rightsOnPage}), then kept by {@link #noteTaken} and
     * {@link #dropRights}.
     */
    private long[] heldOn(long page) {
        if (page == lastPage) return lastHeld;
        long[] held = finePages.get(page);
        if (held == null) {
            held = new long[TOUCHED + 1];
            recorder.rightsOnPage(id, page << AddressSpace.PAGE_SHIFT, held);
            finePages.put(page, held);
        }
        lastPage = page;
        lastHeld = held;
        return held;
    }

    /**
     * Sets the bits of [address, address+length) (inside one page) in {@code held}: any rights
     * for {@code rights} 1 (shared) or 2 (exclusive), exclusive rights too for 2; clears both for 0.
     */
    static void mark(long[] held, long address, long length, int rights) {
        int first = (int) (address & AddressSpace.PAGE_SIZE - 1) >>> Granule.WORD_SHIFT;
        int count = (int) Math.max(1, length >>> Granule.WORD_SHIFT);
        for (int w = first; w < first + count; ) {
            int bit = w & 63, n = Math.min(64 - bit, first + count - w);
            long bits = (n == 64 ? -1L : (1L << n) - 1) << bit;
            int i = w >>> 6;
            if (rights == 0) held[i] &= ~bits;
            else held[i] |= bits;
            if (rights == EXCLUSIVE) held[EXCLUSIVE_WORDS + i] |= bits;
            else held[EXCLUSIVE_WORDS + i] &= ~bits;
            w += n;
        }
    }

    /** Under g's monitor: takes it without a transfer if nothing orders it (no conflict, no predecessor, no reservation). */
    private boolean takeSilently(Granule g, boolean write) {
        if (g.conflicts(id, write) != 0 || g.predecessors(id, write) != 0 || !g.mayTake(id)) return false;
        g.take(id, write);
        noteTaken(g, write);
        return true;
    }

    /** In guest code the registers may live in the JIT's locals: the access stops before its instruction, which runs again after the take. */
    private static MemoryFault ownershipFault(long address, boolean write) {
        return new MemoryFault(address, MemoryFault.Kind.OWNERSHIP, write ? MemoryFault.Access.WRITE : MemoryFault.Access.READ);
    }

    /**
     * A granule finer than a page: this vCPU now holds {@code g} (own thread, after {@link
     * Granule#take}, under g's monitor). Only updates the page's bits if they are made already: if
     * not, {@link #heldOn} makes them later from the granules' state, which has this take. Making
     * them here would lock the page's other granules while holding g's monitor, and two vCPUs that
     * took two pieces of one split page at once each waited for the other's piece (a recording of
     * pthreads hung so, 2026-11-28).
     */
    private void noteTaken(Granule g, boolean write) {
        if (g.isResource() || g.shift >= AddressSpace.PAGE_SHIFT) return;
        long page = g.address() >>> AddressSpace.PAGE_SHIFT;
        long[] held = page == lastPage ? lastHeld : finePages.get(page);
        if (held != null) mark(held, g.address(), 1L << g.shift, write || g.writer == id ? EXCLUSIVE : SHARED);
    }

    /** Takes the granule that an access stopped for (at a boundary: the state is consistent). */
    void ownershipFault(MemoryFault f) {
        boolean write = f.access == MemoryFault.Access.WRITE;
        while (!take(recorder.granuleAt(f.address), write, false, f.address)) {
            // split meanwhile: take its word
        }
    }

    /**
     * The kernel is about to zero [address, address+length) for this vCPU: it takes the granules
     * there that some vCPU has had (one nobody touched needs no ordering), keeping them until the call ends.
     */
    void kernelWillZero(long address, long length) {
        if (length <= 0 || address < 0 || address >= AddressSpace.LIMIT) return;
        long end = Math.min(AddressSpace.LIMIT, address + length);
        for (long a = address; a < end; ) {
            Granule g = recorder.existingGranuleAt(a);
            if (g == null) a = (a >>> recorder.granuleShift) + 1 << recorder.granuleShift;
            else if (take(g, true, true, -1)) a = g.end();
        }
    }

    /** Takes a kernel resource (the memory map, signal actions) exclusively, at the ecall. */
    void takeResource(long key) {
        take(recorder.granule(key), true, true, -1);
    }

    /** The kernel is about to write [address, address+length) for this vCPU: it takes those granules and keeps them until the call ends. */
    @Override
    public void kernelWillWrite(long address, long length) {
        for (long a = address, end = address + length; a < end; ) {
            Granule g = recorder.granuleAt(a);
            if (take(g, true, true, -1)) a = g.end();
        }
    }

    /**
     * Takes rights on {@code g}, waiting for the vCPUs that hold conflicting rights to give them up
     * (serving this vCPU's own requests meanwhile, so that two vCPUs waiting for each other both
     * go on), then logs the transfer: every vCPU the granule's history says it must be ordered
     * after ({@link Granule#predecessors}), at the position where that one gave it up. The vCPU's
     * state is consistent here (a boundary, or a system call). {@code keep}: the system call in
     * progress writes it, so it keeps it until it ends; at a boundary, a signal frame: kept until
     * the next instruction has run ({@link #frame}). {@code at}: the address guest code accessed,
     * or -1 (the kernel's). Returns false, having taken nothing, if {@code g} is or gets split:
     * the caller takes the piece it needs instead.
     */
    private boolean take(Granule g, boolean write, boolean keep, long at) {
        for (int spins = 0; ; spins++) {
            long conflicts;
            synchronized (g) {
                if (g.split != null) return false;
                if (write ? g.writer == id : g.holds(id)) {
                    // Held already (a kernel write notes its range, then stores): another's reservation must
                    // not make it wait for what it has, or the two would wait for each other.
                    keep(g, keep);
                    return true;
                }
                conflicts = g.conflicts(id, write);
                if (conflicts == 0 && g.mayTake(id)) {
                    List<Event.Holder> holders = new ArrayList<>();
                    for (long m = g.predecessors(id, write); m != 0; m &= m - 1) {
                        int v = Long.numberOfTrailingZeros(m);
                        holders.add(new Event.Holder(v, g.releasePoint(v, write)));
                    }
                    g.take(id, write);
                    noteTaken(g, write);
                    keep(g, keep);
                    if (!holders.isEmpty()) {
                        g.moved(id, at);   // a holder asked to give it up again may split it (serveRequests)
                        long id = g.isResource() ? -1 - g.key : g.key;
                        log(new Event.Transfer(hart.icount, pc(), digest(), g.target(recorder.granuleShift), id, write, holders));
                    }
                    return true;
                }
                if (!g.mayTake(id)) conflicts = 0;   // reserved for another taker: wait for it to have its turn
                else g.reservedFor = id;
            }
            for (long m = conflicts; m != 0; m &= m - 1) recorder.vcpu(Long.numberOfTrailingZeros(m)).requestRelease(g, write);
            serveRequests();
            if (!inKernel && recorder.cuts != null && recorder.cuts.pending) recorder.cuts.park(this, g);   // before the instruction
            if (task.process.exiting()) throw new TaskExit();
            if (spins < 200) Thread.onSpinWait();
            else if (spins < 400) Thread.yield();
            else LockSupport.parkNanos(20_000);   // woken early when a holder gives the granule up or a request comes
        }
    }

    /**
     * A taker wants this vCPU's rights on {@code g} (its thread). A vCPU in a system call or ended
     * gives them up at once, at the position where it stopped (except what its call writes); a
     * running one is asked (unless it already has that request) and gives them up at its next
     * boundary.
     */
    void requestRelease(Granule g, boolean exclusive) {
        synchronized (this) {
            if (state != RUNNING) {
                boolean released = false, kept;
                synchronized (g) {
                    kept = writtenInKernel.contains(g);
                    if (!kept) released = g.release(id, !exclusive, stoppedPosition);
                }
                if (released && !g.isResource()) drops.add(new Drop(g, !exclusive));
                if (!kept) return;
            }
            Request r = new Request(g, exclusive);
            if (requests.contains(r)) return;
            requests.add(r);
        }
        hart.requestAttention();
        wake();   // waiting for a granule itself, it serves requests between naps
    }

    /** Ends a nap of this vCPU's thread in its take loop, if it is in one (any thread). */
    void wake() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    /**
     * Gives up what takers asked for, at this vCPU's current position (own thread, consistent
     * state). Returns how far it may run before it must come back: one instruction while takers
     * wait for the granules of the signal frame just written, else as far as it likes.
     */
    long serveRequests() {
        if (!hart.attention && !frameWanted) return Long.MAX_VALUE;
        hart.attention = false;   // before draining: a request that arrives meanwhile sets it again
        frameWanted = false;
        Request r;
        List<Request> kept = null;
        boolean keptForCall = false;
        while ((r = requests.poll()) != null) {
            if (r.granule().split != null) continue;   // its taker asks again for the word it needs
            boolean call = writtenInKernel.contains(r.granule());
            if (call || inFrame(r.granule())) {
                if (kept == null) kept = new ArrayList<>();
                kept.add(r);   // served at the first boundary after the call, or after the next instruction
                keptForCall |= call;
                frameWanted |= !call;
                continue;
            }
            boolean released, split = false;
            int taker;
            Granule g = r.granule();
            synchronized (g) {
                // A granule the vCPUs keep taking from each other is split into words instead (nobody
                // else can keep it for a call or a frame: this vCPU holds it), so that data of
                // different threads that merely share it stop moving it (docs/memory-model.md).
                if (g.splits(AddressSpace.PAGE_SHIFT)) {
                    g.split();
                    split = true;
                }
                released = !split && g.release(id, !r.exclusive(), position());
                taker = g.reservedFor;
            }
            if ((released || split) && taker != Granule.NONE) recorder.vcpu(taker).wake();   // it may be parked in its take loop
            if (!released) continue;
            if (!g.isResource()) dropRights(g, !r.exclusive());
            if (lastRelease != hart.icount) {
                lastRelease = hart.icount;
                log(new Event.Release(hart.icount, pc(), digest()));
            }
        }
        if (kept != null) requests.addAll(kept);
        // Attention would stop the vCPU before the instruction the frame waits for: it runs that one instead.
        if (keptForCall) hart.requestAttention();
        return frameWanted ? 1 : Long.MAX_VALUE;
    }

    /** What a system call writes is kept until it ends; a signal frame's granules until an instruction has run (under g's monitor). */
    private void keep(Granule g, boolean keep) {
        if (!keep) return;
        if (inKernel) writtenInKernel.add(g);
        else keepForFrame(g);
    }

    private void keepForFrame(Granule g) {
        if (frameIcount != hart.icount) frame.clear();
        frameIcount = hart.icount;
        frame.add(g);
    }

    /** True if {@code g} holds a signal frame written at this very icount (no instruction has run since). */
    private boolean inFrame(Granule g) {
        if (frame.isEmpty()) return false;
        if (frameIcount == hart.icount) return frame.contains(g);
        frame.clear();
        return false;
    }

    /**
     * Where this vCPU is, as release points are logged: 2 × icount inside the system call of the
     * ecall at icount (its effects not yet done), 2 × icount + 1 anywhere else (docs/log-format.md).
     */
    long position() {
        return inKernel ? 2 * hart.icount : 2 * hart.icount + 1;
    }

    /** This vCPU gave up (the right to write, or all its rights on) memory granule {@code g}: its TLB forgets the page(s). Own thread. */
    private void dropRights(Granule g, boolean keepShared) {
        long start = g.address();
        hart.mmu.dropRights(start >>> AddressSpace.PAGE_SHIFT, Math.max(1, (1L << g.shift) >>> AddressSpace.PAGE_SHIFT), keepShared);
        if (g.shift >= AddressSpace.PAGE_SHIFT) return;
        mark(heldOn(start >>> AddressSpace.PAGE_SHIFT), start, 1L << g.shift, keepShared ? SHARED : 0);
    }

    // ---- states ----------------------------------------------------------------------------------------

    /** A system call starts: from now on takers take from this vCPU without waiting for it. */
    void enterKernel() {
        inKernel = true;
        kernelPc = hart.pc;
        kernelDigest = RegisterDigest.of(hart);
        synchronized (this) {
            state = KERNEL;
            stoppedPosition = position();
        }
    }

    /** The call is done: forget what was taken meanwhile before running guest code again. */
    void leaveKernel() {
        List<Drop> taken;
        synchronized (this) {
            state = RUNNING;
            writtenInKernel.clear();
            taken = new ArrayList<>(drops);
            drops.clear();
        }
        inKernel = false;
        for (Drop d : taken) dropRights(d.granule(), d.keepShared());
    }

    /** This vCPU ran its last instruction: whatever it holds can be taken from it without its help. */
    void exited() {
        synchronized (this) {
            state = EXITED;
            writtenInKernel.clear();
            stoppedPosition = 2 * hart.icount + 1;   // all done, also a call it was in
        }
    }

    // ---- the log ---------------------------------------------------------------------------------------

    /** The pc events carry: the ecall's (the next pc, as the ecall has retired) while in a system call. */
    long pc() {
        return inKernel ? kernelPc : hart.pc;
    }

    long digest() {
        return inKernel ? kernelDigest : RegisterDigest.of(hart);
    }

    void log(Event e) {
        log.append(e);
        logged = logged + 1;   // own thread only
    }
}
