package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;

/**
 * Time, identity and system-information calls: clock_gettime, uname, getpid, getrandom, prlimit64...
 *
 * <p>The process id is Reprise's own ({@link Process#pid}); the guest is treated as the leader of
 * its own process group and session. User and group ids, the parent pid, times, CPUs and the
 * system's name are the host's, except that uname's machine is riscv64 (as qemu-riscv64 reports).
 * Sleeps happen in Java so that {@link Task#wake()} (an interrupt) ends them at once.
 */
final class SystemSyscalls {
    private SystemSyscalls() {}

    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, CLOCK_TAI = 11;
    static final int TIMER_ABSTIME = 1;
    static final long NANOS = 1_000_000_000L;
    /** struct utsname: six fields of 65 bytes; machine is the fifth. */
    static final int UTS_LENGTH = 65, UTSNAME_SIZE = 6 * UTS_LENGTH, UTS_MACHINE = 4 * UTS_LENGTH;
    /** sizeof(struct sysinfo) on LP64. */
    static final int SYSINFO_SIZE = 112;
    static final int GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

    static void register() {
        Syscalls.define(101, "nanosleep", "pp", SystemSyscalls::nanosleep);
        Syscalls.define(113, "clock_gettime", "cp", SystemSyscalls::clockGettime);
        Syscalls.define(114, "clock_getres", "cp", SystemSyscalls::clockGetres);
        Syscalls.define(115, "clock_nanosleep", "cdpp", SystemSyscalls::clockNanosleep);
        Syscalls.define(120, "sched_getscheduler", "d", SystemSyscalls::schedGetscheduler);
        Syscalls.define(121, "sched_getparam", "dp", SystemSyscalls::schedGetparam);
        Syscalls.define(123, "sched_getaffinity", "ddp", SystemSyscalls::schedGetaffinity);
        Syscalls.define(124, "sched_yield", "", (t, a0, a1, a2, a3, a4, a5) -> {
            Thread.yield();
            return 0;
        });
        Syscalls.define(125, "sched_get_priority_max", "d", (t, policy, a1, a2, a3, a4, a5) -> priority(policy, true));
        Syscalls.define(126, "sched_get_priority_min", "d", (t, policy, a1, a2, a3, a4, a5) -> priority(policy, false));
        Syscalls.define(148, "getresuid", "ppp", (t, r, e, s, a3, a4, a5) -> resIds(t, Host::getresuid, r, e, s));
        Syscalls.define(150, "getresgid", "ppp", (t, r, e, s, a3, a4, a5) -> resIds(t, Host::getresgid, r, e, s));
        Syscalls.define(158, "getgroups", "dp", SystemSyscalls::getgroups);
        Syscalls.define(154, "setpgid", "dd", SystemSyscalls::setpgid);
        Syscalls.define(155, "getpgid", "d", (t, pid, a1, a2, a3, a4, a5) -> ours(t.process, pid) ? t.process.pid : -Errno.ESRCH);
        Syscalls.define(156, "getsid", "d", (t, pid, a1, a2, a3, a4, a5) -> ours(t.process, pid) ? t.process.pid : -Errno.ESRCH);
        Syscalls.define(157, "setsid", "", (t, a0, a1, a2, a3, a4, a5) -> -Errno.EPERM);   // already a group leader
        Syscalls.define(160, "uname", "p", SystemSyscalls::uname);
        Syscalls.define(163, "getrlimit", "dp", (t, res, old, a2, a3, a4, a5) -> prlimit64(t, 0, res, 0, old, 0, 0));
        Syscalls.define(164, "setrlimit", "dp", (t, res, lim, a2, a3, a4, a5) -> prlimit64(t, 0, res, lim, 0, 0, 0));
        Syscalls.define(169, "gettimeofday", "pp", SystemSyscalls::gettimeofday);
        Syscalls.define(172, "getpid", "", (t, a0, a1, a2, a3, a4, a5) -> t.process.pid);
        Syscalls.define(173, "getppid", "", (t, a0, a1, a2, a3, a4, a5) -> Host.getppid());
        Syscalls.define(174, "getuid", "", (t, a0, a1, a2, a3, a4, a5) -> Host.getuid());
        Syscalls.define(175, "geteuid", "", (t, a0, a1, a2, a3, a4, a5) -> Host.geteuid());
        Syscalls.define(176, "getgid", "", (t, a0, a1, a2, a3, a4, a5) -> Host.getgid());
        Syscalls.define(177, "getegid", "", (t, a0, a1, a2, a3, a4, a5) -> Host.getegid());
        Syscalls.define(178, "gettid", "", (t, a0, a1, a2, a3, a4, a5) -> t.tid);
        Syscalls.define(179, "sysinfo", "p", SystemSyscalls::sysinfo);
        Syscalls.define(261, "prlimit64", "ddpp", SystemSyscalls::prlimit64);
        Syscalls.define(278, "getrandom", "xdu", SystemSyscalls::getrandom);
    }

    /** True if {@code pid} names this process (0, its pid, or one of its threads). */
    static boolean ours(Process p, long pid) {
        if (pid == 0 || pid == p.pid) return true;
        for (Task t : p.tasks()) if (t.tid == pid) return true;
        return false;
    }

    // ---- time -------------------------------------------------------------------------------

    static long clockGettime(Task t, long clock, long tp, long a2, long a3, long a4, long a5) {
        return Host.clockGettime((int) clock, UserMemory.buffer(t.process.space, tp, 16, PROT_WRITE));
    }

    static long clockGetres(Task t, long clock, long res, long a2, long a3, long a4, long a5) {
        MemorySegment ts = Host.scratch();
        int r = Host.clockGetres((int) clock, ts.address());
        if (r < 0 || res == 0) return r;
        copyOut(t.process.space, res, ts, 16);
        return 0;
    }

    static long gettimeofday(Task t, long tv, long tz, long a2, long a3, long a4, long a5) {
        AddressSpace space = t.process.space;
        if (tv != 0) {
            MemorySegment ts = Host.scratch();
            int r = Host.clockGettime(CLOCK_REALTIME, ts.address());
            if (r < 0) return r;
            UserMemory.buffer(space, tv, 16, PROT_WRITE);
            UserMemory.putLong(space, tv, ts.get(ValueLayout.JAVA_LONG, 0));
            UserMemory.putLong(space, tv + 8, ts.get(ValueLayout.JAVA_LONG, 8) / 1000);
        }
        if (tz != 0) UserMemory.putLong(space, tz, 0);   // struct timezone: UTC, no DST, as Linux keeps it by default
        return 0;
    }

    static long nanosleep(Task t, long req, long rem, long a2, long a3, long a4, long a5) {
        return sleep(t, readTimespec(t.process.space, req), rem);
    }

    static long clockNanosleep(Task t, long clock, long flags, long req, long rem, long a4, long a5) {
        AddressSpace space = t.process.space;
        int c = (int) clock;
        if (c != CLOCK_REALTIME && c != CLOCK_MONOTONIC && c != CLOCK_BOOTTIME && c != CLOCK_TAI) return -Errno.EINVAL;
        long nanos = readTimespec(space, req);
        if ((flags & TIMER_ABSTIME) == 0) return sleep(t, nanos, rem);
        MemorySegment now = Host.scratch();
        Host.clockGettime(c, now.address());
        long left = nanos - (now.get(ValueLayout.JAVA_LONG, 0) * NANOS + now.get(ValueLayout.JAVA_LONG, 8));
        return sleep(t, Math.max(left, 0), 0);   // an absolute sleep never reports a remainder
    }

    /** A struct timespec in nanoseconds (saturating). @throws SyscallError EFAULT, EINVAL for a bad timespec */
    static long readTimespec(AddressSpace space, long addr) {
        long sec = UserMemory.getLong(space, addr), nsec = UserMemory.getLong(space, addr + 8);
        if (sec < 0 || nsec < 0 || nsec >= NANOS) throw new SyscallError(Errno.EINVAL);
        return sec >= Long.MAX_VALUE / NANOS - 1 ? Long.MAX_VALUE : sec * NANOS + nsec;
    }

    /**
     * Sleeps {@code nanos} unless the host thread is interrupted ({@link Task#wake()}). If the
     * process is exiting, the thread ends here ({@link TaskExit}: like Linux's exit_group, no more
     * guest code runs in it). Otherwise (a signal) the interrupt is consumed, what was left goes
     * to {@code rem} (if not 0) and the call returns -EINTR.
     */
    static long sleep(Task t, long nanos, long rem) {
        Process p = t.process;
        long left = sleepNanos(nanos);
        if (left == 0) return 0;
        if (p.exiting()) throw new TaskExit();
        if (rem != 0) {
            UserMemory.putLong(p.space, rem, left / NANOS);
            UserMemory.putLong(p.space, rem + 8, left % NANOS);
        }
        return -Errno.EINTR;
    }

    /** Sleeps; returns 0 when done, or the nanoseconds left when interrupted (the interrupt is consumed). */
    static long sleepNanos(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            if (Thread.interrupted()) return left;
            LockSupport.parkNanos(left);
        }
    }

    // ---- system information -----------------------------------------------------------------

    static long uname(Task t, long buf, long a1, long a2, long a3, long a4, long a5) {
        MemorySegment uts = Host.scratch();
        int r = Host.uname(uts.address());
        if (r < 0) return r;
        machine(uts);
        copyOut(t.process.space, buf, uts, UTSNAME_SIZE);
        return 0;
    }

    /** Sets struct utsname's machine field to riscv64. */
    static void machine(MemorySegment uts) {
        byte[] m = "riscv64".getBytes(StandardCharsets.US_ASCII);
        uts.asSlice(UTS_MACHINE, UTS_LENGTH).fill((byte) 0);
        MemorySegment.copy(m, 0, uts, ValueLayout.JAVA_BYTE, UTS_MACHINE, m.length);
    }

    static long sysinfo(Task t, long buf, long a1, long a2, long a3, long a4, long a5) {
        return Host.sysinfo(UserMemory.buffer(t.process.space, buf, SYSINFO_SIZE, PROT_WRITE));
    }

    static long schedGetaffinity(Task t, long pid, long size, long mask, long a3, long a4, long a5) {
        if (!ours(t.process, pid)) return -Errno.ESRCH;
        MemorySegment cpus = Host.scratch();
        long n = Host.schedGetaffinity(Math.min(size, Host.SCRATCH_SIZE), cpus.address());
        if (n < 0) return n;
        copyOut(t.process.space, mask, cpus, n);
        return n;
    }

    static long schedGetscheduler(Task t, long pid, long a1, long a2, long a3, long a4, long a5) {
        if (pid < 0) return -Errno.EINVAL;
        return ours(t.process, pid) ? 0 : -Errno.ESRCH;   // SCHED_OTHER
    }

    static long schedGetparam(Task t, long pid, long param, long a2, long a3, long a4, long a5) {
        if (pid < 0 || param == 0) return -Errno.EINVAL;
        if (!ours(t.process, pid)) return -Errno.ESRCH;
        UserMemory.putInt(t.process.space, param, 0);   // sched_priority of SCHED_OTHER
        return 0;
    }

    /** sched_get_priority_max/min: 1..99 for the real-time policies (FIFO 1, RR 2), 0 for the others. */
    static long priority(long policy, boolean max) {
        return switch ((int) policy) {
            case 1, 2 -> max ? 99 : 1;
            case 0, 3, 5 -> 0;
            default -> -Errno.EINVAL;
        };
    }

    static long setpgid(Task t, long pid, long pgid, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        if (pgid < 0) return -Errno.EINVAL;
        if (pid != 0 && pid != p.pid) return -Errno.ESRCH;
        return pgid == 0 || pgid == p.pid ? 0 : -Errno.EPERM;   // it stays the leader of its own group
    }

    static long prlimit64(Task t, long pid, long resource, long newLimit, long oldLimit, long a4, long a5) {
        Process p = t.process;
        AddressSpace space = p.space;
        if (!ours(p, pid)) return -Errno.ESRCH;
        long[] next = null;
        if (newLimit != 0) next = new long[] {UserMemory.getLong(space, newLimit), UserMemory.getLong(space, newLimit + 8)};
        if (oldLimit != 0) UserMemory.buffer(space, oldLimit, 16, PROT_WRITE);
        long[] old = p.limits.getAndSet((int) resource, next);
        if (oldLimit != 0) {
            UserMemory.putLong(space, oldLimit, old[0]);
            UserMemory.putLong(space, oldLimit + 8, old[1]);
        }
        return 0;
    }

    /** getresuid/getresgid: the host's three ids, each written where the guest asked. */
    static long resIds(Task t, java.util.function.LongToIntFunction host, long real, long effective, long saved) {
        MemorySegment ids = Host.scratch();
        int r = host.applyAsInt(ids.address());
        if (r < 0) return r;
        UserMemory.putInt(t.process.space, real, ids.get(ValueLayout.JAVA_INT, 0));
        UserMemory.putInt(t.process.space, effective, ids.get(ValueLayout.JAVA_INT, 4));
        UserMemory.putInt(t.process.space, saved, ids.get(ValueLayout.JAVA_INT, 8));
        return 0;
    }

    static long getgroups(Task t, long size, long list, long a2, long a3, long a4, long a5) {
        if (size < 0) return -Errno.EINVAL;
        MemorySegment gids = Host.scratch();
        int n = Host.getgroups((int) Math.min(size, Host.SCRATCH_SIZE / 4), gids.address());
        if (n <= 0 || size == 0) return n;
        copyOut(t.process.space, list, gids, 4L * n);
        return n;
    }

    // ---- randomness -------------------------------------------------------------------------

    /** getrandom: bytes from the process's seeded generator, so that a run can be repeated. */
    static long getrandom(Task t, long buf, long len, long flags, long a3, long a4, long a5) {
        Process p = t.process;
        if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
                || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) return -Errno.EINVAL;
        long n = UserMemory.accessiblePrefix(p.space, buf, len, PROT_WRITE);
        byte[] chunk = new byte[(int) Math.min(n, 4096)];
        for (long done = 0; done < n; ) {
            if (n - done < chunk.length) chunk = new byte[(int) (n - done)];
            p.randomBytes(chunk);
            p.space.write(buf + done, chunk, 0, chunk.length);
            done += chunk.length;
        }
        return n;
    }

    /** Copies {@code n} bytes of host scratch to guest memory the guest may write. @throws SyscallError EFAULT */
    private static void copyOut(AddressSpace space, long addr, MemorySegment from, long n) {
        UserMemory.buffer(space, addr, n, PROT_WRITE);
        MemorySegment.copy(from, 0, space.memory(), addr, n);
    }
}
