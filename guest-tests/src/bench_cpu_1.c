/* bench_cpu_1: CPU-bound integer benchmark, single thread: runs both work chunks of
 * bench_cpu.h one after the other in the main thread. Prints the same checksum as
 * bench_cpu_2, which runs the same chunks on two threads. */
#include <stdio.h>
#include "bench_cpu.h"

static uint64_t tables[CHUNKS][TABLE];

int main(int argc, char **argv) {
    parse_iters(argc, argv);
    uint64_t sums[CHUNKS];
    for (int c = 0; c < CHUNKS; c++) sums[c] = run_chunk(1000 + c, tables[c]);
    printf("chunks=%d iterations/chunk=%ld threads=1\n", CHUNKS, chunk_iters);
    printf("checksum=%016llx\n", (unsigned long long)combine(sums));
    return 0;
}
