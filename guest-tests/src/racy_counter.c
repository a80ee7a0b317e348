/* racy_counter [ITERS]: a genuine data race. Two threads each do ITERS (default 1,000,000)
 * non-atomic increments of one shared int: load, add, store through a volatile pointer, so
 * every iteration really goes to memory and the compiler cannot collapse the loop. Lost updates make the final count
 * vary between runs (anything from about 1,000,000 to 2,000,000 can appear; under a
 * serializing emulator it may be exactly 2,000,000). The threads start together after a
 * spin barrier. Output: "count=N" (see expected/racy_counter.stdout-regex). */
// build-flags: -pthread
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int iters = 1000000;
static int counter;
static int ready;

static void *worker(void *arg) {
    (void)arg;
    volatile int *p = &counter;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < 2) {}
    for (int i = 0; i < iters; i++) *p = *p + 1;   /* lw; addiw; sw - racy on purpose */
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t a, b;
    if (argc > 1) iters = atoi(argv[1]);
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("count=%d\n", counter);
    return 0;
}
