package dev.reprise.linux;

/** Time, identity and system-information calls: clock_gettime, uname, getpid, getrandom, prlimit64... */
final class SystemSyscalls {
    private SystemSyscalls() {}

    static void register() {
    }
}
