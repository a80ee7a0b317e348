/* bench_fp: floating-point kernel, single thread, double and single precision. Per iteration of
 * the outer loop:
 *   double  a 32-element polynomial evaluation (Horner with fma: fmadd.d), a damped
 *           oscillator step (fmul/fadd/fsub/fdiv), sqrt of a sum of squares (fsqrt.d)
 *   single  the same in float (fmadd.s, fdiv.s, fsqrt.s)
 *   conversions  double->int32/int64 truncation (fcvt.w.d/fcvt.l.d rtz), int->double
 *           (fcvt.d.w/fcvt.d.l), double<->float (fcvt.s.d/fcvt.d.s)
 * All in the default rounding mode (round to nearest even), as a C program runs. Prints the
 * raw bits of the results (exact: any emulator must agree with qemu bit for bit) and the
 * accumulated fflags. The iteration count is argv[1] (default ITERS). */
// build-flags: -lm
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ITERS
#define ITERS 1500000
#endif
#define N 32

static uint64_t bits_d(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t bits_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : ITERS;
    double cd[N]; float cf[N];
    for (int i = 0; i < N; i++) { cd[i] = 1.0 / (i + 1) * ((i & 1) ? -1 : 1); cf[i] = (float)cd[i] * 0.75f; }
    double x = 0.3, v = 0.0, accd = 0.0, normd = 0.0;
    float y = 0.7f, w = 0.0f, accf = 0.0f, normf = 0.0f;
    int64_t iacc = 0;
    feclearexcept(FE_ALL_EXCEPT);
    for (long it = 0; it < iters; it++) {
        /* double: every quantity stays bounded (|x| < 0.5, |t| < 0.75), so no overflow, no NaN */
        double t = 0.5 * x + (double)(it & 1023) * (1.0 / 2048) - 0.25;
        double p = cd[N - 1];
        for (int i = N - 2; i >= 0; i--) p = fma(p, t, cd[i]);
        double a = -0.5 * x - 0.01 * v;
        v = v + a * 0.01;
        x = 0.99 * (x + v * 0.01) + 0.001 * p / (1.0 + t * t);
        accd += p;
        normd = sqrt(normd * 0.5 + p * p + x * x);
        /* single */
        float s = 0.5f * y + (float)(it & 1023) * (1.0f / 2048) - 0.25f;
        float q = cf[N - 1];
        for (int i = N - 2; i >= 0; i--) q = fmaf(q, s, cf[i]);
        float b = -0.5f * y - 0.01f * w;
        w = w + b * 0.01f;
        y = 0.99f * (y + w * 0.01f) + 0.001f * q / (1.0f + s * s);
        accf += q;
        normf = sqrtf(normf * 0.5f + q * q + y * y);
        /* conversions */
        int32_t k = (int32_t)(p * 1e6);
        int64_t l = (int64_t)(normd * 1e12);
        float g = (float)(x + (double)k * 1e-15);
        double h = (double)(y + (float)(l & 0xffff) * 1e-12f);
        iacc += k ^ l;
        x = x * 0.5 + (double)g * 0.5;
        y = (float)(y * 0.5 + h * 0.5);
    }
    int flags = fetestexcept(FE_ALL_EXCEPT);
    printf("iterations=%ld\n", iters);
    printf("double x=%016llx acc=%016llx norm=%016llx\n", (unsigned long long)bits_d(x),
           (unsigned long long)bits_d(accd), (unsigned long long)bits_d(normd));
    printf("single y=%08x acc=%08x norm=%08x\n", bits_f(y), bits_f(accf), bits_f(normf));
    printf("ints=%016llx fflags=%02x\n", (unsigned long long)iacc, flags);
    printf("approx x=%.6f acc=%.3f y=%.6f acc=%.3f\n", x, accd, (double)y, (double)accf);
    return 0;
}
