package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.Task;
import dev.reprise.linux.TaskExit;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Ownership;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One vCPU while recording: the granules it holds (through {@link Granule}), the requests other
 * vCPUs send it, and its log.
 *
 * <p>Threading: the vCPU's own thread calls everything except {@link #requestRelease}, which
 * takers call. {@link #state}, {@link #stoppedIcount} and {@link #drops} are guarded by this
 * object's monitor (the lock order is: this, then a {@link Granule}); {@link #requests} is a
 * concurrent queue; every other field belongs to the own thread.
 */
final class RecordingVcpu implements Ownership {
    private static final int RUNNING = 0, BLOCKED = 1, EXITED = 2;

    final int id;
    final Task task;
    private final Hart hart;
    private final Recorder recorder;
    final VcpuLog log;

    private int state = RUNNING;
    /** The icount at which a blocked or exited vCPU stopped: takers log it as its release point. */
    private long stoppedIcount;
    /** Granules taken from this vCPU while it was blocked: its TLB forgets them when it comes back. */
    private final List<long[]> drops = new ArrayList<>();

    /** A taker wants {@code granule}: all rights ({@code exclusive}) or only the right to write. */
    private record Request(Granule granule, boolean exclusive) {}

    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();

    /** In a system call: its events carry the state at the ecall ({@link #kernelPc}, {@link #kernelDigest}). */
    private boolean inKernel;
    private long kernelPc, kernelDigest;
    /** The icount of the last RELEASE logged: one per boundary is enough to mark progress. */
    private long lastRelease = -1;

    RecordingVcpu(int id, Task task, Recorder recorder, VcpuLog log) {
        this.id = id;
        this.task = task;
        this.hart = task.hart;
        this.recorder = recorder;
        this.log = log;
    }

    // ---- taking rights ---------------------------------------------------------------------------------

    @Override
    public int acquire(long page, boolean write) {
        Granule g = recorder.granule(page >>> recorder.pagesPerGranuleShift);
        synchronized (g) {
            if (write ? g.writer == id : g.holds(id)) return g.writer == id ? EXCLUSIVE : SHARED;
            if (g.conflicts(id, write) == 0 && !mustWaitForWriter(g) && g.mayTake(id)) {
                g.take(id, write);
                return write ? EXCLUSIVE : SHARED;
            }
        }
        if (!inKernel) {
            // In guest code the registers may live in the JIT's locals: stop before the instruction,
            // take the granule at the boundary (Task calls ownershipFault), then run it again.
            throw new MemoryFault(page << AddressSpace.PAGE_SHIFT, MemoryFault.Kind.OWNERSHIP,
                    write ? MemoryFault.Access.WRITE : MemoryFault.Access.READ);
        }
        take(g, write);
        return write ? EXCLUSIVE : SHARED;
    }

    /** True if {@code g} was last written by another vCPU and this one does not hold it yet: taking it is a transfer. */
    private boolean mustWaitForWriter(Granule g) {
        return g.lastWriter != Granule.NONE && g.lastWriter != id && !g.holds(id);
    }

    /** Takes the granule of the page that an access stopped for. */
    void ownershipFault(MemoryFault f) {
        long page = f.address >>> AddressSpace.PAGE_SHIFT;
        take(recorder.granule(page >>> recorder.pagesPerGranuleShift), f.access == MemoryFault.Access.WRITE);
    }

    /** Takes a kernel resource (mm, signal actions) exclusively, at the ecall. */
    void takeResource(long key) {
        Granule g = recorder.granule(key);
        take(g, true);
    }

    /** The kernel wrote [address, address+length) for this vCPU: it must hold those granules exclusively. */
    void tookKernelWrite(long address, long length) {
        if (length <= 0) return;
        long first = address >>> AddressSpace.PAGE_SHIFT >>> recorder.pagesPerGranuleShift;
        long last = (address + length - 1) >>> AddressSpace.PAGE_SHIFT >>> recorder.pagesPerGranuleShift;
        for (long key = first; key <= last; key++) {
            Granule g = recorder.granule(key);
            boolean held;
            synchronized (g) {
                held = g.writer == id;
            }
            if (!held) take(g, true);
        }
    }

    /**
     * Takes rights on {@code g}, waiting for the vCPUs that hold conflicting rights to give them up
     * (serving this vCPU's own requests meanwhile, so that two vCPUs waiting for each other both
     * go on), then logs the transfer: every vCPU it had to wait for, at the icount where that one
     * gave the granule up. The vCPU's state is consistent here (a boundary, or a system call).
     */
    private void take(Granule g, boolean write) {
        long waitedFor = 0;
        boolean holdsAlready;
        synchronized (g) {
            holdsAlready = g.holds(id);
        }
        for (int spins = 0; ; spins++) {
            long conflicts;
            synchronized (g) {
                conflicts = g.conflicts(id, write);
                if (conflicts == 0 && g.mayTake(id)) {
                    List<Event.Holder> holders = new ArrayList<>();
                    for (long m = waitedFor; m != 0; m &= m - 1) {
                        int v = Long.numberOfTrailingZeros(m);
                        holders.add(new Event.Holder(v, g.releasedAt[v]));
                    }
                    if (g.lastWriter != Granule.NONE && g.lastWriter != id && !holdsAlready
                            && (waitedFor & 1L << g.lastWriter) == 0) {
                        holders.add(new Event.Holder(g.lastWriter, g.lastWriteEnd));
                    }
                    g.take(id, write);
                    if (!holders.isEmpty()) {
                        Event.Target target = g.isResource() ? Event.Target.RESOURCE : Event.Target.GRANULE;
                        long id = g.isResource() ? -1 - g.key : g.key;
                        log(new Event.Transfer(hart.icount, pc(), digest(), target, id, write, holders));
                    }
                    return;
                }
                if (!g.mayTake(id)) conflicts = 0;   // reserved for another taker: wait for it to have its turn
                else g.reservedFor = id;
                waitedFor |= conflicts;
            }
            for (long m = conflicts; m != 0; m &= m - 1) recorder.vcpu(Long.numberOfTrailingZeros(m)).requestRelease(g, write);
            serveRequests();
            if (task.process.exiting()) throw new TaskExit();
            if (spins < 200) Thread.onSpinWait();
            else if (spins < 400) Thread.yield();
            else LockSupport.parkNanos(20_000);
        }
    }

    /**
     * A taker wants this vCPU's rights on {@code g} (its thread). A blocked or exited vCPU gives them
     * up at once, at the icount where it stopped; a running one is asked (unless it already has
     * that request) and gives them up at its next boundary.
     */
    void requestRelease(Granule g, boolean exclusive) {
        synchronized (this) {
            if (state != RUNNING) {
                boolean released;
                synchronized (g) {
                    released = g.release(id, !exclusive, stoppedIcount);
                }
                if (released && !g.isResource()) drops.add(new long[] {g.key, exclusive ? 0 : 1});
                return;
            }
            Request r = new Request(g, exclusive);
            if (requests.contains(r)) return;
            requests.add(r);
        }
        hart.attention = true;
    }

    /** Gives up what takers asked for, at this vCPU's current icount (own thread, consistent state). */
    void serveRequests() {
        if (!hart.attention) return;
        hart.attention = false;   // before draining: a request that arrives meanwhile sets it again
        Request r;
        while ((r = requests.poll()) != null) {
            boolean released;
            synchronized (r.granule()) {
                released = r.granule().release(id, !r.exclusive(), hart.icount);
            }
            if (!released) continue;
            if (!r.granule().isResource()) dropRights(r.granule().key, !r.exclusive());
            if (lastRelease != hart.icount) {
                lastRelease = hart.icount;
                log(new Event.Release(hart.icount, pc(), digest()));
            }
        }
    }

    private void dropRights(long key, boolean keepShared) {
        int shift = recorder.pagesPerGranuleShift;
        hart.mmu.dropRights(key << shift, 1L << shift, keepShared);
    }

    // ---- states ----------------------------------------------------------------------------------------

    /** About to block in the host: from now on takers take from this vCPU without waiting for it. */
    void blocking() {
        synchronized (this) {
            state = BLOCKED;
            stoppedIcount = hart.icount;
        }
        serveRequests();   // what was asked before: the takers may be waiting for it
    }

    /** Back from blocking: forget what was taken meanwhile before touching guest memory. */
    void unblocked() {
        List<long[]> taken;
        synchronized (this) {
            state = RUNNING;
            taken = new ArrayList<>(drops);
            drops.clear();
        }
        for (long[] d : taken) dropRights(d[0], d[1] != 0);
    }

    /** This vCPU ran its last instruction: whatever it holds can be taken from it without its help. */
    void exited() {
        synchronized (this) {
            state = EXITED;
            stoppedIcount = hart.icount;
        }
    }

    void enterKernel() {
        inKernel = true;
        kernelPc = hart.pc;
        kernelDigest = RegisterDigest.of(hart);
    }

    void leaveKernel() {
        inKernel = false;
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
    }
}
