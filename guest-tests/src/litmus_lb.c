/* litmus_lb: load buffering. T0: r0=x[i]; <order>; y[i]=1.  T1: r1=y[i]; <order>; x[i]=1.
 * r0=r1=1 needs each load to see a store that comes after the other thread's load in program
 * order. RVWMO forbids it whenever each thread orders its load before its store; the three
 * variants use the three kinds of preserved program order for load->store:
 *   lb_fence    fence r,w between the load and the store       (PPO rule 4, fence)
 *   lb_datadep  stored value = 1 + (r xor r)                    (PPO rule 10, syntactic data dep.)
 *   lb_ctrldep  a branch on r between the load and the store    (PPO rule 11, control dep. to a store)
 * Every line must print forbidden=0; the allowed outcome counts vary (regex). */
// build-flags: -pthread
#define ITERS 10000
#include "litmus.h"

static int x[ITERS], y[ITERS];
static int r0s[ITERS], r1s[ITERS];
static int variant;

static inline int body(int *load_from, int *store_to) {
    int r, one = 1;
    switch (variant) {
    case 0:
        __asm__ volatile("lw %0, 0(%1)\n\tfence r, w\n\tsw %3, 0(%2)"
                         : "=&r"(r) : "r"(load_from), "r"(store_to), "r"(one) : "memory");
        break;
    case 1:
        __asm__ volatile("lw %0, 0(%1)\n\txor t0, %0, %0\n\taddi t0, t0, 1\n\tsw t0, 0(%2)"
                         : "=&r"(r) : "r"(load_from), "r"(store_to) : "t0", "memory");
        break;
    default:
        __asm__ volatile("lw %0, 0(%1)\n\tbeq %0, %0, 1f\n1:\tsw %3, 0(%2)"
                         : "=&r"(r) : "r"(load_from), "r"(store_to), "r"(one) : "memory");
        break;
    }
    return r;
}

static void *t0(void *arg) {
    (void)arg;
    for (int i = 0; i < ITERS; i++) { rendezvous(0, i); r0s[i] = body(&x[i], &y[i]); }
    return NULL;
}
static void *t1(void *arg) {
    (void)arg;
    for (int i = 0; i < ITERS; i++) { rendezvous(1, i); r1s[i] = body(&y[i], &x[i]); }
    return NULL;
}

int main(void) {
    static const char *names[] = {"lb_fence", "lb_datadep", "lb_ctrldep"};
    for (variant = 0; variant < 3; variant++) {
        memset(x, 0, sizeof x); memset(y, 0, sizeof y);
        run2(t0, t1);
        int c[4] = {0};
        for (int i = 0; i < ITERS; i++) c[r0s[i] * 2 + r1s[i]]++;
        printf("%s: iterations=%d forbidden(r0=1,r1=1)=%d\n", names[variant], ITERS, c[3]);
        printf("  outcomes 00=%d 01=%d 10=%d total=%d\n", c[0], c[1], c[2], c[0] + c[1] + c[2] + c[3]);
    }
    return 0;
}
