package dev.reprise.linux;

import dev.reprise.cpu.Hart;
import dev.reprise.cpu.Trap;
import dev.reprise.mem.MemoryFault;

/**
 * Signal delivery as Linux does it on riscv64: a handler runs on an rt_sigframe (siginfo +
 * ucontext) built on the thread's stack (or its alternate stack), returning through a trampoline
 * that calls rt_sigreturn; without a handler the default action ends the process with the status
 * a shell shows (128 + signal number) and one line on stderr.
 *
 * <p>Threading: dispositions live in {@link Process#signalActions} (its own lock); a task's mask
 * and frames are touched only by the task's own thread; pending bits may be set by any thread
 * (see {@link Task#pending}).
 */
final class Signals {
    private Signals() {}

    static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
            SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
            SIGIO = 29, SIGPWR = 30, SIGSYS = 31;

    static final long SIG_DFL = 0, SIG_IGN = 1;
    static final long SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000,
            SA_RESETHAND = 0x80000000L;
    static final int SI_USER = 0, SI_TKILL = -6;

    private static final String[] NAMES = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    static String name(int sig) {
        return sig > 0 && sig < NAMES.length ? NAMES[sig] : "SIGRT" + (sig - 32);
    }

    /** One signal's disposition (struct sigaction without sa_restorer, as riscv64 has it). */
    record Action(long handler, long flags, long mask) {
        static final Action DEFAULT = new Action(SIG_DFL, 0, 0);
    }

    /** What a signal delivery says about its cause (the siginfo fields that matter). */
    record Info(int signo, int code, long address, int pid, int uid) {}

    static long bit(int sig) {
        return 1L << (sig - 1);
    }

    /** Signals whose default action is to do nothing. */
    private static boolean ignoredByDefault(int sig) {
        return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH
                || sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
    }

    /** Delivers the signal a trap raises (SIGILL, SIGSEGV, SIGBUS, SIGTRAP) to the task, at once. */
    static void deliverTrap(Task t, Trap trap) {
        Info info = switch (trap.cause) {
            case ILLEGAL_INSTRUCTION -> new Info(SIGILL, 1 /* ILL_ILLOPC */, trap.pc, 0, 0);
            case BREAKPOINT -> new Info(SIGTRAP, 1 /* TRAP_BRKPT */, trap.pc, 0, 0);
            case MEMORY -> switch (trap.fault.kind) {
                case MISALIGNED -> new Info(SIGBUS, 1 /* BUS_ADRALN */, trap.value, 0, 0);
                case UNMAPPED -> new Info(SIGSEGV, 1 /* SEGV_MAPERR */, trap.value, 0, 0);
                case PROTECTION -> new Info(SIGSEGV, 2 /* SEGV_ACCERR */, trap.value, 0, 0);
                case OWNERSHIP -> throw new IllegalStateException("an ownership fault is the recorder's, not a signal", trap);
            };
        };
        // A synchronous fault that is blocked or ignored cannot be survived: Linux forces the default.
        Action action = t.process.signalAction(info.signo());
        boolean blocked = (t.signalMask & bit(info.signo())) != 0;
        if (blocked || action.handler() == SIG_IGN) action = Action.DEFAULT;
        deliver(t, info, action, null);   // synchronous: a replay raises it again by itself
    }

    /** Delivers pending, unblocked signals (at a block boundary or after a system call). */
    static void deliverPending(Task t) {
        long deliverable;
        while ((deliverable = t.pendingSignals() & ~t.signalMask) != 0) {
            int sig = Long.numberOfTrailingZeros(deliverable) + 1;
            Info info = t.takePending(sig);
            if (info == null) continue;
            deliver(t, info, t.process.signalAction(sig), t.supervisor());
        }
    }

    /** Delivers an asynchronous signal the recorder logged (replay), as {@link #deliverPending} did then. */
    static void deliverRecorded(Task t, Info info) {
        deliver(t, info, t.process.signalAction(info.signo()), null);
    }

    /**
     * Delivers {@code info} with {@code action}. An asynchronous signal is told to {@code recorder}
     * (the supervisor while recording, else null) where it takes effect: before the process ends
     * for it, or once its frame's memory is taken and before the frame is written.
     */
    private static void deliver(Task t, Info info, Action action, Supervisor recorder) {
        int sig = info.signo();
        if (action.handler() == SIG_IGN || (action.handler() == SIG_DFL && ignoredByDefault(sig))) return;
        if (action.handler() == SIG_DFL) {
            if (recorder != null) recorder.signal(t, info.signo(), info.code(), info.address(), info.pid(), info.uid());
            terminate(t, info);
        }
        setupFrame(t, info, action, recorder);
    }

    /** The default action of a fatal signal: one line naming it, then the whole process ends. */
    private static void terminate(Task t, Info info) {
        Hart h = t.hart;
        String where = info.signo() == SIGSEGV || info.signo() == SIGBUS
                ? ", fault address 0x" + Long.toHexString(info.address()) : "";
        System.err.println("reprise: guest killed by " + name(info.signo()) + " at pc 0x" + Long.toHexString(h.pc)
                + where + " (thread " + t.tid + ")");
        System.err.flush();
        t.endProcess(128 + info.signo());
        throw new TaskExit();
    }

    // rt_sigframe layout (arch/riscv/include/uapi/asm/ucontext.h, sigcontext.h): siginfo (128 bytes),
    // then ucontext: uc_flags, uc_link, uc_stack (24), uc_sigmask (8), padding to 128 bytes of
    // sigset, uc_mcontext at offset 176 (16-aligned): pc, x1..x31, f0..f31, fcsr, reserved.
    static final int SIGINFO_SIZE = 128;
    static final int UC_STACK = 16, UC_SIGMASK = 40, UC_MCONTEXT = 176;
    static final int MC_FPREGS = 256, MC_FCSR = MC_FPREGS + 256;
    static final int UCONTEXT_SIZE = UC_MCONTEXT + 256 + 528;
    static final int FRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE;

    private static void setupFrame(Task t, Info info, Action action, Supervisor recorder) {
        Hart h = t.hart;
        long sp = h.x[2];
        boolean onAltStack = t.onAltStack(sp);
        if ((action.flags() & SA_ONSTACK) != 0 && t.altStackSize != 0 && !onAltStack) {
            sp = t.altStackBase + t.altStackSize;
        }
        long frame = (sp - FRAME_SIZE) & ~15L;
        long uc = frame + SIGINFO_SIZE;
        UserMemory.noteWrite(t.process.space, frame, FRAME_SIZE);   // the kernel writes the frame (recording takes it first)
        if (recorder != null) recorder.signal(t, info.signo(), info.code(), info.address(), info.pid(), info.uid());
        try {
            var m = h.mmu;
            // siginfo
            for (int o = 0; o < SIGINFO_SIZE; o += 8) m.sd(frame + o, 0);
            m.sw(frame, info.signo());
            m.sw(frame + 8, info.code());
            if (info.signo() == SIGSEGV || info.signo() == SIGBUS || info.signo() == SIGILL
                    || info.signo() == SIGFPE || info.signo() == SIGTRAP) {
                m.sd(frame + 16, info.address());
            } else {
                m.sw(frame + 16, info.pid());
                m.sw(frame + 20, info.uid());
            }
            // ucontext
            for (int o = 0; o < UC_MCONTEXT; o += 8) m.sd(uc + o, 0);
            m.sd(uc + UC_STACK, t.altStackBase);
            m.sw(uc + UC_STACK + 8, t.altStackSize == 0 ? 2 /* SS_DISABLE */ : onAltStack ? 1 /* SS_ONSTACK */ : 0);
            m.sd(uc + UC_STACK + 16, t.altStackSize);
            m.sd(uc + UC_SIGMASK, t.signalMask);
            long mc = uc + UC_MCONTEXT;
            m.sd(mc, h.pc);
            for (int r = 1; r < 32; r++) m.sd(mc + 8L * r, h.x[r]);
            for (int r = 0; r < 32; r++) m.sd(mc + MC_FPREGS + 8L * r, h.f[r]);
            m.sw(mc + MC_FCSR, (long) h.frm << 5 | h.fflags);
            for (int o = MC_FCSR + 4; o < 256 + 528; o += 4) m.sw(mc + o, 0);
        } catch (MemoryFault f) {
            // No room for the frame: Linux kills the thread group with SIGSEGV.
            terminate(t, new Info(SIGSEGV, 1, frame, 0, 0));
        }
        long mask = t.signalMask | action.mask();
        if ((action.flags() & SA_NODEFER) == 0) mask |= bit(info.signo());
        t.setSignalMask(mask);
        if ((action.flags() & SA_RESETHAND) != 0) t.process.resetSignalAction(info.signo());
        h.setX(2, frame);
        h.setX(1, t.process.memory.sigreturnTrampoline()); // mapped by the loader where QEMU maps it
        h.setX(10, info.signo());
        h.setX(11, frame);
        h.setX(12, uc);
        h.pc = action.handler();
    }

    /** rt_sigreturn: restores the registers and mask saved in the frame at sp. */
    static void sigreturn(Task t) {
        Hart h = t.hart;
        long frame = h.x[2];
        long uc = frame + SIGINFO_SIZE;
        long mc = uc + UC_MCONTEXT;
        try {
            var m = h.mmu;
            long pc = m.ld(mc);
            long[] x = new long[32];
            for (int r = 1; r < 32; r++) x[r] = m.ld(mc + 8L * r);
            long[] f = new long[32];
            for (int r = 0; r < 32; r++) f[r] = m.ld(mc + MC_FPREGS + 8L * r);
            int fcsr = (int) m.lw(mc + MC_FCSR);
            long mask = m.ld(uc + UC_SIGMASK);
            System.arraycopy(x, 1, h.x, 1, 31);
            System.arraycopy(f, 0, h.f, 0, 32);
            h.fflags = fcsr & 0x1f;
            h.frm = fcsr >> 5 & 7;
            h.pc = pc;
            t.setSignalMask(mask);
        } catch (MemoryFault e) {
            terminate(t, new Info(SIGSEGV, 1, frame, 0, 0));
        }
    }
}
