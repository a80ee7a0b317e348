package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.Process;
import dev.reprise.linux.Errno;
import dev.reprise.linux.KernelWrites;
import dev.reprise.linux.Supervisor;
import dev.reprise.linux.SyscallError;
import dev.reprise.linux.Task;
import dev.reprise.linux.TaskExit;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.MemoryFault;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays a recording in parallel (DESIGN.md, "Recording"): every vCPU on its own host thread runs
 * freely up to the icount of its next event, where it checks pc and register digest, waits for
 * the vCPUs a transfer depends on to reach their recorded icounts, injects system call results,
 * re-executes the calls that change the emulator's own state ({@link SyscallKinds}), delivers
 * signals. Nothing of the world is touched unless asked ({@code echo}: the guest's writes to
 * stdout and stderr).
 *
 * <p>A vCPU that waits for another tells it the position it waits for ({@link ReplayVcpu#wanted}):
 * that one ends its run there and publishes it, rather than at its own next event, which may be
 * far away (the recording's holder gave the granule up at a boundary in the middle of its run).
 *
 * <p>The first mismatch stops the replay: {@link #divergence()} says where. Threading: each
 * {@link ReplayVcpu}'s cursor belongs to its vCPU's thread; {@link ReplayVcpu#progress} and
 * {@link ReplayVcpu#done} are volatile, written by the own thread, read by waiting ones;
 * {@link ReplayVcpu#wanted} is lowered by waiting threads and raised by the own thread (atomic);
 * {@link ReplayVcpu#sleeping} is changed by waiting threads around their naps, read by the own thread (atomic);
 * {@link #vcpus} is written once per vCPU before it runs; {@link #ends} guards itself.
 */
public final class Replayer implements Supervisor {
    /** Where and how a replay went a different way than the recording. */
    public record Divergence(int vcpu, long icount, long pc, String what) {
        public String message() {
            return "divergence: vCPU " + vcpu + " at icount " + icount + ", pc 0x" + Long.toHexString(pc) + ": " + what;
        }
    }

    /** A recording that cannot be read any further (corrupted or truncated queue): the replay stops and says so. */
    private final AtomicReference<RecordingException> unreadable = new AtomicReference<>();
    private final AtomicReference<Divergence> divergence = new AtomicReference<>();
    private volatile boolean stopped;

    private final Process process;
    private final RecordingReader recording;
    private final PrintStream echoOut, echoErr;
    private final AtomicReferenceArray<ReplayVcpu> vcpus = new AtomicReferenceArray<>(Granule.MAX_VCPUS);
    private final Ends ends;
    /** True when some vCPU's log ended before its EXIT (an incomplete recording): the replay went as far as it could. */
    private volatile boolean ranOut;

    /** One vCPU's replay state. */
    static final class ReplayVcpu {
        final int id;
        final EventCursor cursor;
        /**
         * How far this vCPU has got, as a position (2 × icount inside the system call at that icount,
         * 2 × icount + 1 once it is done; docs/log-format.md), published at each event and before
         * every wait (volatile).
         */
        volatile long progress;
        /** Set when it has stopped for good (volatile): waiting for it any further is pointless. */
        volatile boolean done;
        /** The lowest position another vCPU waits for this one to reach (NOBODY: none): its run stops there. */
        final AtomicLong wanted = new AtomicLong(NOBODY);
        /** Its hart, whose {@link Hart#attention} a waiter sets to cut a run short (null for one restored as ended). */
        final Hart hart;
        /** The CLONE event of the system call in progress (own thread). */
        Event.Clone clone;
        /** Restored from a checkpoint inside a system call: its first step runs that call again from its ecall (own thread). */
        boolean resumeInSyscall;
        /** Restored from a checkpoint: the events before its cut, still to be skipped (own thread). */
        long skip;

        ReplayVcpu(int id, EventCursor cursor, Hart hart) {
            this.id = id;
            this.cursor = cursor;
            this.hart = hart;
        }

        /**
         * The vCPUs waiting for this one's progress and napping between looks, a bit per vCPU id,
         * their threads in {@link #sleepers}: a {@link #publish} that reaches the lowest position
         * they want ({@link #wanted}, which each renews before it naps) wakes them all (with many
         * threads on few cores, a waiter that only woke by timer would steal the CPU the holder
         * needs; one woken at every boundary did: 0.3 s of a 1.5 s replay of bench_cpu_2).
         */
        final AtomicLong sleeping = new AtomicLong();
        /** Slot w: vCPU w's thread, written by that thread before it sets its bit in {@link #sleeping} (whose update publishes it). */
        final Thread[] sleepers = new Thread[Granule.MAX_VCPUS];

        /** The own thread got to {@code position} (or, {@code done}, stopped for good there): publishes it and wakes the waiters. */
        void publish(long position, boolean done) {
            progress = position;
            if (done) this.done = true;
            else if (position < wanted.get()) return;   // short of what any napping waiter wants (it naps at most NAP)
            for (long m = sleeping.get(); m != 0; m &= m - 1) LockSupport.unpark(sleepers[Long.numberOfTrailingZeros(m)]);
        }

        /** A waiter needs this vCPU at {@code position}: it stops there (or as soon as it can) instead of at its next event. */
        void want(long position) {
            if (wanted.getAndAccumulate(position, Math::min) > position && hart != null) hart.requestAttention();
        }

        /**
         * How many instructions it may run from {@code icount} before {@code nextEvent}'s icount: up
         * to the icount where the lowest wanted position is reached (positions 2k and 2k+1 are both
         * reached at the boundary at icount k), forgetting what it has reached already.
         */
        long budget(long icount, long nextEvent) {
            hart.attention = false;   // before reading wanted: a waiter that comes meanwhile sets it again
            while (true) {
                long w = wanted.get();
                if (w == NOBODY) return nextEvent - icount;
                long at = w / 2;
                if (at > icount) return Math.min(nextEvent, at) - icount;
                wanted.compareAndSet(w, NOBODY);   // reached (published already): forget it, look again
            }
        }
    }

    private static final long NOBODY = Long.MAX_VALUE;
    /**
     * How long a waiter naps before it looks again by itself (ns): the holder's publish wakes it
     * sooner; this only bounds a stop the waiter must notice. Measured (pthreads' replay, 21
     * threads, tools/ab 5, loaded machine): CPU 6.85 s polling every 20 us with one waiter woken,
     * 7.59 s every 20 us with all woken, 5.19 s with 1 ms naps.
     */
    private static final long NAP = 1_000_000;

    /**
     * Replays {@code recording} on {@code process} (freshly loaded from the recorded program,
     * arguments, environment and seed), echoing the guest's output to {@code out}/{@code err} if not null.
     */
    public Replayer(Process process, RecordingReader recording, PrintStream out, PrintStream err) {
        this(process, recording, out, err, null);
    }

    /** Where each vCPU's log stands when the replay starts from a checkpoint (null: from the beginning). */
    private final Checkpoint from;

    /**
     * Replays {@code recording} from checkpoint {@code from} (null: from the beginning) on
     * {@code process}, into which the caller restores the checkpoint ({@link Sessions#replayFrom}).
     */
    public Replayer(Process process, RecordingReader recording, PrintStream out, PrintStream err, Checkpoint from) {
        this.from = from;
        this.process = process;
        this.recording = recording;
        this.echoOut = out;
        this.echoErr = err;
        this.ends = new Ends(process);
        process.supervisor = this;
    }

    public Divergence divergence() {
        return divergence.get();
    }

    public RecordingException unreadable() {
        return unreadable.get();
    }

    /** True if a vCPU's log ended early (an incomplete recording) and the replay stopped there. */
    public boolean ranOut() {
        return ranOut;
    }

    private ReplayVcpu vcpu(Task t) {
        return vcpus.get(t.vcpu());
    }

    // ---- events ----------------------------------------------------------------------------------------

    /** The next event of {@code v}, or null at the end of its log (stops the replay if the log cannot be read). */
    private Event peek(ReplayVcpu v) {
        try {
            return v.cursor.peek();
        } catch (RecordingException e) {
            unreadable.compareAndSet(null, e);
            stop();
            throw new TaskExit();
        }
    }

    /** Stops everything at the first divergence. */
    private TaskExit diverge(ReplayVcpu v, Hart h, String what) {
        divergence.compareAndSet(null, new Divergence(v.id, h.icount, h.pc, what));
        stop();
        return new TaskExit();
    }

    private void stop() {
        stopped = true;
    }

    /** Checks the state the event was recorded in against the replay's (pc and register digest). */
    private void check(ReplayVcpu v, Hart h, Event e, long pc, long digest) {
        if (e.pc() != pc) {
            throw diverge(v, h, "expected " + describe(e) + " at pc 0x" + Long.toHexString(e.pc()) + ", got pc 0x" + Long.toHexString(pc));
        }
        if (e.digest() != digest) {
            throw diverge(v, h, "expected " + describe(e) + " with register digest " + String.format("%016x", e.digest())
                    + ", got " + String.format("%016x", digest));
        }
    }

    private static String describe(Event e) {
        return switch (e) {
            case Event.Transfer t -> "a transfer of " + t.target().name().toLowerCase(java.util.Locale.ROOT) + " " + t.id();
            case Event.Release r -> "a release";
            case Event.Syscall s -> "system call " + s.number();
            case Event.Clone c -> "a clone";
            case Event.Signal s -> "signal " + s.info().signo();
            case Event.Exit x -> "the thread's exit";
        };
    }

    /** The next event of {@code v}; a log that ends without the thread's exit (the recorder was killed) ends the replay there. */
    private Event next(ReplayVcpu v) {
        Event e = peek(v);
        if (e == null) {
            ranOut = true;   // an incomplete recording: as far as it goes
            throw new TaskExit();
        }
        return e;
    }

    /** A transfer at this vCPU's icount: it takes the granule once every holder the recording names has given it up. */
    private void transfer(ReplayVcpu v, Hart h, Event.Transfer t) {
        await(v, h, t);
        v.cursor.take();
    }

    /** Waits until every vCPU a transfer names has got to the position where it gave the granule up. */
    private void await(ReplayVcpu v, Hart h, Event.Transfer t) {
        for (Event.Holder holder : t.holders()) {
            boolean asked = false;
            for (int spins = 0; ; spins++) {
                ReplayVcpu other = holder.vcpu() < Granule.MAX_VCPUS ? vcpus.get(holder.vcpu()) : null;
                if (other != null && other.progress >= holder.icount()) break;
                if (stopped) throw new TaskExit();
                if (other != null && !asked) {
                    other.want(holder.icount());
                    asked = true;
                }
                if (other != null && other.done && other.progress < holder.icount()) {   // progress again: it is final once done is seen
                    if (ranOut) throw new TaskExit();   // the other log ended early: as far as this recording goes
                    throw diverge(v, h, "waits for vCPU " + holder.vcpu() + " to reach icount " + holder.icount() / 2
                            + ", but it stopped at icount " + other.progress / 2);
                }
                if (spins < 200) Thread.onSpinWait();
                else if (spins < 400) Thread.yield();
                else if (other != null) {
                    long me = 1L << v.id;
                    other.want(holder.icount());   // again: a lower want reached since may have cleared it
                    other.sleepers[v.id] = Thread.currentThread();
                    other.sleeping.accumulateAndGet(me, (a, b) -> a | b);   // then look once more: a publish before this would not wake it
                    if (other.progress < holder.icount() && !other.done && !stopped) LockSupport.parkNanos(NAP);
                    other.sleeping.accumulateAndGet(~me, (a, b) -> a & b);
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    // ---- Supervisor ------------------------------------------------------------------------------------

    @Override
    public void created(Task t) {
        int id = t.vcpu();
        if (id >= Granule.MAX_VCPUS) throw new SyscallError(Errno.EAGAIN);   // refused when recording too
        if (id < 0 || !recording.vcpus().contains(id)) {
            divergence.compareAndSet(null, new Divergence(id, 0, t.hart.pc, "a thread the recording does not have"));
            stop();
            throw new SyscallError(Errno.EAGAIN);
        }
        ReplayVcpu v = new ReplayVcpu(id, recording.cursor(id), t.hart);
        Checkpoint.LogPosition start = from == null ? null : from.log(id);
        if (start != null) startAt(v, start);
        vcpus.set(id, v);
        ends.started(id);
    }

    /** A restored vCPU starts at the checkpoint's cut: its position there, its log read from there on (by its own thread). */
    private void startAt(ReplayVcpu v, Checkpoint.LogPosition start) {
        v.skip = start.events();
        v.progress = start.position();
        v.resumeInSyscall = start.inSyscall();
    }

    /** Moves a restored vCPU's cursor past the events before the cut (own thread: a cursor belongs to one thread). */
    private void skipToCut(ReplayVcpu v) {
        long n;
        try {
            n = v.cursor.skip(v.skip, from.log(v.id).excerpts());   // through Chronicle's index when the checkpoint says where
        } catch (RecordingException e) {
            unreadable.compareAndSet(null, e);
            stop();
            throw new TaskExit();
        }
        if (n < v.skip) {
            unreadable.compareAndSet(null, new RecordingException.Corrupted(recording.directory() + ": corrupted checkpoint "
                    + from.sequence() + " (vCPU " + v.id + " is at event " + v.skip + " of its log, which has " + n + ")", null));
            stop();
            throw new TaskExit();
        }
        v.skip = 0;
    }

    /**
     * The vCPUs that had ended before the checkpoint's cut: done, at their last position (a later
     * transfer may name one as a holder), with their final register digests for the machine digest.
     */
    void restoreEnded() {
        for (Checkpoint.LogPosition p : from.logs()) {
            if (!p.ended()) continue;
            ReplayVcpu v = new ReplayVcpu(p.vcpu(), null, null);
            v.progress = p.position();
            v.done = true;
            vcpus.set(p.vcpu(), v);
            ends.endedBefore(p.vcpu(), p.registerDigest());
        }
    }

    @Override
    public long boundary(Task t) {
        ReplayVcpu v = vcpu(t);
        Hart h = t.hart;
        if (v.skip > 0) skipToCut(v);
        if (v.resumeInSyscall) {
            v.resumeInSyscall = false;
            t.ecall(h);   // restored at the ecall of a call it was in at the cut: that call, as its ecall would run it
        }
        while (true) {
            if (stopped) throw new TaskExit();
            Event e = next(v);
            v.publish(2 * h.icount + 1, false);
            if (e.icount() > h.icount) return v.budget(h.icount, e.icount());
            if (e.icount() < h.icount) throw diverge(v, h, "expected " + describe(e) + " at icount " + e.icount() + ", it has run past it");
            check(v, h, e, h.pc, RegisterDigest.of(h));
            switch (e) {
                case Event.Transfer tr -> transfer(v, h, tr);
                case Event.Release r -> v.cursor.take();
                case Event.Signal s -> {
                    v.cursor.take();
                    Event.SignalInfo i = s.info();
                    t.deliverSignal(i.signo(), i.code(), i.address(), i.pid(), i.uid());
                }
                case Event.Exit x -> {
                    v.cursor.take();
                    throw new TaskExit();   // stopped here when another thread ended the process
                }
                case Event.Syscall s -> throw diverge(v, h, "expected system call " + s.number() + " (its ecall just before), got another instruction");
                case Event.Clone c when c.childVcpu() == 0 && v.id == 0 && h.icount == 0 -> {
                    v.cursor.take();   // the first thread's creation: Sessions gave the process the recorded pid
                    if (c.tid() != t.tid) throw diverge(v, h, "expected pid " + c.tid() + ", got " + t.tid);
                }
                case Event.Clone c -> throw diverge(v, h, "expected a clone system call (its ecall just before), got another instruction");
            }
        }
    }

    @Override
    public void ownershipFault(Task t, MemoryFault fault) {
        throw new IllegalStateException("replay checks no ownership", fault);
    }

    @Override
    public void syscall(Task t) {
        ReplayVcpu v = vcpu(t);
        Hart h = t.hart;
        int nr = (int) h.x[17];
        long pc = h.pc, digest = RegisterDigest.of(h);
        v.publish(2 * h.icount, false);   // in the call: what others took from it here does not wait for its effects
        while (true) {
            if (stopped) throw new TaskExit();
            Event e = next(v);
            if (e.icount() != h.icount) {
                throw diverge(v, h, "system call " + nr + " that the recording does not have (its next event: " + describe(e)
                        + " at icount " + e.icount() + ")");
            }
            check(v, h, e, pc, digest);
            switch (e) {
                case Event.Transfer tr -> transfer(v, h, tr);
                case Event.Release r -> v.cursor.take();
                case Event.Clone c -> {
                    v.cursor.take();
                    v.clone = c;
                }
                case Event.Exit x -> {
                    v.cursor.take();
                    if (nr == SyscallKinds.EXIT || nr == SyscallKinds.EXIT_GROUP) t.dispatchSyscall();   // ends the thread
                    throw new TaskExit();   // it was in this call when another thread ended the process
                }
                case Event.Syscall s -> {
                    v.cursor.take();
                    if (s.number() != nr) throw diverge(v, h, "expected system call " + s.number() + ", got system call " + nr);
                    replay(t, v, s);
                    v.clone = null;
                    v.publish(2 * h.icount + 1, false);
                    return;
                }
                case Event.Signal s -> throw diverge(v, h, "expected signal " + s.info().signo() + ", got system call " + nr);
            }
        }
    }

    /** The recorded call's effect: re-executed (and its result checked) or injected. */
    private void replay(Task t, ReplayVcpu v, Event.Syscall s) {
        Hart h = t.hart;
        int nr = s.number();
        boolean file = SyscallKinds.mapsFile(nr, h.x[13], h.x[14]);
        if (SyscallKinds.reexecuted(nr) && !(file && s.result() < 0)) {
            long flags = h.x[13], fd = h.x[14];
            if (file) {
                // The file may not be here: map anonymous memory where the recording mapped it, then put the contents in.
                h.x[10] = s.result();
                h.x[13] = (flags & ~SyscallKinds.MAP_SHARED) | SyscallKinds.MAP_PRIVATE | SyscallKinds.MAP_ANONYMOUS | SyscallKinds.MAP_FIXED;
                h.x[14] = -1;
            }
            t.dispatchSyscall();
            if (file) {
                h.x[13] = flags;
                h.x[14] = fd;
                inject(s);
            }
            if (h.x[10] != s.result()) {
                throw diverge(v, h, "system call " + nr + " returned " + h.x[10] + ", the recording says " + s.result());
            }
        } else {
            inject(s);
            if (echoOut != null && s.result() > 0) echo(nr, h, s.result());
            h.setX(10, s.result());
        }
    }

    /** Writes the recorded kernel output into guest memory, whatever the page rights (the kernel wrote it so). */
    private void inject(Event.Syscall s) {
        MemorySegment mem = process.space.memory();
        for (Event.MemoryWrite w : s.writes()) {
            byte[] bytes = w.bytes();
            MemorySegment.copy(bytes, 0, mem, ValueLayout.JAVA_BYTE, w.address(), bytes.length);
            for (long page = w.address() >>> AddressSpace.PAGE_SHIFT; page <= (w.address() + bytes.length - 1) >>> AddressSpace.PAGE_SHIFT; page++) {
                if (process.space.isCode(page)) process.space.codeWritten(page);
            }
        }
    }

    /** --echo: what the guest wrote to its stdout or stderr goes to ours (write and writev). */
    private void echo(int nr, Hart h, long count) {
        int fd = (int) h.x[10];
        PrintStream out = fd == 1 ? echoOut : fd == 2 ? echoErr : null;
        if (out == null) return;
        if (nr == SyscallKinds.WRITE) {
            out.write(KernelWrites.range(process.space, h.x[11], count).bytes(), 0, (int) count);
        } else if (nr == SyscallKinds.WRITEV) {
            for (KernelWrites.Change c : KernelWrites.iovecs(process.space, h.x[11], h.x[12], count)) out.write(c.bytes(), 0, c.bytes().length);
        }
        out.flush();
    }

    @Override
    public void signal(Task t, int signo, int code, long address, int pid, int uid) {
        // Only recorded signals are delivered in a replay (boundary); nothing posts one.
    }

    @Override
    public int childTid(Task parent, int proposed) {
        ReplayVcpu v = vcpu(parent);
        if (v.clone == null) throw diverge(v, parent.hart, "a clone the recording does not have");
        return v.clone.tid();
    }

    /** The process ends (exit_group, a fatal signal): first every other vCPU runs to where it stopped in the recording. */
    @Override
    public void endingProcess(Task t, int status) {
        try {
            while (ends.live() > 1 && !stopped) ends.awaitAtMost(1, 100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void exited(Task t, int status) {
        ReplayVcpu v = vcpu(t);
        v.publish(2 * t.hart.icount + 1, true);
        v.cursor.close();
        ends.ended(t);
    }

    /** Waits until every vCPU has stopped. */
    public void awaitAllExited() throws InterruptedException {
        ends.awaitAll();
    }

    /** The final digest of memory and every vCPU's registers (after {@link #awaitAllExited}). */
    public long finalDigest() {
        return ends.digest();
    }
}
