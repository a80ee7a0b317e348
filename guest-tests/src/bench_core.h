/* bench_core.h: a CoreMark-like workload shared by bench_core_1 and bench_core_2 (written here,
 * not EEMBC's code). One work chunk runs ITERATIONS rounds of three kernels on private data:
 *   list    a 64-node singly linked list (nodes in an array, linked in a shuffled order):
 *           find a value, reverse the list, insertion-sort a 16-node prefix by value, sum
 *   matrix  8x8 int16 matrices: C = A * B (int32), then A += C >> 8 (keeps values moving)
 *   state   a byte-at-a-time state machine classifying a 64-byte buffer of numbers
 *           ("123", "-4.5", "6e7", junk) and counting states and transitions
 * Each round folds its results into a CRC-16, like CoreMark's crcu16; the next round's inputs
 * depend on it. The checksum of a chunk depends only on its seed, and the program combines the
 * chunk checksums in chunk order, so 1 thread and 2 threads print the same value. */
#ifndef BENCH_CORE_H
#define BENCH_CORE_H
#include <stdint.h>
#include <stdlib.h>

#define CHUNKS 2
#ifndef CHUNK_ITERS
#define CHUNK_ITERS 300000
#endif
#define NODES 64
#define MAT 8
#define SBUF 64

static long chunk_iters = CHUNK_ITERS;

static void parse_iters(int argc, char **argv) {
    if (argc > 1) chunk_iters = atol(argv[1]);
}

struct node { struct node *next; int16_t value; int16_t index; };

struct chunk {
    struct node nodes[NODES];
    int16_t a[MAT][MAT], b[MAT][MAT];
    int32_t c[MAT][MAT];
    uint8_t text[SBUF];
};

static uint16_t crc16(uint16_t crc, uint16_t data) {
    for (int i = 0; i < 16; i++) {
        uint16_t x = (data ^ crc) & 1;
        data >>= 1;
        crc = x ? (crc >> 1) ^ 0xA001 : crc >> 1;
    }
    return crc;
}

static uint32_t rnd(uint32_t *s) { *s = *s * 1103515245u + 12345u; return *s >> 8; }

static struct node *list_init(struct chunk *k, uint32_t *s) {
    int order[NODES];
    for (int i = 0; i < NODES; i++) order[i] = i;
    for (int i = NODES - 1; i > 0; i--) { int j = rnd(s) % (i + 1), t = order[i]; order[i] = order[j]; order[j] = t; }
    for (int i = 0; i < NODES; i++) {
        struct node *n = &k->nodes[order[i]];
        n->value = (int16_t)(rnd(s) & 0x7fff);
        n->index = (int16_t)i;
        n->next = i + 1 < NODES ? &k->nodes[order[i + 1]] : NULL;
    }
    return &k->nodes[order[0]];
}

static struct node *list_reverse(struct node *l) {
    struct node *r = NULL;
    while (l) { struct node *n = l->next; l->next = r; r = l; l = n; }
    return r;
}

/* Insertion sort of the first 16 nodes by value (the rest stays as it is). */
static struct node *list_sort_prefix(struct node *l) {
    struct node *sorted = NULL, *rest = l;
    for (int i = 0; i < 16 && rest; i++) {
        struct node *n = rest; rest = rest->next;
        struct node **p = &sorted;
        while (*p && (*p)->value <= n->value) p = &(*p)->next;
        n->next = *p; *p = n;
    }
    struct node *t = sorted;
    while (t->next) t = t->next;
    t->next = rest;
    return sorted;
}

static uint16_t list_kernel(struct node **head, uint16_t crc, int16_t key) {
    struct node *l = *head;
    int found = -1, pos = 0;
    for (struct node *n = l; n; n = n->next, pos++)
        if (n->value == key || (n->value & 0xff) == (key & 0xff)) { found = pos; break; }
    l = list_reverse(l);
    l = list_sort_prefix(l);
    int32_t sum = 0;
    for (struct node *n = l; n; n = n->next) sum += n->value * (n->index + 1);
    l->value = (int16_t)((l->value + crc) & 0x7fff);   /* the data keeps changing */
    *head = l;
    crc = crc16(crc, (uint16_t)found);
    return crc16(crc, (uint16_t)sum);
}

static uint16_t matrix_kernel(struct chunk *k, uint16_t crc) {
    int32_t acc = 0;
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t s = 0;
            for (int m = 0; m < MAT; m++) s += k->a[i][m] * k->b[m][j];
            k->c[i][j] = s;
            acc += s ^ (s >> 5);
        }
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) k->a[i][j] = (int16_t)(k->a[i][j] + (k->c[i][j] >> 8) + (crc & 7));
    return crc16(crc, (uint16_t)acc);
}

enum { S_START, S_INT, S_SIGN, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT, S_INVALID, S_COUNT };

static uint16_t state_kernel(struct chunk *k, uint16_t crc) {
    unsigned counts[S_COUNT] = {0}, transitions = 0;
    int state = S_START;
    for (int i = 0; i < SBUF; i++) {
        uint8_t ch = k->text[i];
        int next = state;
        if (ch == ',') { counts[state]++; next = S_START; }
        else switch (state) {
            case S_START: next = ch >= '0' && ch <= '9' ? S_INT : ch == '-' || ch == '+' ? S_SIGN : S_INVALID; break;
            case S_SIGN:  next = ch >= '0' && ch <= '9' ? S_INT : S_INVALID; break;
            case S_INT:   next = ch == '.' ? S_FRAC : ch == 'e' || ch == 'E' ? S_EXP : ch >= '0' && ch <= '9' ? S_INT : S_INVALID; break;
            case S_FRAC:  next = ch == 'e' || ch == 'E' ? S_EXP : ch >= '0' && ch <= '9' ? S_FRAC : S_INVALID; break;
            case S_EXP:   next = ch == '-' || ch == '+' ? S_EXP_SIGN : ch >= '0' && ch <= '9' ? S_EXP_INT : S_INVALID; break;
            case S_EXP_SIGN: case S_EXP_INT: next = ch >= '0' && ch <= '9' ? S_EXP_INT : S_INVALID; break;
            default: break;
        }
        if (next != state) transitions++;
        state = next;
    }
    /* Corrupt one byte, as CoreMark does between passes, so the next pass differs. */
    static const char alphabet[] = "0123456789+-.eE,x";
    k->text[crc % SBUF] = (uint8_t)alphabet[(crc >> 6) % (sizeof alphabet - 1)];
    for (int s = 0; s < S_COUNT; s++) crc = crc16(crc, (uint16_t)counts[s]);
    return crc16(crc, (uint16_t)transitions);
}

static uint16_t run_chunk(uint32_t seed, struct chunk *k) {
    uint32_t s = seed;
    struct node *head = list_init(k, &s);
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) { k->a[i][j] = (int16_t)(rnd(&s) % 61 - 30); k->b[i][j] = (int16_t)(rnd(&s) % 61 - 30); }
    static const char *words[] = {"123", "-4.5", "6e7", "+89", "1.5E-3", "x7", "42", "0.001", "-", "9e+2"};
    int pos = 0;
    while (pos < SBUF) {
        const char *w = words[rnd(&s) % 10];
        while (*w && pos < SBUF) k->text[pos++] = (uint8_t)*w++;
        if (pos < SBUF) k->text[pos++] = ',';
    }
    uint16_t crc = (uint16_t)seed;
    for (long it = 0; it < chunk_iters; it++) {
        crc = list_kernel(&head, crc, (int16_t)(crc & 0x7fff));
        crc = matrix_kernel(k, crc);
        crc = state_kernel(k, crc);
    }
    return crc;
}

static uint32_t combine(const uint16_t *chunk_crcs) {
    uint32_t h = 2166136261u;
    for (int c = 0; c < CHUNKS; c++) h = (h ^ chunk_crcs[c]) * 16777619u;
    return h;
}
#endif
