package dev.reprise.isa;

import java.util.random.RandomGenerator;

/**
 * Test-side assembler: the inverse of {@link Decoder}, derived from the same tables. A 32-bit
 * operation is encoded by putting each field its {@link Format} has in place and keeping the
 * operation's fixed bits ({@code match | fields & ~mask}); a compressed form by inverting its
 * field layout. Every encoding is checked by decoding it again, so operands that do not fit (an
 * immediate out of range or misaligned, x3 where only x8..x15 exist, a HINT or reserved
 * combination another form owns) are an {@link IllegalArgumentException}, never silently wrong bits.
 */
public final class Asm {
    private Asm() {}

    private static final int RD = 0x1f << 7, RM = 7 << 12, RS1 = 0x1f << 15, RS2 = 0x1f << 20, AQRL = 3 << 25,
            RS3 = 0x1f << 27;

    /** The register and rm fields a format has (aq/rl only matter where the mask leaves them free). */
    private static int fields(Format format) {
        return switch (format) {
            case R -> RD | RS1 | RS2 | RM | AQRL;
            case R4 -> RD | RS1 | RS2 | RS3 | RM;
            case I, SHIFT6, SHIFT5, CSR, FENCE -> RD | RS1 | RM;
            case S, B -> RS1 | RS2 | RM;
            case U, J -> RD;
            case NONE -> 0;
        };
    }

    private static boolean hasImm(Format format) {
        return format != Format.R && format != Format.R4 && format != Format.NONE;
    }

    /**
     * Encodes a 32-bit instruction. Fields the operation does not have (by its format, or because
     * its pattern fixes them, like rm of add or rs2 of fsqrt.s) are ignored.
     */
    public static int encode(Op op, int rd, int rs1, int rs2, int rs3, long imm, int rm, int aqrl) {
        if (op == Op.ILLEGAL) throw new IllegalArgumentException("ILLEGAL has no encoding");
        int i = (int) imm;
        int regs = rd << 7 | rm << 12 | rs1 << 15 | rs2 << 20 | aqrl << 25 | rs3 << 27;
        int immBits = switch (op.format) {
            case I, CSR, FENCE -> i << 20;
            case SHIFT6 -> (i & 0x3f) << 20;
            case SHIFT5 -> (i & 0x1f) << 20;
            case S -> (i >> 5 & 0x7f) << 25 | (i & 0x1f) << 7;
            case B -> (i >> 12 & 1) << 31 | (i >> 5 & 0x3f) << 25 | (i >> 1 & 0xf) << 8 | (i >> 11 & 1) << 7;
            case U -> i & 0xfffff000;
            case J -> (i >> 20 & 1) << 31 | (i >> 1 & 0x3ff) << 21 | (i >> 11 & 1) << 20 | (i >> 12 & 0xff) << 12;
            case R, R4, NONE -> 0;
        };
        int free = fields(op.format) & ~op.mask;
        int word = op.match | (regs & free | immBits) & ~op.mask;
        Insn back = Decoder.decode(word);
        boolean fits = back.op() == op
                && ((free & RD) == 0 || back.rd() == rd)
                && ((free & RS1) == 0 || back.rs1() == rs1)
                && ((free & RS2) == 0 || back.rs2() == rs2)
                && ((free & RS3) == 0 || back.rs3() == rs3)
                && ((free & RM) == 0 || back.rm() == rm)
                && ((free & AQRL) == 0 || back.aqrl() == aqrl)
                && (!hasImm(op.format) || back.imm() == imm);
        if (!fits) throw new IllegalArgumentException("operands do not fit " + op + ": got " + back);
        return word;
    }

    /** Re-encodes a decoded instruction; a compressed one gives its 16-bit form. */
    public static int encode(Insn insn) {
        if (insn.compressed() != null) {
            return encode(insn.compressed(), insn.rd(), insn.rs1(), insn.rs2(), insn.imm());
        }
        return encode(insn.op(), insn.rd(), insn.rs1(), insn.rs2(), insn.rs3(), insn.imm(), insn.rm(), insn.aqrl());
    }

    /**
     * Encodes a compressed form from the operands of the instruction it expands to (c.addi sp,-16
     * is rd = rs1 = 2, imm = -16). Fixed registers of the form must be given as they are.
     */
    public static int encode(Compressed c, int rd, int rs1, int rs2, long imm) {
        if (c.op == Op.ILLEGAL) throw new IllegalArgumentException(c + " is reserved");
        int parcel = c.match | place(c.rd, rd) | place(c.rs1, rs1) | place(c.rs2, rs2);
        for (int bit = 0; bit < c.immSource.length; bit++) {
            if (c.immSource[bit] >= 0) parcel |= (int) (imm >>> bit & 1) << c.immSource[bit];
        }
        Insn back = Decoder.decode(parcel);
        if (back.compressed() != c || back.rd() != rd || back.rs1() != rs1 || back.rs2() != rs2 || back.imm() != imm) {
            throw new IllegalArgumentException("operands do not fit " + c + ": " + back);
        }
        return parcel;
    }

    /** A random encoding of {@code op}: its fixed bits, random operand bits. */
    public static int random(Op op, RandomGenerator random) {
        if (op == Op.ILLEGAL) throw new IllegalArgumentException("ILLEGAL has no encoding");
        while (true) {
            int word = op.match | random.nextInt() & ~op.mask;
            if (Decoder.decode(word).op() == op) return word;
        }
    }

    /** A random parcel of compressed form {@code c} (not one that an earlier, more specific form owns). */
    public static int random(Compressed c, RandomGenerator random) {
        while (true) {
            int parcel = c.match | random.nextInt() & ~c.mask & 0xffff;
            if (Decoder.decode(parcel).compressed() == c) return parcel;
        }
    }

    private static int place(Compressed.Reg field, int reg) {
        return field.fixed() ? 0 : (reg - field.base() & (1 << field.width()) - 1) << field.lo();
    }
}
