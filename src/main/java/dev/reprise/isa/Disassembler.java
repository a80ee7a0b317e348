package dev.reprise.isa;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Prints instructions exactly as {@code riscv64-linux-gnu-objdump -d -M no-aliases} does
 * (binutils 2.40): "mnemonic\toperands", ABI register names, branch and jump targets as absolute
 * hex addresses without objdump's trailing {@code <symbol>}. The operand syntax comes from the
 * tables ({@link Op#operands}, {@link Compressed#operands}).
 */
public final class Disassembler {
    private Disassembler() {}

    private static final String[] X = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    private static final String[] F = {
        "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
        "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
    /** Rounding modes by rm; 5 and 6 are reserved and objdump says so. */
    private static final String[] RM = {"rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn"};
    private static final int DYNAMIC = 7;
    /** fm=1000 pred=rw succ=rw: the one fence with a mnemonic of its own. */
    private static final int FENCE_TSO = 0x833;
    /** csrrw zero,cycle,zero: the canonical illegal instruction, which objdump calls unimp even without aliases. */
    private static final int UNIMP = 0xc0001073;
    private static final String[] CSR = csrNames();

    /** The ABI name of integer register {@code n}. */
    public static String xreg(int n) {
        return X[n];
    }

    /** The ABI name of floating-point register {@code n}. */
    public static String freg(int n) {
        return F[n];
    }

    /** The name objdump gives CSR number {@code csr} (0..4095), or the number in hex. */
    public static String csrName(int csr) {
        return CSR[csr];
    }

    /** Decodes and prints {@code bits} (as {@link Decoder#decode}) as if fetched at {@code pc}. */
    public static String disassemble(int bits, long pc) {
        return disassemble(Decoder.decode(bits), pc);
    }

    /** "mnemonic\toperands" (no tab when there are no operands) for an instruction at {@code pc}. */
    public static String disassemble(Insn insn, long pc) {
        Compressed c = insn.compressed();
        if (insn.op() == Op.ILLEGAL) {
            if (c != null && c.mnemonic != null) return c.mnemonic;
            return (insn.length() == 2 ? ".2byte\t0x" : ".4byte\t0x") + Integer.toHexString(insn.raw());
        }
        if (insn.op() == Op.FENCE && insn.imm() == FENCE_TSO) return "fence.tso";
        if (insn.raw() == UNIMP) return "unimp";
        String mnemonic = c != null ? c.mnemonic : insn.op().mnemonic + (insn.op().isAtomic() ? aqrl(insn) : "");
        StringBuilder text = new StringBuilder(mnemonic);
        String syntax = c != null ? c.operands : insn.op().operands;
        char separator = '\t';
        for (String operand : syntax.isEmpty() ? new String[0] : syntax.split(",")) {
            if (operand.equals("m") && insn.rm() == DYNAMIC) continue;
            text.append(separator).append(operand(operand, insn, pc));
            separator = ',';
        }
        return text.toString();
    }

    private static String aqrl(Insn insn) {
        return insn.aq() ? (insn.rl() ? ".aqrl" : ".aq") : (insn.rl() ? ".rl" : "");
    }

    private static String operand(String letter, Insn insn, long pc) {
        return switch (letter) {
            case "d" -> X[insn.rd()];
            case "s" -> X[insn.rs1()];
            case "t" -> X[insn.rs2()];
            case "D" -> F[insn.rd()];
            case "S" -> F[insn.rs1()];
            case "T" -> F[insn.rs2()];
            case "R" -> F[insn.rs3()];
            case "j" -> Long.toString(insn.imm());
            case ">" -> "0x" + Long.toHexString(insn.imm());
            case "u" -> "0x" + Long.toHexString(insn.imm() >>> 12 & 0xfffff);
            case "o(s)", "q(s)" -> insn.imm() + "(" + X[insn.rs1()] + ")";
            case "(s)" -> "(" + X[insn.rs1()] + ")";
            case "p", "a" -> Long.toHexString(pc + insn.imm());
            case "E" -> CSR[(int) insn.imm()];
            case "Z" -> Integer.toString(insn.rs1());
            case "P" -> fenceSet((int) insn.imm() >>> 4 & 0xf);
            case "Q" -> fenceSet((int) insn.imm() & 0xf);
            case "m" -> RM[insn.rm()];
            default -> throw new IllegalStateException("unknown operand letter " + letter + " of " + insn.op());
        };
    }

    /** Fence predecessor or successor set: device input, output, memory read, write. */
    private static String fenceSet(int bits) {
        if (bits == 0) return "unknown";
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < 4; i++) if ((bits & 8 >> i) != 0) set.append("iorw".charAt(i));
        return set.toString();
    }

    /** Names for all 4096 CSR numbers: objdump's name where it has one, else hex. */
    private static String[] csrNames() {
        String[] names = new String[4096];
        for (int i = 0; i < names.length; i++) names[i] = "0x" + Integer.toHexString(i);
        try (var in = Disassembler.class.getResourceAsStream("csr-names.txt");
             var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            lines.lines().filter(l -> !l.startsWith("#")).forEach(l -> {
                String[] f = l.split(" ");
                names[Integer.decode(f[0])] = f[1];
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
