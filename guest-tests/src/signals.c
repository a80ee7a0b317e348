/* signals: handlers that return through rt_sigreturn (registers and FP state restored), signals
 * sent to self with raise/kill/tgkill, blocking and later delivery with sigprocmask, SA_SIGINFO
 * fields, an alternate signal stack, SA_RESETHAND, and sigaction's old action. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile sig_atomic_t hits[65];
static volatile int last_code, last_pid_ok, on_alt;
static char altstack[64 * 1024];

static void handler(int sig) { hits[sig]++; }

static void info_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    hits[sig]++;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid();
}

static void alt_handler(int sig) {
    char here;
    hits[sig]++;
    on_alt = (uintptr_t)&here >= (uintptr_t)altstack && (uintptr_t)&here < (uintptr_t)altstack + sizeof altstack;
}

static void fp_clobber(int sig) {
    hits[sig]++;
    volatile double d = 1.0;
    for (int i = 0; i < 10; i++) d = d * 3.25 + 1.0; /* uses FP registers */
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("raise: handled=%d\n", hits[SIGUSR1]);

    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    kill(getpid(), SIGUSR2);
    printf("kill: handled=%d si_code=%d (SI_USER=%d) si_pid==getpid=%d\n", hits[SIGUSR2], last_code, SI_USER, last_pid_ok);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
    printf("tgkill: handled=%d si_code=%d (SI_TKILL=%d)\n", hits[SIGUSR2], last_code, SI_TKILL);

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    printf("blocked: handled=%d pending=%d\n", hits[SIGUSR1], sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handled=%d\n", hits[SIGUSR1]);

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sa.sa_handler = alt_handler;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigaction(SIGWINCH, &sa, NULL);
    raise(SIGWINCH);
    struct sigaction now;
    sigaction(SIGWINCH, NULL, &now);
    printf("altstack: handled=%d on_alt=%d reset_to_default=%d\n", hits[SIGWINCH], on_alt, now.sa_handler == SIG_DFL);

    sa.sa_handler = fp_clobber;
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    volatile double keep = 2.5;
    double before = keep * 4.0;
    raise(SIGALRM);
    double after = keep * 4.0;
    printf("fp state kept across a handler: %d (handled=%d)\n", before == after && after == 10.0, hits[SIGALRM]);

    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("ignored: handled=%d\n", hits[SIGUSR1]);

    signal(SIGTERM, SIG_DFL);
    printf("now SIGTERM with the default action\n");
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
