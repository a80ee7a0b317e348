/* racy_threads [ITERS] [THREADS]: racy_counter with more threads. THREADS threads (default 4,
 * at most 16) each do ITERS (default 200,000) non-atomic increments of one shared int (load,
 * add, store through a volatile pointer). Lost updates make the final count vary between runs
 * (under a serializing emulator it may be exactly ITERS x THREADS). With more than two threads
 * a granule is wanted by several vCPUs at once, which the recorder's transfers must order.
 * The threads start together after a spin barrier. Output: "count=N" (see expected/racy_threads.stdout-regex). */
// build-flags: -pthread
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int iters = 200000;
static int counter;
static int ready;
static int nthreads = 4;

static void *worker(void *arg) {
    (void)arg;
    volatile int *p = &counter;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < nthreads) {}
    for (int i = 0; i < iters; i++) *p = *p + 1;   /* lw; addiw; sw - racy on purpose */
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t t[16];
    if (argc > 1) iters = atoi(argv[1]);
    if (argc > 2) nthreads = atoi(argv[2]);
    if (nthreads < 1 || nthreads > 16) {
        fprintf(stderr, "racy_threads: THREADS must be 1 to 16\n");
        return 2;
    }
    for (int i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
    printf("count=%d\n", counter);
    return 0;
}
