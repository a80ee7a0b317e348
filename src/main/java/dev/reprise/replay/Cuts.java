package dev.reprise.replay;

import dev.reprise.linux.Process;
import dev.reprise.linux.TaskExit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes the recorder's checkpoints: every {@code every} guest instructions (all vCPUs together), a
 * stop-the-world consistent cut, captured with {@link Checkpoints}, then written atomically by a
 * writer thread while the vCPUs go on (docs/architecture.md, "Checkpoints while recording").
 *
 * <p>Counting. vCPUs count what they ran at their boundaries; as translated loops run on past
 * their slices, a {@link #clock} thread asks the vCPUs in guest code for a boundary about when the
 * count should reach the next mark, and a boundary it asked for takes the cut once half the
 * interval is counted. So a cut comes about every {@code every} instructions, not exactly
 * (nothing needs it exact: it is logged where it is).
 *
 * <p>The cut. The vCPU whose boundary finds the instruction count past the next mark coordinates:
 * it sets {@link #pending} and every vCPU's {@code Hart.attention}, and waits (serving requests)
 * until every vCPU is in one of these states:
 * <ul>
 *   <li>{@code PARKED}: a vCPU in guest code stopped at a block boundary, or in the loop where it
 *       waits for a granule before an instruction (position 2 × icount + 1, its state saved when
 *       it stopped). Parked vCPUs go on serving release requests, so nobody waits for them forever.</li>
 *   <li>{@code KERNEL}: inside a system call (position 2 × icount, its state as at the ecall, saved
 *       then). Nobody waits for it: a futex wait may last forever. Replay from the checkpoint
 *       runs that call again from its ecall, and the recorded result comes from the log.</li>
 *   <li>{@code GONE}: ended.</li>
 * </ul>
 * A vCPU in a call that replay re-executes ({@link SyscallKinds#reexecuted}: mmap, clone, exit,
 * sigaction, ...) is {@code EFFECTING} while the call changes the emulator's own state; the cut
 * waits for it to finish and log its result (those calls never block) so that no checkpoint holds
 * half of an mmap, or a clone's child without the parent's clone.
 * When everyone is ready the cut is {@link #frozen}: until it is captured nobody starts effecting
 * or leaves a system call (they wait on this object's monitor), and parked vCPUs stay parked.
 *
 * <p>Why it cannot deadlock: the coordinator waits only for vCPUs that run guest code (they reach a
 * boundary or a granule wait soon: attention), for new vCPUs to reach their first boundary, and
 * for effecting calls to end; an effecting call may wait for granules, and their holders either
 * are parked (they serve requests, and give up their reservation of the granule they wait for)
 * or in a system call (taken from without their help) or running. Nobody waits
 * on a frozen vCPU while the world is frozen: everyone else is parked, in a call or ended. A
 * process that ends meanwhile abandons the cut.
 *
 * <p>Threading: the per-vCPU cut state ({@link RecordingVcpu#cutState} and its saved state) and
 * every field below but the volatile ones and {@link #executed} are guarded by this object's
 * monitor. Lock order: a vCPU's own monitor and granules are never held while taking this one.
 */
final class Cuts {
    static final int NEW = 0, GUEST = 1, KERNEL = 2, EFFECTING = 3, PARKED = 4, GONE = 5;

    private final Recorder recorder;
    private final Process process;
    private final RecordingWriter writer;
    /** Instructions between checkpoints; 0 after a checkpoint could not be written. */
    private volatile long every;
    /** Instructions retired by all vCPUs, counted at their boundaries. */
    private final AtomicLong executed = new AtomicLong();
    private volatile long nextAt;
    /** A cut is being taken: vCPUs in guest code park at their next boundary. */
    volatile boolean pending;
    /** The {@link #clock} is looking: a boundary takes the cut once half the interval is counted (the rest is reckoned to run meanwhile). */
    private volatile boolean due;
    private boolean frozen;
    private int effecting;
    /** Checkpoints captured; checkpoints written. */
    private long sequence, written;
    /** A checkpoint captured is being written (the writer thread clears it): no new cut until it is. */
    private volatile boolean writing;
    /** Writes the checkpoints in order, made at the first one. */
    private ExecutorService writerThread;
    /** Asks vCPUs in guest code to count what they ran ({@link #clock}), started at the first boundary; stops when {@link #stopped}. */
    private Thread clock;
    private boolean stopped;

    Cuts(Recorder recorder, Process process, RecordingWriter writer, long every) {
        if (every <= 0) throw new IllegalArgumentException("checkpoint interval " + every);
        this.recorder = recorder;
        this.process = process;
        this.writer = writer;
        this.every = every;
        this.nextAt = every;
    }

    /** Checkpoints written so far. */
    synchronized long written() {
        return written;
    }

    // ---- vCPU transitions (each on the vCPU's own thread, except created) ------------------------

    synchronized void created(RecordingVcpu v) {
        v.cutState = NEW;
    }

    /** At a block boundary of {@code v} (its state consistent): counts instructions, takes a cut when due, parks for one. */
    void boundary(RecordingVcpu v) {
        if (!v.cutStarted) {
            v.cutStarted = true;
            synchronized (this) {
                v.cutState = GUEST;
                if (clock == null) clock = Thread.ofPlatform().name("checkpoint-clock").daemon().start(this::clock);
            }
        }
        long ran = v.task.hart.icount - v.counted;
        v.counted = v.task.hart.icount;
        long total = ran > 0 ? executed.addAndGet(ran) : executed.get();
        if (every > 0 && (total >= nextAt || due && total >= nextAt - every / 2) && !pending) {
            awaitWrite(v);
            coordinate(v);
        } else if (pending) {
            park(v, null);
        }
    }

    /** A system call starts: {@code v} is in the kernel at its ecall (its state saved: the cut may take it as it is). */
    void enterKernel(RecordingVcpu v) {
        Checkpoint.VcpuState atEcall = Checkpoint.VcpuState.of(v.id, v.task);
        synchronized (this) {
            v.cutSaved = atEcall;
            v.cutState = KERNEL;
        }
    }

    /** A call that replay re-executes is about to change the emulator's state: not while a cut is frozen. */
    synchronized void beginEffects(RecordingVcpu v) {
        awaitThaw();
        v.cutState = EFFECTING;
        effecting++;
    }

    /**
     * The call is about to log its result and return to guest code: not while a cut is frozen. An
     * effecting call stays effecting until here: done but not logged, it can no longer be taken
     * at its ecall (replay would run it twice: a clone's child would exist twice).
     */
    synchronized void leaveKernel(RecordingVcpu v) {
        if (v.cutState == EFFECTING) {
            effecting--;
            notifyAll();
        }
        awaitThaw();
        v.cutState = GUEST;
        v.cutSaved = null;
    }

    /** {@code v} ended (after logging its exit). */
    synchronized void exited(RecordingVcpu v) {
        if (v.cutState == EFFECTING) effecting--;
        v.cutState = GONE;
        v.cutSaved = null;
        v.endPosition = 2 * v.task.hart.icount + 1;
        v.endDigest = RegisterDigest.of(v.task.hart);
        notifyAll();
    }

    private void awaitThaw() {
        boolean interrupted = false;
        while (frozen) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;   // exit_group interrupts blocked threads: the cut ends by itself soon
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ---- parking -------------------------------------------------------------------------------------

    /**
     * Stops {@code v} (own thread, in guest code at a consistent state) until the cut is taken,
     * serving requests meanwhile. {@code waitingFor}: the granule it is waiting for; its
     * reservation is given up while parked, so that an effecting call the cut waits for can take
     * that granule (the taker logs what the granule's history orders it after, whoever it waited for).
     */
    void park(RecordingVcpu v, Granule waitingFor) {
        Checkpoint.VcpuState state = Checkpoint.VcpuState.of(v.id, v.task);
        synchronized (this) {
            if (!pending) return;
            v.cutState = PARKED;
            v.cutSaved = state;
            notifyAll();
        }
        if (waitingFor != null) {
            synchronized (waitingFor) {
                if (waitingFor.reservedFor == v.id) waitingFor.reservedFor = Granule.NONE;
            }
        }
        for (int spins = 0; ; spins++) {
            v.serveRequests();
            synchronized (this) {
                if (v.cutState != PARKED) return;   // the coordinator let everyone go
                if (process.exiting() && !frozen) {
                    v.cutState = GUEST;
                    throw new TaskExit();
                }
            }
            backOff(spins);
        }
    }

    private static void backOff(int spins) {
        if (spins < 100) Thread.onSpinWait();
        else if (spins < 200) Thread.yield();
        else LockSupport.parkNanos(50_000);
    }

    /**
     * One checkpoint in flight at most: a cut that is due waits until the last one is written
     * (only the vCPUs that find it due wait, serving requests; the others run on).
     */
    private void awaitWrite(RecordingVcpu v) {
        for (int spins = 0; writing; spins++) {
            v.serveRequests();
            if (process.exiting()) throw new TaskExit();
            backOff(spins);
        }
    }

    // ---- the clock -----------------------------------------------------------------------------------

    /**
     * On its own thread while the process runs: asks the vCPUs in guest code for service (a
     * boundary, where they count what they ran) about when the count reaches the next mark.
     * Without it a vCPU in a translated loop would count nothing until the loop ends
     * ({@code Jit.runAbout} lets loops run on), and a program that spends its time in one loop
     * would get its checkpoints late or never. Each request costs a vCPU in a loop an exit (and a
     * new class of that loop, compiled again: {@code Block.left}), so every look may take the cut
     * ({@link #due}: at a boundary that finds at least half the interval counted), and it looks
     * first after the least time the rest can take ({@link #FASTEST} on every host core), then
     * after the time the rest should take at the rate it saw between its last two looks (at least
     * {@link #CLOCK_LEAST} apart, at most {@link #CLOCK_MOST}, at most twice its last wait while
     * that is longer than the clock has run, as a program that starts interpreted speeds up, and
     * at most {@link #CLOCK_LEAST} for its first {@link #CLOCK_EARLY}; the rate at most halves
     * from one look to the next, as loops made anew at a cut run slowly until compiled again);
     * after a cut, where everyone counted, it asks nobody. So a loop leaves about once per cut,
     * and a cut comes between half an interval early and what the clock misjudges late.
     * (Translated loops that stored their icount at every loop head for it to read cost 4–7 %
     * more time in every recording: docs/performance.md, 2026-11-28 15:09.)
     */
    private void clock() {
        long start = System.nanoTime(), counted = executed.get(), countedAt = start, mark = nextAt;
        double fastest = FASTEST * Runtime.getRuntime().availableProcessors();   // vCPUs run in parallel on at most that many cores
        long wait = Math.max(CLOCK_LEAST, Math.min(CLOCK_MOST, (long) ((mark - counted) / fastest)));
        double rate = 0;   // instructions per nanosecond, between the last two looks that saw no cut
        List<RecordingVcpu> asked = new ArrayList<>();
        long[] before = new long[Granule.MAX_VCPUS];
        while (true) {
            LockSupport.parkNanos(wait);
            boolean cut;   // one was taken since the last look: everyone counted then, nobody need be asked now
            synchronized (this) {
                if (stopped || every == 0 || process.exiting()) return;
                cut = pending || nextAt != mark;   // pending: its vCPUs count when they go on
                asked.clear();
                if (!cut) {
                    due = true;
                    for (int id = 0; id < Granule.MAX_VCPUS; id++) {
                        RecordingVcpu v = recorder.vcpu(id);
                        if (v != null && v.cutState == GUEST) {
                            v.task.hart.requestService();
                            before[id] = v.counted;
                            asked.add(v);
                        }
                    }
                }
            }
            // Once the vCPUs asked have counted (one may first make its loop anew: Block.left). A
            // look across a cut keeps the rate before it: the cut's pause is not the program's speed.
            long askedAt = System.nanoTime();
            while (!allCounted(asked, before) && System.nanoTime() - askedAt < CLOCK_COUNTED) LockSupport.parkNanos(100_000);
            due = false;   // not half an interval counted yet: no cut at this look
            long now = System.nanoTime(), done = executed.get();
            if (!cut && done > counted) {
                // At most halved per look: loops made anew at the last cut run slowly while compiled again.
                rate = Math.max(rate / 2, (double) (done - counted) / Math.max(1, now - countedAt));
            }
            counted = done;
            countedAt = now;
            mark = nextAt;
            double rest = rate > 0 ? Math.max(0, mark - done) / rate : Double.MAX_VALUE;   // nothing counted yet: threads that wait
            double most = Math.min(CLOCK_MOST, Math.max(2.0 * wait, now - start));
            if (now - start < CLOCK_EARLY) most = CLOCK_LEAST;   // its young regions make no new classes yet (Block.left): looks cost little
            wait = Math.max(CLOCK_LEAST, (long) Math.min(most, rest));
        }
    }

    /**
     * Whether each vCPU asked has counted since it was asked, or left guest code (a system call,
     * a cut, its end). Racy reads of what the vCPUs write: the clock only estimates.
     */
    private static boolean allCounted(List<RecordingVcpu> asked, long[] before) {
        for (RecordingVcpu v : asked) {
            if (v.counted == before[v.id] && v.cutState == GUEST) return false;
        }
        return true;
    }

    /** About the most guest instructions per nanosecond a vCPU runs (bench_cpu_1: 3.1–3.3 on this machine; faster code only makes a cut late). */
    private static final double FASTEST = 4;

    /**
     * The clock's shortest wait (a short program with frequent checkpoints) and longest (a rate
     * that drops), and the longest it waits for a count after asking (vCPUs in system calls or
     * parked count nothing).
     */
    private static final long CLOCK_LEAST = 2_000_000L, CLOCK_MOST = 5_000_000_000L, CLOCK_COUNTED = 20_000_000L;
    /** For its first this long the clock looks every {@link #CLOCK_LEAST} at most (a short program: checkpoints about on time). */
    private static final long CLOCK_EARLY = 100_000_000L;

    // ---- the cut -------------------------------------------------------------------------------------

    /** Takes a cut with {@code self} (at a boundary) as coordinator; parks instead if another vCPU got there first. */
    private void coordinate(RecordingVcpu self) {
        Checkpoint.VcpuState own = Checkpoint.VcpuState.of(self.id, self.task);
        synchronized (this) {
            if (pending) {
                // Another vCPU is cutting: park like everyone else (outside this block).
                own = null;
            } else {
                pending = true;
                self.cutState = PARKED;
                self.cutSaved = own;
            }
        }
        if (own == null) {
            park(self, null);
            return;
        }
        for (int id = 0; id < Granule.MAX_VCPUS; id++) {
            RecordingVcpu v = recorder.vcpu(id);
            if (v != null) v.task.hart.requestAttention();
        }
        try {
            for (int spins = 0; ; spins++) {
                self.serveRequests();
                if (process.exiting()) throw new TaskExit();   // the process ends: no cut (finally lets everyone go)
                synchronized (this) {
                    if (effecting == 0 && everyoneReady()) {
                        frozen = true;
                        break;
                    }
                }
                backOff(spins);
            }
            capture();
        } finally {
            synchronized (this) {
                frozen = false;
                pending = false;
                for (int id = 0; id < Granule.MAX_VCPUS; id++) {
                    RecordingVcpu v = recorder.vcpu(id);
                    if (v != null && v.cutState == PARKED) {
                        v.cutState = GUEST;
                        v.cutSaved = null;
                    }
                }
                nextAt = executed.get() + every;
                due = false;
                notifyAll();
            }
        }
    }

    /** True if every vCPU is parked, in a system call (not effecting) or ended. Under the monitor. */
    private boolean everyoneReady() {
        for (int id = 0; id < Granule.MAX_VCPUS; id++) {
            RecordingVcpu v = recorder.vcpu(id);
            if (v == null) continue;
            int s = v.cutState;
            if (s != PARKED && s != KERNEL && s != GONE) {
                v.task.hart.requestAttention();   // it may have served the first one before it saw the cut
                return false;
            }
        }
        return true;
    }

    /**
     * Captures the checkpoint (frozen: nothing that it reads changes) and hands it to the writer
     * thread, so that the vCPUs go on while it is encoded and written (it holds copies of the
     * pages). On an error no more checkpoints are taken.
     */
    private void capture() {
        List<Checkpoint.VcpuState> states = new ArrayList<>();
        List<Checkpoint.LogPosition> logs = new ArrayList<>();
        long seq;
        synchronized (this) {
            seq = sequence;
            for (int id = 0; id < Granule.MAX_VCPUS; id++) {
                RecordingVcpu v = recorder.vcpu(id);
                if (v == null) continue;
                if (v.cutState == GONE) {
                    logs.add(new Checkpoint.LogPosition(id, v.logged, v.endPosition, true, v.endDigest));
                    continue;
                }
                Checkpoint.VcpuState s = v.cutSaved;
                states.add(s);
                long position = v.cutState == KERNEL ? 2 * s.icount() : 2 * s.icount() + 1;
                logs.add(new Checkpoint.LogPosition(id, v.logged, position, false, s.registerDigest()));
            }
        }
        Checkpoint c;
        try {
            c = Checkpoints.capture(seq, process, states, logs);
        } catch (RuntimeException e) {
            failed(seq, e);
            return;
        }
        synchronized (this) {
            sequence++;
            writing = true;
        }
        writerThread().execute(() -> write(c));
    }

    /** On the writer thread: writes {@code c}; the next cut waits until it is done ({@link #awaitWrite}). */
    private void write(Checkpoint c) {
        try {
            writer.writeCheckpoint(c);
            synchronized (this) {
                written++;
            }
        } catch (IOException | RuntimeException e) {
            failed(c.sequence(), e);
        } finally {
            writing = false;
        }
    }

    private void failed(long seq, Exception e) {
        every = 0;
        System.err.println("reprise: cannot write checkpoint " + seq + " (no more are taken): " + e.getMessage());
    }

    private synchronized ExecutorService writerThread() {
        if (writerThread == null) {
            writerThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "checkpoint-writer");
                t.setDaemon(true);   // the recorder waits for it (awaitWrites); a JVM that dies anyway does not
                return t;
            });
        }
        return writerThread;
    }

    /** Waits until every checkpoint captured is written (or failed): before the recording is finished. */
    void awaitWrites() throws InterruptedException {
        ExecutorService t;
        synchronized (this) {
            t = writerThread;
            stopped = true;   // the clock
        }
        if (t == null) return;
        t.shutdown();
        while (!t.awaitTermination(1, TimeUnit.MINUTES)) { }
    }
}
