package dev.reprise.linux;

import dev.reprise.mem.MemoryFault;

/** Thread calls: clone, exit, exit_group, futex, set_tid_address, set_robust_list. */
final class ThreadSyscalls {
    private ThreadSyscalls() {}

    static final long CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;

    static void register() {
        Syscalls.define(220, "clone", "xxxxx", (t, flags, stack, ptid, tls, ctid, a5) -> clone(t, flags, stack, ptid, tls, ctid));
        Syscalls.define(93, "exit", "d", (t, status, a1, a2, a3, a4, a5) -> exit(t, (int) status));
        Syscalls.define(94, "exit_group", "d", (t, status, a1, a2, a3, a4, a5) -> {
            t.endProcess((int) status & 0xff);
            throw new TaskExit();
        });
        Syscalls.define(96, "set_tid_address", "p", (t, address, a1, a2, a3, a4, a5) -> {
            t.clearChildTid = address;
            return t.tid;
        });
        Syscalls.define(99, "set_robust_list", "pd", (t, head, length, a2, a3, a4, a5) -> {
            if (length != 24) return -Errno.EINVAL; // sizeof(struct robust_list_head) on riscv64
            t.robustList = head;
            t.robustListLength = length;
            return 0;
        });
        Syscalls.define(100, "get_robust_list", "dpp", (t, tid, headPtr, lengthPtr, a3, a4, a5) -> {
            if (tid != 0 && tid != t.tid) return -Errno.ESRCH;
            UserMemory.noteWrite(t.process.space, headPtr, 8);
            t.hart.mmu.sd(headPtr, t.robustList);
            UserMemory.noteWrite(t.process.space, lengthPtr, 8);
            t.hart.mmu.sd(lengthPtr, t.robustListLength);
            return 0;
        });
        Syscalls.define(98, "futex", "pdxxpx", ThreadSyscalls::futex);
    }

    /** Threads only (the flag set glibc's pthread_create and C++ std::thread use); no fork. */
    private static long clone(Task parent, long flags, long stack, long ptid, long tls, long ctid) {
        long required = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
        if ((flags & required) != required) return -Errno.ENOSYS; // fork and vfork are not emulated
        Process p = parent.process;
        int tid = p.allocateTid();
        Supervisor s = parent.supervisor();
        Task child = new Task(p, s == null ? tid : s.childTid(parent, tid));
        child.hart.copyRegistersFrom(parent.hart); // pc is already past the ecall
        child.hart.setX(10, 0);
        if (stack != 0) child.hart.setX(2, stack);
        if ((flags & CLONE_SETTLS) != 0) child.hart.setX(4, tls);
        child.signalMask = parent.signalMask;
        // Linux ignores a tid it cannot store (put_user's result is dropped; QEMU does the same):
        // the thread exists by now and runs regardless.
        if ((flags & CLONE_PARENT_SETTID) != 0) storeTid(parent, ptid, child.tid);
        if ((flags & CLONE_CHILD_SETTID) != 0) storeTid(parent, ctid, child.tid);
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = ctid;
        p.add(child);
        child.start();
        return child.tid;
    }

    /** Stores a new thread's tid at {@code address} if the guest may write there; nothing otherwise. */
    private static void storeTid(Task t, long address, int tid) {
        try {
            UserMemory.noteWrite(t.process.space, address, 4);
            t.hart.mmu.sw(address, tid);
        } catch (MemoryFault ignored) {
            // as Linux: the clone succeeds without it
        }
    }

    /** Ends the calling thread: clear_child_tid is zeroed and woken (how pthread_join waits). */
    static long exit(Task t, int status) {
        t.exitCode = status & 0xff;
        if (t.clearChildTid != 0) {
            try {
                UserMemory.noteWrite(t.process.space, t.clearChildTid, 4);
                t.hart.mmu.sw(t.clearChildTid, 0);
                t.process.futexes.wake(t.clearChildTid, 1, Futexes.BITSET_MATCH_ANY);
            } catch (MemoryFault ignored) {
                // Linux ignores a bad clear_child_tid address too.
            }
        }
        throw new TaskExit();
    }

    private static long futex(Task t, long address, long op, long val, long timeout, long address2, long val3) {
        int cmd = (int) op & ~(Futexes.PRIVATE_FLAG | Futexes.CLOCK_REALTIME_FLAG);
        boolean realtime = (op & Futexes.CLOCK_REALTIME_FLAG) != 0;
        Futexes f = t.process.futexes;
        return switch (cmd) {
            case Futexes.WAIT -> f.wait(t, address, (int) val, Futexes.BITSET_MATCH_ANY, deadline(t, timeout, false, false));
            case Futexes.WAIT_BITSET -> f.wait(t, address, (int) val, (int) val3, deadline(t, timeout, true, realtime));
            case Futexes.WAKE -> f.wake(address, (int) val, Futexes.BITSET_MATCH_ANY);
            case Futexes.WAKE_BITSET -> val3 == 0 ? -Errno.EINVAL : f.wake(address, (int) val, (int) val3);
            case Futexes.REQUEUE -> f.requeue(t, address, address2, (int) val, (int) timeout, false, 0);
            case Futexes.CMP_REQUEUE -> f.requeue(t, address, address2, (int) val, (int) timeout, true, (int) val3);
            case Futexes.WAKE_OP -> f.wakeOp(t, address, address2, (int) val, (int) timeout, (int) val3);
            default -> -Errno.ENOSYS;
        };
    }

    /**
     * Converts a futex timeout (struct timespec at {@code address}, 0 for none) to a
     * System.nanoTime() deadline: FUTEX_WAIT's is relative, FUTEX_WAIT_BITSET's absolute on
     * CLOCK_MONOTONIC or, with the flag, CLOCK_REALTIME.
     */
    private static long deadline(Task t, long address, boolean absolute, boolean realtime) {
        if (address == 0) return Long.MAX_VALUE;
        long sec, nsec;
        try {
            sec = t.hart.mmu.ld(address);
            nsec = t.hart.mmu.ld(address + 8);
        } catch (MemoryFault f) {
            throw new SyscallError(Errno.EFAULT);
        }
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) throw new SyscallError(Errno.EINVAL);
        long nanos = Math.multiplyHigh(sec, 1_000_000_000L) != 0 ? Long.MAX_VALUE / 2 : sec * 1_000_000_000L + nsec;
        long now = System.nanoTime();
        if (!absolute) return now + Math.min(nanos, Long.MAX_VALUE / 2);
        long clockNow = realtime ? Clocks.realtimeNanos() : now;
        return now + Math.min(nanos - clockNow, Long.MAX_VALUE / 2);
    }
}
