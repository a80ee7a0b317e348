/* false_sharing: two threads write disjoint halves of one page-aligned 4 KiB page. First TURNS
 * rounds taking turns (a turn word on a page of its own says whose round it is), so that with
 * page-sized ownership granules the page must move at every round; then ROUNDS rounds at the
 * same time (a spin barrier first). Each sums its own half, main prints the sums and where the
 * page is (a static, non-PIE binary: always the same address).
 * With page granules the page moves back and forth until the recorder splits it into lines;
 * with 64-byte granules each half stays with its thread (RecordReplayTest checks both). */
// build-flags: -pthread
#include <pthread.h>
#include <stdio.h>

#define TURNS 40
#define ROUNDS 400
#define HALF 2048

static unsigned char page[2 * HALF] __attribute__((aligned(4096)));
static int turn __attribute__((aligned(4096)));
static int arrived;
static unsigned long sums[2];

static void *worker(void *arg) {
    long t = (long)arg;
    volatile unsigned char *mine = page + t * HALF;
    for (int r = 0; r < TURNS; r++) {
        while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 2 * r + t) {}
        for (int i = 0; i < HALF; i++) mine[i] = (unsigned char)(mine[i] + i + r + t);
        __atomic_store_n(&turn, 2 * r + t + 1, __ATOMIC_RELEASE);
    }
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < 2) {}
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < HALF; i++) mine[i] = (unsigned char)(mine[i] + i + r + t);
    unsigned long s = 0;
    for (int i = 0; i < HALF; i++) s = s * 31 + mine[i];
    sums[t] = s;
    return NULL;
}

int main(void) {
    pthread_t th[2];
    for (long t = 0; t < 2; t++) pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
    printf("page 0x%lx sums %lu %lu\n", (unsigned long)page, sums[0], sums[1]);
    return 0;
}
