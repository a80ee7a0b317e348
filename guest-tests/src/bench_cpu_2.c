/* bench_cpu_2: the work of bench_cpu_1 split over two threads, one chunk each, each on its
 * own private table. Prints the same checksum as bench_cpu_1 (the thread count is reported on
 * its own line, so the checksum line is identical). Scales with the host cores if the
 * emulator really runs vCPUs in parallel. */
// build-flags: -pthread
#include <pthread.h>
#include <stdio.h>
#include "bench_cpu.h"

static uint64_t tables[CHUNKS][TABLE];
static uint64_t sums[CHUNKS];

static void *worker(void *arg) {
    long c = (long)arg;
    sums[c] = run_chunk(1000 + c, tables[c]);
    return NULL;
}

int main(int argc, char **argv) {
    parse_iters(argc, argv);
    pthread_t t[CHUNKS];
    for (long c = 0; c < CHUNKS; c++) pthread_create(&t[c], NULL, worker, (void *)c);
    for (int c = 0; c < CHUNKS; c++) pthread_join(t[c], NULL);
    printf("chunks=%d iterations/chunk=%ld threads=2\n", CHUNKS, chunk_iters);
    printf("checksum=%016llx\n", (unsigned long long)combine(sums));
    return 0;
}
