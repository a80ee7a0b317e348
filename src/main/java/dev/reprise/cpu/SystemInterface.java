package dev.reprise.cpu;

/** What the hart needs from the operating system it runs under (linux-user implements it). */
public interface SystemInterface {
    /**
     * Performs the system call that {@code ecall} at {@code hart.pc} asks for (a7 = number,
     * a0..a5 = arguments, result in a0). On return the interpreter retires the ecall and moves
     * past it unless the call changed pc itself (rt_sigreturn, execve...).
     */
    void ecall(Hart hart);

    /** Value of the user counters (cycle, time, instret are read through CSRs). */
    long readTime();
}
