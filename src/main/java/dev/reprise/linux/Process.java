package dev.reprise.linux;

import dev.reprise.cpu.StepObserver;
import dev.reprise.mem.AddressSpace;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One guest process: the address space and kernel state its threads share (memory map, files,
 * futexes, signal actions), its threads, and how it ends.
 *
 * <p>Threading: {@link #tasks} and tid allocation are guarded by this object's monitor; the exit
 * state is published through the volatile {@link #exiting}. The shared kernel objects document
 * their own locks.
 */
public final class Process implements AutoCloseable {
    public final AddressSpace space;
    public final MemoryManager memory;
    public final FileTable files;
    public final ResourceLimits limits = new ResourceLimits();
    final Futexes futexes = new Futexes();
    public final Options options;
    /** --strace output, or null. */
    final PrintStream strace;
    /** AT_RANDOM and getrandom bytes: seeded, so runs repeat. Guarded by itself. */
    private final SplittableRandom random;

    /** Live tasks, guarded by {@code this}. */
    private final List<Task> tasks = new ArrayList<>();
    private int nextTid;
    /** Set once by exit_group or a fatal signal; every task stops at its next boundary. */
    volatile boolean exiting;
    private int exitStatus;

    /** Signal dispositions, index = signal number; guarded by itself. */
    private final Signals.Action[] signalActions = new Signals.Action[65];

    /** The recorder or replayer, or null for a plain run; set before the first thread is created. */
    public volatile Supervisor supervisor;

    /** Observes every vCPU step by step (tracing), or null to run at full speed; set before any thread runs. */
    public volatile StepObserver.Factory observers;

    /** The process id (= the first thread's tid), as the guest sees it. */
    public final int pid;

    public Process(Options options) {
        this(options, 1000 + (int) (ProcessHandle.current().pid() % 30000));
    }

    /** A process whose first thread gets tid {@code pid} (replay gives the recorded one). */
    public Process(Options options, int pid) {
        this.options = options;
        this.space = new AddressSpace();
        this.memory = new MemoryManager(space);
        this.files = new FileTable();
        this.strace = options.strace();
        this.random = new SplittableRandom(options.seed());
        this.pid = pid;
        this.nextTid = pid;
    }

    /** Fills {@code out} with seeded random bytes (AT_RANDOM, getrandom). */
    public void randomBytes(byte[] out) {
        synchronized (random) {
            random.nextBytes(out);
        }
    }

    Signals.Action signalAction(int sig) {
        synchronized (signalActions) {
            Signals.Action a = signalActions[sig];
            return a == null ? Signals.Action.DEFAULT : a;
        }
    }

    /** Installs {@code action} for {@code sig} (null: keep), returning the previous one. */
    Signals.Action swapSignalAction(int sig, Signals.Action action) {
        synchronized (signalActions) {
            Signals.Action old = signalAction(sig);
            if (action != null) signalActions[sig] = action;
            return old;
        }
    }

    /** One signal's disposition as plain data (checkpoints): handler address (0 SIG_DFL, 1 SIG_IGN), sa_flags, sa_mask. */
    public record SignalDisposition(int signo, long handler, long flags, long mask) {}

    /** The dispositions that are not the default, by signal number (checkpoints). */
    public List<SignalDisposition> signalDispositions() {
        List<SignalDisposition> out = new ArrayList<>();
        synchronized (signalActions) {
            for (int sig = 1; sig < signalActions.length; sig++) {
                Signals.Action a = signalActions[sig];
                if (a != null && !a.equals(Signals.Action.DEFAULT)) out.add(new SignalDisposition(sig, a.handler(), a.flags(), a.mask()));
            }
        }
        return out;
    }

    /** Installs dispositions taken by {@link #signalDispositions} (restoring a checkpoint into a fresh process). */
    public void restoreSignalDispositions(List<SignalDisposition> dispositions) {
        for (SignalDisposition d : dispositions) swapSignalAction(d.signo(), new Signals.Action(d.handler(), d.flags(), d.mask()));
    }

    /** The tid the next thread gets (checkpoints). */
    public synchronized int nextTid() {
        return nextTid;
    }

    /** Continues tid allocation from {@code tid} (restoring a checkpoint). */
    public synchronized void restoreNextTid(int tid) {
        nextTid = tid;
    }

    void resetSignalAction(int sig) {
        swapSignalAction(sig, Signals.Action.DEFAULT);
    }

    synchronized Task task(int tid) {
        for (Task t : tasks) if (t.tid == tid) return t;
        return null;
    }

    synchronized int allocateTid() {
        return nextTid++;
    }

    synchronized void add(Task t) {
        tasks.add(t);
    }

    /** Removes a finished task; the last one to go ends the process with its status. */
    synchronized void remove(Task t, int status) {
        tasks.remove(t);
        if (tasks.isEmpty() && !exiting) exit(status);
        notifyAll();
    }

    synchronized List<Task> tasks() {
        return List.copyOf(tasks);
    }

    /** Ends the whole process (exit_group, fatal signal): first caller's status wins. */
    synchronized void exit(int status) {
        if (exiting) return;
        exitStatus = status;
        exiting = true;
        for (Task t : tasks) t.wake();
        futexes.interruptAll();
        notifyAll();
    }

    /** Waits until the process has ended and returns its exit status as a shell shows it. */
    public synchronized int awaitExit() throws InterruptedException {
        while (!exiting) wait();
        return exitStatus;
    }

    public boolean exiting() {
        return exiting;
    }

    /**
     * Releases the guest address space (a 512 GiB host reservation). Only once no task runs any
     * more: tests and tools that create many processes in one JVM must close them.
     */
    @Override
    public void close() {
        space.close();
    }
}
