package dev.reprise.linux;

import dev.reprise.cpu.Hart;
import dev.reprise.cpu.Interpreter;
import dev.reprise.cpu.StepObserver;
import dev.reprise.cpu.SystemInterface;
import dev.reprise.cpu.Trap;
import dev.reprise.jit.Jit;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Mmu;

/**
 * One guest thread: a hart (vCPU) run by its own host thread, and the per-thread kernel state
 * (tid, clear_child_tid, robust list, signal mask).
 *
 * <p>Threading: everything here is touched only by the task's own host thread, except
 * {@link #wake()} (any thread) and the fields read by clone before the thread starts.
 */
public final class Task implements SystemInterface {
    /**
     * Instructions run between two looks at pending requests (exit, TLB flush, signals). The JIT
     * serves code invalidation itself, before every block.
     */
    private static final int SLICE = 4096;
    /**
     * The JIT's slice: longer, because leaving translated loops costs more. An exact run's regions
     * stop at the budget; a plain run's loops run on until another thread wants this vCPU
     * ({@link Hart#requestService}, {@link Hart#requestAttention}: {@code Jit.runAbout}).
     */
    private static final int JIT_SLICE = 1 << 16;

    public final Process process;
    public final Hart hart;
    public final int tid;
    /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread exits. */
    long clearChildTid;
    /** set_robust_list head and length (kept for get_robust_list; glibc handles the list itself). */
    long robustList, robustListLength;
    /** Blocked signals (bit n-1 for signal n). Own thread only. */
    long signalMask;
    /** sigaltstack; altStackSize 0 means disabled. Own thread only. */
    long altStackBase, altStackSize;
    /**
     * Pending signals: bit n-1 for signal n, with the siginfo of each. Set by any thread, taken by
     * the own thread; guarded by {@code pendingInfo}'s monitor, {@code pending} also readable
     * without it (volatile) for the cheap check at block boundaries.
     */
    private volatile long pending;
    private final Signals.Info[] pendingInfo = new Signals.Info[65];
    private Thread thread;
    /** This vCPU's JIT, or null when the process runs in the interpreter alone. */
    private final Jit jit;
    /** Exit status of this thread (exit(2)); the process's if it is the last one. */
    int exitCode;
    /** Sees every step when the process is traced ({@link Process#observers}); own thread only. */
    private StepObserver observer;
    private boolean observerAsked;
    /** The recorder or replayer watching this thread ({@link Process#supervisor}), or null. */
    private final Supervisor supervisor;

    Task(Process process, int tid) {
        this.process = process;
        this.tid = tid;
        this.hart = new Hart(new Mmu(process.space), this);
        this.jit = process.options.jit() ? new Jit(hart) : null;
        this.supervisor = process.supervisor;
        if (supervisor != null) supervisor.created(this);
    }

    /** This thread's vCPU number: 0 for the first thread, then in order of creation (tid - pid). */
    public int vcpu() {
        return tid - process.pid;
    }

    /** Creates the first thread of a process, at {@code start}. */
    public static Task first(Process process, Exec.Start start) {
        Task t = new Task(process, process.allocateTid());
        t.hart.pc = start.pc();
        t.hart.x[2] = start.sp();
        process.add(t);
        return t;
    }

    /**
     * Creates a thread with the given tid in a process restored from a checkpoint; the caller
     * restores its registers and thread state before it runs.
     */
    public static Task restored(Process process, int tid) {
        Task t = new Task(process, tid);
        process.add(t);
        return t;
    }

    /** Starts this task's host thread (the task is already part of its process). */
    public void start() {
        thread = Thread.ofPlatform().name("vcpu-" + tid).unstarted(this::run);
        thread.start();
    }

    private void run() {
        StepObserver observer = observer();
        try {
            int slice = jit != null ? JIT_SLICE : SLICE;
            while (true) {
                hart.serviceWanted = false;   // before looking at what it stands for (Hart#serviceWanted)
                if (process.exiting) break;
                hart.mmu.serviceFlush();
                if (observer != null) {
                    // A traced replay still runs to the replayer's events: it says how far this step may go.
                    int traced = supervisor == null ? JIT_SLICE : (int) Math.min(JIT_SLICE, supervisor.boundary(this));
                    observedStep(observer, () -> jit.run(traced));
                    continue;
                }
                long boundary = supervisor == null ? Long.MAX_VALUE : supervisor.boundary(this);
                long budget = Math.min(slice, boundary);
                if (pending != 0) Signals.deliverPending(this);
                try {
                    if (jit == null) Interpreter.run(hart, (int) budget);
                    else if (boundary == Long.MAX_VALUE) jit.runAbout((int) budget);   // nobody wants a stop at this slice's end
                    else jit.run((int) budget);   // the supervisor's exact boundary: replay's next event, a recorder's next instruction
                } catch (Trap trap) {
                    trapped(trap);
                }
            }
        } catch (TaskExit e) {
            // This thread is done (exit, exit_group or a fatal signal).
        } catch (Throwable e) {
            // An emulator bug: report it as such, end the process, never hang.
            System.err.println("reprise: internal error in thread " + tid + " at pc 0x"
                    + Long.toHexString(hart.pc) + ": " + e);
            e.printStackTrace();
            process.exit(70 + 128);
        } finally {
            if (observer != null) observer.ended(hart);
            if (supervisor != null) supervisor.exited(this, exitCode);
            process.remove(this, exitCode);
        }
    }

    /** A trap ended a run before its instruction: the signal it raises, or (recording) taking ownership and trying again. */
    private void trapped(Trap trap) {
        while (trap.fault != null && trap.fault.kind == MemoryFault.Kind.OWNERSHIP) {
            supervisor.ownershipFault(this, trap.fault);
            try {
                // The instruction that waited runs now, before this vCPU can be asked to give the granule up again.
                if (jit != null) jit.stepInstruction();   // a fence.i also drops this vCPU's translations
                else Interpreter.step(hart);
                return;
            } catch (Trap again) {
                trap = again;   // it needs a second granule (a page-crossing access), or it really faults
            }
        }
        Signals.deliverTrap(this, trap);
    }

    /** This vCPU's observer from the process's factory (tracing), or null; created once, on first use. */
    private StepObserver observer() {
        if (!observerAsked && process.observers != null) {
            observer = process.observers.start(tid - process.pid, hart);
            if (observer != null && jit != null) jit.observe(observer); // traced translations
        }
        observerAsked = true;
        return observer;
    }

    /**
     * One step with the observer told about each change: a pending signal's delivery, then one
     * instruction, or with the JIT {@code jitRun} (whose code tells the observer itself).
     */
    private void observedStep(StepObserver o, Runnable jitRun) {
        if (pending != 0) {
            o.before(hart);
            Signals.deliverPending(this);
            o.after(hart);
        }
        if (jit != null) {
            observedJit(o, jitRun);
            return;
        }
        o.before(hart);
        try {
            Interpreter.step(hart);
        } catch (Trap trap) {
            Signals.deliverTrap(this, trap);
        } finally {
            o.after(hart); // also when the instruction was an exit: it retired
        }
    }

    /** Runs traced JIT code; an instruction that traps or exits leaves it with before() told, so after() is told here. */
    private void observedJit(StepObserver o, Runnable jitRun) {
        try {
            jitRun.run();
        } catch (Trap trap) {
            try {
                Signals.deliverTrap(this, trap);
            } finally {
                o.after(hart);
            }
        } catch (TaskExit e) {
            o.after(hart); // the instruction was an exit: it retired
            throw e;
        }
    }

    /** Makes {@code info.signo()} pending on this task (any thread) and wakes it from a blocking call. */
    void post(Signals.Info info) {
        synchronized (pendingInfo) {
            if (pendingInfo[info.signo()] == null) pendingInfo[info.signo()] = info;
            pending |= Signals.bit(info.signo());
        }
        if ((signalMask & Signals.bit(info.signo())) == 0) wake();
    }

    long pendingSignals() {
        return pending;
    }

    /** Removes and returns the pending signal {@code sig}, or null if it was not pending. */
    Signals.Info takePending(int sig) {
        synchronized (pendingInfo) {
            Signals.Info info = pendingInfo[sig];
            pendingInfo[sig] = null;
            pending &= ~Signals.bit(sig);
            return info;
        }
    }

    /** Sets the mask; SIGKILL and SIGSTOP can never be blocked. */
    void setSignalMask(long mask) {
        signalMask = mask & ~(Signals.bit(Signals.SIGKILL) | Signals.bit(Signals.SIGSTOP));
    }

    boolean onAltStack(long sp) {
        return altStackSize != 0 && sp > altStackBase && sp <= altStackBase + altStackSize;
    }

    /** The per-thread kernel state as plain data (checkpoints); read or restored only while the task is stopped. */
    public record ThreadState(long clearChildTid, long robustList, long robustListLength, long signalMask, long altStackBase,
                              long altStackSize) {}

    public ThreadState threadState() {
        return new ThreadState(clearChildTid, robustList, robustListLength, signalMask, altStackBase, altStackSize);
    }

    public void restore(ThreadState s) {
        clearChildTid = s.clearChildTid();
        robustList = s.robustList();
        robustListLength = s.robustListLength();
        setSignalMask(s.signalMask());
        altStackBase = s.altStackBase();
        altStackSize = s.altStackSize();
    }

    /**
     * Runs one instruction (and the signal delivery or system call it leads to) on the calling
     * thread, for a task that was not started: the differential tests and the debugger drive
     * tasks this way. Returns false once the thread or the process has ended.
     */
    public boolean step() {
        return advance(false);
    }

    /**
     * Like {@link #step()}, but runs one JIT block (the process must run with the JIT): the
     * lock-step equivalence test compares the engines at block boundaries this way.
     */
    public boolean stepBlock() {
        if (jit == null) throw new IllegalStateException("the process does not run with the JIT");
        return advance(true);
    }

    /** True if the last {@link #step()} or {@link #stepBlock()} ended in a trap (a signal was delivered for it). */
    public boolean lastStepTrapped() {
        return lastStepTrapped;
    }

    private boolean lastStepTrapped;

    private boolean advance(boolean block) {
        hart.serviceWanted = false;   // before looking at what it stands for, as run() does
        if (process.exiting) return false;
        lastStepTrapped = false;
        StepObserver o = observer();
        try {
            if (o != null) {
                observedStep(o, block ? () -> jit.runBlock() : () -> jit.run(1));
                return !process.exiting;
            }
            if (pending != 0) Signals.deliverPending(this);
            try {
                if (block) jit.runBlock();
                else Interpreter.step(hart);
            } catch (Trap trap) {
                lastStepTrapped = true;
                trapped(trap);
            }
            return !process.exiting;
        } catch (TaskExit e) {
            if (o != null) o.ended(hart);
            process.remove(this, exitCode);
            return false;
        }
    }

    /** Interrupts a blocking wait of this task, and has it leave a translated loop (exit_group, signals). Any thread. */
    void wake() {
        hart.requestService();   // out of a translated loop too (Jit.runAbout)
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) th.interrupt();
    }

    /** The exit status this thread ends with (exit's argument, or the process's when it ended the process). */
    public int exitCode() {
        return exitCode;
    }

    /** Ends the whole process with {@code status} (exit_group, a fatal signal); the caller then throws {@link TaskExit}. */
    void endProcess(int status) {
        exitCode = status;
        if (supervisor != null) supervisor.endingProcess(this, status);
        process.exit(status);
    }

    Supervisor supervisor() {
        return supervisor;
    }

    /** Runs the system call at the ecall as the kernel would (the replayer re-executes some recorded calls this way). */
    public void dispatchSyscall() {
        Syscalls.dispatch(this);
    }

    /**
     * Delivers a recorded asynchronous signal now, at a block boundary (replay): as the recorded
     * run did, with the disposition the process has now.
     */
    public void deliverSignal(int signo, int code, long address, int pid, int uid) {
        Signals.deliverRecorded(this, new Signals.Info(signo, code, address, pid, uid));
    }

    @Override
    public void ecall(Hart h) {
        if (supervisor != null) supervisor.syscall(this);
        else Syscalls.dispatch(this);
        hart.mmu.clearReservation(); // Linux drops the LR reservation on every return to user mode
        if (pending != 0) Signals.deliverPending(this); // raise() must not return before the handler ran
    }

    @Override
    public long readTime() {
        return System.nanoTime() / 100; // 10 MHz timebase, like QEMU's virt board
    }
}
