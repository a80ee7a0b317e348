/* fs_atomics: freestanding single-threaded A-extension register-state test (no libc; for the
 * differential trace against QEMU). Every AMO (swap add xor and or min max minu maxu) in .w
 * and .d with no/aq/rl/aqrl annotations, on positive, negative and sign-boundary values (the .w
 * forms sign-extend the old value), and LR/SC: a successful pair (sc writes 0), sc after sc
 * (no reservation left: fails, writes nonzero, memory unchanged), sc to another address than the
 * reservation (fails), lr.w sign extension, a CAS retry loop, .aq/.rl/.aqrl forms.
 * Results and memory are folded into a checksum (s11), printed in hex; exit(0) via ecall 93. */
#include "fs_common.inc"
    .file "fs_atomics.S"   /* a stable FILE symbol: keeps the build reproducible */

    .data
    .balign 8
cell:   .dword 0x00000000fffffff0, 0x7ffffffffffffff0
cell2:  .dword 0
msg:    .ascii "fs_atomics checksum="
msg_end:

/* apply one AMO of width W to mem(s0) with operand reg, fold old value and memory into s11 */
.macro AMO op, w, ord, src
    \op\().\w\ord a1, \src, (s0)
    MIX a1
    l\w     a2, 0(s0)
    MIX a2
.endm

    START
    li      s11, 0xa4093822299f31d0
    la      s0, cell
    li      s1, 5
    li      s2, -7
    li      s3, 0x80000000          /* as .w operand: INT32_MIN */
    li      s4, 0x7fffffff

    /* every AMO, both widths, on a sequence of values that crosses signed/unsigned boundaries */
    .irp ord, , .aq, .rl, .aqrl
    .irp w, w, d
    AMO amoswap, \w, \ord, s1
    AMO amoadd,  \w, \ord, s2
    AMO amoxor,  \w, \ord, s3
    AMO amoand,  \w, \ord, s4
    AMO amoor,   \w, \ord, s3
    AMO amomin,  \w, \ord, s1
    AMO amomax,  \w, \ord, s2
    AMO amominu, \w, \ord, s2
    AMO amomaxu, \w, \ord, s3
    AMO amomin,  \w, \ord, s3
    AMO amomaxu, \w, \ord, s1
    AMO amoadd,  \w, \ord, s4
    .endr
    .endr
    amoswap.d a1, zero, (s0)        /* rd = old, memory = 0 */
    MIX a1
    amoadd.w zero, s1, (s0)         /* rd = x0: result discarded */
    ld      a1, 0(s0)
    MIX a1

    /* upper word of the doubleword: .w on offset 4 */
    addi    s5, s0, 4
    amoadd.w a1, s2, (s5)
    MIX a1
    ld      a1, 0(s0)
    MIX a1

    /* ---- LR/SC ---- */
    addi    s6, s0, 8
    lr.d    a1, (s6)                 /* reservation on cell+8 */
    MIX a1
    addi    a2, a1, 1
    sc.d    a3, a2, (s6)             /* succeeds: 0 */
    MIX a3
    sc.d    a3, s1, (s6)             /* no reservation left: fails (nonzero), memory unchanged */
    snez    a3, a3
    MIX a3
    ld      a1, 0(s6)
    MIX a1
    lr.w    a1, (s0)                 /* sign-extended */
    MIX a1
    sc.w    a3, s3, (s0)
    MIX a3
    lr.w.aq a1, (s0)
    MIX a1
    sc.w.rl a3, s4, (s0)
    MIX a3
    lr.d.aqrl a1, (s6)
    MIX a1
    sc.d.aqrl a3, s2, (s6)
    MIX a3
    la      s7, cell2
    lr.d    a1, (s6)                 /* reservation on cell+8 ... */
    sc.d    a3, s1, (s7)             /* ... so an sc to cell2 fails */
    snez    a3, a3
    MIX a3
    ld      a1, 0(s7)
    MIX a1
    ld      a1, 0(s0)
    MIX a1
    ld      a1, 8(s0)
    MIX a1

    /* CAS loop: add 3 to cell2 100 times with lr/sc */
    li      s8, 100
1:  lr.w    a1, (s7)
    addiw   a2, a1, 3
    sc.w    a3, a2, (s7)
    bnez    a3, 1b
    addi    s8, s8, -1
    bnez    s8, 1b
    ld      a1, 0(s7)
    MIX a1

    /* an AMO loop: amomaxu.d over a small sequence */
    li      s8, 50
    sd      zero, 0(s7)
2:  mul     a2, s8, s8
    xori    a2, a2, 0x5a5
    amomaxu.d a1, a2, (s7)
    MIX a1
    addi    s8, s8, -1
    bnez    s8, 2b

    PUTS    msg
    mv      a0, s11
    call    put_hex
    EXIT    0

    PUT_HEX_FUNC
