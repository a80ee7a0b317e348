/*
 * Differential FP oracle for Reprise's Fp: run under qemu-riscv64.
 * stdin: records {u32 op, u32 rm, u64 a, u64 b, u64 c}; op indexes the OPS list below
 * (FpTest parses this list, so keep one OP(...) per line).
 * stdout: per record {u64 result, u64 fflags}: the destination register's full 64 bits
 * (f registers via fmv.x.d, so NaN-boxing shows) and fflags after clearing them.
 * FP operands are placed with fmv.d.x (any 64-bit pattern, boxed or not); integer operands in x.
 * The rounding mode is set in frm and the instruction uses the dynamic rm.
 */
typedef unsigned long u64;
typedef unsigned int u32;

#define OPS \
    OP(FMADD_S, FFFF, "fmadd.s") \
    OP(FMSUB_S, FFFF, "fmsub.s") \
    OP(FNMSUB_S, FFFF, "fnmsub.s") \
    OP(FNMADD_S, FFFF, "fnmadd.s") \
    OP(FADD_S, FFF, "fadd.s") \
    OP(FSUB_S, FFF, "fsub.s") \
    OP(FMUL_S, FFF, "fmul.s") \
    OP(FDIV_S, FFF, "fdiv.s") \
    OP(FSQRT_S, FF, "fsqrt.s") \
    OP(FSGNJ_S, FFF, "fsgnj.s") \
    OP(FSGNJN_S, FFF, "fsgnjn.s") \
    OP(FSGNJX_S, FFF, "fsgnjx.s") \
    OP(FMIN_S, FFF, "fmin.s") \
    OP(FMAX_S, FFF, "fmax.s") \
    OP(FCVT_W_S, XF, "fcvt.w.s") \
    OP(FCVT_WU_S, XF, "fcvt.wu.s") \
    OP(FCVT_L_S, XF, "fcvt.l.s") \
    OP(FCVT_LU_S, XF, "fcvt.lu.s") \
    OP(FMV_X_W, XF, "fmv.x.w") \
    OP(FCLASS_S, XF, "fclass.s") \
    OP(FEQ_S, XFF, "feq.s") \
    OP(FLT_S, XFF, "flt.s") \
    OP(FLE_S, XFF, "fle.s") \
    OP(FCVT_S_W, FX, "fcvt.s.w") \
    OP(FCVT_S_WU, FX, "fcvt.s.wu") \
    OP(FCVT_S_L, FX, "fcvt.s.l") \
    OP(FCVT_S_LU, FX, "fcvt.s.lu") \
    OP(FMV_W_X, FX, "fmv.w.x") \
    OP(FMADD_D, FFFF, "fmadd.d") \
    OP(FMSUB_D, FFFF, "fmsub.d") \
    OP(FNMSUB_D, FFFF, "fnmsub.d") \
    OP(FNMADD_D, FFFF, "fnmadd.d") \
    OP(FADD_D, FFF, "fadd.d") \
    OP(FSUB_D, FFF, "fsub.d") \
    OP(FMUL_D, FFF, "fmul.d") \
    OP(FDIV_D, FFF, "fdiv.d") \
    OP(FSQRT_D, FF, "fsqrt.d") \
    OP(FSGNJ_D, FFF, "fsgnj.d") \
    OP(FSGNJN_D, FFF, "fsgnjn.d") \
    OP(FSGNJX_D, FFF, "fsgnjx.d") \
    OP(FMIN_D, FFF, "fmin.d") \
    OP(FMAX_D, FFF, "fmax.d") \
    OP(FCVT_S_D, FF, "fcvt.s.d") \
    OP(FCVT_D_S, FF, "fcvt.d.s") \
    OP(FEQ_D, XFF, "feq.d") \
    OP(FLT_D, XFF, "flt.d") \
    OP(FLE_D, XFF, "fle.d") \
    OP(FCLASS_D, XF, "fclass.d") \
    OP(FCVT_W_D, XF, "fcvt.w.d") \
    OP(FCVT_WU_D, XF, "fcvt.wu.d") \
    OP(FCVT_L_D, XF, "fcvt.l.d") \
    OP(FCVT_LU_D, XF, "fcvt.lu.d") \
    OP(FCVT_D_W, FX, "fcvt.d.w") \
    OP(FCVT_D_WU, FX, "fcvt.d.wu") \
    OP(FCVT_D_L, FX, "fcvt.d.l") \
    OP(FCVT_D_LU, FX, "fcvt.d.lu") \
    OP(FMV_X_D, XF, "fmv.x.d") \
    OP(FMV_D_X, FX, "fmv.d.x")

enum {
#define OP(name, shape, mn) name,
    OPS
#undef OP
    NOPS
};

static long sys3(long n, long a, long b, long c) {
    register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a7 asm("a7") = n;
    asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static long readFully(void *buf, long len) {
    long got = 0;
    while (got < len) {
        long n = sys3(63, 0, (long) ((char *) buf + got), len - got);
        if (n <= 0) break;
        got += n;
    }
    return got;
}

static void writeFully(const void *buf, long len) {
    while (len > 0) {
        long n = sys3(64, 1, (long) buf, len);
        if (n <= 0) sys3(93, 2, 0, 0);
        buf = (const char *) buf + n;
        len -= n;
    }
}

#define PRE "fsrm %[rm]\n fmv.d.x f1, %[a]\n fmv.d.x f2, %[b]\n fmv.d.x f3, %[c]\n fsflags zero\n"
#define IN [rm] "r"(rm), [a] "r"(a), [b] "r"(b), [c] "r"(c)
#define CLOB "f0", "f1", "f2", "f3"
#define RUN_FFFF(mn) asm volatile(PRE mn " f0, f1, f2, f3\n frflags %[fl]\n fmv.x.d %[r], f0" : [r] "=r"(r), [fl] "=r"(fl) : IN : CLOB)
#define RUN_FFF(mn) asm volatile(PRE mn " f0, f1, f2\n frflags %[fl]\n fmv.x.d %[r], f0" : [r] "=r"(r), [fl] "=r"(fl) : IN : CLOB)
#define RUN_FF(mn) asm volatile(PRE mn " f0, f1\n frflags %[fl]\n fmv.x.d %[r], f0" : [r] "=r"(r), [fl] "=r"(fl) : IN : CLOB)
#define RUN_XF(mn) asm volatile(PRE mn " %[r], f1\n frflags %[fl]" : [r] "=&r"(r), [fl] "=&r"(fl) : IN : CLOB)
#define RUN_XFF(mn) asm volatile(PRE mn " %[r], f1, f2\n frflags %[fl]" : [r] "=&r"(r), [fl] "=&r"(fl) : IN : CLOB)
#define RUN_FX(mn) asm volatile(PRE mn " f0, %[a]\n frflags %[fl]\n fmv.x.d %[r], f0" : [r] "=r"(r), [fl] "=r"(fl) : IN : CLOB)

struct rec { u32 op, rm; u64 a, b, c; };

void _start(void) {
    static struct rec in[4096];
    static u64 out[2 * 4096];
    for (;;) {
        long n = readFully(in, sizeof in) / (long) sizeof(struct rec);
        if (n == 0) break;
        for (long k = 0; k < n; k++) {
            u64 rm = in[k].rm, a = in[k].a, b = in[k].b, c = in[k].c, r = 0, fl = 0;
            switch (in[k].op) {
#define OP(name, shape, mn) case name: RUN_##shape(mn); break;
                OPS
#undef OP
            default: r = 0xdeadbeef; fl = 0xff;
            }
            out[2 * k] = r;
            out[2 * k + 1] = fl;
        }
        writeFully(out, n * 16);
    }
    sys3(93, 0, 0, 0);
    for (;;) {}
}
