/* lrsc_spinlock: a test-and-test-and-set spinlock written in inline assembly with
 * lr.w.aq / sc.w.rl (acquire), released by "fence rw,w; sw zero" (release). It protects a plain
 * 64-bit counter and a pair of plain words whose sum must stay constant; 4 threads x 50,000
 * lock/unlock rounds. The count is exact and the invariant never observed broken. */
// build-flags: -pthread
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define NT 4
#define ITERS 50000

static int lock_word;
static long counter;
static long pa = 0, pb = 1000000;
static long broken;
static int start;

static inline void spin_lock(int *l) {
    int tmp, one = 1;
    __asm__ volatile(
        "1: lw      %0, 0(%1)\n"      /* test: wait until it looks free */
        "   bnez    %0, 1b\n"
        "   lr.w.aq %0, (%1)\n"
        "   bnez    %0, 1b\n"
        "   sc.w.rl %0, %2, (%1)\n"
        "   bnez    %0, 1b\n"
        : "=&r"(tmp)
        : "r"(l), "r"(one)
        : "memory");
}

static inline void spin_unlock(int *l) {
    __asm__ volatile("fence rw, w\n\tsw zero, 0(%0)" : : "r"(l) : "memory");
}

static void *worker(void *arg) {
    (void)arg;
    __atomic_fetch_add(&start, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&start, __ATOMIC_ACQUIRE) < NT) {}
    for (int i = 0; i < ITERS; i++) {
        spin_lock(&lock_word);
        counter++;
        if (pa + pb != 1000000) broken++;
        pa++;
        pb--;
        spin_unlock(&lock_word);
    }
    return NULL;
}

int main(void) {
    pthread_t t[NT];
    for (long i = 0; i < NT; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < NT; i++) pthread_join(t[i], NULL);
    printf("threads=%d iterations=%d\n", NT, ITERS);
    printf("counter=%ld (expected %d)\n", counter, NT * ITERS);
    printf("pa=%ld pb=%ld broken=%ld lock=%d\n", pa, pb, broken, lock_word);
    return 0;
}
