package dev.reprise.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The process's resource limits as the guest sees them (getrlimit, setrlimit, prlimit64).
 *
 * <p>They start as the host's, except RLIMIT_STACK (8 MiB, the stack qemu-riscv64 gives the guest)
 * and RLIMIT_NOFILE (the size of the {@link FileTable}). A guest's setrlimit changes only this
 * table, never the JVM's own limits; Reprise enforces none of them (the fd table enforces its
 * size regardless).
 *
 * <p>Threading: all threads of the process share it; guarded by its monitor.
 */
public final class ResourceLimits {
    public static final int RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIM_NLIMITS = 16;
    public static final long RLIM_INFINITY = -1;
    public static final long GUEST_STACK = 8L << 20;

    private final long[] soft = new long[RLIM_NLIMITS], hard = new long[RLIM_NLIMITS];

    public ResourceLimits() {
        MemorySegment rlimit = Host.scratch();
        for (int r = 0; r < RLIM_NLIMITS; r++) {
            if (Host.prlimit(r, 0, rlimit.address()) == 0) {
                soft[r] = rlimit.get(ValueLayout.JAVA_LONG, 0);
                hard[r] = rlimit.get(ValueLayout.JAVA_LONG, 8);
            } else {
                soft[r] = hard[r] = RLIM_INFINITY;
            }
        }
        soft[RLIMIT_STACK] = GUEST_STACK;
        if (hard[RLIMIT_STACK] != RLIM_INFINITY && Long.compareUnsigned(hard[RLIMIT_STACK], GUEST_STACK) < 0) hard[RLIMIT_STACK] = GUEST_STACK;
        soft[RLIMIT_NOFILE] = hard[RLIMIT_NOFILE] = FileTable.MAX_FDS;
    }

    /** {soft, hard} of a resource. @throws SyscallError EINVAL for an unknown resource */
    public long[] get(int resource) {
        return getAndSet(resource, null);
    }

    /**
     * Returns {soft, hard} of a resource and, if {@code next} is not null, sets it to {next[0],
     * next[1]} as an unprivileged process may: soft at most hard (EINVAL), hard only lowered
     * (EPERM), so RLIMIT_NOFILE never exceeds the table size. Limits compare unsigned
     * (RLIM_INFINITY is the largest). @throws SyscallError EINVAL, EPERM
     */
    public synchronized long[] getAndSet(int resource, long[] next) {
        if (resource < 0 || resource >= RLIM_NLIMITS) throw new SyscallError(Errno.EINVAL);
        long[] old = {soft[resource], hard[resource]};
        if (next != null) {
            if (Long.compareUnsigned(next[0], next[1]) > 0) throw new SyscallError(Errno.EINVAL);
            if (Long.compareUnsigned(next[1], hard[resource]) > 0) throw new SyscallError(Errno.EPERM);
            soft[resource] = next[0];
            hard[resource] = next[1];
        }
        return old;
    }
}
