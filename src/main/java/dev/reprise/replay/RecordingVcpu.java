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
 * object's monitor (lock order: this, then a {@link Granule}); {@link #writtenInKernel} is a
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
    private final List<long[]> drops = new ArrayList<>();
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
    /** Where this vCPU is for a cut ({@code Cuts.NEW}, ...), its saved state, and how it ended: guarded by the {@link Cuts}. */
    int cutState;
    Checkpoint.VcpuState cutSaved;
    long endPosition, endDigest;
    /** Own thread: its first boundary was seen; the icount its instructions were counted up to. */
    boolean cutStarted;
    long counted;

    /** log2 of the granule size in bytes (the recorder's). */
    private final int shift;
    /**
     * Granules finer than a page (else null): the granules this vCPU holds on each page it has
     * touched, bit i for granule i of the page, {@code [0]} any rights, {@code [1]} exclusive;
     * {@code [2]} is 1 once guest code touched the page (it tried to take the whole page). The
     * TLB may remember a page only while all of its granules are held. Own thread only: rights
     * are taken and given up by the own thread, or taken from it in a system call and forgotten
     * when the call ends ({@link #leaveKernel}).
     */
    private final HashMap<Long, long[]> finePages;
    /** Granules per page (1 for page granules or larger), and all of them as a {@link #finePages} mask. */
    private final int granulesPerPage;
    private final long wholePage;

    RecordingVcpu(int id, Task task, Recorder recorder, VcpuLog log) {
        this.id = id;
        this.task = task;
        this.hart = task.hart;
        this.recorder = recorder;
        this.log = log;
        this.shift = recorder.granuleShift;
        boolean fine = shift < AddressSpace.PAGE_SHIFT;
        this.finePages = fine ? new HashMap<>() : null;
        this.granulesPerPage = fine ? 1 << (AddressSpace.PAGE_SHIFT - shift) : 1;
        this.wholePage = granulesPerPage == 64 ? -1L : (1L << granulesPerPage) - 1;
    }

    private Granule granuleOf(long address) {
        return recorder.granule(address >>> shift);
    }

    // ---- taking rights ---------------------------------------------------------------------------------

    /**
     * The Mmu refills a TLB entry. Guest code that needs a transfer stops before its instruction
     * (an OWNERSHIP fault; the vCPU takes the granule at the boundary); the kernel writes only what
     * {@link #kernelWillWrite} took, and reads what it likes without taking it (its result is logged).
     */
    @Override
    public int acquire(long address, int size, boolean write) {
        if (finePages != null) return acquireFine(address, size, write);
        Granule g = granuleOf(address);
        if (inKernel && write) {
            take(g, true, true);
            return EXCLUSIVE;
        }
        synchronized (g) {
            if ((write ? g.writer == id : g.holds(id)) || takeSilently(g, write)) return g.writer == id ? EXCLUSIVE : SHARED;
        }
        if (inKernel) return 0;   // a read by the kernel (a futex word): allowed once, nothing cached
        throw ownershipFault(address, write);
    }

    /**
     * {@link #acquire} with granules finer than a page: takes what the access touches (and, the
     * first time this vCPU touches the page, every granule of it that nobody else has, so that a
     * private page is cached like a page granule), then says what the TLB may remember.
     */
    private int acquireFine(long address, int size, boolean write) {
        long page = address >>> AddressSpace.PAGE_SHIFT;
        long[] held = finePages.computeIfAbsent(page, p -> new long[3]);
        if (!inKernel && held[2] == 0) {
            held[2] = 1;   // once: a page shared with others would try it at every access
            for (long key = page << (AddressSpace.PAGE_SHIFT - shift), end = key + granulesPerPage; key < end; key++) {
                Granule g = recorder.granule(key);
                synchronized (g) {
                    if (!g.holds(id)) takeSilently(g, write);
                }
            }
        }
        for (long key = address >>> shift, last = (address + size - 1) >>> shift; key <= last; key++) {
            Granule g = recorder.granule(key);
            if (inKernel && write) {
                take(g, true, true);
                continue;
            }
            synchronized (g) {
                if ((write ? g.writer == id : g.holds(id)) || takeSilently(g, write)) continue;
            }
            if (inKernel) return 0;
            throw ownershipFault(Math.max(address, key << shift), write);
        }
        if (inKernel) return 0;   // what others took during the call is forgotten only when it ends: cache nothing
        return held[1] == wholePage ? EXCLUSIVE : held[0] == wholePage && !write ? SHARED : 0;
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

    /** Granules finer than a page: this vCPU now holds {@code g} (own thread, after {@link Granule#take}). */
    private void noteTaken(Granule g, boolean write) {
        if (finePages == null || g.isResource()) return;
        long start = g.key << shift;
        long[] held = finePages.computeIfAbsent(start >>> AddressSpace.PAGE_SHIFT, p -> new long[3]);
        long bit = 1L << ((start & (AddressSpace.PAGE_SIZE - 1)) >>> shift);
        held[0] |= bit;
        if (write) held[1] |= bit;
    }

    /** Takes the granule of the page that an access stopped for (at a boundary: the state is consistent). */
    void ownershipFault(MemoryFault f) {
        take(granuleOf(f.address), f.access == MemoryFault.Access.WRITE, false);
    }

    /**
     * The kernel is about to zero [address, address+length) for this vCPU: it takes the granules
     * there that some vCPU has had (one nobody touched needs no ordering), keeping them until the call ends.
     */
    void kernelWillZero(long address, long length) {
        if (length <= 0 || address < 0 || address >= AddressSpace.LIMIT) return;
        long end = Math.min(AddressSpace.LIMIT, address + length);
        long first = address >>> shift;
        long last = (end - 1) >>> shift;
        for (long key = first; key <= last; key++) {
            Granule g = recorder.existingGranule(key);
            if (g != null) take(g, true, true);
        }
    }

    /** Takes a kernel resource (the memory map, signal actions) exclusively, at the ecall. */
    void takeResource(long key) {
        take(recorder.granule(key), true, true);
    }

    /** The kernel is about to write [address, address+length) for this vCPU: it takes those granules and keeps them until the call ends. */
    @Override
    public void kernelWillWrite(long address, long length) {
        long first = address >>> shift;
        long last = (address + length - 1) >>> shift;
        for (long key = first; key <= last; key++) take(recorder.granule(key), true, true);
    }

    /**
     * Takes rights on {@code g}, waiting for the vCPUs that hold conflicting rights to give them up
     * (serving this vCPU's own requests meanwhile, so that two vCPUs waiting for each other both
     * go on), then logs the transfer: every vCPU the granule's history says it must be ordered
     * after ({@link Granule#predecessors}), at the position where that one gave it up. The vCPU's
     * state is consistent here (a boundary, or a system call). {@code keep}: the system call in
     * progress writes it, so it keeps it until it ends; at a boundary, a signal frame: kept until
     * the next instruction has run ({@link #frame}).
     */
    private void take(Granule g, boolean write, boolean keep) {
        for (int spins = 0; ; spins++) {
            long conflicts;
            synchronized (g) {
                if (write ? g.writer == id : g.holds(id)) {
                    // Held already (a kernel write notes its range, then stores): another's reservation must
                    // not make it wait for what it has, or the two would wait for each other.
                    keep(g, keep);
                    return;
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
                        Event.Target target = g.isResource() ? Event.Target.RESOURCE : Event.Target.GRANULE;
                        long id = g.isResource() ? -1 - g.key : g.key;
                        log(new Event.Transfer(hart.icount, pc(), digest(), target, id, write, holders));
                    }
                    return;
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
                if (released && !g.isResource()) drops.add(new long[] {g.key, exclusive ? 0 : 1});
                if (!kept) return;
            }
            Request r = new Request(g, exclusive);
            if (requests.contains(r)) return;
            requests.add(r);
        }
        hart.attention = true;
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
            boolean call = writtenInKernel.contains(r.granule());
            if (call || inFrame(r.granule())) {
                if (kept == null) kept = new ArrayList<>();
                kept.add(r);   // served at the first boundary after the call, or after the next instruction
                keptForCall |= call;
                frameWanted |= !call;
                continue;
            }
            boolean released;
            int taker;
            synchronized (r.granule()) {
                released = r.granule().release(id, !r.exclusive(), position());
                taker = r.granule().reservedFor;
            }
            if (!released) continue;
            if (taker != Granule.NONE) recorder.vcpu(taker).wake();   // it may be parked in its take loop
            if (!r.granule().isResource()) dropRights(r.granule().key, !r.exclusive());
            if (lastRelease != hart.icount) {
                lastRelease = hart.icount;
                log(new Event.Release(hart.icount, pc(), digest()));
            }
        }
        if (kept != null) requests.addAll(kept);
        // Attention would stop the vCPU before the instruction the frame waits for: it runs that one instead.
        if (keptForCall) hart.attention = true;
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

    /** This vCPU gave up (the right to write, or all its rights on) granule {@code key}: its TLB forgets the page(s). Own thread. */
    private void dropRights(long key, boolean keepShared) {
        long start = key << shift;
        hart.mmu.dropRights(start >>> AddressSpace.PAGE_SHIFT, Math.max(1, (1L << shift) >>> AddressSpace.PAGE_SHIFT), keepShared);
        if (finePages == null) return;
        long[] held = finePages.get(start >>> AddressSpace.PAGE_SHIFT);
        if (held == null) return;
        long bit = 1L << ((start & (AddressSpace.PAGE_SIZE - 1)) >>> shift);
        held[1] &= ~bit;
        if (!keepShared) held[0] &= ~bit;
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
        List<long[]> taken;
        synchronized (this) {
            state = RUNNING;
            writtenInKernel.clear();
            taken = new ArrayList<>(drops);
            drops.clear();
        }
        inKernel = false;
        for (long[] d : taken) dropRights(d[0], d[1] != 0);
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
