package dev.reprise.linux;

import dev.reprise.mem.MemoryFault;

/**
 * What watches a process's threads while they run: the recorder (it logs what makes the run
 * reproducible) or the replayer (it feeds a recorded run back). Plain {@code run} has none. The
 * implementations live in the replay package; this is all they need from a thread.
 *
 * <p>Threading: every method is called by the thread of the task it names (a clone's parent for
 * {@link #created}), never under a lock of this package except where a method says so.
 */
public interface Supervisor {
    /**
     * {@code t} exists (the first thread, or a clone's child before it starts); called on the creating thread.
     * @throws SyscallError to refuse a clone's child (the clone fails with that errno)
     */
    void created(Task t);

    /**
     * At each block boundary of {@code t}'s loop: serves what other threads asked of it, and says
     * how many instructions {@code t} may run before the next boundary (at least 1), exactly;
     * {@code Long.MAX_VALUE} when it wants no particular stop: then a translated loop may run on
     * past the slice's budget until control leaves it or the supervisor asks for the thread
     * ({@code Hart.requestAttention} or {@code Hart.requestService}; {@code Jit.runAbout}), so the
     * next boundary may be far off.
     * @throws TaskExit when the thread must stop here
     */
    long boundary(Task t);

    /**
     * An access of {@code t} stopped before its instruction because it needs rights that other
     * threads hold (recording): take them; the instruction then runs again.
     * @throws TaskExit when the process ends meanwhile
     */
    void ownershipFault(Task t, MemoryFault fault);

    /** Runs the system call at {@code t}'s ecall (registers as on entry, icount already counting the ecall). */
    void syscall(Task t);

    /**
     * An asynchronous signal is delivered to {@code t} at its current icount (after the kernel took
     * the memory of its frame, before it writes it).
     */
    void signal(Task t, int signo, int code, long address, int pid, int uid);

    /** A clone's child; the supervisor may pick its tid (replay), or returns {@code proposed}. */
    int childTid(Task parent, int proposed);

    /** {@code t} ends the whole process with {@code status} (exit_group, a fatal signal), before the process learns it. */
    void endingProcess(Task t, int status);

    /** {@code t} has run its last instruction (its thread, or the whole process, ended); on its own thread. */
    void exited(Task t, int status);
}
