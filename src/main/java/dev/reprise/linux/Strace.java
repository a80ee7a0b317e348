package dev.reprise.linux;

/** Prints system calls in qemu's -strace style, one line per call, with the thread id. */
final class Strace {
    private Strace() {}

    static void print(Task t, long nr, Syscalls.Entry e, long a0, long a1, long a2, long a3, long a4, long a5, long result) {
        t.process.strace.println(t.tid + " " + (e == null ? "syscall_" + nr : e.name()) + "(...) = " + result);
    }
}
