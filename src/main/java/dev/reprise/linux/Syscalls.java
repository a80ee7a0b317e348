package dev.reprise.linux;

import dev.reprise.cpu.Hart;

/**
 * The riscv64 Linux system call table (asm-generic numbering) and its dispatcher.
 *
 * <p>Each group of calls lives in its own class and registers its handlers here with
 * {@link #define}. A handler receives the six argument registers and returns the value for a0:
 * a result, or {@code -errno} (handlers may also throw {@link SyscallError}). Unknown numbers
 * return -ENOSYS. With --strace every call is printed in qemu's -strace style.
 *
 * <p>Threading: the table is filled once in the static initializer and only read afterwards.
 */
public final class Syscalls {
    @FunctionalInterface
    public interface Handler {
        long call(Task t, long a0, long a1, long a2, long a3, long a4, long a5);
    }

    /**
     * One system call: number, name, how --strace prints its arguments (one letter per argument:
     * d decimal, u unsigned, x hex, p pointer, s C string, o octal, f fd (AT_FDCWD aware), - skip,
     * and more, see {@link Strace}) and the handler. {@code noReturn}: the call never returns
     * to its caller (exit, exit_group, rt_sigreturn), so --strace prints it before it runs.
     */
    public record Entry(int number, String name, String args, Handler handler, boolean noReturn) {
        public Entry(int number, String name, String args, Handler handler) {
            this(number, name, args, handler, number == 93 || number == 94 || number == 139);
        }
    }

    private static final Entry[] TABLE = new Entry[512];

    static {
        FileSyscalls.register();
        MemorySyscalls.register();
        SystemSyscalls.register();
        ThreadSyscalls.register();
        SignalSyscalls.register();
    }

    private Syscalls() {}

    static void define(int number, String name, String args, Handler handler) {
        if (TABLE[number] != null) throw new IllegalStateException("syscall " + number + " defined twice");
        TABLE[number] = new Entry(number, name, args, handler);
    }

    /** The entry for a number, or null if Reprise does not implement it. */
    public static Entry lookup(long number) {
        return number >= 0 && number < TABLE.length ? TABLE[(int) number] : null;
    }

    /** Performs the call the task's a7 names and puts the result into a0. */
    public static void dispatch(Task t) {
        Hart h = t.hart;
        long nr = h.x[17];
        long a0 = h.x[10], a1 = h.x[11], a2 = h.x[12], a3 = h.x[13], a4 = h.x[14], a5 = h.x[15];
        Entry e = lookup(nr);
        boolean trace = t.process.strace != null;
        if (trace && e != null && e.noReturn) Strace.printCall(t, e, a0, a1, a2, a3, a4, a5);
        long result;
        if (e == null) {
            result = -Errno.ENOSYS;
        } else {
            try {
                result = e.handler.call(t, a0, a1, a2, a3, a4, a5);
            } catch (SyscallError err) {
                result = -err.errno;
            }
        }
        if (trace && (e == null || !e.noReturn)) Strace.print(t, nr, e, a0, a1, a2, a3, a4, a5, result);
        h.setX(10, result);
    }
}
