package dev.reprise.isa;

/**
 * One decoded instruction: the operation and its operand fields, immutable.
 *
 * <p>Compressed instructions decode to the base operation they expand to ({@code c.addi sp,-16}
 * is {@code ADDI} with rd = rs1 = 2 and imm = -16, length 2); {@link #compressed} keeps the 16-bit
 * form for disassembly. Fields an operation does not use are zero.
 *
 * @param op         the base operation ({@link Op#ILLEGAL} for reserved or unknown encodings)
 * @param rd         destination register number (x or f, by the operation)
 * @param rs1        first source register; for the CSR *i forms the 5-bit immediate
 * @param rs2        second source register
 * @param rs3        third source register (R4 format)
 * @param imm        the immediate, sign-extended as the format says; the CSR number for CSR ops;
 *                   bits 31..20 for FENCE
 * @param rm         bits 14..12 (funct3): the rounding mode of FP operations (7 = dynamic); zero for
 *                   U and J formats, whose immediate holds those bits; for a compressed instruction
 *                   the funct3 of the operation it expands to
 * @param aqrl       bits 26..25 of an atomic: 2 = aq, 1 = rl
 * @param length     2 or 4 bytes
 * @param raw        the instruction word as fetched (16 bits for compressed)
 * @param compressed the compressed form (for a reserved parcel the {@code RESERVED_*} or
 *                   {@code C_UNIMP} constant it matched), or null for 32-bit instructions
 */
public record Insn(Op op, int rd, int rs1, int rs2, int rs3, long imm, int rm, int aqrl,
                   int length, int raw, Compressed compressed) {

    public boolean aq() {
        return (aqrl & 2) != 0;
    }

    public boolean rl() {
        return (aqrl & 1) != 0;
    }

    /** The illegal instruction with the given raw bits and length. */
    public static Insn illegal(int raw, int length) {
        return new Insn(Op.ILLEGAL, 0, 0, 0, 0, 0, 0, 0, length, raw, null);
    }
}
