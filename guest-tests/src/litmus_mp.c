/* litmus_mp: message passing. Writer: data[i]=1; <order>; flag[i]=1. Reader: spin until
 * flag[i]==1; <order>; r=data[i]. The outcome "flag seen, data still 0" is forbidden by RVWMO
 * for every variant here, so each line must report forbidden=0:
 *   mp_fence     writer fence w,w          reader fence r,r
 *   mp_relacq    writer fence rw,w         reader fence r,rw  (release/acquire fences)
 *   mp_amo       writer amoswap.w.rl flag  reader amoor.w.aq (atomic read-acquire of flag)
 *   mp_addrdep   writer fence w,w          reader address dependency flag -> data load
 * data and flag live in different arrays (different pages). */
// build-flags: -pthread
#define ITERS 10000
#include "litmus.h"

static int data[ITERS], flag[ITERS];
static int variant;
static int forbidden;

static void *writer(void *arg) {
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        rendezvous(0, i);
        st32(&data[i], 1);
        switch (variant) {
        case 0: case 3:
            __asm__ volatile("fence w, w" ::: "memory");
            st32(&flag[i], 1);
            break;
        case 1:
            __asm__ volatile("fence rw, w" ::: "memory");
            st32(&flag[i], 1);
            break;
        case 2: {
            int old;
            __asm__ volatile("amoswap.w.rl %0, %2, (%1)" : "=r"(old) : "r"(&flag[i]), "r"(1) : "memory");
            break;
        }
        }
    }
    return NULL;
}

static void *reader(void *arg) {
    (void)arg;
    int bad = 0;
    for (int i = 0; i < ITERS; i++) {
        rendezvous(1, i);
        int r;
        switch (variant) {
        case 0:
            spin_nonzero(&flag[i]);
            __asm__ volatile("fence r, r" ::: "memory");
            r = ld32(&data[i]);
            break;
        case 1:
            spin_nonzero(&flag[i]);
            __asm__ volatile("fence r, rw" ::: "memory");
            r = ld32(&data[i]);
            break;
        case 2: {
            int f, spins = 0;
            for (;;) {
                __asm__ volatile("amoor.w.aq %0, zero, (%1)" : "=r"(f) : "r"(&flag[i]) : "memory");
                if (f != 0) break;
                if (++spins >= 1000) { sched_yield(); spins = 0; }
            }
            r = ld32(&data[i]);
            break;
        }
        default: {
            /* spin until the flag is seen, load it once more (coherence: it stays 1), then load
             * data through an address that syntactically depends on that flag load */
            int *d = &data[i];
            spin_nonzero(&flag[i]);
            __asm__ volatile(
                "1: lw   t0, 0(%1)\n"
                "   beqz t0, 1b\n"
                "   xor  t0, t0, t0\n"
                "   add  t0, %2, t0\n"
                "   lw   %0, 0(t0)\n"
                : "=r"(r) : "r"(&flag[i]), "r"(d) : "t0", "memory");
            break;
        }
        }
        if (r != 1) bad++;
    }
    forbidden = bad;
    return NULL;
}

int main(void) {
    static const char *names[] = {"mp_fence", "mp_relacq", "mp_amo", "mp_addrdep"};
    for (variant = 0; variant < 4; variant++) {
        memset(data, 0, sizeof data);
        memset(flag, 0, sizeof flag);
        forbidden = -1;
        run2(writer, reader);
        printf("%s: iterations=%d forbidden(flag=1,data=0)=%d\n", names[variant], ITERS, forbidden);
    }
    return 0;
}
