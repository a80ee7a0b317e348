package dev.reprise.isa;

import static dev.reprise.isa.Op.*;

import java.util.Arrays;

/**
 * The RV64C encodings, described once like {@link Op}: mnemonic, 16-bit pattern, operand syntax
 * for the disassembler, the base operation each one expands to, and where its operand fields sit.
 *
 * <p>The pattern is the 16 bits from bit 15 down to bit 0, {@code .} for operand bits. Patterns may
 * overlap: within one quadrant and funct3 the first matching constant wins, so the reserved
 * encodings and special cases are listed before the general form (as in QEMU's insn16.decode).
 *
 * <p>The fields string places the expanded operands: {@code rd=}, {@code rs1=}, {@code rs2=} take
 * a bit range ({@code 11:7}), a 3-bit "prime" range that names x8..x15 or f8..f15 ({@code 4:2'}),
 * or a fixed register ({@code x2}). {@code uimm=}/{@code simm=} (unsigned/sign-extended) list
 * segments {@code bits>immbits} exactly as the specification's tables write them, e.g.
 * {@code 12:10>5:3,6:5>2|6} for c.lw: instruction bits 12..10 hold imm[5:3], bits 6..5 hold imm[2]
 * and imm[6]. Unnamed fields are zero.
 *
 * <p>The mnemonic and operands are what {@code objdump -M no-aliases} prints; operand letters are
 * those of {@link Op#operands}, applied to the expanded instruction. Reserved encodings expand to
 * {@link Op#ILLEGAL} and have no mnemonic, except the all-zero parcel that objdump calls c.unimp.
 */
public enum Compressed {
    // ---- quadrant 0 ---------------------------------------------------------------------------
    //            mnemonic       15            0     expands to  operands  fields
    C_UNIMP      ("c.unimp",    "000 00000000 000 00", ILLEGAL, "",       ""),
    /** nzuimm = 0 is reserved. */
    RESERVED_ADDI4SPN(null,     "000 00000000 ... 00", ILLEGAL, "",       ""),
    C_ADDI4SPN   ("c.addi4spn", "000 ........ ... 00", ADDI,    "d,s,j",  "rd=4:2' rs1=x2 uimm=12:5>5:4|9:6|2|3"),
    C_FLD        ("c.fld",      "001 ... ... .. ... 00", FLD,   "D,o(s)", "rd=4:2' rs1=9:7' uimm=12:10>5:3,6:5>7:6"),
    C_LW         ("c.lw",       "010 ... ... .. ... 00", LW,    "d,o(s)", "rd=4:2' rs1=9:7' uimm=12:10>5:3,6:5>2|6"),
    C_LD         ("c.ld",       "011 ... ... .. ... 00", LD,    "d,o(s)", "rd=4:2' rs1=9:7' uimm=12:10>5:3,6:5>7:6"),
    /** Reserved in RV64C (later taken by Zcb, which RV64GC does not include). */
    RESERVED_Q0  (null,         "100 ........... 00",  ILLEGAL, "",       ""),
    C_FSD        ("c.fsd",      "101 ... ... .. ... 00", FSD,   "T,q(s)", "rs2=4:2' rs1=9:7' uimm=12:10>5:3,6:5>7:6"),
    C_SW         ("c.sw",       "110 ... ... .. ... 00", SW,    "t,q(s)", "rs2=4:2' rs1=9:7' uimm=12:10>5:3,6:5>2|6"),
    C_SD         ("c.sd",       "111 ... ... .. ... 00", SD,    "t,q(s)", "rs2=4:2' rs1=9:7' uimm=12:10>5:3,6:5>7:6"),

    // ---- quadrant 1 ---------------------------------------------------------------------------
    /** c.nop; objdump -M no-aliases spells it as the c.addi it is. */
    C_NOP        ("c.addi",     "000 0 00000 00000 01", ADDI,   "d,j",    "rd=11:7 rs1=11:7 simm=12>5,6:2>4:0"),
    /** rd = 0 or imm = 0 are HINTs: legal, executed as the addi they encode. */
    C_ADDI       ("c.addi",     "000 . ..... ..... 01", ADDI,   "d,j",    "rd=11:7 rs1=11:7 simm=12>5,6:2>4:0"),
    RESERVED_ADDIW(null,        "001 . 00000 ..... 01", ILLEGAL, "",      ""),
    C_ADDIW      ("c.addiw",    "001 . ..... ..... 01", ADDIW,  "d,j",    "rd=11:7 rs1=11:7 simm=12>5,6:2>4:0"),
    C_LI         ("c.li",       "010 . ..... ..... 01", ADDI,   "d,j",    "rd=11:7 rs1=x0 simm=12>5,6:2>4:0"),
    /** c.lui and c.addi16sp with a zero immediate are reserved. */
    RESERVED_LUI (null,         "011 0 ..... 00000 01", ILLEGAL, "",      ""),
    C_ADDI16SP   ("c.addi16sp", "011 . 00010 ..... 01", ADDI,   "d,j",    "rd=x2 rs1=x2 simm=12>9,6:2>4|6|8:7|5"),
    C_LUI        ("c.lui",      "011 . ..... ..... 01", LUI,    "d,u",    "rd=11:7 simm=12>17,6:2>16:12"),
    /** Shift by zero: a HINT that objdump names after RV128's shift by 64. */
    C_SRLI64     ("c.srli64",   "100 0 00 ... 00000 01", SRLI,  "d",      "rd=9:7' rs1=9:7'"),
    C_SRLI       ("c.srli",     "100 . 00 ... ..... 01", SRLI,  "d,>",    "rd=9:7' rs1=9:7' uimm=12>5,6:2>4:0"),
    C_SRAI64     ("c.srai64",   "100 0 01 ... 00000 01", SRAI,  "d",      "rd=9:7' rs1=9:7'"),
    C_SRAI       ("c.srai",     "100 . 01 ... ..... 01", SRAI,  "d,>",    "rd=9:7' rs1=9:7' uimm=12>5,6:2>4:0"),
    C_ANDI       ("c.andi",     "100 . 10 ... ..... 01", ANDI,  "d,j",    "rd=9:7' rs1=9:7' simm=12>5,6:2>4:0"),
    C_SUB        ("c.sub",      "100 0 11 ... 00 ... 01", SUB,  "d,t",    "rd=9:7' rs1=9:7' rs2=4:2'"),
    C_XOR        ("c.xor",      "100 0 11 ... 01 ... 01", XOR,  "d,t",    "rd=9:7' rs1=9:7' rs2=4:2'"),
    C_OR         ("c.or",       "100 0 11 ... 10 ... 01", OR,   "d,t",    "rd=9:7' rs1=9:7' rs2=4:2'"),
    C_AND        ("c.and",      "100 0 11 ... 11 ... 01", AND,  "d,t",    "rd=9:7' rs1=9:7' rs2=4:2'"),
    C_SUBW       ("c.subw",     "100 1 11 ... 00 ... 01", SUBW, "d,t",    "rd=9:7' rs1=9:7' rs2=4:2'"),
    C_ADDW       ("c.addw",     "100 1 11 ... 01 ... 01", ADDW, "d,t",    "rd=9:7' rs1=9:7' rs2=4:2'"),
    RESERVED_ALU (null,         "100 1 11 ... 1. ... 01", ILLEGAL, "",    ""),
    C_J          ("c.j",        "101 ........... 01",   JAL,    "a",      "rd=x0 simm=12:2>11|4|9:8|10|6|7|3:1|5"),
    C_BEQZ       ("c.beqz",     "110 ... ... ..... 01", BEQ,    "s,p",    "rs1=9:7' rs2=x0 simm=12:10>8|4:3,6:2>7:6|2:1|5"),
    C_BNEZ       ("c.bnez",     "111 ... ... ..... 01", BNE,    "s,p",    "rs1=9:7' rs2=x0 simm=12:10>8|4:3,6:2>7:6|2:1|5"),

    // ---- quadrant 2 ---------------------------------------------------------------------------
    C_SLLI64     ("c.slli64",   "000 0 ..... 00000 10", SLLI,   "d",      "rd=11:7 rs1=11:7"),
    C_SLLI       ("c.slli",     "000 . ..... ..... 10", SLLI,   "d,>",    "rd=11:7 rs1=11:7 uimm=12>5,6:2>4:0"),
    C_FLDSP      ("c.fldsp",    "001 . ..... ..... 10", FLD,    "D,o(s)", "rd=11:7 rs1=x2 uimm=12>5,6:2>4:3|8:6"),
    RESERVED_LWSP(null,         "010 . 00000 ..... 10", ILLEGAL, "",      ""),
    C_LWSP       ("c.lwsp",     "010 . ..... ..... 10", LW,     "d,o(s)", "rd=11:7 rs1=x2 uimm=12>5,6:2>4:2|7:6"),
    RESERVED_LDSP(null,         "011 . 00000 ..... 10", ILLEGAL, "",      ""),
    C_LDSP       ("c.ldsp",     "011 . ..... ..... 10", LD,     "d,o(s)", "rd=11:7 rs1=x2 uimm=12>5,6:2>4:3|8:6"),
    RESERVED_JR  (null,         "100 0 00000 00000 10", ILLEGAL, "",      ""),
    C_JR         ("c.jr",       "100 0 ..... 00000 10", JALR,   "s",      "rd=x0 rs1=11:7"),
    C_MV         ("c.mv",       "100 0 ..... ..... 10", ADD,    "d,t",    "rd=11:7 rs1=x0 rs2=6:2"),
    C_EBREAK     ("c.ebreak",   "100 1 00000 00000 10", EBREAK, "",       ""),
    C_JALR       ("c.jalr",     "100 1 ..... 00000 10", JALR,   "s",      "rd=x1 rs1=11:7"),
    C_ADD        ("c.add",      "100 1 ..... ..... 10", ADD,    "d,t",    "rd=11:7 rs1=11:7 rs2=6:2"),
    C_FSDSP      ("c.fsdsp",    "101 ...... ..... 10",  FSD,    "T,q(s)", "rs2=6:2 rs1=x2 uimm=12:10>5:3,9:7>8:6"),
    C_SWSP       ("c.swsp",     "110 ...... ..... 10",  SW,     "t,q(s)", "rs2=6:2 rs1=x2 uimm=12:9>5:2,8:7>7:6"),
    C_SDSP       ("c.sdsp",     "111 ...... ..... 10",  SD,     "t,q(s)", "rs2=6:2 rs1=x2 uimm=12:10>5:3,9:7>8:6");

    /** What objdump -M no-aliases prints; null for reserved encodings. */
    public final String mnemonic;
    /** Bits of the 16-bit parcel that must equal {@link #match}. */
    public final int mask;
    public final int match;
    /** The base operation this expands to; {@link Op#ILLEGAL} for reserved encodings. */
    public final Op op;
    public final String operands;

    final Reg rd, rs1, rs2;
    /** imm bit i comes from parcel bit immSource[i], or is zero when that is -1. */
    final int[] immSource;
    final boolean immSigned;

    Compressed(String mnemonic, String pattern, Op op, String operands, String fields) {
        this.mnemonic = mnemonic;
        this.op = op;
        this.operands = operands;
        String bits = pattern.replace(" ", "");
        if (bits.length() != 16) throw new IllegalStateException(name() + ": pattern has " + bits.length() + " bits");
        int m = 0, v = 0;
        for (char c : bits.toCharArray()) {
            m = m << 1 | (c == '.' ? 0 : 1);
            v = v << 1 | (c == '1' ? 1 : 0);
        }
        mask = m;
        match = v;
        Reg d = Reg.ZERO, s1 = Reg.ZERO, s2 = Reg.ZERO;
        int[] source = new int[0];
        boolean signed = false;
        for (String field : fields.split(" ")) {
            if (field.isEmpty()) continue;
            String key = field.substring(0, field.indexOf('=')), value = field.substring(field.indexOf('=') + 1);
            switch (key) {
                case "rd" -> d = Reg.parse(value);
                case "rs1" -> s1 = Reg.parse(value);
                case "rs2" -> s2 = Reg.parse(value);
                case "uimm", "simm" -> {
                    source = immLayout(value);
                    signed = key.equals("simm");
                }
                default -> throw new IllegalStateException(name() + ": unknown field " + key);
            }
        }
        rd = d;
        rs1 = s1;
        rs2 = s2;
        immSource = source;
        immSigned = signed;
    }

    /** The immediate held in a parcel of this form, sign-extended if the form says so. */
    long imm(int parcel) {
        long imm = 0;
        for (int i = 0; i < immSource.length; i++) {
            if (immSource[i] >= 0) imm |= (long) (parcel >>> immSource[i] & 1) << i;
        }
        int top = immSource.length - 1;
        return immSigned && top >= 0 ? imm << (63 - top) >> (63 - top) : imm;
    }

    /** The expanded instruction; the caller has checked that the parcel matches this form. */
    Insn expand(int parcel) {
        return new Insn(op, rd.get(parcel), rs1.get(parcel), rs2.get(parcel), 0, imm(parcel),
                op.match >>> 12 & 7, 0, 2, parcel, this);
    }

    /** Parses "12:10>5:3,6:5>2|6" into, per immediate bit, the parcel bit that holds it. */
    private static int[] immLayout(String layout) {
        int[] source = new int[32];
        Arrays.fill(source, -1);
        int width = 0;
        for (String segment : layout.split(",")) {
            String[] sides = segment.split(">");
            int[] from = bitList(sides[0]), to = bitList(sides[1]);
            if (from.length != to.length) throw new IllegalStateException("bad immediate layout " + layout);
            for (int i = 0; i < from.length; i++) {
                source[to[i]] = from[i];
                width = Math.max(width, to[i] + 1);
            }
        }
        return Arrays.copyOf(source, width);
    }

    /** "9|4:3" -> {9, 4, 3}: ranges are written high to low as in the specification. */
    private static int[] bitList(String list) {
        // Plain loops, not streams: this runs at start-up, before anything is compiled (docs/performance.md).
        int[] bits = new int[32];
        int n = 0;
        for (String item : list.split("\\|")) {
            String[] r = item.split(":");
            int hi = Integer.parseInt(r[0]), lo = Integer.parseInt(r[r.length - 1]);
            for (int b = hi; b >= lo; b--) bits[n++] = b;
        }
        return Arrays.copyOf(bits, n);
    }

    /**
     * Where a register operand comes from: {@code width} bits at {@code lo} plus {@code base}
     * (8 for the 3-bit prime fields), or the fixed register {@code base} when width is 0.
     */
    record Reg(int lo, int width, int base) {
        static final Reg ZERO = new Reg(0, 0, 0);

        static Reg parse(String spec) {
            if (spec.startsWith("x")) return new Reg(0, 0, Integer.parseInt(spec.substring(1)));
            boolean prime = spec.endsWith("'");
            String[] r = spec.replace("'", "").split(":");
            int hi = Integer.parseInt(r[0]), lo = Integer.parseInt(r[1]);
            return new Reg(lo, hi - lo + 1, prime ? 8 : 0);
        }

        int get(int parcel) {
            return width == 0 ? base : (parcel >>> lo & (1 << width) - 1) + base;
        }

        boolean fixed() {
            return width == 0;
        }
    }
}
