/* atomic_counter: 4 threads x 100,000 increments with __atomic_fetch_add on a 32-bit
 * (amoadd.w) and a 64-bit (amoadd.d) counter, plus relaxed fetch_or/fetch_and/fetch_xor and
 * compare-exchange (lr/sc loops) on further words. All results are exact. */
// build-flags: -pthread
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define NT 4
#define ITERS 100000

static uint32_t c32;
static uint64_t c64;
static uint64_t bits;          /* each thread sets and clears its own bit, ends with its bit set */
static uint64_t xor_acc;       /* each thread xors an even number of times: ends 0 */
static uint64_t cas_count;     /* incremented with a CAS loop */
static uint32_t max_seen;      /* __atomic max via CAS */
static int start;

static void *worker(void *arg) {
    long id = (long)arg;
    __atomic_fetch_add(&start, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&start, __ATOMIC_ACQUIRE) < NT) {}
    for (int i = 0; i < ITERS; i++) {
        __atomic_fetch_add(&c32, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&c64, 3, __ATOMIC_SEQ_CST);
        if ((i & 15) == 0) {
            __atomic_fetch_or(&bits, 1ULL << id, __ATOMIC_ACQ_REL);
            __atomic_fetch_and(&bits, ~(1ULL << id), __ATOMIC_ACQ_REL);
            __atomic_fetch_xor(&xor_acc, 0x5555ULL << id, __ATOMIC_RELAXED);
            uint64_t old = __atomic_load_n(&cas_count, __ATOMIC_RELAXED);
            while (!__atomic_compare_exchange_n(&cas_count, &old, old + 1, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {}
            uint32_t v = (uint32_t)(id * ITERS + i), m = __atomic_load_n(&max_seen, __ATOMIC_RELAXED);
            while (v > m && !__atomic_compare_exchange_n(&max_seen, &m, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
        }
    }
    __atomic_fetch_or(&bits, 1ULL << id, __ATOMIC_RELEASE);
    return NULL;
}

int main(void) {
    pthread_t t[NT];
    for (long i = 0; i < NT; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < NT; i++) pthread_join(t[i], NULL);
    printf("c32=%u (expected %u)\n", c32, NT * ITERS);
    printf("c64=%llu (expected %llu)\n", (unsigned long long)c64, 3ULL * NT * ITERS);
    printf("bits=%#llx xor=%#llx\n", (unsigned long long)bits, (unsigned long long)xor_acc);
    printf("cas_count=%llu (expected %d)\n", (unsigned long long)cas_count, NT * ITERS / 16);
    printf("max_seen=%u\n", max_seen);
    return 0;
}
