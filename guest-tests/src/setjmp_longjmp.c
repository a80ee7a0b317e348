/* setjmp_longjmp: setjmp returns 0, then longjmp's value (and 1 for longjmp(env, 0)); callee-
 * saved registers (integer s0-s11 and FP fs0-fs11) and local volatiles are restored; nested
 * jumps out of deep recursion unwind the stack correctly. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env, inner;
static int depth_reached;

static void __attribute__((noinline)) recurse(int depth, int target) {
    volatile char pad[64];
    pad[0] = (char)depth;
    depth_reached = depth + pad[0] - pad[0];
    if (depth == target) longjmp(env, depth);
    if (depth > 1000) return;
    recurse(depth + 1, target);
}

static double __attribute__((noinline)) fp_work(double x) {
    register double a asm("fs0") = x * 2;
    register double b asm("fs11") = x * 3;
    if (setjmp(inner) == 0) {
        __asm__ volatile("fmv.d.x fs0, zero\n\tfmv.d.x fs11, zero" ::: "fs0", "fs11");
        longjmp(inner, 7);
    }
    __asm__ volatile("" : "+f"(a), "+f"(b));
    return a + b;
}

int main(void) {
    volatile int counter = 0;
    int r = setjmp(env);
    printf("setjmp returned %d (counter=%d)\n", r, counter);
    if (counter < 3) {
        counter++;
        longjmp(env, counter * 10);
    }
    if (counter == 3) {
        counter++;
        longjmp(env, 0);   /* must arrive as 1 */
    }
    for (int target = 1; target <= 200; target *= 5) {
        int v = setjmp(env);
        if (v == 0) recurse(0, target);
        else printf("jumped out of recursion depth %d (reached %d)\n", v, depth_reached);
    }
    /* callee-saved integer registers survive a longjmp that clobbered them */
    register long s1 asm("s1") = 0x1111;
    register long s11 asm("s11") = 0xbbbb;
    __asm__ volatile("" : "+r"(s1), "+r"(s11));
    if (setjmp(inner) == 0) {
        __asm__ volatile("li s1, 0\n\tli s11, 0" ::: "s1", "s11");
        longjmp(inner, 1);
    }
    __asm__ volatile("" : "+r"(s1), "+r"(s11));
    printf("s1=%lx s11=%lx\n", s1, s11);
    printf("fp callee-saved after longjmp: %g\n", fp_work(1.5));

    sigjmp_buf senv;
    if (sigsetjmp(senv, 1) == 0) siglongjmp(senv, 5);
    else printf("siglongjmp ok\n");
    return 0;
}
