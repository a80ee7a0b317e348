/* bench_cpu.h: the CPU-bound kernel shared by bench_cpu_1 and bench_cpu_2.
 * One work chunk: an xorshift64 generator and an LCG drive loads, stores and arithmetic on a
 * private 64 KiB table (8192 x uint64_t, so it stays in cache), with a data-dependent branch.
 * The checksum of a chunk depends only on its seed; the program checksum combines the chunk
 * checksums in chunk order, so 1 thread and 2 threads print the same value. */
#ifndef BENCH_CPU_H
#define BENCH_CPU_H
#include <stdint.h>
#include <stdlib.h>

#define CHUNKS 2
#ifndef CHUNK_ITERS
#define CHUNK_ITERS 120000000
#endif
#define TABLE 8192

/* Iterations per chunk: CHUNK_ITERS unless argv[1] says otherwise (tests run a short version). */
static long chunk_iters = CHUNK_ITERS;

static void parse_iters(int argc, char **argv) {
    if (argc > 1) chunk_iters = atol(argv[1]);
}

static uint64_t run_chunk(uint64_t seed, uint64_t *table) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL | 1, lcg = seed;
    for (int i = 0; i < TABLE; i++) table[i] = (uint64_t)i * 0x100000001B3ULL ^ seed;
    uint64_t acc = 0;
    for (long i = 0; i < chunk_iters; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;               /* xorshift64 */
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t a = (uint32_t)(x & (TABLE - 1));
        uint32_t b = (uint32_t)((lcg >> 40) & (TABLE - 1));
        uint64_t v = table[a];
        if (v & 1) acc += v >> 3;
        else acc ^= v * 3;
        table[b] = v + (lcg >> 17) + (uint64_t)i;
    }
    for (int i = 0; i < TABLE; i++) acc = (acc ^ table[i]) * 0x100000001B3ULL;
    return acc;
}

static uint64_t combine(const uint64_t *chunk_sums) {
    uint64_t h = 1469598103934665603ULL;
    for (int c = 0; c < CHUNKS; c++) h = (h ^ chunk_sums[c]) * 0x100000001B3ULL;
    return h;
}
#endif
