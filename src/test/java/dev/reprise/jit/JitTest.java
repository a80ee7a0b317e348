package dev.reprise.jit;

import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.cpu.Hart;
import dev.reprise.cpu.Interpreter;
import dev.reprise.cpu.SystemInterface;
import dev.reprise.cpu.Trap;
import dev.reprise.isa.Asm;
import dev.reprise.isa.Compressed;
import dev.reprise.isa.Op;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.Mmu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JIT against the interpreter on generated code, one instruction group at a time: the same
 * program runs under both, and after every block the JIT runs, the full state (pc, x, f, fcsr,
 * icount, data memory) must equal the interpreter's after as many instructions; traps must
 * happen at the same instruction with the same state.
 */
class JitTest {
    static final long CODE = 0x10000, DATA = 0x40000;
    static final int DATA_SIZE = 0x2000;
    /** Registers that hold data addresses in memory programs (never a destination there). */
    static final int[] BASES = {5, 6, 7, 8};

    final List<AddressSpace> spaces = new ArrayList<>();

    @AfterEach
    void close() {
        spaces.forEach(AddressSpace::close);
    }

    static final SystemInterface SYSTEM = new SystemInterface() {
        @Override
        public void ecall(Hart hart) {
            hart.setX(10, hart.x[17] * 3 + 1);
        }

        @Override
        public long readTime() {
            return 7;
        }
    };

    /** A hart on a fresh address space holding {@code code} at CODE and a patterned data area. */
    Hart hart(byte[] code, long seed) {
        AddressSpace space = new AddressSpace();
        spaces.add(space);
        space.map(CODE, 0x4000, PROT_READ | PROT_EXEC);
        space.map(DATA, DATA_SIZE, PROT_READ | PROT_WRITE);
        space.write(CODE, code, 0, code.length);
        Random r = new Random(seed);
        byte[] data = new byte[DATA_SIZE];
        r.nextBytes(data);
        space.write(DATA, data, 0, data.length);
        Hart h = new Hart(new Mmu(space), SYSTEM);
        for (int i = 1; i < 32; i++) h.x[i] = switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> r.nextInt(64) - 32;
            case 2 -> r.nextInt();
            default -> Long.MIN_VALUE >> r.nextInt(64);
        };
        for (int b : BASES) h.x[b] = DATA + 0x400 + r.nextInt(0x1000);
        for (int i = 0; i < 32; i++) h.f[i] = r.nextBoolean() ? Double.doubleToRawLongBits(r.nextGaussian() * 100)
                : 0xFFFF_FFFF_0000_0000L | Float.floatToRawIntBits((float) r.nextGaussian());
        h.frm = r.nextInt(5);
        h.pc = CODE;
        if (prepare != null) prepare.accept(h, r);
        return h;
    }

    /** Changes the initial state of both harts of a comparison (the same seeded Random for both). */
    java.util.function.BiConsumer<Hart, Random> prepare;

    /**
     * Runs {@code code} under both engines in lock step; returns the instructions run. Even seeds
     * step the JIT one block at a time; odd ones give it random budgets, so that regions run
     * several blocks and loops, and stop exactly where the budget ends (seeds 3 mod 4: at or past
     * it, {@link Jit#runAbout}, as a plain run's slices).
     */
    long compare(byte[] code, long seed) {
        Hart ref = hart(code, seed), jitted = hart(code, seed);
        Jit jit = new Jit(jitted, Jit.CAPACITY, 0);
        Random budgets = new Random(seed);
        for (int blocks = 0; blocks < 2000; blocks++) {
            Trap jitTrap = null, refTrap = null;
            boolean endless = false;
            try {
                if (seed % 2 == 0) jit.runBlock();
                else if (seed % 4 == 3) endless = runAboutWatched(jit, jitted, 1 + budgets.nextInt(200));
                else jit.run(1 + budgets.nextInt(200));
            } catch (Trap t) {
                jitTrap = t;
            }
            try {
                while (ref.icount < jitted.icount) Interpreter.step(ref);
                if (jitTrap != null) Interpreter.step(ref);   // must trap too, at the same instruction
            } catch (Trap t) {
                refTrap = t;
            }
            assertSame(ref, jitted, "after block " + blocks + " (jit trap " + jitTrap + ")");
            if (endless) return ref.icount;   // a loop that never ends: compared where it left, nothing more to see
            if (jitTrap != null || refTrap != null) {
                assertThat(jitTrap).as("trap at icount " + ref.icount).isNotNull();
                assertThat(refTrap).as("trap at icount " + ref.icount).isNotNull();
                assertThat(jitTrap.getMessage()).isEqualTo(refTrap.getMessage());
                return ref.icount;
            }
        }
        return ref.icount;
    }

    /**
     * {@link Jit#runAbout}, as a task loop runs it: a random program's loop may never end, and a
     * free region runs on until its vCPU is wanted, so another thread asks for service if the run
     * has not returned within 2 ms (the state is compared wherever it stopped, the interpreter
     * stepping up to it); served at return. Returns whether it ran on that long and that far (over
     * 100000 instructions past its budget): a loop that never ends, not a slow translation.
     */
    static boolean runAboutWatched(Jit jit, Hart h, int budget) {
        long end = h.icount + budget;
        java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(2);
                asked.set(true);
                h.requestService();
            } catch (InterruptedException e) {
                // returned in time
            }
        });
        try {
            jit.runAbout(budget);
        } finally {
            watchdog.interrupt();
            try {
                watchdog.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            h.serviceWanted = false;
        }
        return asked.get() && h.icount - end > 100_000;
    }

    static void assertSame(Hart ref, Hart jit, String where) {
        assertThat(jit.pc).as("pc " + where).isEqualTo(ref.pc);
        assertThat(jit.icount).as("icount " + where).isEqualTo(ref.icount);
        assertThat(jit.x).as("x " + where).isEqualTo(ref.x);
        assertThat(jit.f).as("f " + where).isEqualTo(ref.f);
        assertThat(jit.fflags).as("fflags " + where).isEqualTo(ref.fflags);
        assertThat(jit.frm).as("frm " + where).isEqualTo(ref.frm);
        byte[] a = new byte[DATA_SIZE], b = new byte[DATA_SIZE];
        ref.mmu.space().read(DATA, a, 0, DATA_SIZE);
        jit.mmu.space().read(DATA, b, 0, DATA_SIZE);
        assertThat(Arrays.equals(a, b)).as("data memory " + where).isTrue();
    }

    static byte[] bytes(List<Integer> words) {
        var out = new java.io.ByteArrayOutputStream();
        for (int w : words) {
            int length = (w & 3) == 3 ? 4 : 2;
            for (int i = 0; i < length; i++) out.write(w >>> 8 * i);
        }
        return out.toByteArray();
    }

    /** Runs many random programs of {@code length} instructions made by {@code next}; returns the total instructions run. */
    long programs(int count, int length, java.util.function.Function<Random, Integer> next) {
        long total = 0;
        for (int p = 0; p < count; p++) {
            Random r = new Random(p);
            List<Integer> words = new ArrayList<>();
            for (int i = 0; i < length; i++) words.add(next.apply(r));
            total += compare(bytes(words), p);
        }
        return total;
    }

    static Op pick(Random r, Op... ops) {
        return ops[r.nextInt(ops.length)];
    }

    @Test
    void integerArithmetic() {
        Op[] ops = {Op.LUI, Op.AUIPC, Op.ADDI, Op.SLTI, Op.SLTIU, Op.XORI, Op.ORI, Op.ANDI, Op.SLLI, Op.SRLI, Op.SRAI,
                Op.ADD, Op.SUB, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.SRA, Op.OR, Op.AND, Op.ADDIW, Op.SLLIW,
                Op.SRLIW, Op.SRAIW, Op.ADDW, Op.SUBW, Op.SLLW, Op.SRLW, Op.SRAW};
        assertThat(programs(40, 200, r -> Asm.random(pick(r, ops), r))).isGreaterThan(40 * 150);
    }

    @Test
    void multiplyAndDivide() {
        Op[] ops = {Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU, Op.MULW, Op.DIVW, Op.DIVUW,
                Op.REMW, Op.REMUW, Op.ADDI};
        assertThat(programs(40, 200, r -> Asm.random(pick(r, ops), r))).isGreaterThan(40 * 150);
    }

    /** Loads and stores of every width, aligned and not, some faulting (imm reaches past the data area). */
    @Test
    void loadsAndStores() {
        Op[] ops = {Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, Op.SB, Op.SH, Op.SW, Op.SD, Op.FLW, Op.FLD,
                Op.FSW, Op.FSD, Op.ADD, Op.FENCE};
        long total = programs(60, 120, r -> {
            Op op = pick(r, ops);
            int rd = 9 + r.nextInt(23), base = BASES[r.nextInt(BASES.length)];
            long imm = r.nextInt(100) == 0 ? 2047 - r.nextInt(8) * 0 + 0 : r.nextInt(512) - 256;
            if (op == Op.FENCE) return Asm.random(op, r);
            return Asm.encode(op, rd, base, r.nextInt(32), 0, imm, 0, 0);
        });
        assertThat(total).isGreaterThan(60 * 20);
    }

    @Test
    void memoryFaultInTheMiddleOfABlockLeavesExactState() {
        // addi a0,a0,1; sd a0,0(x0) (unmapped); addi a0,a0,1
        byte[] code = bytes(List.of(Asm.assemble("addi a0,a0,1"), Asm.assemble("sd a0,0(zero)"), Asm.assemble("addi a0,a0,1")));
        Hart h = hart(code, 1);
        long a0 = h.x[10];
        Jit jit = new Jit(h, Jit.CAPACITY, 0);
        assertThatThrownBy(jit::runBlock).isInstanceOf(Trap.class).hasMessageContaining("MEMORY at pc 0x" + Long.toHexString(CODE + 4));
        assertThat(h.pc).isEqualTo(CODE + 4);
        assertThat(h.icount).isEqualTo(1);
        assertThat(h.x[10]).isEqualTo(a0 + 1);
        assertThat(compare(code, 1)).isEqualTo(1);
    }

    /** Branches and jumps with short offsets, so that programs loop, leave and re-enter blocks. */
    @Test
    void branchesAndJumps() {
        Op[] ops = {Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU, Op.JAL, Op.JALR, Op.ADDI, Op.ADDI, Op.ADDI, Op.SLTI, Op.XOR};
        long total = programs(60, 64, r -> {
            Op op = pick(r, ops);
            int rd = r.nextInt(32), rs1 = 1 + r.nextInt(4), rs2 = 1 + r.nextInt(4);
            return switch (op) {
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> Asm.encode(op, 0, rs1, rs2, 0, 4L * (r.nextInt(24) - 12), 0, 0);
                case JAL -> Asm.encode(op, rd, 0, 0, 0, 4L * (r.nextInt(24) - 8), 0, 0);
                // jalr through x31, which holds CODE + small offset (set by the addi just before)
                case JALR -> Asm.encode(op, rd == 31 ? 1 : rd, 31, 0, 0, 4L * r.nextInt(40), 0, 0);
                case ADDI -> r.nextBoolean() ? Asm.encode(op, 1 + r.nextInt(4), 1 + r.nextInt(4), 0, 0, r.nextInt(7) - 3, 0, 0)
                        : Asm.assemble("lui t6," + (CODE >> 12));
                default -> Asm.encode(op, 1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(4), 0, r.nextInt(7) - 3, 0, 0);
            };
        });
        assertThat(total).isGreaterThan(60 * 10);
    }

    @Test
    void floatingPoint() {
        List<Op> ops = new ArrayList<>();
        for (Op op : Op.values()) {
            if (op.isFloat() && op != Op.FLW && op != Op.FLD && op != Op.FSW && op != Op.FSD) ops.add(op);
        }
        Op[] array = ops.toArray(Op[]::new);
        // rm 5 and 6 are reserved (they trap); mostly valid ones
        long total = programs(60, 150, r -> {
            int w = Asm.random(pick(r, array), r);
            return r.nextInt(50) == 0 ? w : (w & ~(7 << 12)) | (r.nextBoolean() ? 7 : r.nextInt(5)) << 12 & (w | ~(7 << 12));
        });
        assertThat(total).isGreaterThan(60 * 5);
    }

    /** Operand patterns the Gaussian operands of {@link #floatingPoint} never give. */
    static final long[] SPECIAL_D = {0L, Long.MIN_VALUE, 0x7ff0000000000000L, 0xfff0000000000000L, 0x7ff8000000000000L,
            0x7ff4000000000000L, 0xfff8000000000001L, 1L, 0x000fffffffffffffL, 0x8000000000000001L, 0x0010000000000000L,
            0x7fefffffffffffffL, 0xffefffffffffffffL, 0x3ff0000000000000L, 0xbff0000000000000L, 0x3ff0000000000001L,
            0x4330000000000000L, 0x3fe0000000000000L, 0x43e0000000000000L, 0xc3e0000000000000L, 0x41e0000000000000L,
            0x41dfffffffc00000L, 0x7fe0000000000000L, 0x0020000000000000L, 0x3ca0000000000000L};
    static final int[] SPECIAL_S = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0xffc00001, 1, 0x007fffff,
            0x80000001, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f800001, 0x4b000000, 0x3f000000,
            0x5f000000, 0xdf000000, 0x4f000000, 0x4effffff, 0x7f000000, 0x01000000, 0x33800000};

    /** One FP register value: a special pattern, a neighbour of one, random bits, a boxed single or a badly boxed one. */
    static long specialOperand(Random r) {
        long d = SPECIAL_D[r.nextInt(SPECIAL_D.length)];
        int s = SPECIAL_S[r.nextInt(SPECIAL_S.length)];
        return switch (r.nextInt(8)) {
            case 0, 1 -> d;
            case 2 -> d + r.nextInt(5) - 2;
            case 3 -> r.nextLong();
            case 4, 5 -> 0xFFFF_FFFF_0000_0000L | s & 0xffffffffL;
            case 6 -> 0xFFFF_FFFF_0000_0000L | (s + r.nextInt(5) - 2) & 0xffffffffL;
            default -> r.nextBoolean() ? s & 0xffffffffL : Double.doubleToRawLongBits(r.nextGaussian() * Math.scalb(1.0, r.nextInt(2100) - 1050));
        };
    }

    /**
     * The translator's inlined FP against the interpreter's: NaNs (quiet, signalling, with payloads),
     * infinities, zeros, subnormals, extremes, ties and conversion limits as operands, singles boxed
     * and not, x registers with integer limits; mostly the dynamic rounding mode with frm 0..4 (and
     * in some programs 5..7, which must trap at the same instruction), static rm 0..4, rarely 5/6.
     */
    @Test
    void floatingPointSpecialOperandsInEveryRoundingMode() {
        List<Op> ops = new ArrayList<>();
        for (Op op : Op.values()) {
            if (op.isFloat() && op != Op.FLW && op != Op.FLD && op != Op.FSW && op != Op.FSD) ops.add(op);
        }
        Op[] array = ops.toArray(Op[]::new);
        prepare = (h, r) -> {
            for (int i = 0; i < 32; i++) h.f[i] = specialOperand(r);
            for (int i = 1; i < 32; i++) if (r.nextInt(3) == 0) h.x[i] = switch (r.nextInt(4)) {
                case 0 -> Integer.MIN_VALUE;
                case 1 -> 0xffffffffL;
                case 2 -> Long.MIN_VALUE;
                default -> -1;
            };
            h.frm = r.nextInt(10) == 0 ? 5 + r.nextInt(3) : r.nextInt(5);
        };
        long total = programs(60, 300, r -> {
            int rm = r.nextInt(100) == 0 ? 5 + r.nextInt(2) : r.nextInt(3) != 0 ? 7 : r.nextInt(5);
            // encode ignores the rm of operations whose pattern fixes those bits
            return Asm.encode(pick(r, array), r.nextInt(32), r.nextInt(32), r.nextInt(32), r.nextInt(32), 0, rm, 0);
        });
        assertThat(total).isGreaterThan(60 * 20);
    }

    /**
     * FP operations among reads and writes of fflags, frm and fcsr (which the JIT translates inline,
     * inside blocks): flags cleared and set (NX among them, which decides the host fast path),
     * rounding modes changed in the middle of a block, also to reserved ones (the next dynamic-rm
     * operation must trap at the same instruction), and backward branches, so that loop heads run
     * again with the modes a previous round left.
     */
    @Test
    void floatingPointAmongFpCsrAccesses() {
        List<Op> ops = new ArrayList<>();
        for (Op op : Op.values()) {
            if (op.isFloat() && op != Op.FLW && op != Op.FLD && op != Op.FSW && op != Op.FSD) ops.add(op);
        }
        Op[] fp = ops.toArray(Op[]::new), csr = {Op.CSRRW, Op.CSRRS, Op.CSRRC, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI};
        prepare = (h, r) -> {
            for (int i = 0; i < 32; i++) h.f[i] = r.nextInt(3) == 0 ? specialOperand(r) : Double.doubleToRawLongBits(r.nextGaussian());
            for (int i = 1; i < 32; i++) if (r.nextInt(4) == 0) h.x[i] = r.nextInt(0x100);   // CSR sources: small values
            h.fflags = r.nextInt(32);
        };
        long total = programs(80, 120, r -> {
            int kind = r.nextInt(20);
            if (kind < 3) {
                Op op = pick(r, csr);
                int src = r.nextInt(32);   // uimm, or the x register holding the source
                int rm = r.nextInt(4) == 0 ? r.nextInt(8) : 0;   // mostly frm 0 (the fast path's mode); sometimes a reserved one
                if (op == Op.CSRRWI && r.nextBoolean()) return Asm.encode(op, r.nextInt(32), rm, 0, 0, 2, 0, 0);   // fsrmi
                return Asm.encode(op, r.nextInt(32), src, 0, 0, 1 + r.nextInt(3), 0, 0);
            }
            if (kind == 3) return Asm.encode(Op.BNE, 0, 1 + r.nextInt(3), 0, 0, -4L * (1 + r.nextInt(12)), 0, 0);
            if (kind == 4) return Asm.encode(Op.ADDI, 1 + r.nextInt(3), 1 + r.nextInt(3), 0, 0, -1, 0, 0);
            int rm = r.nextInt(200) == 0 ? 5 + r.nextInt(2) : r.nextInt(4) != 0 ? 7 : r.nextInt(5);
            return Asm.encode(pick(r, fp), r.nextInt(32), r.nextInt(32), r.nextInt(32), r.nextInt(32), 0, rm, 0);
        });
        assertThat(total).isGreaterThan(80 * 20);
    }

    /**
     * Host FP operations on few registers among FP loads, stores and raw moves, in loops: the
     * translator keeps a register that double operations use in a {@code double} local and one
     * that single operations read with a {@code float} view beside its bits, so values must keep
     * every bit on their way through both (signalling NaNs with payloads, badly boxed singles
     * loaded by fld or moved by fmv.d.x and then read as singles, singles stored by fsd).
     */
    @Test
    void floatingPointThroughLoadsStoresAndMoves() {
        Op[] host = {Op.FADD_D, Op.FMUL_D, Op.FMADD_D, Op.FNMSUB_D, Op.FSQRT_D, Op.FDIV_D, Op.FADD_S, Op.FMUL_S, Op.FMADD_S,
                Op.FSQRT_S, Op.FCVT_S_D, Op.FCVT_D_S};
        Op[] moves = {Op.FLW, Op.FLD, Op.FSW, Op.FSD, Op.FSGNJ_D, Op.FSGNJ_S, Op.FMV_X_D, Op.FMV_D_X, Op.FMV_X_W, Op.FMV_W_X,
                Op.FEQ_S, Op.FCLASS_D};
        prepare = (h, r) -> {
            for (int i = 0; i < 32; i++) h.f[i] = r.nextBoolean() ? specialOperand(r) : Double.doubleToRawLongBits(r.nextGaussian());
            h.frm = r.nextInt(8) == 0 ? 1 + r.nextInt(4) : 0;   // mostly the fast path's mode
            h.fflags = r.nextInt(4) == 0 ? 0 : Hart.FFLAG_NX;
            byte[] data = new byte[DATA_SIZE];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at + 8 <= DATA_SIZE; at += 8) b.putLong(at, r.nextBoolean() ? specialOperand(r) : Double.doubleToRawLongBits(r.nextGaussian()));
            h.mmu.space().write(DATA, data, 0, DATA_SIZE);
        };
        long total = programs(80, 120, r -> {
            int kind = r.nextInt(12);
            int f = r.nextInt(6), g = r.nextInt(6), h = r.nextInt(6), k = r.nextInt(6);
            if (kind == 0) return Asm.encode(Op.BNE, 0, 1 + r.nextInt(3), 0, 0, -4L * (1 + r.nextInt(12)), 0, 0);
            if (kind == 1) return Asm.encode(Op.ADDI, 1 + r.nextInt(3), 1 + r.nextInt(3), 0, 0, -1, 0, 0);
            if (kind < 6) {
                Op op = pick(r, moves);
                return switch (op) {
                    case FLW, FLD, FSW, FSD -> Asm.encode(op, f, BASES[r.nextInt(BASES.length)], g, 0, 8L * (r.nextInt(64) - 32), 0, 0);
                    case FMV_X_D, FMV_X_W, FEQ_S, FCLASS_D -> Asm.encode(op, 9 + r.nextInt(4), f, g, 0, 0, 0, 0);
                    case FMV_D_X, FMV_W_X -> Asm.encode(op, f, 9 + r.nextInt(4), 0, 0, 0, 0, 0);
                    default -> Asm.encode(op, f, g, h, 0, 0, 0, 0);
                };
            }
            return Asm.encode(pick(r, host), f, g, h, k, 0, r.nextInt(4) != 0 ? 7 : 0, 0);
        });
        assertThat(total).isGreaterThan(80 * 20);
    }

    @Test
    void atomics() {
        List<Op> ops = new ArrayList<>();
        for (Op op : Op.values()) if (op.isAtomic()) ops.add(op);
        Op[] array = ops.toArray(Op[]::new);
        long total = programs(40, 100, r -> {
            Op op = pick(r, array);
            if (r.nextInt(4) == 0) return Asm.encode(Op.ANDI, BASES[r.nextInt(4)], BASES[r.nextInt(4)], 0, 0, -8, 0, 0);
            return Asm.encode(op, 9 + r.nextInt(23), BASES[r.nextInt(4)], r.nextInt(32), 0, 0, 0, r.nextInt(4));
        });
        assertThat(total).isGreaterThan(40 * 3);
    }

    @Test
    void compressed() {
        List<Compressed> forms = new ArrayList<>();
        for (Compressed c : Compressed.values()) if (c.op != Op.ILLEGAL && c.op != Op.EBREAK) forms.add(c);
        long total = programs(80, 150, r -> Asm.random(forms.get(r.nextInt(forms.size())), r));
        assertThat(total).isGreaterThan(80);
    }

    @Test
    void systemInstructionsEndBlocks() {
        byte[] code = Asm.program(CODE, "addi a7,zero,5", "ecall", "addi a0,a0,1", "csrrs a1,frm,zero", "csrrw a2,fflags,a0",
                "fence.i", "csrrs a3,instret,zero", "fence rw,rw", "addi a4,a3,1", "ebreak");
        assertThat(compare(code, 3)).isEqualTo(9);
    }

    @Test
    void budgetStopsAfterExactlyTheRequestedInstructions() {
        byte[] code = bytes(List.of(Asm.assemble("addi a0,a0,1"), Asm.assemble("addi a1,a1,2"), Asm.assemble("addi a2,a2,3"),
                Asm.assemble("jal zero,.-12")));
        for (int budget : new int[] {1, 2, 3, 4, 5, 7, 11, 100, 1001}) {
            Hart ref = hart(code, 9), h = hart(code, 9);
            Interpreter.run(ref, budget);
            new Jit(h, Jit.CAPACITY, budget % 3).run(budget);
            assertSame(ref, h, "budget " + budget);
            assertThat(h.icount).isEqualTo(budget);
        }
    }

    @Test
    void coldBlocksRunInTheInterpreterUntilTheyAreHot() {
        byte[] code = bytes(List.of(Asm.assemble("addi a0,a0,1"), Asm.assemble("addi a1,a1,2"), Asm.assemble("jal zero,.-8")));
        Hart h = hart(code, 9);
        Jit jit = new Jit(h, Jit.CAPACITY, 3);
        for (int i = 0; i < 3; i++) assertThat(jit.runBlock()).isEqualTo(3);   // interpreted, up to the jump
        assertThat(jit.translated).isZero();
        jit.runBlock();
        assertThat(jit.translated).isEqualTo(1);
        assertThat(h.icount).isEqualTo(12);
        assertThat(h.pc).isEqualTo(CODE);
    }

    @Test
    void translationBufferIsBounded() {
        // 3000 blocks of one jump each, run twice: the buffer never holds more than its capacity.
        List<Integer> words = new ArrayList<>();
        for (int i = 0; i < 3000; i++) words.add(Asm.assemble("jal zero,.+4"));
        words.add(Asm.assemble("jal zero,.-12000"));
        byte[] code = bytes(words);
        Hart h = hart(new byte[0], 1);
        h.mmu.space().map(CODE, 0x4000, PROT_READ | PROT_EXEC);
        h.mmu.space().map(CODE + 0x4000, 0x4000, PROT_READ | PROT_EXEC);
        h.mmu.space().write(CODE, code, 0, code.length);
        Jit jit = new Jit(h, 256, 0);
        int maxSize = 0;
        for (int i = 0; i < 6002; i++) {
            jit.runBlock();
            maxSize = Math.max(maxSize, jit.size());
        }
        assertThat(h.icount).isEqualTo(6002);
        assertThat(h.pc).isEqualTo(CODE);   // 3001 blocks per round
        assertThat(maxSize).isLessThanOrEqualTo(256).isGreaterThan(200);
        assertThat(jit.translated).isGreaterThan(6002 / Translator.MAX_BLOCKS);   // regions of up to MAX_BLOCKS jumps
        assertThat(jit.flushes).isGreaterThan(20);
    }

    /** Writes a word of code into its own code page (RWX), the way a JIT would. */
    @Test
    void storeIntoTranslatedCodeInvalidatesItOnThisAndOtherVcpus() {
        byte[] code = bytes(List.of(Asm.assemble("addi a0,zero,1"), Asm.assemble("ebreak")));
        Hart h = hart(code, 1);
        AddressSpace space = h.mmu.space();
        space.protect(CODE, 0x4000, PROT_READ | PROT_WRITE | PROT_EXEC);
        byte[] patch = bytes(List.of(Asm.assemble("sw t1,0(t0)"), Asm.assemble("ebreak")));
        space.write(CODE + 0x100, patch, 0, patch.length);
        Hart other = new Hart(new Mmu(space), SYSTEM);
        Jit jit = new Jit(h, Jit.CAPACITY, 0), otherJit = new Jit(other, Jit.CAPACITY, 0);

        runToBreak(jit, h, CODE);
        assertThat(h.x[10]).isEqualTo(1);
        // This vCPU rewrites the instruction (no fence.i): the next run sees the new one.
        h.x[5] = CODE;
        h.x[6] = Asm.assemble("addi a0,zero,2");
        runToBreak(jit, h, CODE + 0x100);
        runToBreak(jit, h, CODE);
        assertThat(h.x[10]).isEqualTo(2);
        // Another vCPU rewrites it.
        other.x[5] = CODE;
        other.x[6] = Asm.assemble("addi a0,zero,3");
        runToBreak(otherJit, other, CODE + 0x100);
        runToBreak(jit, h, CODE);
        assertThat(h.x[10]).isEqualTo(3);
        // munmap and a fresh mapping with other code at the same address.
        space.unmap(CODE, 0x4000);
        space.map(CODE, 0x4000, PROT_READ | PROT_EXEC);
        byte[] fresh = bytes(List.of(Asm.assemble("addi a0,zero,4"), Asm.assemble("ebreak")));
        space.write(CODE, fresh, 0, fresh.length);
        runToBreak(jit, h, CODE);
        assertThat(h.x[10]).isEqualTo(4);
    }

    /**
     * Loop heads test {@link Hart#leave} alone, which stands for {@link Hart#attention} and
     * {@link Hart#codeStale}: one left set after its cause was served (the replayer clears
     * attention without it) is cleared by the JIT, so loops run on; one whose cause is still there
     * stays set.
     */
    @Test
    void theLeaveFlagIsClearedOnceWhatItStandsForIsServed() {
        byte[] code = bytes(List.of(Asm.assemble("addi t1,t1,1"), Asm.encode(Op.BEQ, 0, 0, 0, 0, -4, 0, 0)));
        Hart h = hart(code, 5);
        Jit jit = new Jit(h, Jit.CAPACITY, 0);
        h.leave = true;   // its cause already served
        // Were it never cleared, the loop would leave at its head before each iteration: no progress, for ever.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> jit.run(1_000_000));
        assertThat(h.icount).isEqualTo(1_000_000);
        assertThat(h.leave).as("cleared by the JIT").isFalse();
        h.requestAttention();
        jit.run(1_000_000);
        assertThat(h.icount).as("attention wanted: the run returns at once").isEqualTo(1_000_000);
        assertThat(h.leave).as("still wanted").isTrue();
        h.attention = false;   // served
        jit.run(1_000);
        assertThat(h.icount).isEqualTo(1_001_000);
        assertThat(h.leave).isFalse();
    }

    /**
     * {@link Jit#runAbout} (a plain run's slices) runs a region's free variant, whose loops do not
     * count the budget: a loop runs on past the budget until it ends, and a loop that never ends
     * until another thread asks this vCPU's task loop for service ({@link Hart#requestService}: a
     * signal, a TLB flush, the process ending) or for attention; then it leaves at a loop head with
     * the state exactly the interpreter's. It never takes the careful or fast variants that exact
     * budgets need; {@link Jit#run} stops exactly, through them.
     */
    @Test
    void aRunAboutABudgetRunsLoopsUntilTheyEndOrTheVcpuIsWanted() throws Exception {
        // A loop of two blocks (t1 += 1 and stored at s0, t2 += t1) that runs for ever; the region
        // also holds the untaken branch's target (an illegal instruction, never reached).
        byte[] code = bytes(List.of(Asm.assemble("addi t1,t1,1"), Asm.assemble("sd t1,0(s0)"), Asm.encode(Op.BEQ, 0, 0, 0, 0, 4, 0, 0),
                Asm.assemble("add t2,t2,t1"), Asm.encode(Op.BEQ, 0, 0, 0, 0, -16, 0, 0)));
        for (boolean service : new boolean[] {true, false}) {
            Hart h = hart(code, 7);
            Jit jit = new Jit(h, Jit.CAPACITY, 0);
            h.x[8] = DATA + 0x800;   // s0: an aligned doubleword
            long start = h.x[6], counter = h.x[8];
            Thread vcpu = Thread.ofPlatform().start(() -> jit.runAbout(100));
            // Wait until the loop has run well past the budget (the guest's own stores say so).
            byte[] word = new byte[8];
            long deadline = System.nanoTime() + 20_000_000_000L;
            do {
                Thread.sleep(1);
                h.mmu.space().read(counter, word, 0, 8);
            } while (java.nio.ByteBuffer.wrap(word).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong() - start < 100_000
                    && System.nanoTime() < deadline);
            assertThat(vcpu.isAlive()).as("a loop that never ends runs on past the budget").isTrue();
            if (service) h.requestService();
            else h.requestAttention();
            vcpu.join(20_000);
            assertThat(vcpu.isAlive()).as("it leaves when its vCPU is wanted").isFalse();
            Block region = jit.lookup(CODE).region();
            assertThat(h.icount).as("well past the budget").isGreaterThan(100_000);
            assertThat(region.total).isEqualTo(6);
            assertThat(region.checks).isEqualTo(Translator.Checks.FREE);
            assertThat(region.careful).as("no careful variant made").isNull();
            assertThat(region.fast).as("no fast variant made").isNull();
            Hart ref = hart(code, 7);
            ref.x[8] = DATA + 0x800;
            while (ref.icount < h.icount) Interpreter.step(ref);
            assertSame(ref, h, "after leaving the loop");
            h.serviceWanted = false;   // served (the task loop's part)
            h.attention = false;
            while (h.pc != CODE) jit.stepInstruction();   // to the first block, interpreted (runBlock would take a variant)
            long before = h.icount;
            jit.run(3);   // the first block, less than the region
            assertThat(h.icount - before).isEqualTo(3);
            assertThat(region.careful).as("an exact budget inside the region takes it").isNotNull();
            jit.run(1000);
            assertThat(h.icount - before).isEqualTo(1003);
            assertThat(region.fast).as("an exact budget that covers the region takes the fast one").isNotNull();
            while (ref.icount < h.icount) Interpreter.step(ref);
            assertSame(ref, h, "after the exact runs");
        }
        // A loop that ends (t0 counts 1000 down): runAbout runs it to its end, past a small budget,
        // up to the illegal instruction after it (in the same region), which traps.
        byte[] counted = bytes(List.of(Asm.assemble("addi t0,zero,1000"), Asm.assemble("addi t0,t0,-1"),
                Asm.encode(Op.BNE, 0, 5, 0, 0, -4, 0, 0), 0));
        Hart h = hart(counted, 4);
        Jit jit = new Jit(h, Jit.CAPACITY, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jit.runAbout(10)).isInstanceOf(dev.reprise.cpu.Trap.class);
        assertThat(h.x[5]).isZero();
        assertThat(h.icount).isEqualTo(1 + 2 * 1000);
        assertThat(h.pc).isEqualTo(CODE + 12);
    }

    /**
     * A free loop that another thread asks to leave ({@link Hart#requestService}: a signal, a
     * checkpoint's clock) after it ran undisturbed for a while gets a new class of its free
     * variant for its next entries ({@link Block#left}: HotSpot would compile the old one again
     * with an exit at that head); asked again soon after, or asked all the time, it keeps its
     * class (and HotSpot compiles the exit); the first four runs leave the interpreter's state.
     */
    @Test
    void aFreeLoopAskedToLeaveRarelyIsMadeAnew() throws Exception {
        byte[] code = bytes(List.of(Asm.assemble("addi t1,t1,1"), Asm.assemble("sd t1,0(s0)"), Asm.encode(Op.BEQ, 0, 0, 0, 0, 4, 0, 0),
                Asm.assemble("add t2,t2,t1"), Asm.encode(Op.BEQ, 0, 0, 0, 0, -16, 0, 0)));
        Hart h = hart(code, 7);
        Jit jit = new Jit(h, Jit.CAPACITY, 0);
        h.x[8] = DATA + 0x800;
        Hart ref = hart(code, 7);
        ref.x[8] = DATA + 0x800;
        long rare = (Block.QUIET + 50_000_000) / 1_000_000;
        List<Block> ran = new java.util.ArrayList<>();
        long busyUntil = 0;
        for (int round = 0; round < 4 || System.nanoTime() < busyUntil; round++) {
            if (round == 1 || round == 3) Thread.sleep(rare);
            // Then asked all the time, for 30 times QUIET.
            if (round == 3) busyUntil = System.nanoTime() + 30 * Block.QUIET;
            if (round > 3) Thread.sleep(Block.QUIET / 1_000_000 / 10);
            long before = stored(h);
            Thread vcpu = Thread.ofPlatform().start(() -> jit.runAbout(100));
            long deadline = System.nanoTime() + 20_000_000_000L;
            long loops = round > 3 ? 1 : 100_000;   // the loop's own stores: it is running
            while (stored(h) - before < loops && System.nanoTime() < deadline) Thread.onSpinWait();
            h.requestService();
            vcpu.join(20_000);
            assertThat(vcpu.isAlive()).as("round %d: it leaves when its vCPU is wanted", round).isFalse();
            h.serviceWanted = false;   // served (the task loop's part)
            ran.add(jit.lookup(CODE).region().variant(Translator.Checks.FREE));
            if (round > 3) continue;   // the interpreter catching up (billions of instructions) would make the rounds far apart
            while (ref.icount < h.icount) Interpreter.step(ref);
            assertSame(ref, h, "after round " + round);
        }
        assertThat(jit.lookup(CODE).region().checks).isEqualTo(Translator.Checks.FREE);
        assertThat(ran.get(1).getClass()).as("asked after a quiet while: made anew").isNotEqualTo(ran.get(0).getClass());
        assertThat(ran.get(2)).as("asked again at once: kept").isSameAs(ran.get(1));
        assertThat(ran.get(3).getClass()).as("asked after another quiet while: made anew").isNotEqualTo(ran.get(2).getClass());
        // Kept (once more at most: a round on a busy machine may take longer than QUIET).
        assertThat(ran.subList(3, ran.size()).stream().distinct().count()).as("classes while asked every QUIET/10").isLessThanOrEqualTo(2);
        assertThat(ran.size()).isGreaterThan(20);
    }

    /** The doubleword at s0 (DATA + 0x800), where the loops of the tests above store their count. */
    private static long stored(Hart h) {
        byte[] word = new byte[8];
        h.mmu.space().read(DATA + 0x800, word, 0, 8);
        return java.nio.ByteBuffer.wrap(word).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * A loop running in translated code leaves at its head when another thread changes the code
     * epoch ({@link Hart#codeStale}), so that its vCPU drops its translations before it runs another
     * block: within milliseconds, in the same {@link Jit#run}, long before its budget ends (2^31
     * instructions of 64-bit divisions of a large dividend: seconds). Had the loop not left, nothing
     * would clear the flag until the run returned.
     */
    @Test
    void aRunningLoopLeavesWhenAnotherThreadInvalidatesCode() throws Exception {
        byte[] code = bytes(List.of(Asm.assemble("addi t0,zero,7"), Asm.assemble("lui a0,524288"),
                Asm.assemble("div t1,t1,t0"), Asm.assemble("or t1,t1,a0"), Asm.encode(Op.BEQ, 0, 0, 0, 0, -8, 0, 0)));
        Hart h = hart(code, 5);
        Jit jit = new Jit(h, Jit.CAPACITY, 0);
        Thread vcpu = Thread.ofPlatform().start(() -> jit.run(Integer.MAX_VALUE));
        boolean clearedWhileRunning;
        try {
            Thread.sleep(100);   // translated and looping
            h.mmu.space().invalidateCode();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (h.codeStale && vcpu.isAlive() && System.nanoTime() < deadline) Thread.onSpinWait();
            clearedWhileRunning = !h.codeStale && vcpu.isAlive();
        } finally {
            h.requestAttention();   // ends the run at the next loop head
            vcpu.join(10_000);
        }
        assertThat(clearedWhileRunning).as("the loop left at its head and the JIT saw the new epoch, in the same run").isTrue();
        assertThat(vcpu.isAlive()).isFalse();
        assertThat(jit.flushes).as("translations dropped once").isEqualTo(1);
    }

    /**
     * An ownership under which DATA's page is a page of finer granules: {@code words} says which
     * 8-byte words are held ({@link dev.reprise.mem.Ownership#wordRights}); every access the page's
     * bits do not answer asks here ({@link #asked}) and is allowed this once, never cached. Other
     * pages are held exclusive.
     */
    static final class SplitDataPage implements dev.reprise.mem.Ownership {
        final long[] words = new long[17];
        int asked;

        @Override
        public int acquire(long address, int size, boolean write) {
            if (address >>> AddressSpace.PAGE_SHIFT != DATA >>> AddressSpace.PAGE_SHIFT) return EXCLUSIVE;
            asked++;
            return 0;
        }

        @Override
        public long[] wordRights(long page) {
            return page == DATA >>> AddressSpace.PAGE_SHIFT ? words : null;
        }
    }

    /**
     * Runs {@code code} to its ebreak in the interpreter and in the JIT, each hart recording under
     * its own {@link SplitDataPage} set up by {@code held}; checks that they end in the same state
     * and asked the ownership as often. Returns the JIT and the JIT's ownership.
     */
    Jit runSplitPage(byte[] code, java.util.function.Consumer<long[]> held, long expectedAsks) {
        Hart ref = hart(code, 3), h = hart(code, 3);
        SplitDataPage refOwnership = new SplitDataPage(), ownership = new SplitDataPage();
        held.accept(refOwnership.words);
        held.accept(ownership.words);
        ref.mmu.attach(refOwnership);
        h.mmu.attach(ownership);
        assertThatThrownBy(() -> Interpreter.run(ref, 100_000)).isInstanceOf(Trap.class).hasMessageContaining("BREAKPOINT");
        Jit jit = new Jit(h, Jit.CAPACITY, 0);
        assertThatThrownBy(() -> jit.run(100_000)).isInstanceOf(Trap.class).hasMessageContaining("BREAKPOINT");
        assertSame(ref, h, "at the ebreak");
        assertThat(refOwnership.asked).as("the interpreter's Mmu asked").isEqualTo(expectedAsks);
        assertThat(ownership.asked).as("the JIT's code asked").isEqualTo(expectedAsks);
        return jit;
    }

    /**
     * In a recording's code a TLB miss that the split-page bits do not answer leaves the region
     * before its instruction, and the JIT runs the rest of that block in the interpreter; a region
     * that keeps leaving gives way to its variant that calls the Mmu. Either way the state is the
     * interpreter's, and every access asks the ownership as the interpreter's do.
     */
    @Test
    void aRecordingsRegionLeavesOnTlbMissesAndCallsOnceItLeftTooOften() {
        // 4096 rounds of a loop that loads a word of the split page whose bits never say it is held
        byte[] code = bytes(List.of(Asm.assemble("lui t0,1"), Asm.assemble("lui t1," + (DATA >> 12)),
                Asm.assemble("ld t2,8(t1)"), Asm.assemble("add t3,t3,t2"), Asm.assemble("addi t0,t0,-1"),
                Asm.encode(Op.BNE, 0, 5, 0, 0, -12, 0, 0), Asm.assemble("ebreak")));
        Jit jit = runSplitPage(code, words -> { }, 4096);
        Block loop = jit.lookup(CODE + 8).region();
        assertThat(loop.exits).isTrue();
        assertThat(loop.missExits).isGreaterThanOrEqualTo(Block.MISS_EXITS);
        assertThat(loop.current()).as("replaced by its variant with calls").isNotSameAs(loop);
        assertThat(loop.current().exits).isFalse();
    }

    /**
     * The inline split-page check takes the same words as the Mmu's: held ones without asking the
     * ownership again, any other one through it. A wrong word index would ask thousands of times,
     * or never for the word not held.
     */
    @Test
    void aRecordingsRegionAnswersHeldWordsOfASplitPageInline() {
        // 4096 rounds loading words 1 and 200 (held), then word 2 (not held) once
        byte[] code = bytes(List.of(Asm.assemble("lui t0,1"), Asm.assemble("lui t1," + (DATA >> 12)),
                Asm.assemble("ld t2,8(t1)"), Asm.assemble("add t3,t3,t2"), Asm.assemble("ld t4,1600(t1)"),
                Asm.assemble("add t3,t3,t4"), Asm.assemble("addi t0,t0,-1"), Asm.encode(Op.BNE, 0, 5, 0, 0, -20, 0, 0),
                Asm.assemble("ld t5,16(t1)"), Asm.assemble("ebreak")));
        Jit jit = runSplitPage(code, words -> {
            words[0] = words[dev.reprise.mem.Ownership.EXCLUSIVE_WORDS] = 1L << 1;   // word 1
            words[3] = 1L << 8;                                                   // word 200, shared
        }, 2);   // the first access (the page's bits not yet copied), then word 2
        assertThat(jit.lookup(CODE + 8).region().missExits).as("two exits: the first access, and word 2's").isEqualTo(2);
    }

    static void runToBreak(Jit jit, Hart h, long pc) {
        h.pc = pc;
        assertThatThrownBy(() -> jit.run(100)).isInstanceOf(Trap.class).hasMessageContaining("BREAKPOINT");
    }
}
