/* litmus.h: shared harness for the litmus_* programs.
 * Two threads run ITERS iterations of a litmus test. Every iteration uses fresh, zeroed slots
 * (x[i], y[i], ...) so no reset is needed, and the two threads line up at each iteration with
 * a spin rendezvous (release store of the iteration number, acquire spin on the other's), so
 * the test bodies really overlap. The bodies use plain loads/stores written in inline assembly
 * (ld32/st32), so the compiler neither reorders nor elides them; the ordering under test comes
 * only from the fences, annotations and dependencies written in each body.
 * Waiting loops call sched_yield() after 1000 fruitless polls: on an idle machine that never
 * happens, on an oversubscribed one it keeps a descheduled partner from costing a whole time
 * slice per iteration. It never sits between the accesses under test. */
#ifndef LITMUS_H
#define LITMUS_H
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#ifndef ITERS
#define ITERS 20000
#endif

static inline int ld32(const int *p) {
    int v;
    __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(p) : "memory");
    return v;
}
static inline void st32(int *p, int v) {
    __asm__ volatile("sw %1, 0(%0)" : : "r"(p), "r"(v) : "memory");
}

static int progress[2][16];   /* separate cache lines */

static void rendezvous_reset(void) { memset(progress, 0, sizeof progress); }

static inline void rendezvous(int me, int i) {
    __atomic_store_n(&progress[me][0], i + 1, __ATOMIC_RELEASE);
    for (int spins = 0; __atomic_load_n(&progress[1 - me][0], __ATOMIC_ACQUIRE) < i + 1; spins++)
        if (spins >= 1000) { sched_yield(); spins = 0; }
}

/* Spin until *p != 0 (plain loads); the last load, the one that saw the value, is the one
 * whose ordering the caller's fence or dependency then constrains. */
static inline int spin_nonzero(const int *p) {
    int v, spins = 0;
    while ((v = ld32(p)) == 0)
        if (++spins >= 1000) { sched_yield(); spins = 0; }
    return v;
}

/* Run t0 and t1 (each gets its thread index) on two threads and wait for both. */
static void run2(void *(*t0)(void *), void *(*t1)(void *)) {
    pthread_t a, b;
    rendezvous_reset();
    pthread_create(&a, NULL, t0, (void *)0L);
    pthread_create(&b, NULL, t1, (void *)1L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
}
#endif
