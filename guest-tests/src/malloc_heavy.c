/* malloc_heavy: thousands of malloc/realloc/free of varied sizes, including blocks above the
 * 128 KiB mmap threshold (so glibc uses mmap/munmap as well as brk), plus calloc. Each block
 * is filled with a pattern that is verified before it is freed or grown; prints counts and a
 * checksum over all verified bytes. Deterministic: the sizes come from a fixed LCG. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define OPS 6000

static uint64_t rng = 12345;
static uint32_t next(void) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

static unsigned char *blk[SLOTS];
static size_t len[SLOTS];
static unsigned char tag[SLOTS];
static uint64_t checksum, bytes_checked;
static int errors;

static void fill(int i, size_t from) {
    for (size_t k = from; k < len[i]; k++) blk[i][k] = (unsigned char)(tag[i] + k * 31);
}

static void verify(int i, size_t n) {
    for (size_t k = 0; k < n; k++) {
        unsigned char want = (unsigned char)(tag[i] + k * 31);
        if (blk[i][k] != want) { errors++; return; }
        checksum = checksum * 1099511628211ULL ^ want;
    }
    bytes_checked += n;
}

static size_t pick_size(void) {
    uint32_t r = next() % 100;
    if (r < 60) return 1 + next() % 256;              /* small: tcache/fastbins */
    if (r < 90) return 256 + next() % 8192;           /* medium */
    if (r < 97) return 8192 + next() % 65536;         /* large, still brk */
    return 131072 + next() % 393216;                  /* >128 KiB: mmap */
}

int main(void) {
    int mallocs = 0, reallocs = 0, frees = 0, big = 0;
    for (int op = 0; op < OPS; op++) {
        int i = next() % SLOTS;
        if (blk[i] == NULL) {
            len[i] = pick_size();
            if (len[i] >= 131072) big++;
            tag[i] = (unsigned char)next();
            blk[i] = malloc(len[i]);
            mallocs++;
            fill(i, 0);
        } else if (next() % 3 == 0) {
            size_t old = len[i];
            size_t nl = pick_size();
            if (nl >= 131072) big++;
            verify(i, old);
            unsigned char *p = realloc(blk[i], nl);
            if (!p) { printf("realloc failed\n"); return 1; }
            blk[i] = p;
            len[i] = nl;
            verify(i, old < nl ? old : nl);   /* contents survive realloc */
            fill(i, old < nl ? old : nl);
            reallocs++;
        } else {
            verify(i, len[i]);
            free(blk[i]);
            blk[i] = NULL;
            frees++;
        }
    }
    for (int i = 0; i < SLOTS; i++)
        if (blk[i]) { verify(i, len[i]); free(blk[i]); frees++; }

    /* calloc must return zeroed memory, also when reusing freed chunks */
    int nonzero = 0;
    for (int k = 0; k < 200; k++) {
        size_t n = 1 + next() % 300000;
        unsigned char *p = calloc(n, 1);
        for (size_t j = 0; j < n; j++) nonzero += p[j] != 0;
        memset(p, 0xA5, n);
        free(p);
    }
    printf("mallocs=%d reallocs=%d frees=%d big=%d\n", mallocs, reallocs, frees, big);
    printf("bytes_checked=%llu errors=%d calloc_nonzero=%d\n", (unsigned long long)bytes_checked, errors, nonzero);
    printf("checksum=%016llx\n", (unsigned long long)checksum);
    return errors != 0;
}
