package dev.reprise.linux;

import dev.reprise.mem.MemoryFault;

/** Signal calls: rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, kill, tgkill, tkill. */
final class SignalSyscalls {
    private SignalSyscalls() {}

    static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    static final int SS_ONSTACK = 1, SS_DISABLE = 2, MINSIGSTKSZ = 2048;

    static void register() {
        Syscalls.define(134, "rt_sigaction", "dppd", SignalSyscalls::sigaction);
        Syscalls.define(135, "rt_sigprocmask", "dppd", SignalSyscalls::sigprocmask);
        Syscalls.define(136, "rt_sigpending", "pd", (t, set, size, a2, a3, a4, a5) -> {
            if (size != 8) return -Errno.EINVAL;
            UserMemory.noteWrite(t.process.space, set, 8);
            t.hart.mmu.sd(set, t.pendingSignals() & t.signalMask);
            return 0;
        });
        Syscalls.define(139, "rt_sigreturn", "", (t, a0, a1, a2, a3, a4, a5) -> {
            Signals.sigreturn(t);
            return t.hart.x[10]; // the dispatcher writes a0: give it back the restored value
        });
        Syscalls.define(132, "sigaltstack", "pp", SignalSyscalls::sigaltstack);
        Syscalls.define(129, "kill", "dd", (t, pid, sig, a2, a3, a4, a5) -> {
            if (pid != t.process.pid && pid != 0 && pid != -1) return -Errno.ESRCH;
            return send(t, t, (int) sig, Signals.SI_USER);
        });
        Syscalls.define(131, "tgkill", "ddd", (t, tgid, tid, sig, a3, a4, a5) -> {
            if (tgid != t.process.pid) return -Errno.ESRCH;
            Task target = t.process.task((int) tid);
            return target == null ? -Errno.ESRCH : send(t, target, (int) sig, Signals.SI_TKILL);
        });
        Syscalls.define(130, "tkill", "dd", (t, tid, sig, a2, a3, a4, a5) -> {
            Task target = t.process.task((int) tid);
            return target == null ? -Errno.ESRCH : send(t, target, (int) sig, Signals.SI_TKILL);
        });
    }

    private static long send(Task from, Task to, int sig, int code) {
        if (sig < 0 || sig > 64) return -Errno.EINVAL;
        if (sig == 0) return 0; // existence check only
        to.post(new Signals.Info(sig, code, 0, from.process.pid, 0));
        return 0;
    }

    private static long sigaction(Task t, long sig, long act, long oldact, long size, long a4, long a5) {
        if (size != 8 || sig < 1 || sig > 64) return -Errno.EINVAL;
        if (act != 0 && (sig == Signals.SIGKILL || sig == Signals.SIGSTOP)) return -Errno.EINVAL;
        try {
            var m = t.hart.mmu;
            Signals.Action next = act == 0 ? null : new Signals.Action(m.ld(act), m.ld(act + 8), m.ld(act + 16));
            Signals.Action old = t.process.swapSignalAction((int) sig, next);
            if (oldact != 0) {
                m.sd(oldact, old.handler());
                m.sd(oldact + 8, old.flags());
                m.sd(oldact + 16, old.mask());
            }
            return 0;
        } catch (MemoryFault f) {
            return -Errno.EFAULT;
        }
    }

    private static long sigprocmask(Task t, long how, long set, long oldset, long size, long a4, long a5) {
        if (size != 8) return -Errno.EINVAL;
        try {
            var m = t.hart.mmu;
            long old = t.signalMask;
            if (set != 0) {
                long s = m.ld(set);
                switch ((int) how) {
                    case SIG_BLOCK -> t.setSignalMask(old | s);
                    case SIG_UNBLOCK -> t.setSignalMask(old & ~s);
                    case SIG_SETMASK -> t.setSignalMask(s);
                    default -> { return -Errno.EINVAL; }
                }
            }
            if (oldset != 0) m.sd(oldset, old);
            return 0;
        } catch (MemoryFault f) {
            return -Errno.EFAULT;
        }
    }

    /** stack_t: ss_sp (8), ss_flags (4, padded to 8), ss_size (8). */
    private static long sigaltstack(Task t, long ss, long oldss, long a2, long a3, long a4, long a5) {
        try {
            var m = t.hart.mmu;
            boolean on = t.onAltStack(t.hart.x[2]);
            if (oldss != 0) {
                m.sd(oldss, t.altStackBase);
                m.sw(oldss + 8, t.altStackSize == 0 ? SS_DISABLE : on ? SS_ONSTACK : 0);
                m.sd(oldss + 16, t.altStackSize);
            }
            if (ss != 0) {
                if (on) return -Errno.EPERM;
                long base = m.ld(ss);
                int flags = (int) m.lw(ss + 8);
                long size = m.ld(ss + 16);
                if ((flags & SS_DISABLE) != 0) {
                    t.altStackBase = 0;
                    t.altStackSize = 0;
                } else if (flags != 0 && flags != SS_ONSTACK) {
                    return -Errno.EINVAL;
                } else if (size < MINSIGSTKSZ) {
                    return -Errno.ENOMEM;
                } else {
                    t.altStackBase = base;
                    t.altStackSize = size;
                }
            }
            return 0;
        } catch (MemoryFault f) {
            return -Errno.EFAULT;
        }
    }
}
