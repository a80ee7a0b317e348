/* fp_torture: F and D extension semantics, printed as hex bits so every bit counts.
 *  - add/sub/mul/div/sqrt/fmadd/fmsub/fnmadd/fnmsub, float and double, in every static
 *    rounding mode (rne rtz rdn rup rmm, inline asm), with fflags read right after each op
 *    (cleared before); operands include +-0, subnormals, max, ties, +-inf, quiet and
 *    signalling NaNs (built from bit patterns);
 *  - conversions float<->int (w, wu, l, lu) in every rounding mode, including out-of-range
 *    saturation and NaN, int->float rounding, float<->double, upper bits of .w sources ignored;
 *  - fmin/fmax (incl. signalling NaN, -0/+0), feq/flt/fle, fsgnj/fsgnjn/fsgnjx, fclass,
 *    fmv.x.w sign extension and NaN-boxing of single values in 64-bit registers;
 *  - the C path: fesetround() for each mode, C arithmetic/conversions (compiled with
 *    -frounding-math -fsignaling-nans), flags via feclearexcept/fetestexcept, frm via fegetround.
 * Flags print as the 5-bit fflags value in hex (10=NV 08=DZ 04=OF 02=UF 01=NX). Results are
 * printed once as "all=" when every rounding mode agrees. */
// build-flags: -frounding-math -fsignaling-nans -fno-math-errno -ffp-contract=off -lm
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t v; unsigned fl; } R;

#define UNP(...) __VA_ARGS__
#define FPASM(RMS, T, OUTS, INS) \
    __asm__ volatile("fsflags zero\n\t" T RMS "\n\tfrflags %[fl]" : UNP OUTS : UNP INS)
#define RMSWITCH(rm, T, OUTS, INS) switch (rm) { \
    case 0: FPASM(", rne", T, OUTS, INS); break; \
    case 1: FPASM(", rtz", T, OUTS, INS); break; \
    case 2: FPASM(", rdn", T, OUTS, INS); break; \
    case 3: FPASM(", rup", T, OUTS, INS); break; \
    default: FPASM(", rmm", T, OUTS, INS); break; }

static const char *RM[5] = {"rne", "rtz", "rdn", "rup", "rmm"};

static double d_of(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static float f_of(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint64_t bits_d(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }
static uint32_t bits_f(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

/* ---- instruction wrappers: fixed rounding mode, fflags cleared before and read after ---- */
#define DEF_D2(NAME, INSN) static R NAME(int rm, double a, double b) { double r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a], %[b]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a), [b] "f"(b))) \
    return (R){bits_d(r), (unsigned)fl}; }
#define DEF_S2(NAME, INSN) static R NAME(int rm, float a, float b) { float r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a], %[b]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a), [b] "f"(b))) \
    return (R){bits_f(r), (unsigned)fl}; }
#define DEF_D3(NAME, INSN) static R NAME(int rm, double a, double b, double c) { double r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a], %[b], %[c]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a), [b] "f"(b), [c] "f"(c))) \
    return (R){bits_d(r), (unsigned)fl}; }
#define DEF_S3(NAME, INSN) static R NAME(int rm, float a, float b, float c) { float r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a], %[b], %[c]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a), [b] "f"(b), [c] "f"(c))) \
    return (R){bits_f(r), (unsigned)fl}; }
/* float -> int (result in an x register) */
#define DEF_D2I(NAME, INSN) static R NAME(int rm, double a) { uint64_t r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=r"(r), [fl] "=r"(fl)), ([a] "f"(a))) return (R){r, (unsigned)fl}; }
#define DEF_S2I(NAME, INSN) static R NAME(int rm, float a) { uint64_t r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=r"(r), [fl] "=r"(fl)), ([a] "f"(a))) return (R){r, (unsigned)fl}; }
/* int -> float, float <-> double, sqrt (one source) */
#define DEF_I2D(NAME, INSN) static R NAME(int rm, uint64_t a) { double r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "r"(a))) return (R){bits_d(r), (unsigned)fl}; }
#define DEF_I2S(NAME, INSN) static R NAME(int rm, uint64_t a) { float r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "r"(a))) return (R){bits_f(r), (unsigned)fl}; }
#define DEF_D1(NAME, INSN) static R NAME(int rm, double a) { double r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a))) return (R){bits_d(r), (unsigned)fl}; }
#define DEF_S1(NAME, INSN) static R NAME(int rm, float a) { float r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a))) return (R){bits_f(r), (unsigned)fl}; }
#define DEF_D2S(NAME, INSN) static R NAME(int rm, double a) { float r; unsigned long fl; \
    RMSWITCH(rm, INSN " %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a))) return (R){bits_f(r), (unsigned)fl}; }

DEF_D2(fadd_d, "fadd.d") DEF_D2(fsub_d, "fsub.d") DEF_D2(fmul_d, "fmul.d") DEF_D2(fdiv_d, "fdiv.d")
DEF_S2(fadd_s, "fadd.s") DEF_S2(fsub_s, "fsub.s") DEF_S2(fmul_s, "fmul.s") DEF_S2(fdiv_s, "fdiv.s")
DEF_D3(fmadd_d, "fmadd.d") DEF_D3(fmsub_d, "fmsub.d") DEF_D3(fnmadd_d, "fnmadd.d") DEF_D3(fnmsub_d, "fnmsub.d")
DEF_S3(fmadd_s, "fmadd.s") DEF_S3(fmsub_s, "fmsub.s") DEF_S3(fnmadd_s, "fnmadd.s") DEF_S3(fnmsub_s, "fnmsub.s")
DEF_D1(fsqrt_d, "fsqrt.d") DEF_S1(fsqrt_s, "fsqrt.s")
DEF_D2I(fcvt_w_d, "fcvt.w.d") DEF_D2I(fcvt_wu_d, "fcvt.wu.d") DEF_D2I(fcvt_l_d, "fcvt.l.d") DEF_D2I(fcvt_lu_d, "fcvt.lu.d")
DEF_S2I(fcvt_w_s, "fcvt.w.s") DEF_S2I(fcvt_wu_s, "fcvt.wu.s") DEF_S2I(fcvt_l_s, "fcvt.l.s") DEF_S2I(fcvt_lu_s, "fcvt.lu.s")
DEF_I2D(fcvt_d_l, "fcvt.d.l") DEF_I2D(fcvt_d_lu, "fcvt.d.lu")
DEF_I2S(fcvt_s_w, "fcvt.s.w") DEF_I2S(fcvt_s_wu, "fcvt.s.wu") DEF_I2S(fcvt_s_l, "fcvt.s.l") DEF_I2S(fcvt_s_lu, "fcvt.s.lu")
DEF_D2S(fcvt_s_d, "fcvt.s.d")

/* exact operations (no rounding-mode field) */
#define EXACT(T, OUTS, INS) __asm__ volatile("fsflags zero\n\t" T "\n\tfrflags %[fl]" : UNP OUTS : UNP INS)
static R fcvt_d_w(uint64_t a) { double r; unsigned long fl; EXACT("fcvt.d.w %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "r"(a))); return (R){bits_d(r), (unsigned)fl}; }
static R fcvt_d_wu(uint64_t a) { double r; unsigned long fl; EXACT("fcvt.d.wu %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "r"(a))); return (R){bits_d(r), (unsigned)fl}; }
static R fcvt_d_s(float a) { double r; unsigned long fl; EXACT("fcvt.d.s %[r], %[a]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a))); return (R){bits_d(r), (unsigned)fl}; }
#define DEF_PAIR(NAME, INSN, T, TOBITS) static R NAME(T a, T b) { T r; unsigned long fl; \
    EXACT(INSN " %[r], %[a], %[b]", ([r] "=f"(r), [fl] "=r"(fl)), ([a] "f"(a), [b] "f"(b))); return (R){TOBITS(r), (unsigned)fl}; }
DEF_PAIR(fmin_d, "fmin.d", double, bits_d) DEF_PAIR(fmax_d, "fmax.d", double, bits_d)
DEF_PAIR(fmin_s, "fmin.s", float, bits_f) DEF_PAIR(fmax_s, "fmax.s", float, bits_f)
DEF_PAIR(fsgnj_d, "fsgnj.d", double, bits_d) DEF_PAIR(fsgnjn_d, "fsgnjn.d", double, bits_d) DEF_PAIR(fsgnjx_d, "fsgnjx.d", double, bits_d)
DEF_PAIR(fsgnj_s, "fsgnj.s", float, bits_f) DEF_PAIR(fsgnjn_s, "fsgnjn.s", float, bits_f) DEF_PAIR(fsgnjx_s, "fsgnjx.s", float, bits_f)
#define DEF_CMP(NAME, INSN, T) static R NAME(T a, T b) { uint64_t r; unsigned long fl; \
    EXACT(INSN " %[r], %[a], %[b]", ([r] "=r"(r), [fl] "=r"(fl)), ([a] "f"(a), [b] "f"(b))); return (R){r, (unsigned)fl}; }
DEF_CMP(feq_d, "feq.d", double) DEF_CMP(flt_d, "flt.d", double) DEF_CMP(fle_d, "fle.d", double)
DEF_CMP(feq_s, "feq.s", float) DEF_CMP(flt_s, "flt.s", float) DEF_CMP(fle_s, "fle.s", float)
static uint64_t fclass_d(double a) { uint64_t r; __asm__ volatile("fclass.d %0, %1" : "=r"(r) : "f"(a)); return r; }
static uint64_t fclass_s(float a) { uint64_t r; __asm__ volatile("fclass.s %0, %1" : "=r"(r) : "f"(a)); return r; }

/* ---- operand sets ---- */
static const uint64_t DV[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff8000000000000, /* +0 -0 1 -1.5 */
    0x3fd5555555555555, 0x3ca0000000000000, 0x7fefffffffffffff, 0x0000000000000001, /* 1/3 2^-53 max minsub */
    0x0010000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000, /* min-normal inf qNaN sNaN */
};
static const uint32_t FV[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbfc00000,
    0x3eaaaaab, 0x33800000, 0x7f7fffff, 0x00000001,
    0x00800000, 0x7f800000, 0x7fc00000, 0x7fa00000,
};
#define NDV (int)(sizeof DV / sizeof DV[0])
/* binary-op set: all but min-normal */
static const int BIN_IDX[] = {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11};
#define NBIN (int)(sizeof BIN_IDX / sizeof BIN_IDX[0])

static void print_rm5(const R *r, int hexw) {
    int same = 1;
    for (int i = 1; i < 5; i++) same &= r[i].v == r[0].v && r[i].fl == r[0].fl;
    if (same) { printf(" all=%0*llx/%02x\n", hexw, (unsigned long long)r[0].v, r[0].fl); return; }
    for (int i = 0; i < 5; i++) printf(" %s=%0*llx/%02x", RM[i], hexw, (unsigned long long)r[i].v, r[i].fl);
    printf("\n");
}

static void arith(void) {
    typedef R (*d2)(int, double, double);
    typedef R (*s2)(int, float, float);
    static const d2 dops[] = {fadd_d, fsub_d, fmul_d, fdiv_d};
    static const s2 sops[] = {fadd_s, fsub_s, fmul_s, fdiv_s};
    static const char *dn[] = {"fadd.d", "fsub.d", "fmul.d", "fdiv.d"};
    static const char *sn[] = {"fadd.s", "fsub.s", "fmul.s", "fdiv.s"};
    R r[5];
    for (int op = 0; op < 4; op++)
        for (int i = 0; i < NBIN; i++)
            for (int j = 0; j < NBIN; j++) {
                uint64_t a = DV[BIN_IDX[i]], b = DV[BIN_IDX[j]];
                for (int m = 0; m < 5; m++) r[m] = dops[op](m, d_of(a), d_of(b));
                printf("%s %016llx %016llx:", dn[op], (unsigned long long)a, (unsigned long long)b);
                print_rm5(r, 16);
            }
    for (int op = 0; op < 4; op++)
        for (int i = 0; i < NBIN; i++)
            for (int j = 0; j < NBIN; j++) {
                uint32_t a = FV[BIN_IDX[i]], b = FV[BIN_IDX[j]];
                for (int m = 0; m < 5; m++) r[m] = sops[op](m, f_of(a), f_of(b));
                printf("%s %08x %08x:", sn[op], a, b);
                print_rm5(r, 8);
            }
    for (int i = 0; i < NDV; i++) {
        for (int m = 0; m < 5; m++) r[m] = fsqrt_d(m, d_of(DV[i]));
        printf("fsqrt.d %016llx:", (unsigned long long)DV[i]);
        print_rm5(r, 16);
        for (int m = 0; m < 5; m++) r[m] = fsqrt_s(m, f_of(FV[i]));
        printf("fsqrt.s %08x:", FV[i]);
        print_rm5(r, 8);
    }
    /* sqrt(2) and sqrt(3) round differently per mode */
    for (int m = 0; m < 5; m++) r[m] = fsqrt_d(m, 2.0);
    printf("fsqrt.d 2:"); print_rm5(r, 16);
    for (int m = 0; m < 5; m++) r[m] = fsqrt_s(m, 3.0f);
    printf("fsqrt.s 3:"); print_rm5(r, 8);
}

static void fused(void) {
    static const uint64_t T[][3] = {
        {0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000}, /* 1/3*3-1: tiny exact residue */
        {0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000}, /* 1*1+2^-53: a tie */
        {0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000}, /* (1+u)^2-1 */
        {0x7ff0000000000000, 0x0000000000000000, 0x7ff8000000000000}, /* inf*0+qNaN: invalid */
        {0x7ff0000000000000, 0x0000000000000000, 0x3ff0000000000000}, /* inf*0+1: invalid */
        {0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff}, /* max*2-max = max, exact */
        {0x7fefffffffffffff, 0x7fefffffffffffff, 0xfff0000000000000}, /* -> -inf */
        {0x0000000000000001, 0x3fe0000000000000, 0x0000000000000000}, /* minsub/2: underflow */
        {0x8000000000000000, 0x3ff0000000000000, 0x0000000000000000}, /* -0*1+0: sign by mode */
        {0x7ff4000000000000, 0x3ff0000000000000, 0x3ff0000000000000}, /* sNaN */
    };
    static const uint32_t TS[][3] = {
        {0x3eaaaaab, 0x40400000, 0xbf800000},
        {0x3f800000, 0x3f800000, 0x33800000},
        {0x3f800001, 0x3f800001, 0xbf800000},
        {0x7f800000, 0x00000000, 0x7fc00000},
        {0x7f800000, 0x00000000, 0x3f800000},
        {0x7f7fffff, 0x40000000, 0xff7fffff},
        {0x7f7fffff, 0x7f7fffff, 0xff800000},
        {0x00000001, 0x3f000000, 0x00000000},
        {0x80000000, 0x3f800000, 0x00000000},
        {0x7fa00000, 0x3f800000, 0x3f800000},
    };
    typedef R (*d3)(int, double, double, double);
    typedef R (*s3)(int, float, float, float);
    static const d3 dops[] = {fmadd_d, fmsub_d, fnmadd_d, fnmsub_d};
    static const s3 sops[] = {fmadd_s, fmsub_s, fnmadd_s, fnmsub_s};
    static const char *dn[] = {"fmadd.d", "fmsub.d", "fnmadd.d", "fnmsub.d"};
    static const char *sn[] = {"fmadd.s", "fmsub.s", "fnmadd.s", "fnmsub.s"};
    R r[5];
    for (int op = 0; op < 4; op++)
        for (unsigned t = 0; t < sizeof T / sizeof T[0]; t++) {
            for (int m = 0; m < 5; m++) r[m] = dops[op](m, d_of(T[t][0]), d_of(T[t][1]), d_of(T[t][2]));
            printf("%s %016llx %016llx %016llx:", dn[op], (unsigned long long)T[t][0], (unsigned long long)T[t][1], (unsigned long long)T[t][2]);
            print_rm5(r, 16);
            for (int m = 0; m < 5; m++) r[m] = sops[op](m, f_of(TS[t][0]), f_of(TS[t][1]), f_of(TS[t][2]));
            printf("%s %08x %08x %08x:", sn[op], TS[t][0], TS[t][1], TS[t][2]);
            print_rm5(r, 8);
        }
}

static void conversions(void) {
    static const uint64_t CV[] = {
        0x0000000000000000, 0x8000000000000000, 0x4004000000000000, 0xc004000000000000, /* 0 -0 2.5 -2.5 */
        0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0xbff0000000000000, /* .5 -.5 1.5 -1 */
        0x41dfffffffe00000, 0x41e0000000000000, 0xc1e0000000000000, 0xc1e0000000200000, /* 2^31-.5 2^31 -2^31 -2^31-1 */
        0x41efffffffff0000, 0x41f0000000000000, 0x43e0000000000000, 0xc3e0000000000000, /* 2^32-.5 2^32 2^63 -2^63 */
        0x43f0000000000000, 0x46293e5939a08cea, 0x7ff0000000000000, 0xfff0000000000000, /* 2^64 1e30 inf -inf */
        0x7ff8000000000000, 0x7ff4000000000000, 0x0000000000000001, 0xbfefffffffffffff, /* qNaN sNaN minsub -(1-u) */
    };
    typedef R (*d2i)(int, double);
    typedef R (*s2i)(int, float);
    static const d2i dops[] = {fcvt_w_d, fcvt_wu_d, fcvt_l_d, fcvt_lu_d};
    static const s2i sops[] = {fcvt_w_s, fcvt_wu_s, fcvt_l_s, fcvt_lu_s};
    static const char *dn[] = {"fcvt.w.d", "fcvt.wu.d", "fcvt.l.d", "fcvt.lu.d"};
    static const char *sn[] = {"fcvt.w.s", "fcvt.wu.s", "fcvt.l.s", "fcvt.lu.s"};
    R r[5];
    for (unsigned i = 0; i < sizeof CV / sizeof CV[0]; i++) {
        double d = d_of(CV[i]);
        float f;
        /* the float operand: the double rounded to nearest, except NaNs keep their kind */
        if (CV[i] == 0x7ff4000000000000) f = f_of(0x7fa00000);
        else { R c = fcvt_s_d(0, d); f = f_of((uint32_t)c.v); }
        for (int op = 0; op < 4; op++) {
            for (int m = 0; m < 5; m++) r[m] = dops[op](m, d);
            printf("%s %016llx:", dn[op], (unsigned long long)CV[i]);
            print_rm5(r, 16);
        }
        for (int op = 0; op < 4; op++) {
            for (int m = 0; m < 5; m++) r[m] = sops[op](m, f);
            printf("%s %08x:", sn[op], bits_f(f));
            print_rm5(r, 16);
        }
        for (int m = 0; m < 5; m++) r[m] = fcvt_s_d(m, d);
        printf("fcvt.s.d %016llx:", (unsigned long long)CV[i]);
        print_rm5(r, 8);
        R e = fcvt_d_s(f);
        printf("fcvt.d.s %08x: %016llx/%02x\n", bits_f(f), (unsigned long long)e.v, e.fl);
    }
    /* fcvt.s.d of values that overflow/underflow single precision, and ties */
    static const uint64_t SD[] = {0x47efffffffffffff, 0x7fefffffffffffff, 0x36a0000000000000, 0x3ff0000010000000, 0x3ff0000030000000, 0x3e70000000000000};
    for (unsigned i = 0; i < sizeof SD / sizeof SD[0]; i++) {
        for (int m = 0; m < 5; m++) r[m] = fcvt_s_d(m, d_of(SD[i]));
        printf("fcvt.s.d %016llx:", (unsigned long long)SD[i]);
        print_rm5(r, 8);
    }
    static const uint64_t IV[] = {
        0, 1, (uint64_t)-1, 16777217, 16777219, 0x7fffffff, 0x80000000, 0xffffffff,
        0x20000000000001, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
        0x123456789abcdef1, 0xdeadbeef00000005, 0x00000001ffffff81,
    };
    typedef R (*i2s)(int, uint64_t);
    static const i2s iops[] = {fcvt_s_w, fcvt_s_wu, fcvt_s_l, fcvt_s_lu, fcvt_d_l, fcvt_d_lu};
    static const char *in[] = {"fcvt.s.w", "fcvt.s.wu", "fcvt.s.l", "fcvt.s.lu", "fcvt.d.l", "fcvt.d.lu"};
    for (unsigned i = 0; i < sizeof IV / sizeof IV[0]; i++) {
        for (int op = 0; op < 6; op++) {
            for (int m = 0; m < 5; m++) r[m] = iops[op](m, IV[i]);
            printf("%s %016llx:", in[op], (unsigned long long)IV[i]);
            print_rm5(r, op < 4 ? 8 : 16);
        }
        R w = fcvt_d_w(IV[i]), wu = fcvt_d_wu(IV[i]);
        printf("fcvt.d.w %016llx: %016llx/%02x fcvt.d.wu: %016llx/%02x\n", (unsigned long long)IV[i],
               (unsigned long long)w.v, w.fl, (unsigned long long)wu.v, wu.fl);
    }
}

static void minmax_cmp_sign_class(void) {
    static const int MI[] = {0, 1, 2, 3, 9, 10, 11};   /* +0 -0 1 -1.5 inf qNaN sNaN */
    const int n = sizeof MI / sizeof MI[0];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            uint64_t a = DV[MI[i]], b = DV[MI[j]];
            uint32_t fa = FV[MI[i]], fb = FV[MI[j]];
            R mn = fmin_d(d_of(a), d_of(b)), mx = fmax_d(d_of(a), d_of(b));
            R eq = feq_d(d_of(a), d_of(b)), lt = flt_d(d_of(a), d_of(b)), le = fle_d(d_of(a), d_of(b));
            printf("d %016llx %016llx: fmin=%016llx/%02x fmax=%016llx/%02x feq=%llu/%02x flt=%llu/%02x fle=%llu/%02x\n",
                   (unsigned long long)a, (unsigned long long)b, (unsigned long long)mn.v, mn.fl,
                   (unsigned long long)mx.v, mx.fl, (unsigned long long)eq.v, eq.fl,
                   (unsigned long long)lt.v, lt.fl, (unsigned long long)le.v, le.fl);
            mn = fmin_s(f_of(fa), f_of(fb)); mx = fmax_s(f_of(fa), f_of(fb));
            eq = feq_s(f_of(fa), f_of(fb)); lt = flt_s(f_of(fa), f_of(fb)); le = fle_s(f_of(fa), f_of(fb));
            printf("s %08x %08x: fmin=%08llx/%02x fmax=%08llx/%02x feq=%llu/%02x flt=%llu/%02x fle=%llu/%02x\n",
                   fa, fb, (unsigned long long)mn.v, mn.fl, (unsigned long long)mx.v, mx.fl,
                   (unsigned long long)eq.v, eq.fl, (unsigned long long)lt.v, lt.fl, (unsigned long long)le.v, le.fl);
        }
    /* sign injection keeps NaN payloads (not arithmetic) and sets no flags */
    static const uint64_t SG[] = {0x3ff0000000000000, 0xbff8000000000000, 0x8000000000000000, 0x7ff4000000000123, 0xfff8000000000456};
    static const uint32_t SGF[] = {0x3f800000, 0xbfc00000, 0x80000000, 0x7fa00123, 0xffc00456};
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            R a = fsgnj_d(d_of(SG[i]), d_of(SG[j])), b = fsgnjn_d(d_of(SG[i]), d_of(SG[j])), c = fsgnjx_d(d_of(SG[i]), d_of(SG[j]));
            printf("fsgnj[n,x].d %016llx %016llx: %016llx %016llx %016llx flags %02x\n", (unsigned long long)SG[i],
                   (unsigned long long)SG[j], (unsigned long long)a.v, (unsigned long long)b.v, (unsigned long long)c.v, a.fl | b.fl | c.fl);
            a = fsgnj_s(f_of(SGF[i]), f_of(SGF[j])); b = fsgnjn_s(f_of(SGF[i]), f_of(SGF[j])); c = fsgnjx_s(f_of(SGF[i]), f_of(SGF[j]));
            printf("fsgnj[n,x].s %08x %08x: %08llx %08llx %08llx flags %02x\n", SGF[i], SGF[j],
                   (unsigned long long)a.v, (unsigned long long)b.v, (unsigned long long)c.v, a.fl | b.fl | c.fl);
        }
    /* fclass: one of each of the ten classes, both widths */
    static const uint64_t CD[] = {0xfff0000000000000, 0xbff0000000000000, 0x800fffffffffffff, 0x8000000000000000,
                                  0x0000000000000000, 0x000fffffffffffff, 0x3ff0000000000000, 0x7ff0000000000000,
                                  0x7ff0000000000001, 0x7ff8000000000000};
    static const uint32_t CF[] = {0xff800000, 0xbf800000, 0x807fffff, 0x80000000, 0x00000000, 0x007fffff,
                                  0x3f800000, 0x7f800000, 0x7f800001, 0x7fc00000};
    for (int i = 0; i < 10; i++)
        printf("fclass.d %016llx = %03llx   fclass.s %08x = %03llx\n", (unsigned long long)CD[i],
               (unsigned long long)fclass_d(d_of(CD[i])), CF[i], (unsigned long long)fclass_s(f_of(CF[i])));
}

/* NaN boxing: a single-precision operand must be NaN-boxed (upper 32 bits all ones); any other
 * 64-bit pattern reads as the canonical NaN. fmv.x.w/fsw move the low bits unchecked, and
 * fmv.x.w sign-extends. */
static void nan_boxing(void) {
    uint64_t unboxed = 0x000000003f800000ULL, boxed = 0xffffffff3f800000ULL, r, cls, fl;
    __asm__ volatile("fmv.d.x ft0, %[x]\n\tfsflags zero\n\tfadd.s ft1, ft0, ft0\n\tfrflags %[fl]\n\tfmv.x.d %[r], ft1\n\tfclass.s %[c], ft0"
                     : [r] "=r"(r), [c] "=r"(cls), [fl] "=r"(fl) : [x] "r"(unboxed) : "ft0", "ft1");
    printf("unboxed %016llx: fadd.s -> %016llx/%02llx fclass.s=%03llx\n", (unsigned long long)unboxed, (unsigned long long)r, (unsigned long long)fl, (unsigned long long)cls);
    __asm__ volatile("fmv.d.x ft0, %[x]\n\tfsflags zero\n\tfadd.s ft1, ft0, ft0\n\tfrflags %[fl]\n\tfmv.x.d %[r], ft1\n\tfclass.s %[c], ft0"
                     : [r] "=r"(r), [c] "=r"(cls), [fl] "=r"(fl) : [x] "r"(boxed) : "ft0", "ft1");
    printf("boxed   %016llx: fadd.s -> %016llx/%02llx fclass.s=%03llx\n", (unsigned long long)boxed, (unsigned long long)r, (unsigned long long)fl, (unsigned long long)cls);
    __asm__ volatile("fmv.d.x ft0, %[x]\n\tfmv.x.w %[r], ft0" : [r] "=r"(r) : [x] "r"(0x12345678c0000000ULL) : "ft0");
    printf("fmv.x.w of 12345678c0000000 -> %016llx\n", (unsigned long long)r);
    __asm__ volatile("fmv.w.x ft0, %[x]\n\tfmv.x.d %[r], ft0" : [r] "=r"(r) : [x] "r"(0x123456783f800000ULL) : "ft0");
    printf("fmv.w.x of 123456783f800000 -> register %016llx\n", (unsigned long long)r);
    __asm__ volatile("fmv.d.x ft0, %[x]\n\tfsgnj.s ft1, ft0, ft0\n\tfmv.x.d %[r], ft1" : [r] "=r"(r) : [x] "r"(unboxed) : "ft0", "ft1");
    printf("fsgnj.s of unboxed -> %016llx\n", (unsigned long long)r);
    __asm__ volatile("fmv.d.x ft0, %[x]\n\tfcvt.d.s ft1, ft0\n\tfmv.x.d %[r], ft1" : [r] "=r"(r) : [x] "r"(unboxed) : "ft0", "ft1");
    printf("fcvt.d.s of unboxed -> %016llx\n", (unsigned long long)r);
    uint32_t mem = 0;
    __asm__ volatile("fmv.d.x ft0, %[x]\n\tfsw ft0, 0(%[p])" : : [x] "r"(unboxed | 0x0000000000001234ULL), [p] "r"(&mem) : "ft0", "memory");
    printf("fsw of unboxed stores %08x\n", mem);
    __asm__ volatile("flw ft0, 0(%[p])\n\tfmv.x.d %[r], ft0" : [r] "=r"(r) : [p] "r"(&mem) : "ft0", "memory");
    printf("flw boxes: %016llx\n", (unsigned long long)r);
}

/* The C path: dynamic rounding mode set with fesetround, C operators and library calls,
 * flags through fenv. */
static volatile double vd[] = {1.0, 0x1p-53, 1.0 / 3.0, 0x1.fffffffffffffp1023, 0x1p-1074, 2.5, -2.5, 0.0};
static volatile float vf[] = {1.0f, 0x1p-24f, 16777217.0f};
static volatile long vl = 0x20000000000001L;

static void c_path(void) {
    static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    static const char *mn[] = {"FE_TONEAREST", "FE_TOWARDZERO", "FE_DOWNWARD", "FE_UPWARD"};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        unsigned long frm;
        __asm__ volatile("frrm %0" : "=r"(frm));
        printf("%s: fegetround matches=%d frm=%lu\n", mn[m], fegetround() == modes[m], frm);
        /* volatile results: GCC does not model fflags and would otherwise sink the
         * operation past fetestexcept */
        volatile double r;
        volatile float rf;
        volatile long l;
#define CASE(EXPR, OUT, FMT, CONV) do { feclearexcept(FE_ALL_EXCEPT); OUT = EXPR; int ex = fetestexcept(FE_ALL_EXCEPT); \
            printf("  %-22s = " FMT " flags %02x\n", #EXPR, CONV(OUT), ex); } while (0)
#define DB(x) (unsigned long long)bits_d(x)
#define FB(x) bits_f(x)
#define LB(x) (unsigned long long)(x)
        CASE(vd[0] + vd[1], r, "%016llx", DB);
        CASE(vd[0] - vd[1], r, "%016llx", DB);
        CASE(vd[0] / vd[2], r, "%016llx", DB);
        CASE(vd[2] * vd[2], r, "%016llx", DB);
        CASE(vd[3] * 2.0, r, "%016llx", DB);
        CASE(vd[4] / 4.0, r, "%016llx", DB);
        CASE(vd[0] / vd[7], r, "%016llx", DB);
        CASE(vd[7] / vd[7], r, "%016llx", DB);
        CASE(sqrt(vd[2]), r, "%016llx", DB);
        CASE(fma(vd[2], 3.0, -1.0), r, "%016llx", DB);
        CASE(vd[0] - vd[0], r, "%016llx", DB);
        CASE(vf[0] + vf[1], rf, "%08x", FB);
        CASE((float)vd[2], rf, "%08x", FB);
        CASE((float)vl, rf, "%08x", FB);
        CASE((double)vl, r, "%016llx", DB);
        CASE((long)vd[6], l, "%016llx", LB);
        CASE(lrint(vd[5]), l, "%016llx", LB);
        CASE(lrint(vd[6]), l, "%016llx", LB);
        CASE(nearbyint(vd[5]), r, "%016llx", DB);
        CASE(rint(vd[2] * 4.0), r, "%016llx", DB);
    }
    fesetround(FE_TONEAREST);
    fenv_t env;
    feclearexcept(FE_ALL_EXCEPT);
    fesetround(FE_UPWARD);
    feraiseexcept(FE_DIVBYZERO | FE_INEXACT);
    fegetenv(&env);
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    fesetenv(&env);
    unsigned long fcsr;
    __asm__ volatile("frcsr %0" : "=r"(fcsr));
    printf("fegetenv/fesetenv round trip: fcsr=%02lx rounding upward=%d\n", fcsr, fegetround() == FE_UPWARD);
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
}

int main(void) {
    arith();
    fused();
    conversions();
    minmax_cmp_sign_class();
    nan_boxing();
    c_path();
    return 0;
}
