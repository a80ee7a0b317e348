/* fs_c: freestanding C (no libc: -nostdlib -ffreestanding) for the differential trace against
 * QEMU. Its own _start (sets gp, calls c_main), recursion (Ackermann, Fibonacci), an insertion
 * sort and a recursive quicksort of LCG data, a CRC-32, a struct copy; prints the results with
 * the write syscall (ecall 64) and exits with exit_group (ecall 94) status 42. Compiled -O2,
 * so it is mostly compressed instructions. ~50k instructions. */
typedef unsigned long u64;
typedef unsigned int u32;
typedef long i64;

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        ".option push\n.option norelax\n"
        "  la gp, __global_pointer$\n"
        ".option pop\n"
        "  andi sp, sp, -16\n"
        "  call c_main\n"
        "1: j 1b\n");

static i64 sys3(i64 n, i64 a, i64 b, i64 c) {
    register i64 a0 __asm__("a0") = a;
    register i64 a1 __asm__("a1") = b;
    register i64 a2 __asm__("a2") = c;
    register i64 a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

/* GCC may emit calls to these even when freestanding */
void *memcpy(void *d, const void *s, u64 n) {
    char *dd = d;
    const char *ss = s;
    while (n--) *dd++ = *ss++;
    return d;
}
void *memset(void *d, int v, u64 n) {
    char *dd = d;
    while (n--) *dd++ = (char)v;
    return d;
}

static u64 slen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
static void puts_(const char *s) { sys3(64, 1, (i64)s, (i64)slen(s)); }
static void put_u64(const char *label, u64 v, int hex) {
    char buf[64];
    int n = 0;
    for (const char *p = label; *p; p++) buf[n++] = *p;
    char digits[24];
    int k = 0;
    do { u64 d = hex ? v & 15 : v % 10; digits[k++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v = hex ? v >> 4 : v / 10; } while (v);
    while (k) buf[n++] = digits[--k];
    buf[n++] = '\n';
    sys3(64, 1, (i64)buf, n);
}

static u64 ack(u64 m, u64 n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static u64 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u32 seed = 2463534242u;
static u32 lcg(void) { seed = seed * 1664525u + 1013904223u; return seed; }

static void quicksort(i64 *a, i64 lo, i64 hi) {
    if (lo >= hi) return;
    i64 p = a[(lo + hi) / 2], i = lo, j = hi;
    while (i <= j) {
        while (a[i] < p) i++;
        while (a[j] > p) j--;
        if (i <= j) { i64 t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    quicksort(a, lo, j);
    quicksort(a, i, hi);
}

static void insertion_sort(u32 *a, int n) {
    for (int i = 1; i < n; i++) {
        u32 v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static u32 crc32(const unsigned char *p, u64 n) {
    u32 c = 0xffffffffu;
    for (u64 i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

struct rec { i64 key; u32 tag; unsigned char name[20]; };

static i64 qdata[200];
static u32 idata[60];

void c_main(void) {
    puts_("fs_c: freestanding C\n");
    put_u64("ack(2,3)=", ack(2, 3), 0);
    put_u64("fib(15)=", fib(15), 0);

    for (int i = 0; i < 200; i++) qdata[i] = (i64)(lcg() % 2001) - 1000;
    quicksort(qdata, 0, 199);
    int sorted = 1;
    for (int i = 1; i < 200; i++) sorted &= qdata[i - 1] <= qdata[i];
    put_u64("quicksort sorted=", (u64)sorted, 0);
    put_u64("min+1000=", (u64)(qdata[0] + 1000), 0);
    put_u64("max+1000=", (u64)(qdata[199] + 1000), 0);

    for (int i = 0; i < 60; i++) idata[i] = lcg() >> 8;
    insertion_sort(idata, 60);
    sorted = 1;
    for (int i = 1; i < 60; i++) sorted &= idata[i - 1] <= idata[i];
    put_u64("insertion sorted=", (u64)sorted, 0);

    u32 c1 = crc32((const unsigned char *)qdata, 256);
    u32 c2 = crc32((const unsigned char *)"123456789", 9);   /* the standard check value cbf43926 */
    put_u64("crc32(qdata[0..31])=", c1, 1);
    put_u64("crc32(\"123456789\")=", c2, 1);

    struct rec a = {-5, 0xabcdu, "structure copy"}, b;
    b = a;
    b.name[0] = 'S';
    put_u64("struct crc=", crc32((const unsigned char *)&b, sizeof b), 1);

    sys3(94, 42, 0, 0);
    for (;;) {}
}
