/* bench_core_2: the work of bench_core_1 split over two threads, one chunk each, each on its
 * own private data. Prints the same per-chunk CRCs and checksum as bench_core_1 (the thread
 * count is on its own line). Scales with the host cores if the emulator really runs vCPUs in
 * parallel. */
// build-flags: -pthread
#include <pthread.h>
#include <stdio.h>
#include "bench_core.h"

static struct chunk chunks[CHUNKS];
static uint16_t crcs[CHUNKS];

static void *worker(void *arg) {
    long c = (long)arg;
    crcs[c] = run_chunk(7 + 1000 * c, &chunks[c]);
    return NULL;
}

int main(int argc, char **argv) {
    parse_iters(argc, argv);
    pthread_t t[CHUNKS];
    for (long c = 0; c < CHUNKS; c++) pthread_create(&t[c], NULL, worker, (void *)c);
    for (int c = 0; c < CHUNKS; c++) pthread_join(t[c], NULL);
    printf("chunks=%d iterations/chunk=%ld threads=2\n", CHUNKS, chunk_iters);
    for (int c = 0; c < CHUNKS; c++) printf("crc[%d]=%04x\n", c, crcs[c]);
    printf("checksum=%08x\n", combine(crcs));
    return 0;
}
