package dev.reprise.trace;

import dev.reprise.isa.Asm;
import dev.reprise.isa.Compressed;
import dev.reprise.isa.Decoder;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Generates random straight-line RV64GC instructions whose outcome is fully determined by the
 * architecture, so that two correct emulators must agree on every register and byte afterwards.
 *
 * <p>The conventions the generated code lives in (set up by {@link RandomProgram}):
 * <ul>
 *   <li>{@code sp} (x2) and {@code s0} (x8) both hold {@code block + 2048}, where the block is the
 *       sequence's own 4 KiB data page; no generated instruction writes them (except paired
 *       {@code c.addi16sp}, which moves sp and moves it back). Every memory access is relative to
 *       one of them with an offset in [{@value #LOW}, 2047], so it stays in the upper 3 KiB of the
 *       block (or runs a few bytes into the next page: misaligned, page-crossing accesses are
 *       included on purpose). The lower KiB holds the result slot and the fflags log
 *       ({@link #probeFlags}), which only the test's own code writes.</li>
 *   <li>AMOs and LR/SC get an aligned address computed into a scratch register by an {@code addi}
 *       just before them. LR/SC pairs have equal widths; a lone SC never targets the address of an
 *       outstanding reservation (whether a different-width SC succeeds is implementation-defined).</li>
 *   <li>The dynamic rounding mode is tracked here. CSR writes mostly keep {@code frm} valid (0..4);
 *       now and then they make it invalid (5..7), and while it is, every FP operation gets a static
 *       rounding mode (legal: only dynamic-rm operations trap then). A register-source CSR write gets its source set by
 *       an {@code addi} just before it.</li>
 * </ul>
 * Control transfers, ecall/ebreak, fence.i and illegal encodings are never generated
 * ({@link #NOT_GENERATED}, {@link #NOT_GENERATED_COMPRESSED}); everything else in {@link Op} and
 * {@link Compressed} must be, which RandomDifferentialTest asserts.
 */
final class RandomInstructions {
    /** One emitted instruction: its bits and length (2 or 4). */
    record Instruction(int bits, int length) {
        Insn decoded() {
            return Decoder.decode(bits);
        }
    }

    static final Set<Op> NOT_GENERATED = EnumSet.of(Op.JAL, Op.JALR, Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU,
            Op.ECALL, Op.EBREAK, Op.FENCE_I, Op.ILLEGAL);
    static final Set<Compressed> NOT_GENERATED_COMPRESSED = EnumSet.of(Compressed.C_J, Compressed.C_JR,
            Compressed.C_JALR, Compressed.C_BEQZ, Compressed.C_BNEZ, Compressed.C_EBREAK, Compressed.C_UNIMP,
            Compressed.RESERVED_ADDI4SPN, Compressed.RESERVED_Q0, Compressed.RESERVED_ADDIW, Compressed.RESERVED_LUI,
            Compressed.RESERVED_ALU, Compressed.RESERVED_LWSP, Compressed.RESERVED_LDSP, Compressed.RESERVED_JR);

    static final int SP = 2, BASE = 8;
    /** Lowest offset from sp/s0 that generated memory accesses use. */
    static final int LOW = -1024;
    /** The fflags log: one byte per probe from sp + FLAG_LOG, at most FLAG_LOG_SIZE of them. */
    static final int FLAG_LOG = -1528, FLAG_LOG_SIZE = 500;
    static final int FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003;
    private static final int[] CSRS = {FFLAGS, FRM, FCSR};
    /** Valid rounding modes for the rm field: the five static ones and dynamic (7). */
    private static final int[] RM = {0, 1, 2, 3, 4, 7, 7, 7};
    private static final long NO_RESERVATION = Long.MIN_VALUE;

    private final RandomGenerator random;
    private int frm;
    /** Offset (from BASE/SP) of the outstanding LR reservation, or NO_RESERVATION. */
    private long reservation = NO_RESERVATION;
    private int probes;

    RandomInstructions(RandomGenerator random, int frm) {
        this.random = random;
        this.frm = frm;
    }

    /** Appends {@code op} (with any setup instruction it needs) to {@code out}; false if op is never generated. */
    boolean generate(Op op, List<Instruction> out) {
        if (NOT_GENERATED.contains(op)) return false;
        switch (op) {
            case FENCE -> emit(out, op, 0, 0, 0, 0, fenceImm());
            case CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI -> csr(op, out);
            case LR_W, LR_D, SC_W, SC_D -> lrsc(op, out);
            default -> {
                if (op.isAtomic()) return amo(op, out);
                return byOperands(op, out);
            }
        }
        return true;
    }

    /** Appends compressed form {@code c} (and the instructions it needs around it); false if never generated. */
    boolean generate(Compressed c, List<Instruction> out) {
        if (NOT_GENERATED_COMPRESSED.contains(c) || NOT_GENERATED.contains(c.op)) return false;
        if (c == Compressed.C_ADDI16SP) {
            // Move sp away and back, with a few sp-relative accesses at the moved sp in between.
            long imm = 16L * (random.nextInt(62) - 31);
            if (imm == 0) imm = 16;
            out.add(new Instruction(Asm.encode(c, SP, SP, 0, imm), 2));
            for (int n = random.nextInt(3); n > 0; n--) {
                Compressed[] spForms = {Compressed.C_LWSP, Compressed.C_LDSP, Compressed.C_FLDSP, Compressed.C_SWSP,
                        Compressed.C_SDSP, Compressed.C_FSDSP, Compressed.C_ADDI4SPN};
                generate(spForms[random.nextInt(spForms.length)], out);
            }
            out.add(new Instruction(Asm.encode(c, SP, SP, 0, -imm), 2));
            return true;
        }
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int parcel = Asm.random(c, random);
            Insn insn = Decoder.decode(parcel);
            boolean writesX = c.op.operands.startsWith("d");
            boolean memory = c.op.operands.contains("(s)");
            if (writesX && isReserved(insn.rd())) continue;
            if (memory && insn.rs1() != SP && insn.rs1() != BASE) continue;
            out.add(new Instruction(parcel, 2));
            return true;
        }
        throw new IllegalStateException("cannot generate a usable " + c);
    }

    /**
     * Reads and clears fflags into a random register and logs it ({@code csrrwi t, fflags, 0;
     * sb t, FLAG_LOG+n(sp)}), so that each FP operation's flags are compared, not only their union
     * over the sequence. Does nothing once the log is full.
     */
    void probeFlags(List<Instruction> out) {
        if (probes == FLAG_LOG_SIZE) return;
        int t = writableNonZero();
        emit(out, Op.CSRRWI, t, 0, 0, 0, FFLAGS);
        emit(out, Op.SB, 0, SP, t, 0, FLAG_LOG + probes++);
    }

    static boolean isReserved(int x) {
        return x == SP || x == BASE;
    }

    // ---- 32-bit forms --------------------------------------------------------------------------

    /** Fills the operands an instruction's syntax names; false for syntax this generator does not know. */
    private boolean byOperands(Op op, List<Instruction> out) {
        int rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
        long imm = 0;
        for (String operand : op.operands.split(",")) {
            switch (operand) {
                case "d" -> rd = destination();
                case "s" -> rs1 = source();
                case "t" -> rs2 = source();
                case "D" -> rd = random.nextInt(32);
                case "S" -> rs1 = random.nextInt(32);
                case "T" -> rs2 = random.nextInt(32);
                case "R" -> rs3 = random.nextInt(32);
                case "j" -> imm = random.nextInt(4096) - 2048;
                case ">" -> imm = random.nextInt(op.format == dev.reprise.isa.Format.SHIFT5 ? 32 : 64);
                case "u" -> imm = random.nextInt() & 0xffff_f000;
                case "m" -> { } // always set below
                case "o(s)", "q(s)" -> {
                    rs1 = random.nextBoolean() ? SP : BASE;
                    imm = memoryOffset(1 << (op.match >>> 12 & 3));
                }
                default -> {
                    return false;
                }
            }
        }
        emit(out, op, rd, rs1, rs2, rs3, imm);
        return true;
    }

    /**
     * An offset for an access of {@code width} bytes: aligned three times in four, else anywhere,
     * and now and then misaligned across the end of the page.
     */
    private long memoryOffset(int width) {
        if (width > 1 && random.nextInt(32) == 0) return 2048 - 1 - random.nextInt(width - 1);
        long offset = random.nextInt(LOW, 2048);
        return random.nextInt(4) == 0 ? offset : offset & -width;
    }

    private long alignedOffset(int width) {
        return random.nextInt(LOW, 2048) & -width;
    }

    private long fenceImm() {
        if (random.nextInt(8) == 0) return 0x833; // fence.tso
        return (1 + random.nextInt(15)) << 4 | 1 + random.nextInt(15);
    }

    private boolean amo(Op op, List<Instruction> out) {
        if (!op.operands.equals("d,t,(s)")) return false;
        int address = addressInto(widthOf(op), out);
        emit(out, op, destination(), address, source(), 0, 0, random.nextInt(4));
        return true;
    }

    private void lrsc(Op op, List<Instruction> out) {
        boolean doubleword = op == Op.LR_D || op == Op.SC_D;
        Op lr = doubleword ? Op.LR_D : Op.LR_W, sc = doubleword ? Op.SC_D : Op.SC_W;
        int width = doubleword ? 8 : 4;
        boolean lrOnly = op == lr && random.nextInt(3) == 0;
        boolean scOnly = op == sc && random.nextBoolean();
        long offset = alignedOffset(width);
        while (scOnly && offset == reservation) offset = alignedOffset(width);
        int address = writableNonZero();
        emit(out, Op.ADDI, address, random.nextBoolean() ? SP : BASE, 0, 0, offset);
        if (!scOnly) {
            int rd;
            do rd = destination(); while (rd == address);
            emit(out, lr, rd, address, 0, 0, 0, random.nextInt(4));
            reservation = offset;
            if (!lrOnly && random.nextInt(4) == 0) {
                // A store to the reserved word between LR and SC: SC fails unless the value stays the same.
                emit(out, doubleword ? Op.SD : Op.SW, 0, address, source(), 0, 0);
            }
        }
        if (!lrOnly) {
            emit(out, sc, destination(), address, source(), 0, 0, random.nextInt(4));
            reservation = NO_RESERVATION;
        }
    }

    /** Emits {@code addi t, base, offset} with a width-aligned offset and returns t. */
    private int addressInto(int width, List<Instruction> out) {
        int t = writableNonZero();
        emit(out, Op.ADDI, t, random.nextBoolean() ? SP : BASE, 0, 0, alignedOffset(width));
        return t;
    }

    private static int widthOf(Op atomic) {
        return (atomic.match >>> 12 & 7) == 3 ? 8 : 4;
    }

    /**
     * A CSR instruction on fflags, frm or fcsr whose written value keeps frm valid (or, one time in
     * eight, makes it invalid); a register
     * source is set by an addi first (or is x0).
     */
    private void csr(Op op, List<Instruction> out) {
        int csr = CSRS[random.nextInt(CSRS.length)];
        boolean immediate = op == Op.CSRRWI || op == Op.CSRRSI || op == Op.CSRRCI;
        int rs1;
        long value;
        while (true) {
            if (immediate) {
                rs1 = random.nextInt(32);
                value = rs1;
            } else {
                rs1 = random.nextInt(8) == 0 ? 0 : writableNonZero();
                value = rs1 == 0 ? 0 : random.nextInt(4096) - 2048;
            }
            boolean writes = op == Op.CSRRW || op == Op.CSRRWI || rs1 != 0;
            int next = frm;
            if (writes && csr != FFLAGS) {
                int bits = (int) (csr == FRM ? value : value >> 5) & 7;
                next = switch (op) {
                    case CSRRW, CSRRWI -> bits;
                    case CSRRS, CSRRSI -> frm | bits;
                    default -> frm & ~bits;
                };
            }
            if (next <= 4 || random.nextInt(8) == 0) {
                frm = next;
                break;
            }
        }
        if (!immediate && rs1 != 0) emit(out, Op.ADDI, rs1, 0, 0, 0, value);
        emit(out, op, destination(), rs1, 0, 0, csr);
    }

    // ---- registers -----------------------------------------------------------------------------

    /** An integer destination: never sp or s0; x0 (a discarded result) now and then. */
    private int destination() {
        return random.nextInt(20) == 0 ? 0 : writableNonZero();
    }

    private int writableNonZero() {
        int r;
        do r = 1 + random.nextInt(31); while (isReserved(r));
        return r;
    }

    private int source() {
        return random.nextInt(32);
    }

    private void emit(List<Instruction> out, Op op, int rd, int rs1, int rs2, int rs3, long imm) {
        emit(out, op, rd, rs1, rs2, rs3, imm, 0);
    }

    private void emit(List<Instruction> out, Op op, int rd, int rs1, int rs2, int rs3, long imm, int aqrl) {
        int rm = frm <= 4 ? RM[random.nextInt(RM.length)] : random.nextInt(5); // dynamic rm would trap
        out.add(new Instruction(Asm.encode(op, rd, rs1, rs2, rs3, imm, rm, aqrl), 4));
    }
}
