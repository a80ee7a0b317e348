package dev.reprise.linux;

/** Thread calls: clone, exit, exit_group, futex, set_tid_address, set_robust_list, gettid. */
final class ThreadSyscalls {
    private ThreadSyscalls() {}

    static void register() {
    }
}
