package dev.reprise.isa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Test-side assembler: the inverse of {@link Decoder}, derived from the same tables. A 32-bit
 * operation is encoded by putting each field its {@link Format} has in place and keeping the
 * operation's fixed bits ({@code match | fields & ~mask}); a compressed form by inverting its
 * field layout. Every encoding is checked by decoding it again, so operands that do not fit (an
 * immediate out of range or misaligned, x3 where only x8..x15 exist, a HINT or reserved
 * combination another form owns) are an {@link IllegalArgumentException}, never silently wrong bits.
 *
 * <p>{@link #assemble} reads one line of the disassembler's own syntax (objdump -M no-aliases),
 * so tests can write {@code Asm.assemble("c.addi sp,-16")} or {@code Asm.assemble("fadd.d fa0,fa1,fa2,rtz")}.
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

    private static final Map<String, Op> OPS = new HashMap<>();
    private static final Map<String, List<Compressed>> FORMS = new HashMap<>();
    private static final Map<String, Integer> CSRS = new HashMap<>();
    private static final String[] ROUNDING = {"rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn"};

    static {
        for (Op op : Op.values()) if (op != Op.ILLEGAL) OPS.put(op.mnemonic, op);
        for (Compressed c : Compressed.values()) {
            if (c.op != Op.ILLEGAL) FORMS.computeIfAbsent(c.mnemonic, m -> new ArrayList<>()).add(c);
        }
        for (int csr = 0; csr < 4096; csr++) CSRS.put(Disassembler.csrName(csr), csr);
    }

    /** Assembles one instruction at address 0; branch and jump targets are then plain offsets. */
    public static int assemble(String line) {
        return assemble(line, 0);
    }

    /**
     * Assembles one instruction written as the disassembler prints it: ABI or xN/fN register
     * names, decimal or 0x immediates, CSR names or numbers, rounding mode optional (dynamic),
     * aq/rl as mnemonic suffixes. Branch and jump targets are absolute hex addresses as objdump
     * prints them ({@code 10a4c}), or relative to {@code pc} as {@code .+8} / {@code .-12}.
     */
    public static int assemble(String line, long pc) {
        String[] parts = line.trim().split("\\s+", 2);
        String mnemonic = parts[0];
        String[] args = parts.length < 2 ? new String[0] : parts[1].replace(" ", "").split(",");
        switch (mnemonic) {
            case "fence.tso" -> { return 0x8330000f; }
            case "unimp" -> { return 0xc0001073; }
            case "c.unimp" -> { return 0; }
            default -> { }
        }
        List<Compressed> forms = FORMS.get(mnemonic);
        if (forms != null) {
            IllegalArgumentException last = null;
            for (Compressed c : forms) {
                try {
                    Fields f = parse(c.operands, args, pc, line);
                    int rd = f.given[0] ? f.rd : c.rd.fixed() ? c.rd.base() : 0;
                    int rs1 = f.given[1] ? f.rs1 : c.rs1.fixed() ? c.rs1.base() : c.rs1.equals(c.rd) ? rd : 0;
                    int rs2 = f.given[2] ? f.rs2 : c.rs2.fixed() ? c.rs2.base() : 0;
                    return encode(c, rd, rs1, rs2, f.imm);
                } catch (IllegalArgumentException e) {
                    last = e;
                }
            }
            throw last;
        }
        int aqrl = 0;
        for (String suffix : new String[] {".aqrl", ".aq", ".rl"}) {
            if (!OPS.containsKey(mnemonic) && mnemonic.endsWith(suffix)) {
                mnemonic = mnemonic.substring(0, mnemonic.length() - suffix.length());
                aqrl = suffix.equals(".aqrl") ? 3 : suffix.equals(".aq") ? 2 : 1;
            }
        }
        Op op = OPS.get(mnemonic);
        if (op == null) throw new IllegalArgumentException("unknown mnemonic: " + line);
        Fields f = parse(op.operands, args, pc, line);
        return encode(op, f.rd, f.rs1, f.rs2, f.rs3, f.imm, f.rm, aqrl);
    }

    /**
     * Assembles lines placed one after another from {@code pc} (each at its own address, so
     * targets are absolute or {@code .+N} as in {@link #assemble(String, long)}) into
     * little-endian code bytes ready to load at {@code pc}.
     */
    public static byte[] program(long pc, String... lines) {
        var code = new java.io.ByteArrayOutputStream();
        for (String line : lines) {
            int bits = assemble(line, pc + code.size());
            int length = (bits & 3) == 3 ? 4 : 2;
            for (int i = 0; i < length; i++) code.write(bits >>> 8 * i);
        }
        return code.toByteArray();
    }

    /** Operand values parsed by the table's operand letters; {@code given} marks rd, rs1, rs2 found. */
    private static final class Fields {
        int rd, rs1, rs2, rs3, rm;
        long imm;
        final boolean[] given = new boolean[3];
    }

    private static Fields parse(String syntax, String[] args, long pc, String line) {
        String[] letters = syntax.isEmpty() ? new String[0] : syntax.split(",");
        boolean hasRm = letters.length > 0 && letters[letters.length - 1].equals("m");
        if (args.length != letters.length && !(hasRm && args.length == letters.length - 1)) {
            throw new IllegalArgumentException("expected operands " + syntax + ": " + line);
        }
        Fields f = new Fields();
        f.rm = hasRm ? 7 : 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (letters[i]) {
                case "d" -> { f.rd = reg(a, 'x'); f.given[0] = true; }
                case "s" -> { f.rs1 = reg(a, 'x'); f.given[1] = true; }
                case "t" -> { f.rs2 = reg(a, 'x'); f.given[2] = true; }
                case "D" -> { f.rd = reg(a, 'f'); f.given[0] = true; }
                case "S" -> { f.rs1 = reg(a, 'f'); f.given[1] = true; }
                case "T" -> { f.rs2 = reg(a, 'f'); f.given[2] = true; }
                case "R" -> f.rs3 = reg(a, 'f');
                case "j", ">" -> f.imm = Long.decode(a);
                case "u" -> f.imm = (int) (Long.decode(a) << 12);
                case "o(s)", "q(s)", "(s)" -> {
                    int open = a.indexOf('(');
                    if (open < 0 || !a.endsWith(")")) throw new IllegalArgumentException("expected offset(reg): " + line);
                    f.imm = open == 0 ? 0 : Long.decode(a.substring(0, open));
                    f.rs1 = reg(a.substring(open + 1, a.length() - 1), 'x');
                    f.given[1] = true;
                }
                case "p", "a" -> f.imm = a.startsWith(".") ? Long.decode(a.substring(1))
                        : Long.parseUnsignedLong(a.replaceFirst("^0x", ""), 16) - pc;
                case "E" -> f.imm = CSRS.containsKey(a) ? CSRS.get(a) : Long.decode(a);
                case "Z" -> f.rs1 = Integer.decode(a);
                case "P" -> f.imm |= (long) fenceSet(a) << 4;
                case "Q" -> f.imm |= fenceSet(a);
                case "m" -> f.rm = Arrays.asList(ROUNDING).indexOf(a);
                default -> throw new IllegalStateException("unknown operand letter " + letters[i]);
            }
        }
        return f;
    }

    private static int reg(String name, char file) {
        for (int n = 0; n < 32; n++) {
            String abi = file == 'x' ? Disassembler.xreg(n) : Disassembler.freg(n);
            if (name.equals(abi) || name.equals(file + Integer.toString(n))) return n;
        }
        if (file == 'x' && name.equals("fp")) return 8;
        throw new IllegalArgumentException("not an " + (file == 'x' ? "integer" : "FP") + " register: " + name);
    }

    private static int fenceSet(String set) {
        int bits = 0;
        if (set.equals("unknown")) return 0;
        for (char c : set.toCharArray()) {
            int i = "iorw".indexOf(c);
            if (i < 0) throw new IllegalArgumentException("not a fence set: " + set);
            bits |= 8 >> i;
        }
        return bits;
    }

    private static int place(Compressed.Reg field, int reg) {
        return field.fixed() ? 0 : (reg - field.base() & (1 << field.width()) - 1) << field.lo();
    }
}
