package dev.reprise.replay;

import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import java.util.Arrays;

/**
 * Where every vCPU of a recorded or replayed run ended, and the machine digest once all have:
 * what the recorder writes into the completion marker and the replayer compares with it.
 *
 * <p>Threading: guarded by this object's monitor (vCPU threads report, the session thread waits).
 */
final class Ends {
    private final Process process;
    private final long[] registerDigests = new long[Granule.MAX_VCPUS];
    private int live, created;

    Ends(Process process) {
        this.process = process;
    }

    /** vCPU {@code id} exists and will end some day. */
    synchronized void started(int id) {
        live++;
        created = Math.max(created, id + 1);
    }

    /** vCPU {@code id} had ended before a checkpoint a replay starts from, with registers of digest {@code registerDigest}. */
    synchronized void endedBefore(int id, long registerDigest) {
        registerDigests[id] = registerDigest;
        created = Math.max(created, id + 1);
    }

    /** {@code t} ran its last instruction (its own thread). */
    synchronized void ended(Task t) {
        registerDigests[t.vcpu()] = RegisterDigest.of(t.hart);
        live--;
        notifyAll();
    }

    synchronized int live() {
        return live;
    }

    /** Waits until every vCPU has ended. */
    synchronized void awaitAll() throws InterruptedException {
        while (live > 0) wait();
    }

    /** Waits until at most {@code n} vCPUs are left, or {@code timeoutMillis} passed. */
    synchronized void awaitAtMost(int n, long timeoutMillis) throws InterruptedException {
        if (live > n) wait(timeoutMillis);
    }

    /** The final digest of memory and every vCPU's registers (after {@link #awaitAll}). */
    synchronized long digest() {
        return MachineDigest.of(process.memory, process.space, Arrays.copyOf(registerDigests, created));
    }
}
