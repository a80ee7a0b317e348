/* Freestanding: dumps the initial stack, from sp to the end of its page-aligned top, as hex. */
typedef unsigned long u64;
static long sys3(long n, long a, long b, long c) {
    register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a7 asm("a7") = n;
    asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
static char buf[1 << 16];
void dump(u64 *sp) {
    u64 argc = sp[0], *p = sp + 1 + argc + 1;
    while (*p) p++;
    p++;
    u64 execfn = 0;
    for (; p[0]; p += 2) if (p[0] == 31) execfn = p[1];
    u64 top = (execfn | 0xfff) + 1;
    const char *hex = "0123456789abcdef";
    int n = 0;
    u64 a = (u64) sp;
    for (int i = 15; i >= 0; i--) buf[n++] = hex[(a >> (4 * i)) & 15];
    buf[n++] = '\n';
    for (unsigned char *b = (unsigned char *) sp; (u64) b < top; b++) {
        buf[n++] = hex[*b >> 4]; buf[n++] = hex[*b & 15];
        if (n >= (int) sizeof buf - 4) { sys3(64, 1, (long) buf, n); n = 0; }
    }
    buf[n++] = '\n';
    sys3(64, 1, (long) buf, n);
    sys3(93, 0, 0, 0);
}
asm(".globl _start\n_start:\n mv a0, sp\n call dump\n");
