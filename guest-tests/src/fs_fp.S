/* fs_fp: freestanding F and D register-state test (no libc; for the differential trace against
 * QEMU). For 8 operand triples (incl. inexact, tie, overflow, underflow, signalling NaN, -0)
 * it runs add/sub/mul/div/sqrt/fmadd/fmsub/fnmadd/fnmsub and conversions in double and single
 * precision in every static rounding mode (rne rtz rdn rup rmm) and in dyn mode under each frm
 * value; then min/max/compare/classify/sign-injection/moves, NaN-boxing, FP loads and stores
 * (incl. compressed c.fld/c.fsd/c.fldsp/c.fsdsp), and fcsr access through csrr/csrw/csrrs/csrrc
 * and the immediate forms on fflags, frm and fcsr. Results and fflags are folded into a
 * checksum (s11), printed in hex; exit(0) via ecall 94. */
#include "fs_common.inc"
    .file "fs_fp.S"   /* a stable FILE symbol: keeps the build reproducible */

    .data
    .balign 8
/* triples (a, b, c) as double bit patterns */
dtrip:  .dword 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555   /* 1, 3, 1/3 */
        .dword 0x3ff0000000000000, 0x3ca0000000000000, 0xbff0000000000000   /* 1, 2^-53, -1 */
        .dword 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff   /* max, 2, -max */
        .dword 0x0000000000000001, 0x3fe0000000000000, 0x8000000000000000   /* minsub, .5, -0 */
        .dword 0x7ff4000000000000, 0x3ff0000000000000, 0x7ff8000000000000   /* sNaN, 1, qNaN */
        .dword 0x8000000000000000, 0x0000000000000000, 0x8000000000000000   /* -0, 0, -0 */
        .dword 0xc004000000000000, 0x3fe0000000000000, 0x7ff0000000000000   /* -2.5, .5, inf */
        .dword 0x41e0000000000000, 0xc3e0000000000000, 0x3ff8000000000000   /* 2^31, -2^63, 1.5 */
dtrip_end:
strip:  .word 0x3f800000, 0x40400000, 0x3eaaaaab
        .word 0x3f800000, 0x33800000, 0xbf800000
        .word 0x7f7fffff, 0x40000000, 0xff7fffff
        .word 0x00000001, 0x3f000000, 0x80000000
        .word 0x7fa00000, 0x3f800000, 0x7fc00000
        .word 0x80000000, 0x00000000, 0x80000000
        .word 0xc0200000, 0x3f000000, 0x7f800000
        .word 0x4f000000, 0xdf000000, 0x3fc00000
msg:    .ascii "fs_fp checksum="
msg_end:
    .bss
    .balign 8
fbuf:   .space 64

/* fold a double register's bits and the accrued flags (then cleared) into s11 */
.macro MIXD freg
    fmv.x.d a0, \freg
    MIX a0
    csrrw   a0, fflags, zero
    MIX a0
.endm
.macro MIXX xreg
    MIX \xreg
    csrrw   a0, fflags, zero
    MIX a0
.endm

/* every arithmetic op on (fa0, fa1, fa2) / (fs0.. singles in ft0, ft1, ft2) with rounding mode rm */
.macro ALL_OPS rm
    fadd.d   fa3, fa0, fa1, \rm;        MIXD fa3
    fsub.d   fa3, fa0, fa2, \rm;        MIXD fa3
    fmul.d   fa3, fa0, fa1, \rm;        MIXD fa3
    fdiv.d   fa3, fa0, fa1, \rm;        MIXD fa3
    fsqrt.d  fa3, fa1, \rm;             MIXD fa3
    fmadd.d  fa3, fa0, fa1, fa2, \rm;   MIXD fa3
    fmsub.d  fa3, fa0, fa1, fa2, \rm;   MIXD fa3
    fnmadd.d fa3, fa2, fa1, fa0, \rm;   MIXD fa3
    fnmsub.d fa3, fa1, fa2, fa0, \rm;   MIXD fa3
    fadd.s   ft3, ft0, ft1, \rm;        MIXD ft3
    fsub.s   ft3, ft0, ft2, \rm;        MIXD ft3
    fmul.s   ft3, ft0, ft1, \rm;        MIXD ft3
    fdiv.s   ft3, ft0, ft1, \rm;        MIXD ft3
    fsqrt.s  ft3, ft1, \rm;             MIXD ft3
    fmadd.s  ft3, ft0, ft1, ft2, \rm;   MIXD ft3
    fnmsub.s ft3, ft1, ft2, ft0, \rm;   MIXD ft3
    fcvt.w.d  a1, fa0, \rm;             MIXX a1
    fcvt.wu.d a1, fa1, \rm;             MIXX a1
    fcvt.l.d  a1, fa1, \rm;             MIXX a1
    fcvt.lu.d a1, fa0, \rm;             MIXX a1
    fcvt.w.s  a1, ft0, \rm;             MIXX a1
    fcvt.lu.s a1, ft1, \rm;             MIXX a1
    fcvt.s.d  ft3, fa2, \rm;            MIXD ft3
    fcvt.d.l  fa3, s3, \rm;             MIXD fa3
    fcvt.d.lu fa3, s4, \rm;             MIXD fa3
    fcvt.s.w  ft3, s3, \rm;             MIXD ft3
    fcvt.s.lu ft3, s4, \rm;             MIXD ft3
.endm

    START
    li      s11, 0x13198a2e03707344
    li      s3, 0x7ffffffffffffc01      /* int operands that round differently per mode */
    li      s4, 0x8000000000000401
    csrw    fcsr, zero

    /* ---- every triple in every static rounding mode and in dyn under every frm ---- */
    la      s0, dtrip
    la      s1, strip
    la      s2, dtrip_end
1:  fld     fa0, 0(s0)
    fld     fa1, 8(s0)
    fld     fa2, 16(s0)
    flw     ft0, 0(s1)
    flw     ft1, 4(s1)
    flw     ft2, 8(s1)
    .irp rm, rne, rtz, rdn, rup, rmm
    ALL_OPS \rm
    .endr
    li      s5, 0
2:  csrw    frm, s5
    ALL_OPS dyn
    addi    s5, s5, 1
    li      t0, 5
    blt     s5, t0, 2b
    csrwi   frm, 0
    addi    s0, s0, 24
    addi    s1, s1, 12
    blt     s0, s2, 1b

    /* ---- min/max/compare/classify/sign injection on pairs of the table (no rounding) ---- */
    la      s0, dtrip
    la      s1, strip
3:  fld     fa0, 0(s0)
    fld     fa1, 8(s0)
    flw     ft0, 0(s1)
    flw     ft1, 4(s1)
    fmin.d  fa3, fa0, fa1;   MIXD fa3
    fmax.d  fa3, fa0, fa1;   MIXD fa3
    fmin.s  ft3, ft0, ft1;   MIXD ft3
    fmax.s  ft3, ft1, ft0;   MIXD ft3
    feq.d   a1, fa0, fa1;    MIXX a1
    flt.d   a1, fa0, fa1;    MIXX a1
    fle.d   a1, fa1, fa0;    MIXX a1
    feq.s   a1, ft0, ft0;    MIXX a1
    flt.s   a1, ft0, ft1;    MIXX a1
    fle.s   a1, ft0, ft1;    MIXX a1
    fclass.d a1, fa0;        MIXX a1
    fclass.s a1, ft1;        MIXX a1
    fsgnj.d  fa3, fa0, fa1;  MIXD fa3
    fsgnjn.d fa3, fa1, fa0;  MIXD fa3
    fsgnjx.d fa3, fa0, fa0;  MIXD fa3
    fsgnj.s  ft3, ft0, ft1;  MIXD ft3
    fsgnjn.s ft3, ft0, ft0;  MIXD ft3
    fsgnjx.s ft3, ft1, ft0;  MIXD ft3
    fcvt.d.s fa3, ft0;       MIXD fa3
    fcvt.d.w fa3, s3;        MIXD fa3
    fcvt.d.wu fa3, s4;       MIXD fa3
    fmv.x.w  a1, ft0;        MIXX a1
    fmv.x.d  a1, fa0;        MIXX a1
    addi    s0, s0, 24
    addi    s1, s1, 12
    blt     s0, s2, 3b

    /* ---- moves and NaN-boxing ---- */
    li      t0, 0x00000000bf800000     /* not NaN-boxed: reads as the canonical NaN */
    fmv.d.x ft4, t0
    fadd.s  ft5, ft4, ft4;           MIXD ft5
    fclass.s a1, ft4;                MIXX a1
    fmv.x.w a1, ft4;                 MIXX a1    /* low bits, sign-extended */
    li      t0, 0x1234567880000000
    fmv.w.x ft4, t0;                 MIXD ft4   /* boxes the low word */
    fmv.d.x fa4, t0;                 MIXD fa4

    /* ---- FP loads and stores, incl. compressed forms ---- */
    la      a3, fbuf
    fld     fa5, 16(s0)                  /* s0 = dtrip_end; reads the strip table */
    fsd     fa5, 0(a3)
    fsw     fa5, 8(a3)
    c.fsd   fa5, 16(a3)
    c.fld   fa4, 16(a3);             MIXD fa4
    flw     ft6, 8(a3);              MIXD ft6
    ld      a1, 0(a3);               MIXX a1
    addi    sp, sp, -32
    c.fsdsp fa5, 8(sp)
    c.fldsp fs1, 8(sp);              MIXD fs1
    fsw     ft6, 16(sp)
    lw      a1, 16(sp);              MIXX a1
    addi    sp, sp, 32

    /* ---- fcsr, frm and fflags through every CSR access form ---- */
    li      t0, 0xff
    csrw    fcsr, t0                      /* frm=7 (invalid but writable), all flags */
    csrr    a1, fcsr;                MIX a1
    csrr    a1, frm;                 MIX a1
    csrr    a1, fflags;              MIX a1
    csrwi   frm, 2
    csrr    a1, fcsr;                MIX a1
    csrrci  a1, fflags, 0x5;         MIX a1
    csrr    a1, fflags;              MIX a1
    csrrsi  a1, fflags, 0x4;         MIX a1
    li      t0, 0x3
    csrrc   a1, fflags, t0;          MIX a1
    csrrs   a1, fcsr, t0;            MIX a1
    li      t0, 0xfffffffffffffe2a       /* upper bits ignored: fcsr keeps 8 bits */
    csrrw   a1, fcsr, t0;            MIX a1
    csrr    a1, fcsr;                MIX a1
    frrm    a1;                      MIX a1
    fsrm    a1, zero;                MIX a1
    fsflags a1, zero;                MIX a1
    frcsr   a1;                      MIX a1
    li      t0, 0x61
    fscsr   a1, t0;                  MIX a1
    fadd.d  fa3, fa0, fa1            /* dyn = rup */
    MIXD fa3
    csrwi   fcsr, 0

    PUTS    msg
    mv      a0, s11
    call    put_hex
    EXIT_GROUP 0

    PUT_HEX_FUNC
