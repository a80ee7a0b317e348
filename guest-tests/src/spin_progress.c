/* spin_progress: a store by one thread must eventually become visible to a thread that
 * spin-waits with plain loads (no fences, no atomics; the loads are inline-asm lw/lb/ld so the
 * compiler cannot hoist them, and an emulator must not either). Must terminate:
 *  1. one-shot: thread B does some work, then a plain sw of a flag; thread A spins on lw;
 *  2. ping-pong: two threads hand a turn word back and forth 300 times with plain sw/lw
 *     (after 20000 fruitless polls a player yields the CPU, so an oversubscribed host does not
 *     cost a time slice per round; the one-shot waits of 1 and 3 never yield);
 *  3. the same one-shot wait on a byte (lb/sb) and on a doubleword (ld/sd). */
// build-flags: -pthread
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>

#define ROUNDS 300

static int flag32;
static int8_t flag8;
static int64_t flag64;
static int turn;
static long spins_seen;

static inline int ld32(const int *p) { int v; __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(p)); return v; }
static inline void st32(int *p, int v) { __asm__ volatile("sw %1, 0(%0)" : : "r"(p), "r"(v)); }
static inline int ld8(const int8_t *p) { int v; __asm__ volatile("lb %0, 0(%1)" : "=r"(v) : "r"(p)); return v; }
static inline void st8(int8_t *p, int v) { __asm__ volatile("sb %1, 0(%0)" : : "r"(p), "r"(v)); }
static inline int64_t ld64(const int64_t *p) { int64_t v; __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(p)); return v; }
static inline void st64(int64_t *p, int64_t v) { __asm__ volatile("sd %1, 0(%0)" : : "r"(p), "r"(v)); }

static void *setter(void *arg) {
    (void)arg;
    volatile unsigned x = 1;
    for (int i = 0; i < 200000; i++) x = x * 1103515245u + 12345u;   /* some work first */
    st32(&flag32, 1);
    for (int i = 0; i < 1000; i++) x = x * 1103515245u + 12345u;
    st8(&flag8, -5);
    for (int i = 0; i < 1000; i++) x = x * 1103515245u + 12345u;
    st64(&flag64, 0x123456789abcdefLL);
    return NULL;
}

static void *player(void *arg) {
    int me = (int)(long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        for (int spins = 0; ld32(&turn) != me;)
            if (++spins >= 20000) { sched_yield(); spins = 0; }
        st32(&turn, 1 - me);
    }
    return NULL;
}

int main(void) {
    pthread_t t, a, b;
    pthread_create(&t, NULL, setter, NULL);
    long spins = 0;
    while (ld32(&flag32) == 0) spins++;
    printf("word flag seen: %d\n", ld32(&flag32));
    while (ld8(&flag8) == 0) spins++;
    printf("byte flag seen: %d\n", ld8(&flag8));
    while (ld64(&flag64) == 0) spins++;
    printf("doubleword flag seen: %#llx\n", (unsigned long long)ld64(&flag64));
    pthread_join(t, NULL);
    spins_seen = spins;

    pthread_create(&a, NULL, player, (void *)0L);
    pthread_create(&b, NULL, player, (void *)1L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("ping-pong: %d rounds each, final turn=%d\n", ROUNDS, turn);
    return 0;
}
