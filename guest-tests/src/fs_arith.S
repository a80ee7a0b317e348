/* fs_arith: freestanding RV64IM + C register-state test (no libc; for the instruction-by-
 * instruction differential trace against QEMU). Covers the integer and M ops (incl. division
 * by zero and overflow), shifts and W forms, every branch taken and not, loops, jal/jalr
 * (calls and a jump table), loads and stores of every width (signed and unsigned) on .data,
 * .bss and the stack, misaligned loads/stores, fence/fence.i, and compressed instructions
 * (explicit c.* forms plus whatever the assembler compresses). Every result is folded into a
 * checksum in s11, printed in hex at the end; exit(0) via ecall 93. ~5k instructions. */
#include "fs_common.inc"
    .file "fs_arith.S"   /* a stable FILE symbol: keeps the build reproducible */

    .data
    .balign 8
words:  .dword 0x0123456789abcdef, 0xfedcba9876543210, 0x8000000000000000, 0x7fffffffffffffff
bytes:  .byte  0x80, 0x7f, 0xff, 0x01, 0x00, 0xaa, 0x55, 0xc3, 0x3c, 0x99, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66
jtab:   .dword case0, case1, case2, case3
msg:    .ascii "fs_arith checksum="
msg_end:

    .bss
    .balign 8
buf:    .space 64

    START
    li      s11, 0x243f6a8885a308d3

    /* ---- RV64I register-register and immediate ops ---- */
    li      s0, 0x0123456789abcdef
    li      s1, -1234567
    li      s2, 63
    add     a0, s0, s1;   MIX a0
    sub     a0, s0, s1;   MIX a0
    addw    a0, s0, s1;   MIX a0
    subw    a0, s1, s0;   MIX a0
    sll     a0, s0, s2;   MIX a0
    srl     a0, s1, s2;   MIX a0
    sra     a0, s1, s2;   MIX a0
    sllw    a0, s0, s2;   MIX a0      /* only the low 5 bits of the shift count */
    srlw    a0, s1, s2;   MIX a0
    sraw    a0, s1, s2;   MIX a0
    slt     a0, s1, s0;   MIX a0
    sltu    a0, s1, s0;   MIX a0
    xor     a0, s0, s1;   MIX a0
    or      a0, s0, s1;   MIX a0
    and     a0, s0, s1;   MIX a0
    addi    a0, s0, -2048; MIX a0
    addiw   a0, s0, 2047; MIX a0
    slti    a0, s1, -5;   MIX a0
    sltiu   a0, s1, -5;   MIX a0      /* immediate sign-extended, then compared unsigned */
    xori    a0, s0, -1;   MIX a0
    ori     a0, s0, 0x7f0; MIX a0
    andi    a0, s1, -16;  MIX a0
    slli    a0, s0, 37;   MIX a0
    srli    a0, s1, 1;    MIX a0
    srai    a0, s1, 13;   MIX a0
    slliw   a0, s0, 31;   MIX a0
    srliw   a0, s1, 3;    MIX a0
    sraiw   a0, s1, 3;    MIX a0
    lui     a0, 0xfffff;  MIX a0      /* sign-extended to 64 bits */
    lui     a0, 0x7ffff;  MIX a0
1:  auipc   a0, 0;        la a1, 1b;  sub a0, a0, a1; MIX a0   /* auipc == its own pc */
    sltu    a0, zero, s0; MIX a0      /* snez */
    sub     a0, zero, s0; MIX a0      /* neg */

    /* ---- M extension ---- */
    li      s3, 0x8000000000000000
    li      s4, -1
    li      s5, 0xfedcba9876543210
    li      s6, 7
    mul     a0, s0, s5;   MIX a0
    mulh    a0, s0, s5;   MIX a0
    mulhsu  a0, s5, s0;   MIX a0
    mulhu   a0, s0, s5;   MIX a0
    mulw    a0, s0, s5;   MIX a0
    div     a0, s5, s6;   MIX a0
    divu    a0, s5, s6;   MIX a0
    rem     a0, s5, s6;   MIX a0
    remu    a0, s5, s6;   MIX a0
    divw    a0, s5, s6;   MIX a0
    divuw   a0, s5, s6;   MIX a0
    remw    a0, s5, s6;   MIX a0
    remuw   a0, s5, s6;   MIX a0
    div     a0, s5, zero; MIX a0      /* by zero: -1 */
    divu    a0, s5, zero; MIX a0      /* all ones */
    rem     a0, s5, zero; MIX a0      /* the dividend */
    remu    a0, s5, zero; MIX a0
    divw    a0, s5, zero; MIX a0
    remuw   a0, s5, zero; MIX a0
    div     a0, s3, s4;   MIX a0      /* overflow: INT64_MIN / -1 = INT64_MIN */
    rem     a0, s3, s4;   MIX a0      /* = 0 */
    li      t0, 0xffffffff80000000
    divw    a0, t0, s4;   MIX a0      /* INT32_MIN / -1 */
    remw    a0, t0, s4;   MIX a0
    mulh    a0, s3, s3;   MIX a0
    mulhsu  a0, s3, s4;   MIX a0
    mulhu   a0, s4, s4;   MIX a0

    /* ---- branches: each kind taken and not taken ---- */
    li      t0, -3
    li      t1, 5
    li      s7, 0
    beq     t0, t0, 2f;   addi s7, s7, 1
2:  beq     t0, t1, 2f;   addi s7, s7, 2
2:  bne     t0, t1, 2f;   addi s7, s7, 4
2:  bne     t0, t0, 2f;   addi s7, s7, 8
2:  blt     t0, t1, 2f;   addi s7, s7, 16
2:  blt     t1, t0, 2f;   addi s7, s7, 32
2:  bge     t1, t0, 2f;   addi s7, s7, 64
2:  bge     t0, t1, 2f;   addi s7, s7, 128
2:  bltu    t1, t0, 2f;   addi s7, s7, 256
2:  bltu    t0, t1, 2f;   addi s7, s7, 512
2:  bgeu    t0, t1, 2f;   addi s7, s7, 1024
2:  bgeu    t1, t0, 2f;   addi s7, s7, -2048
2:  MIX s7

    /* ---- loops: sum 1..1000, then a nested 20x20 loop with a data-dependent branch ---- */
    li      t0, 1000
    li      a0, 0
3:  add     a0, a0, t0
    addi    t0, t0, -1
    bnez    t0, 3b
    MIX a0
    li      t0, 20
    li      a0, 0
4:  li      t1, 20
5:  mul     t2, t0, t1
    andi    t3, t2, 3
    beqz    t3, 6f
    add     a0, a0, t2
    j       7f
6:  xor     a0, a0, t2
7:  addi    t1, t1, -1
    bnez    t1, 5b
    addi    t0, t0, -1
    bnez    t0, 4b
    MIX a0

    /* ---- jal / jalr: calls, a return address check and a jump table ---- */
    li      a0, 10
    call    fact              /* recursive: 10! */
    MIX a0
    jal     ra, 8f
8:  la      t0, 8b
    sub     a0, ra, t0        /* ra = address of the label: the jal is 4 bytes earlier */
    MIX a0
    li      s8, 0
    li      s9, 0
9:  la      t0, jtab
    slli    t1, s9, 3
    add     t0, t0, t1
    ld      t0, 0(t0)
    jalr    ra, 0(t0)
    addi    s9, s9, 1
    li      t1, 4
    blt     s9, t1, 9b
    MIX s8
    la      t0, fact
    li      a0, 5
    jalr    ra, t0, 0         /* jalr with an offset-0 register target */
    MIX a0

    /* ---- loads of every width, signed and unsigned ---- */
    la      s0, bytes
    la      s1, words
    lb      a0, 0(s0);    MIX a0
    lbu     a0, 0(s0);    MIX a0
    lb      a0, 1(s0);    MIX a0
    lh      a0, 0(s0);    MIX a0
    lhu     a0, 0(s0);    MIX a0
    lh      a0, 2(s0);    MIX a0
    lw      a0, 4(s0);    MIX a0
    lwu     a0, 4(s0);    MIX a0
    lw      a0, 16(s1);   MIX a0
    lwu     a0, 20(s1);   MIX a0
    lw      a0, 20(s1);   MIX a0
    ld      a0, 8(s1);    MIX a0
    ld      a0, 24(s1);   MIX a0
    /* misaligned (legal in user mode) */
    lh      a0, 1(s0);    MIX a0
    lw      a0, 3(s0);    MIX a0
    lwu     a0, 5(s0);    MIX a0
    ld      a0, 7(s0);    MIX a0

    /* ---- stores of every width into .bss, then read back ---- */
    la      s2, buf
    li      t0, 0x1122334455667788
    sd      t0, 0(s2)
    sb      s4, 1(s2)
    sh      s4, 4(s2)
    sw      zero, 8(s2)
    sw      t0, 12(s2)
    sh      t0, 17(s2)         /* misaligned */
    sd      t0, 21(s2)         /* misaligned, crosses an 8-byte boundary */
    ld      a0, 0(s2);    MIX a0
    ld      a0, 8(s2);    MIX a0
    ld      a0, 16(s2);   MIX a0
    ld      a0, 24(s2);   MIX a0

    /* ---- the stack ---- */
    addi    sp, sp, -48
    sd      s0, 0(sp)
    sw      t0, 8(sp)
    sh      t0, 12(sp)
    sb      t0, 14(sp)
    sb      s4, 15(sp)
    ld      a0, 0(sp);    sub a0, a0, s0;  MIX a0
    ld      a0, 8(sp);    MIX a0
    lbu     a0, 15(sp);   MIX a0
    addi    sp, sp, 48

    /* ---- explicit compressed instructions ---- */
    c.li    a0, -17;      MIX a0
    c.lui   a1, 0x1f;     MIX a1
    c.addi  a0, 31;       MIX a0
    c.addiw a0, -1;       MIX a0
    c.mv    a2, a0
    c.add   a2, a1;       MIX a2
    c.sub   a2, a0;       MIX a2
    c.and   a2, a1;       MIX a2
    c.or    a2, a0;       MIX a2
    c.xor   a2, a1;       MIX a2
    c.addw  a2, a0;       MIX a2
    c.subw  a2, a1;       MIX a2
    c.slli  a2, 13;       MIX a2
    c.srli  a2, 3;        MIX a2
    c.srai  a2, 5;        MIX a2
    c.andi  a2, -9;       MIX a2
    c.nop
    c.addi16sp sp, -64
    c.addi4spn a3, sp, 16
    c.sdsp  a2, 8(sp)
    c.swsp  a1, 4(sp)
    c.ldsp  a4, 8(sp);    MIX a4
    c.lwsp  a5, 4(sp);    MIX a5
    c.sd    a2, 0(a3)
    c.sw    a0, 8(a3)
    c.ld    a4, 0(a3);    MIX a4
    c.lw    a5, 8(a3);    MIX a5
    c.addi16sp sp, 64
    la      a4, 10f
    c.jr    a4
    c.li    a0, 1                  /* skipped */
10: la      a4, 11f
    c.jalr  a4                     /* ra = return point */
    c.j     12f
11: c.mv    a0, ra
    la      a5, 10b
    sub     a0, a0, a5
    MIX a0
    c.jr    ra
12: c.li    a0, 0
    c.beqz  a0, 13f
    c.li    a0, 9
13: c.bnez  a0, 14f
    c.li    a0, 7
14: MIX a0

    /* ---- fences ---- */
    fence
    fence   rw, rw
    fence   r, r
    fence.i

    /* ---- print the checksum and exit ---- */
    PUTS    msg
    mv      a0, s11
    call    put_hex
    EXIT    0

/* fact(a0): recursive factorial, uses the stack */
    .type fact, @function
fact:
    li      t0, 2
    blt     a0, t0, 1f
    addi    sp, sp, -16
    sd      ra, 8(sp)
    sd      a0, 0(sp)
    addi    a0, a0, -1
    call    fact
    ld      t0, 0(sp)
    mul     a0, a0, t0
    ld      ra, 8(sp)
    addi    sp, sp, 16
    ret
1:  li      a0, 1
    ret

/* jump-table targets: each adds a distinct value to s8 */
case0: addi s8, s8, 3;    ret
case1: slli s8, s8, 2;    ret
case2: xori s8, s8, 0x55; ret
case3: addi s8, s8, -100; jr ra

    PUT_HEX_FUNC
