package dev.reprise.linux;

/** Signal calls: rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, kill, tgkill, tkill. */
final class SignalSyscalls {
    private SignalSyscalls() {}

    static void register() {
    }
}
