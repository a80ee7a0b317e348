/* bench_core_1: the CoreMark-like workload of bench_core.h (linked list, matrix, state machine,
 * CRC-16), single thread: both work chunks one after the other in the main thread. Prints the
 * same checksum as bench_core_2, which runs the same chunks on two threads. */
#include <stdio.h>
#include "bench_core.h"

static struct chunk chunks[CHUNKS];

int main(int argc, char **argv) {
    parse_iters(argc, argv);
    uint16_t crcs[CHUNKS];
    for (int c = 0; c < CHUNKS; c++) crcs[c] = run_chunk(7 + 1000 * c, &chunks[c]);
    printf("chunks=%d iterations/chunk=%ld threads=1\n", CHUNKS, chunk_iters);
    for (int c = 0; c < CHUNKS; c++) printf("crc[%d]=%04x\n", c, crcs[c]);
    printf("checksum=%08x\n", combine(crcs));
    return 0;
}
