package dev.reprise.isa;

/**
 * How a 32-bit instruction's immediate is laid out. The decoder extracts {@link Insn#imm} by
 * format; register fields (rd, rs1, rs2, rs3) always sit in the same bits.
 */
public enum Format {
    /** rd, rs1, rs2 (imm unused). */
    R,
    /** rd, rs1, rs2, rs3 (fused multiply-add; imm unused). */
    R4,
    /** 12-bit signed immediate in bits 31..20. */
    I,
    /** 6-bit shift amount in bits 25..20 (RV64 shifts). */
    SHIFT6,
    /** 5-bit shift amount in bits 24..20 (the W shifts). */
    SHIFT5,
    /** 12-bit signed store offset split over bits 31..25 and 11..7. */
    S,
    /** 13-bit signed branch offset (bit 0 is zero). */
    B,
    /** 20-bit upper immediate, already shifted: imm = sext(inst & 0xfffff000). */
    U,
    /** 21-bit signed jump offset (bit 0 is zero). */
    J,
    /** CSR number (bits 31..20, unsigned) in imm; rs1 is a register or, for the *i forms, a 5-bit uimm. */
    CSR,
    /** Fence: imm holds bits 31..20 (fm, pred, succ). */
    FENCE,
    /** No operands at all (ecall, ebreak). */
    NONE
}
