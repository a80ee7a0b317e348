package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.KernelWrites;
import dev.reprise.linux.Process;
import dev.reprise.linux.Errno;
import dev.reprise.linux.Supervisor;
import dev.reprise.linux.SyscallError;
import dev.reprise.linux.Task;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Ownership;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Records a process while its threads run in parallel (DESIGN.md, "Recording"): CREW ownership of
 * memory granules and kernel resources through each vCPU's {@link RecordingVcpu}, system call
 * results and the bytes the kernel wrote, clones, asynchronous signals and exits, each into the
 * log of the vCPU it happened on.
 *
 * <p>Threading: the granule tables are concurrent maps of {@link Granule}s (each guarded by its own
 * monitor; a split granule's pieces are in {@link #pieces}); {@link #vcpus} is written once per vCPU, before that vCPU runs, by the thread that
 * creates it; {@link #ends} guards itself.
 */
public final class Recorder implements Supervisor {
    private final Process process;
    private final RecordingWriter writer;
    /** Smallest granule: 64 bytes (a page's granules fit in a long's bits), a cache line on most hosts. */
    public static final long MIN_GRANULE = 64;
    /** log2(granule size in bytes): a granule's number is its first address shifted right by this. */
    final int granuleShift;
    private final ConcurrentHashMap<Long, Granule> granules = new ConcurrentHashMap<>();
    /** The pieces of split granules, by {@link #pieceKey}, each made on first use from its granule's frozen state. */
    private final ConcurrentHashMap<Long, Granule> pieces = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<RecordingVcpu> vcpus = new AtomicReferenceArray<>(Granule.MAX_VCPUS);
    /** Said once (any vCPU thread that clones; a benign race at worst prints it twice). */
    private volatile boolean warnedTooManyThreads;
    private final Ends ends;
    /** The checkpoints' consistent cuts, or null when none are taken. */
    final Cuts cuts;

    /** Watches {@code process} (set as its supervisor before its first thread exists) and logs into {@code writer}. */
    public Recorder(Process process, RecordingWriter writer, long granuleSize) {
        this(process, writer, granuleSize, 0);
    }

    /** {@link #Recorder(Process, RecordingWriter, long)}, with a checkpoint every {@code checkpointEvery} instructions (0: none). */
    public Recorder(Process process, RecordingWriter writer, long granuleSize, long checkpointEvery) {
        if (granuleSize < MIN_GRANULE || Long.bitCount(granuleSize) != 1) {
            throw new IllegalArgumentException("the granule must be a power of two of at least " + MIN_GRANULE + " bytes");
        }
        this.process = process;
        this.writer = writer;
        this.granuleShift = Long.numberOfTrailingZeros(granuleSize);
        this.ends = new Ends(process);
        this.cuts = checkpointEvery > 0 ? new Cuts(this, process, writer, checkpointEvery) : null;
        process.supervisor = this;
    }

    /** Checkpoints written so far. */
    public long checkpoints() {
        return cuts == null ? 0 : cuts.written();
    }

    /** Granule number {@code key} at the recording's granule size, or resource {@code -1 - key}: split or not. */
    Granule granule(long key) {
        Granule g = granules.get(key);
        return g != null ? g : granules.computeIfAbsent(key, k -> new Granule(k, granuleShift));
    }

    /** The granule that orders the byte at {@code address}: the piece of it there if it was split. */
    Granule granuleAt(long address) {
        Granule g = granule(address >>> granuleShift);
        while (g.split != null) g = piece(address, g);
        return g;
    }

    /** The piece of split granule {@code g} that holds {@code address}, made from its frozen state the first time. */
    private Granule piece(long address, Granule g) {
        Granule frozen = g.split;
        int shift = g.pieceShift();
        Long key = pieceKey(address, shift);
        Granule p = pieces.get(key);
        return p != null ? p : pieces.computeIfAbsent(key, k -> frozen.piece(address >>> shift, shift));
    }

    /** Lines and words in one map: a piece's first address (8-aligned), plus 1 for a line. */
    private static long pieceKey(long address, int shift) {
        return (address >>> shift << shift) + (shift == Granule.LINE_SHIFT ? 1 : 0);
    }

    /** {@link #granuleAt} if any vCPU ever took the granule there, else null. */
    Granule existingGranuleAt(long address) {
        Granule g = granules.get(address >>> granuleShift);
        return g == null ? null : granuleAt(address);
    }

    /**
     * Fills {@code held} with what vCPU {@code v} holds on the page at {@code pageAddress}, a word
     * a bit ({@link RecordingVcpu#mark}), without making pieces of split granules (a piece not
     * made yet has its granule's frozen state). For a page of granules finer than a page, or of a
     * split one.
     */
    void rightsOnPage(int v, long pageAddress, long[] held) {
        for (long a = pageAddress, end = pageAddress + AddressSpace.PAGE_SIZE; a < end; ) {
            long next = Math.min(end, (a >>> granuleShift) + 1 << granuleShift);
            Granule g = granules.get(a >>> granuleShift);
            if (g != null) markRights(v, g, a, next, held);
            a = next;
        }
    }

    /** {@link #rightsOnPage} for [from, to) inside granule {@code g}. */
    private void markRights(int v, Granule g, long from, long to, long[] held) {
        Granule frozen = g.split;
        if (frozen == null) {
            int rights;
            synchronized (g) {
                rights = rights(g, v);
            }
            RecordingVcpu.mark(held, from, to - from, rights);
            return;
        }
        int shift = g.pieceShift();
        for (long a = from; a < to; ) {
            long next = Math.min(to, (a >>> shift) + 1 << shift);
            Granule p = pieces.get(pieceKey(a, shift));
            if (p == null) RecordingVcpu.mark(held, a, next - a, rights(frozen, v));   // frozen: no monitor needed
            else markRights(v, p, a, next, held);
            a = next;
        }
    }

    private static int rights(Granule g, int v) {
        return g.writer == v ? Ownership.EXCLUSIVE : g.holds(v) ? Ownership.SHARED : 0;
    }

    RecordingVcpu vcpu(int id) {
        return vcpus.get(id);
    }

    private RecordingVcpu vcpu(Task t) {
        return vcpus.get(t.vcpu());
    }

    // ---- Supervisor ------------------------------------------------------------------------------------

    @Override
    public void created(Task t) {
        int id = t.vcpu();
        if (id < 0 || id >= Granule.MAX_VCPUS) {
            // The guest's clone fails as it would at a thread limit (logged, so replay fails it too).
            if (!warnedTooManyThreads) System.err.println("reprise: a recording holds at most " + Granule.MAX_VCPUS
                    + " threads: the guest's clone fails with EAGAIN");
            warnedTooManyThreads = true;
            throw new SyscallError(Errno.EAGAIN);
        }
        RecordingVcpu v = new RecordingVcpu(id, t, this, writer.vcpu(id));
        vcpus.set(id, v);
        if (cuts != null) cuts.created(v);
        t.hart.mmu.attach(v);
        ends.started(id);
    }

    @Override
    public long boundary(Task t) {
        RecordingVcpu v = vcpu(t);
        if (!v.started) {
            v.started = true;
            v.thread = Thread.currentThread();
            KernelWrites.listen(v);   // this thread's kernel writes take their granules first
            // The first thread's log starts with its own creation: its tid is the pid, which replay must give it again.
            if (v.id == 0) v.log(new Event.Clone(t.hart.icount, t.hart.pc, RegisterDigest.of(t.hart), 0, t.tid));
        }
        long budget = v.serveRequests();
        if (cuts != null) cuts.boundary(v);
        return budget;
    }

    @Override
    public void ownershipFault(Task t, MemoryFault fault) {
        vcpu(t).ownershipFault(fault);
    }

    @Override
    public void syscall(Task t) {
        RecordingVcpu v = vcpu(t);
        Hart h = t.hart;
        int nr = (int) h.x[17];
        long[] args = {h.x[10], h.x[11], h.x[12], h.x[13], h.x[14], h.x[15]};
        v.enterKernel();
        if (cuts != null) cuts.enterKernel(v);
        long resource = SyscallKinds.resource(nr);
        if (resource >= 0) v.takeResource(-1 - resource);
        // Calls that zero memory still mapped (madvise DONTNEED, mmap MAP_FIXED over a mapping) write it:
        // they take the granules someone already has, so that its readers are ordered after them.
        if (SyscallKinds.zeroes(nr, args[2], args[3])) v.kernelWillZero(args[0], args[1]);
        boolean sized = SyscallKinds.sizedByResult(nr);
        KernelWrites capture = KernelWrites.begin(process.space, !sized);
        boolean effects = cuts != null && SyscallKinds.reexecuted(nr);
        if (effects) cuts.beginEffects(v);
        try {
            t.dispatchSyscall();   // exit, exit_group and a kill end the thread here: exited() logs it
        } finally {
            capture.end();
        }
        long result = h.x[10];
        List<KernelWrites.Change> changes;
        if (SyscallKinds.mapsFile(nr, args[3], args[4]) && result >= 0) changes = mapped(result, args[1]);
        else if (sized) changes = sizedOutput(nr, args, result);
        else changes = capture.changes();
        // Output the call wrote before it could say how much (read and friends, a file mapping): taken now.
        if (sized || SyscallKinds.mapsFile(nr, args[3], args[4])) for (KernelWrites.Change c : changes) v.kernelWillWrite(c.address(), c.bytes().length);
        List<Event.MemoryWrite> writes = new ArrayList<>();
        if (!SyscallKinds.reexecuted(nr) || SyscallKinds.mapsFile(nr, args[3], args[4])) {
            for (KernelWrites.Change c : changes) writes.add(new Event.MemoryWrite(c.address(), c.bytes()));
        }
        if (cuts != null) cuts.leaveKernel(v);
        v.log(new Event.Syscall(h.icount, v.pc(), v.digest(), nr, result, writes));
        v.leaveKernel();
    }

    /** What a call that returns its output's size wrote: {@code result} bytes at its buffer (spread over the iovecs for readv). */
    private List<KernelWrites.Change> sizedOutput(int nr, long[] args, long result) {
        List<KernelWrites.Change> out = new ArrayList<>();
        if (result <= 0) return out;
        long buffer = args[SyscallKinds.bufferArgument(nr)];
        if (nr == SyscallKinds.READV) return KernelWrites.iovecs(process.space, buffer, args[2], result);
        out.add(KernelWrites.range(process.space, buffer, result));
        return out;
    }

    /** The contents of a file mapping at [address, address+length): its pages that are not all zeros, in runs. */
    private List<KernelWrites.Change> mapped(long address, long length) {
        List<KernelWrites.Change> out = new ArrayList<>();
        MemorySegment mem = process.space.memory();
        long end = address + ((length + AddressSpace.PAGE_SIZE - 1) & -AddressSpace.PAGE_SIZE);
        long runStart = -1;
        for (long page = address; page <= end; page += AddressSpace.PAGE_SIZE) {
            boolean data = page < end && !zero(mem, page);
            if (data && runStart < 0) runStart = page;
            if (!data && runStart >= 0) {
                out.add(KernelWrites.range(process.space, runStart, page - runStart));
                runStart = -1;
            }
        }
        return out;
    }

    private static boolean zero(MemorySegment mem, long page) {
        for (long a = page; a < page + AddressSpace.PAGE_SIZE; a += 8) if (mem.get(ValueLayout.JAVA_LONG_UNALIGNED, a) != 0) return false;
        return true;
    }

    @Override
    public void signal(Task t, int signo, int code, long address, int pid, int uid) {
        RecordingVcpu v = vcpu(t);
        v.log(new Event.Signal(t.hart.icount, v.pc(), v.digest(), new Event.SignalInfo(signo, code, address, pid, uid)));
    }

    @Override
    public int childTid(Task parent, int proposed) {
        RecordingVcpu v = vcpu(parent);
        v.log(new Event.Clone(parent.hart.icount, v.pc(), v.digest(), proposed - process.pid, proposed));
        return proposed;
    }

    @Override
    public void endingProcess(Task t, int status) {
        // Nothing to wait for: the other vCPUs stop at their next boundary and log where.
    }

    @Override
    public void exited(Task t, int status) {
        RecordingVcpu v = vcpu(t);
        v.exited();
        v.log(new Event.Exit(t.hart.icount, v.pc(), v.digest(), status));
        v.log.close();
        ends.ended(t);
        if (cuts != null) cuts.exited(v);
    }

    // ---- the end ---------------------------------------------------------------------------------------

    /** Waits until every vCPU has logged its exit (after the process ended, the others stop at their next boundary). */
    public void awaitAllExited() throws InterruptedException {
        ends.awaitAll();
        if (cuts != null) cuts.awaitWrites();   // the last checkpoint may still be on its way to disk
    }

    /** The final digest of memory and every vCPU's registers (after {@link #awaitAllExited}). */
    public long finalDigest() {
        return ends.digest();
    }
}
