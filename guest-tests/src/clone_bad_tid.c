/* clone_bad_tid: a raw clone(2) of a thread whose parent_tid and child_tid pointers are bad
 * (unmapped, and read-only). Linux (and QEMU) ignore a failed store of the new tid there: the
 * clone succeeds and the child runs. Each child stores a flag and leaves with exit(2), written
 * in assembly because it runs on its own stack without glibc knowing about it. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static char stacks[2][16384] __attribute__((aligned(16)));
static volatile int ran[2];
static const int read_only = 7;

static long raw_clone(long flags, void *stack_top, long ptid, long ctid, volatile int *flag) {
    register long a0 __asm__("a0") = flags;
    register long a1 __asm__("a1") = (long)stack_top;
    register long a2 __asm__("a2") = ptid;
    register long a3 __asm__("a3") = 0; /* tls: unchanged (no CLONE_SETTLS) */
    register long a4 __asm__("a4") = ctid;
    register long a7 __asm__("a7") = SYS_clone;
    register volatile int *t1 __asm__("t1") = flag;
    __asm__ volatile(
        "ecall\n"
        "bnez a0, 1f\n"          /* the parent goes on */
        "li t0, 1\n"
        "sw t0, 0(t1)\n"         /* the child: says it ran, then exit(0) */
        "fence rw, rw\n"
        "li a0, 0\n"
        "li a7, 93\n"
        "ecall\n"
        "1:\n"
        : "+r"(a0)
        : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7), "r"(t1)
        : "t0", "memory");
    return a0;
}

int main(void) {
    long threads = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    long r1 = raw_clone(threads | CLONE_PARENT_SETTID, stacks[0] + sizeof stacks[0], 8, 0, &ran[0]);
    while (r1 > 0 && !ran[0]) sched_yield();
    printf("clone, parent_tid unmapped: %s, child ran: %s\n", r1 > 0 ? "tid" : "error", ran[0] ? "yes" : "no");
    long r2 = raw_clone(threads | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID, stacks[1] + sizeof stacks[1],
                        (long)&read_only, (long)&read_only, &ran[1]);
    while (r2 > 0 && !ran[1]) sched_yield();
    printf("clone, tids read-only: %s, child ran: %s, read-only word: %d\n", r2 > 0 ? "tid" : "error",
           ran[1] ? "yes" : "no", read_only);
    return 0;
}
