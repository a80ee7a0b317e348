/* segv_handler: synchronous signals delivered to SA_SIGINFO handlers, left by siglongjmp.
 *  1. load from an unmapped address: SIGSEGV, si_code SEGV_MAPERR, si_addr == the address;
 *  2. store into a read-only mmap page: SIGSEGV, SEGV_ACCERR, si_addr == the address;
 *  3. the same fault again (handler stays installed, the signal mask was restored);
 *  4. an illegal instruction (.word 0): SIGILL, ILL_ILLOPC, si_addr == the instruction's pc;
 *  5. the handler's ucontext pc (uc_mcontext.__gregs[REG_PC]) equals the faulting pc.
 * Only comparisons and constants are printed, never addresses. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile uintptr_t got_pc;

static void handler(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    got_pc = uc->uc_mcontext.__gregs[REG_PC];
    siglongjmp(jb, 1);
}

extern char illegal_insn[];
__asm__(".text\n.globl illegal_insn\n.type illegal_insn,@function\n"
        "illegal_insn:\n\t.word 0\n\tret\n");

static const char *sig_name(int s) {
    return s == SIGSEGV ? "SIGSEGV" : s == SIGILL ? "SIGILL" : s == 0 ? "none" : "other";
}

static const char *code_name(int sig, int c) {
    if (sig == SIGSEGV) return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "?";
    if (sig == SIGILL) return c == ILL_ILLOPC ? "ILL_ILLOPC" : "?";
    return "?";
}

static void report(const char *what, void *want_addr) {
    printf("%s: sig=%s code=%s si_addr %s\n", what, sig_name(got_sig), code_name(got_sig, got_code),
           got_addr == want_addr ? "matches" : "DIFFERS");
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);

    /* 1: unmapped load. Reserve then unmap a page so the address is surely unmapped. */
    char *hole = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 4096);
    volatile char *bad = hole + 123;
    if (sigsetjmp(jb, 1) == 0) {
        (void)*bad;
        printf("unmapped load: no signal\n");
    } else {
        report("unmapped load", (void *)bad);
    }

    /* 2 and 3: store to a read-only page, twice */
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int round = 1; round <= 2; round++) {
        got_sig = 0;
        volatile char *p = ro + 100 * round;
        if (sigsetjmp(jb, 1) == 0) {
            *p = 1;
            printf("read-only store: no signal\n");
        } else {
            report(round == 1 ? "read-only store" : "read-only store again", (void *)p);
        }
        sigset_t cur;
        sigprocmask(SIG_BLOCK, NULL, &cur);
        printf("  SIGSEGV blocked after siglongjmp: %s\n", sigismember(&cur, SIGSEGV) ? "yes" : "no");
    }
    /* make it writable: now the store works and reads back */
    mprotect(ro, 4096, PROT_READ | PROT_WRITE);
    ro[200] = 42;
    printf("after mprotect: store ok, value %d\n", ro[200]);

    /* 4 and 5: illegal instruction */
    got_sig = 0;
    if (sigsetjmp(jb, 1) == 0) {
        ((void (*)(void))illegal_insn)();
        printf("illegal instruction: no signal\n");
    } else {
        report("illegal instruction", (void *)illegal_insn);
        printf("  ucontext pc %s\n", got_pc == (uintptr_t)illegal_insn ? "matches" : "DIFFERS");
    }
    printf("done\n");
    return 0;
}
