package dev.reprise.isa;

import static dev.reprise.isa.Format.*;

/**
 * Every RV64GC instruction, described once: mnemonic, bit pattern and operand syntax.
 *
 * <p>The pattern reads like QEMU's decodetree: the 32 bits from bit 31 down to bit 0, with
 * {@code 0}/{@code 1} for fixed bits and {@code .} for operand bits; spaces are only for the eye and
 * line up with the fields. The decoder derives mask and match from it, the disassembler prints
 * {@link #operands} and the interpreter has exactly one case per constant. Compressed (C) encodings
 * are not listed here: they expand at decode time into these base operations
 * (see {@link Compressed}).
 *
 * <p>Operand letters (after binutils' riscv-opc.c): {@code d s t} integer rd, rs1, rs2;
 * {@code D S T R} floating-point rd, rs1, rs2, rs3; {@code j} signed 12-bit immediate;
 * {@code >} shift amount; {@code o(s)} load address; {@code q(s)} store address; {@code (s)} atomic
 * address; {@code p} branch target; {@code a} jump target; {@code u} upper immediate; {@code E} CSR;
 * {@code Z} 5-bit CSR immediate (in the rs1 field); {@code P,Q} fence predecessor and successor;
 * {@code m} rounding mode (printed only when not dynamic). Conversions that are always exact
 * (fcvt.d.s, fcvt.d.w, fcvt.d.wu) still carry an rm field, but objdump prints none for them.
 */
public enum Op {
    // ---- RV64I --------------------------------------------------------------------------------
    //          mnemonic   31                                    0   format  operands
    LUI       ("lui",      "....................  ..... 0110111", U,      "d,u"),
    AUIPC     ("auipc",    "....................  ..... 0010111", U,      "d,u"),
    JAL       ("jal",      "....................  ..... 1101111", J,      "d,a"),
    JALR      ("jalr",     "............ ..... 000 ..... 1100111", I,     "d,o(s)"),
    BEQ       ("beq",      "....... ..... ..... 000 ..... 1100011", B,    "s,t,p"),
    BNE       ("bne",      "....... ..... ..... 001 ..... 1100011", B,    "s,t,p"),
    BLT       ("blt",      "....... ..... ..... 100 ..... 1100011", B,    "s,t,p"),
    BGE       ("bge",      "....... ..... ..... 101 ..... 1100011", B,    "s,t,p"),
    BLTU      ("bltu",     "....... ..... ..... 110 ..... 1100011", B,    "s,t,p"),
    BGEU      ("bgeu",     "....... ..... ..... 111 ..... 1100011", B,    "s,t,p"),
    LB        ("lb",       "............ ..... 000 ..... 0000011", I,     "d,o(s)"),
    LH        ("lh",       "............ ..... 001 ..... 0000011", I,     "d,o(s)"),
    LW        ("lw",       "............ ..... 010 ..... 0000011", I,     "d,o(s)"),
    LD        ("ld",       "............ ..... 011 ..... 0000011", I,     "d,o(s)"),
    LBU       ("lbu",      "............ ..... 100 ..... 0000011", I,     "d,o(s)"),
    LHU       ("lhu",      "............ ..... 101 ..... 0000011", I,     "d,o(s)"),
    LWU       ("lwu",      "............ ..... 110 ..... 0000011", I,     "d,o(s)"),
    SB        ("sb",       "....... ..... ..... 000 ..... 0100011", S,    "t,q(s)"),
    SH        ("sh",       "....... ..... ..... 001 ..... 0100011", S,    "t,q(s)"),
    SW        ("sw",       "....... ..... ..... 010 ..... 0100011", S,    "t,q(s)"),
    SD        ("sd",       "....... ..... ..... 011 ..... 0100011", S,    "t,q(s)"),
    ADDI      ("addi",     "............ ..... 000 ..... 0010011", I,     "d,s,j"),
    SLTI      ("slti",     "............ ..... 010 ..... 0010011", I,     "d,s,j"),
    SLTIU     ("sltiu",    "............ ..... 011 ..... 0010011", I,     "d,s,j"),
    XORI      ("xori",     "............ ..... 100 ..... 0010011", I,     "d,s,j"),
    ORI       ("ori",      "............ ..... 110 ..... 0010011", I,     "d,s,j"),
    ANDI      ("andi",     "............ ..... 111 ..... 0010011", I,     "d,s,j"),
    SLLI      ("slli",     "000000 ...... ..... 001 ..... 0010011", SHIFT6, "d,s,>"),
    SRLI      ("srli",     "000000 ...... ..... 101 ..... 0010011", SHIFT6, "d,s,>"),
    SRAI      ("srai",     "010000 ...... ..... 101 ..... 0010011", SHIFT6, "d,s,>"),
    ADD       ("add",      "0000000 ..... ..... 000 ..... 0110011", R,    "d,s,t"),
    SUB       ("sub",      "0100000 ..... ..... 000 ..... 0110011", R,    "d,s,t"),
    SLL       ("sll",      "0000000 ..... ..... 001 ..... 0110011", R,    "d,s,t"),
    SLT       ("slt",      "0000000 ..... ..... 010 ..... 0110011", R,    "d,s,t"),
    SLTU      ("sltu",     "0000000 ..... ..... 011 ..... 0110011", R,    "d,s,t"),
    XOR       ("xor",      "0000000 ..... ..... 100 ..... 0110011", R,    "d,s,t"),
    SRL       ("srl",      "0000000 ..... ..... 101 ..... 0110011", R,    "d,s,t"),
    SRA       ("sra",      "0100000 ..... ..... 101 ..... 0110011", R,    "d,s,t"),
    OR        ("or",       "0000000 ..... ..... 110 ..... 0110011", R,    "d,s,t"),
    AND       ("and",      "0000000 ..... ..... 111 ..... 0110011", R,    "d,s,t"),
    ADDIW     ("addiw",    "............ ..... 000 ..... 0011011", I,     "d,s,j"),
    SLLIW     ("slliw",    "0000000 ..... ..... 001 ..... 0011011", SHIFT5, "d,s,>"),
    SRLIW     ("srliw",    "0000000 ..... ..... 101 ..... 0011011", SHIFT5, "d,s,>"),
    SRAIW     ("sraiw",    "0100000 ..... ..... 101 ..... 0011011", SHIFT5, "d,s,>"),
    ADDW      ("addw",     "0000000 ..... ..... 000 ..... 0111011", R,    "d,s,t"),
    SUBW      ("subw",     "0100000 ..... ..... 000 ..... 0111011", R,    "d,s,t"),
    SLLW      ("sllw",     "0000000 ..... ..... 001 ..... 0111011", R,    "d,s,t"),
    SRLW      ("srlw",     "0000000 ..... ..... 101 ..... 0111011", R,    "d,s,t"),
    SRAW      ("sraw",     "0100000 ..... ..... 101 ..... 0111011", R,    "d,s,t"),
    FENCE     ("fence",    ".... .... .... ..... 000 ..... 0001111", Format.FENCE, "P,Q"),
    ECALL     ("ecall",    "000000000000 00000 000 00000 1110011", NONE,  ""),
    EBREAK    ("ebreak",   "000000000001 00000 000 00000 1110011", NONE,  ""),

    // ---- Zifencei, Zicsr ----------------------------------------------------------------------
    FENCE_I   ("fence.i",  "............ ..... 001 ..... 0001111", NONE,  ""),
    CSRRW     ("csrrw",    "............ ..... 001 ..... 1110011", CSR,   "d,E,s"),
    CSRRS     ("csrrs",    "............ ..... 010 ..... 1110011", CSR,   "d,E,s"),
    CSRRC     ("csrrc",    "............ ..... 011 ..... 1110011", CSR,   "d,E,s"),
    CSRRWI    ("csrrwi",   "............ ..... 101 ..... 1110011", CSR,   "d,E,Z"),
    CSRRSI    ("csrrsi",   "............ ..... 110 ..... 1110011", CSR,   "d,E,Z"),
    CSRRCI    ("csrrci",   "............ ..... 111 ..... 1110011", CSR,   "d,E,Z"),

    // ---- M --------------------------------------------------------------------------------------
    MUL       ("mul",      "0000001 ..... ..... 000 ..... 0110011", R,    "d,s,t"),
    MULH      ("mulh",     "0000001 ..... ..... 001 ..... 0110011", R,    "d,s,t"),
    MULHSU    ("mulhsu",   "0000001 ..... ..... 010 ..... 0110011", R,    "d,s,t"),
    MULHU     ("mulhu",    "0000001 ..... ..... 011 ..... 0110011", R,    "d,s,t"),
    DIV       ("div",      "0000001 ..... ..... 100 ..... 0110011", R,    "d,s,t"),
    DIVU      ("divu",     "0000001 ..... ..... 101 ..... 0110011", R,    "d,s,t"),
    REM       ("rem",      "0000001 ..... ..... 110 ..... 0110011", R,    "d,s,t"),
    REMU      ("remu",     "0000001 ..... ..... 111 ..... 0110011", R,    "d,s,t"),
    MULW      ("mulw",     "0000001 ..... ..... 000 ..... 0111011", R,    "d,s,t"),
    DIVW      ("divw",     "0000001 ..... ..... 100 ..... 0111011", R,    "d,s,t"),
    DIVUW     ("divuw",    "0000001 ..... ..... 101 ..... 0111011", R,    "d,s,t"),
    REMW      ("remw",     "0000001 ..... ..... 110 ..... 0111011", R,    "d,s,t"),
    REMUW     ("remuw",    "0000001 ..... ..... 111 ..... 0111011", R,    "d,s,t"),

    // ---- A (bits 26..25 are aq, rl: see Insn#aq, Insn#rl) ------------------------------------------
    LR_W      ("lr.w",     "00010 .. 00000 ..... 010 ..... 0101111", R,   "d,(s)"),
    SC_W      ("sc.w",     "00011 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOSWAP_W ("amoswap.w","00001 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOADD_W  ("amoadd.w", "00000 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOXOR_W  ("amoxor.w", "00100 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOAND_W  ("amoand.w", "01100 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOOR_W   ("amoor.w",  "01000 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOMIN_W  ("amomin.w", "10000 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOMAX_W  ("amomax.w", "10100 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOMINU_W ("amominu.w","11000 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    AMOMAXU_W ("amomaxu.w","11100 .. ..... ..... 010 ..... 0101111", R,   "d,t,(s)"),
    LR_D      ("lr.d",     "00010 .. 00000 ..... 011 ..... 0101111", R,   "d,(s)"),
    SC_D      ("sc.d",     "00011 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOSWAP_D ("amoswap.d","00001 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOADD_D  ("amoadd.d", "00000 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOXOR_D  ("amoxor.d", "00100 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOAND_D  ("amoand.d", "01100 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOOR_D   ("amoor.d",  "01000 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOMIN_D  ("amomin.d", "10000 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOMAX_D  ("amomax.d", "10100 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOMINU_D ("amominu.d","11000 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),
    AMOMAXU_D ("amomaxu.d","11100 .. ..... ..... 011 ..... 0101111", R,   "d,t,(s)"),

    // ---- F --------------------------------------------------------------------------------------
    FLW       ("flw",      "............ ..... 010 ..... 0000111", I,     "D,o(s)"),
    FSW       ("fsw",      "....... ..... ..... 010 ..... 0100111", S,    "T,q(s)"),
    FMADD_S   ("fmadd.s",  "..... 00 ..... ..... ... ..... 1000011", R4,  "D,S,T,R,m"),
    FMSUB_S   ("fmsub.s",  "..... 00 ..... ..... ... ..... 1000111", R4,  "D,S,T,R,m"),
    FNMSUB_S  ("fnmsub.s", "..... 00 ..... ..... ... ..... 1001011", R4,  "D,S,T,R,m"),
    FNMADD_S  ("fnmadd.s", "..... 00 ..... ..... ... ..... 1001111", R4,  "D,S,T,R,m"),
    FADD_S    ("fadd.s",   "0000000 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FSUB_S    ("fsub.s",   "0000100 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FMUL_S    ("fmul.s",   "0001000 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FDIV_S    ("fdiv.s",   "0001100 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FSQRT_S   ("fsqrt.s",  "0101100 00000 ..... ... ..... 1010011", R,    "D,S,m"),
    FSGNJ_S   ("fsgnj.s",  "0010000 ..... ..... 000 ..... 1010011", R,    "D,S,T"),
    FSGNJN_S  ("fsgnjn.s", "0010000 ..... ..... 001 ..... 1010011", R,    "D,S,T"),
    FSGNJX_S  ("fsgnjx.s", "0010000 ..... ..... 010 ..... 1010011", R,    "D,S,T"),
    FMIN_S    ("fmin.s",   "0010100 ..... ..... 000 ..... 1010011", R,    "D,S,T"),
    FMAX_S    ("fmax.s",   "0010100 ..... ..... 001 ..... 1010011", R,    "D,S,T"),
    FCVT_W_S  ("fcvt.w.s", "1100000 00000 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_WU_S ("fcvt.wu.s","1100000 00001 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_L_S  ("fcvt.l.s", "1100000 00010 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_LU_S ("fcvt.lu.s","1100000 00011 ..... ... ..... 1010011", R,    "d,S,m"),
    FMV_X_W   ("fmv.x.w",  "1110000 00000 ..... 000 ..... 1010011", R,    "d,S"),
    FCLASS_S  ("fclass.s", "1110000 00000 ..... 001 ..... 1010011", R,    "d,S"),
    FEQ_S     ("feq.s",    "1010000 ..... ..... 010 ..... 1010011", R,    "d,S,T"),
    FLT_S     ("flt.s",    "1010000 ..... ..... 001 ..... 1010011", R,    "d,S,T"),
    FLE_S     ("fle.s",    "1010000 ..... ..... 000 ..... 1010011", R,    "d,S,T"),
    FCVT_S_W  ("fcvt.s.w", "1101000 00000 ..... ... ..... 1010011", R,    "D,s,m"),
    FCVT_S_WU ("fcvt.s.wu","1101000 00001 ..... ... ..... 1010011", R,    "D,s,m"),
    FCVT_S_L  ("fcvt.s.l", "1101000 00010 ..... ... ..... 1010011", R,    "D,s,m"),
    FCVT_S_LU ("fcvt.s.lu","1101000 00011 ..... ... ..... 1010011", R,    "D,s,m"),
    FMV_W_X   ("fmv.w.x",  "1111000 00000 ..... 000 ..... 1010011", R,    "D,s"),

    // ---- D --------------------------------------------------------------------------------------
    FLD       ("fld",      "............ ..... 011 ..... 0000111", I,     "D,o(s)"),
    FSD       ("fsd",      "....... ..... ..... 011 ..... 0100111", S,    "T,q(s)"),
    FMADD_D   ("fmadd.d",  "..... 01 ..... ..... ... ..... 1000011", R4,  "D,S,T,R,m"),
    FMSUB_D   ("fmsub.d",  "..... 01 ..... ..... ... ..... 1000111", R4,  "D,S,T,R,m"),
    FNMSUB_D  ("fnmsub.d", "..... 01 ..... ..... ... ..... 1001011", R4,  "D,S,T,R,m"),
    FNMADD_D  ("fnmadd.d", "..... 01 ..... ..... ... ..... 1001111", R4,  "D,S,T,R,m"),
    FADD_D    ("fadd.d",   "0000001 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FSUB_D    ("fsub.d",   "0000101 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FMUL_D    ("fmul.d",   "0001001 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FDIV_D    ("fdiv.d",   "0001101 ..... ..... ... ..... 1010011", R,    "D,S,T,m"),
    FSQRT_D   ("fsqrt.d",  "0101101 00000 ..... ... ..... 1010011", R,    "D,S,m"),
    FSGNJ_D   ("fsgnj.d",  "0010001 ..... ..... 000 ..... 1010011", R,    "D,S,T"),
    FSGNJN_D  ("fsgnjn.d", "0010001 ..... ..... 001 ..... 1010011", R,    "D,S,T"),
    FSGNJX_D  ("fsgnjx.d", "0010001 ..... ..... 010 ..... 1010011", R,    "D,S,T"),
    FMIN_D    ("fmin.d",   "0010101 ..... ..... 000 ..... 1010011", R,    "D,S,T"),
    FMAX_D    ("fmax.d",   "0010101 ..... ..... 001 ..... 1010011", R,    "D,S,T"),
    FCVT_S_D  ("fcvt.s.d", "0100000 00001 ..... ... ..... 1010011", R,    "D,S,m"),
    FCVT_D_S  ("fcvt.d.s", "0100001 00000 ..... ... ..... 1010011", R,    "D,S"),
    FEQ_D     ("feq.d",    "1010001 ..... ..... 010 ..... 1010011", R,    "d,S,T"),
    FLT_D     ("flt.d",    "1010001 ..... ..... 001 ..... 1010011", R,    "d,S,T"),
    FLE_D     ("fle.d",    "1010001 ..... ..... 000 ..... 1010011", R,    "d,S,T"),
    FCLASS_D  ("fclass.d", "1110001 00000 ..... 001 ..... 1010011", R,    "d,S"),
    FCVT_W_D  ("fcvt.w.d", "1100001 00000 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_WU_D ("fcvt.wu.d","1100001 00001 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_L_D  ("fcvt.l.d", "1100001 00010 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_LU_D ("fcvt.lu.d","1100001 00011 ..... ... ..... 1010011", R,    "d,S,m"),
    FCVT_D_W  ("fcvt.d.w", "1101001 00000 ..... ... ..... 1010011", R,    "D,s"),
    FCVT_D_WU ("fcvt.d.wu","1101001 00001 ..... ... ..... 1010011", R,    "D,s"),
    FCVT_D_L  ("fcvt.d.l", "1101001 00010 ..... ... ..... 1010011", R,    "D,s,m"),
    FCVT_D_LU ("fcvt.d.lu","1101001 00011 ..... ... ..... 1010011", R,    "D,s,m"),
    FMV_X_D   ("fmv.x.d",  "1110001 00000 ..... 000 ..... 1010011", R,    "d,S"),
    FMV_D_X   ("fmv.d.x",  "1111001 00000 ..... 000 ..... 1010011", R,    "D,s"),

    /** Any encoding that matches nothing above, and the reserved compressed encodings: SIGILL. */
    ILLEGAL   ("illegal",  null, NONE, "");

    public final String mnemonic;
    /** Bits that must match {@link #match}; zero for {@link #ILLEGAL}. */
    public final int mask;
    public final int match;
    public final Format format;
    public final String operands;

    Op(String mnemonic, String pattern, Format format, String operands) {
        this.mnemonic = mnemonic;
        this.format = format;
        this.operands = operands;
        if (pattern == null) {
            mask = 0;
            match = 0;
            return;
        }
        String bits = pattern.replace(" ", "");
        if (bits.length() != 32) throw new IllegalStateException(name() + ": pattern has " + bits.length() + " bits");
        int m = 0, v = 0;
        for (char c : bits.toCharArray()) {
            m <<= 1;
            v <<= 1;
            if (c != '.') {
                m |= 1;
                v |= c - '0';
            }
        }
        mask = m;
        match = v;
    }

    /** True for the A extension's atomic memory operations and LR/SC (they carry aq/rl bits). */
    public boolean isAtomic() {
        return (match & 0x7f) == 0b0101111 && this != ILLEGAL;
    }

    /** True for instructions that read or write f registers or fcsr through the FP unit. */
    public boolean isFloat() {
        int opcode = match & 0x7f;
        return this != ILLEGAL && (opcode == 0b1010011 || opcode == 0b1000011 || opcode == 0b1000111
                || opcode == 0b1001011 || opcode == 0b1001111 || opcode == 0b0000111 || opcode == 0b0100111);
    }
}
