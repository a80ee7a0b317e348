package dev.reprise.trace;

import dev.reprise.TinyElf;
import dev.reprise.isa.Asm;
import dev.reprise.isa.Compressed;
import dev.reprise.isa.Disassembler;
import dev.reprise.isa.Op;
import dev.reprise.trace.RandomInstructions.Instruction;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One generated test program: {@code sequences} independent random instruction sequences, each with
 * its own 4 KiB data block, in one static ELF.
 *
 * <p>Per sequence: a prologue loads x1..x31 (but sp and s0), f0..f31 and fcsr from the block's
 * init table and points sp and s0 at {@code block + 2048}; the random body runs; an epilogue stores
 * x0..x31, f0..f31 and fcsr into the block's result slot. At the end the program writes all blocks
 * to fd {@code 3 - 2 * argc} (stdout when run with no arguments, as under QEMU; a bad fd when
 * Reprise runs it with one argument and reads the blocks from guest memory instead) and exits
 * with status 0.
 *
 * <p>Block layout (offsets from the block start; sp = s0 = block + 2048):
 * <pre>
 *   0     result slot: x0..x31 (8 bytes each), f0..f31 at 256, fcsr at 512
 *   520   fflags log: one byte per probe (see RandomInstructions#probeFlags)
 *   1024  init table:  x0..x31, f0..f31 at 1024+256, fcsr at 1024+512
 *   else  random bytes
 * </pre>
 * The body's loads and stores go anywhere from 1024 on (the prologue has consumed the init table
 * by then). One spare page follows the last block, so that misaligned accesses may cross into the
 * next page.
 */
final class RandomProgram {
    static final long TEXT = 0x10000, DATA = 0x400000;
    static final int BLOCK = 4096, RESULT = 0, INIT = 1024, F_OFFSET = 256, FCSR_OFFSET = 512;
    static final int FLAG_LOG = RandomInstructions.FLAG_LOG + 2048;
    /** Where the program keeps argc: in the spare page, beyond the bytes it writes out. */
    private static final int ARGC_OFFSET = 2048;
    /** Bytes of the spare page that are written out (those a page-crossing store can reach). */
    private static final int SPARE_DUMPED = 16;
    private static final int PTR = 2048;

    /** One sequence: where its body starts and its instructions (for disassembly). */
    record Sequence(int index, long bodyPc, List<Instruction> body) {
        String disassembly() {
            StringBuilder sb = new StringBuilder();
            long pc = bodyPc;
            for (Instruction i : body) {
                sb.append(String.format("    %x:  %s%n", pc, Disassembler.disassemble(i.bits(), pc)));
                pc += i.length();
            }
            return sb.toString();
        }

        long endPc() {
            return bodyPc + body.stream().mapToInt(Instruction::length).sum();
        }
    }

    final List<Sequence> sequences = new ArrayList<>();
    final TinyElf elf;
    /** Bytes the program writes out: the blocks and the start of the spare page. */
    final int dumpLength;
    /** Where the sequences end and the code that writes the blocks out and exits begins. */
    final long exitPc;
    /** Instructions the program retires (an upper bound for a run). */
    final long instructionCount;

    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private long instructions;

    /**
     * Generates a program of {@code count} sequences of {@code minLength..maxLength} body
     * instructions each (counting generated forms; setup instructions come on top).
     */
    RandomProgram(long seed, int count, int minLength, int maxLength) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] data = new byte[count * BLOCK];
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        Op[] ops = generatedOps();
        Compressed[] compressed = generatedCompressed();

        // Keep argc where the end of the program finds it: ld t0, 0(sp); li t1, argc slot; sd t0, 0(t1).
        long argcSlot = DATA + (long) count * BLOCK + ARGC_OFFSET;
        emit(Op.LD, 5, 2, 0, 0);
        li(6, argcSlot);
        emit(Op.SD, 0, 6, 5, 0);

        for (int k = 0; k < count; k++) {
            long block = DATA + (long) k * BLOCK;
            int frm = random.nextInt(5);
            fillBlock(d, k * BLOCK, frm, random);

            prologue(block);
            RandomInstructions gen = new RandomInstructions(random, frm);
            List<Instruction> body = new ArrayList<>();
            int length = minLength + random.nextInt(maxLength - minLength + 1);
            for (int n = 0; n < length; n++) {
                if (random.nextInt(4) == 0) {
                    gen.generate(compressed[random.nextInt(compressed.length)], body);
                } else {
                    Op op = ops[random.nextInt(ops.length)];
                    gen.generate(op, body);
                    if (setsFlags(op) && random.nextInt(3) != 0) gen.probeFlags(body);
                }
            }
            sequences.add(new Sequence(k, TEXT + text.size(), body));
            for (Instruction i : body) emit(i);
            epilogue();
        }

        // write(3 - 2 * argc, DATA, dumpLength); exit_group(0)
        exitPc = TEXT + text.size();
        dumpLength = count * BLOCK + SPARE_DUMPED;
        li(6, argcSlot);
        emit(Op.LD, 5, 6, 0, 0);
        emit(Op.SLLI, 5, 5, 0, 1);
        emit(Op.ADDI, 10, 0, 0, 3);
        emit(Op.SUB, 10, 10, 5, 0);
        li(11, DATA);
        li(12, dumpLength);
        emit(Op.ADDI, 17, 0, 0, 64);
        emit(Op.ECALL, 0, 0, 0, 0);
        emit(Op.ADDI, 10, 0, 0, 0);
        emit(Op.ADDI, 17, 0, 0, 94);
        emit(Op.ECALL, 0, 0, 0, 0);

        instructionCount = instructions;
        byte[] code = text.toByteArray();
        if (TEXT + code.length > DATA) throw new IllegalStateException("program too large: " + code.length + " bytes of code");
        elf = new TinyElf(TEXT, code, DATA, data, (long) (count + 1) * BLOCK);
    }

    /** FP operations but loads, stores and moves: those that may raise exception flags. */
    private static boolean setsFlags(Op op) {
        return op.isFloat() && op.format != dev.reprise.isa.Format.I && op.format != dev.reprise.isa.Format.S;
    }

    /** The operations and compressed forms the generator covers, in table order. */
    static Op[] generatedOps() {
        return java.util.Arrays.stream(Op.values()).filter(o -> !RandomInstructions.NOT_GENERATED.contains(o)).toArray(Op[]::new);
    }

    static Compressed[] generatedCompressed() {
        return java.util.Arrays.stream(Compressed.values())
                .filter(c -> !RandomInstructions.NOT_GENERATED_COMPRESSED.contains(c)).toArray(Compressed[]::new);
    }

    /** The sequence whose code contains {@code pc} (body, prologue or epilogue), or null. */
    Sequence sequenceAt(long pc) {
        Sequence found = null;
        for (Sequence s : sequences) if (s.bodyPc <= pc) found = s;
        return found;
    }

    // ---- data ------------------------------------------------------------------------------------

    /**
     * Random block contents and initial registers. One sequence in four starts from edge values
     * only (integer edges, and either double or NaN-boxed single edges), so that rare combinations
     * (inf * 0 + NaN, MIN / -1, conversions at the limits) come up often.
     */
    private static void fillBlock(ByteBuffer d, int at, int frm, SplittableRandom random) {
        int flavor = random.nextInt(8);
        for (int i = 0; i < BLOCK; i += 8) d.putLong(at + i, random.nextBoolean() ? random.nextLong() : interestingX(random));
        for (int r = 0; r < 32; r++) {
            d.putLong(at + INIT + 8 * r, flavor < 2 ? X_EDGES[random.nextInt(X_EDGES.length)] : interestingX(random));
            d.putLong(at + INIT + F_OFFSET + 8 * r, switch (flavor) {
                case 0 -> D_EDGES[random.nextInt(D_EDGES.length)];
                case 1 -> 0xFFFF_FFFF_0000_0000L | Integer.toUnsignedLong(S_EDGES[random.nextInt(S_EDGES.length)]);
                default -> interestingF(random);
            });
        }
        d.putLong(at + INIT + FCSR_OFFSET, frm << 5 | (random.nextInt(4) == 0 ? random.nextInt(32) : 0));
    }

    private static final long[] X_EDGES = {0, 1, -1, 2, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE,
            Integer.MAX_VALUE, 0xFFFF_FFFFL, 0x8000_0000L, 0x7FFF_FFFF_FFFF_FFFEL, 0xFFFF_FFFF_0000_0000L, 63, 64, 31, 32,
            (1L << 53) + 1, -(1L << 53) - 1, (1L << 24) + 1, (1L << 25) + 3, 0x8000_0000_0000_0400L, 0x7FFF_FFFF_FFFF_FC00L};

    /** Edge values, small numbers, 32-bit and 64-bit random numbers, and FP bit patterns. */
    static long interestingX(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> X_EDGES[random.nextInt(X_EDGES.length)];
            case 1 -> random.nextInt(-100, 100);
            case 2 -> random.nextInt();
            case 3 -> interestingF(random);
            default -> random.nextLong();
        };
    }

    private static final long[] D_EDGES = {
        0L, 0x8000_0000_0000_0000L,                                  // +-0
        0x7FF0_0000_0000_0000L, 0xFFF0_0000_0000_0000L,              // +-inf
        0x7FF8_0000_0000_0000L, 0xFFF8_0000_0000_0000L,              // quiet NaNs
        0x7FF0_0000_0000_0001L, 0x7FF4_0000_0000_0000L,              // signaling NaNs
        0x7FF8_0000_DEAD_BEEFL,                                      // NaN with payload
        1L, 0x800F_FFFF_FFFF_FFFFL, 0x0008_0000_0000_0000L,          // subnormals
        0x0010_0000_0000_0000L, 0x7FEF_FFFF_FFFF_FFFFL,              // min normal, max
        0x3FF0_0000_0000_0000L, 0xBFF0_0000_0000_0000L,              // +-1
        0x41DF_FFFF_FFC0_0000L, 0x41E0_0000_0000_0000L,              // 2^31 - 1, 2^31
        0xC1E0_0000_0000_0000L, 0x41F0_0000_0000_0000L,              // -2^31, 2^32
        0x43E0_0000_0000_0000L, 0xC3E0_0000_0000_0000L,              // +-2^63
        0x43F0_0000_0000_0000L, 0x3FE0_0000_0000_0000L,              // 2^64, 0.5
        0x3FF8_0000_0000_0000L, 0x4004_0000_0000_0000L,              // 1.5, 2.5
        0x3810_0000_0000_0000L, 0x380F_FFFF_FFFF_FFFFL,              // single min normal, just below
        0x47EF_FFFF_E000_0000L, 0x47EF_FFFF_F000_0000L,              // single max, and where it rounds to inf
        0x41DF_FFFF_FFE0_0000L, 0xC1E0_0000_0010_0000L,              // 2^31 - 0.5, -2^31 - 0.5
        0x41EF_FFFF_FFF0_0000L, 0xBFE0_0000_0000_0000L,              // 2^32 - 0.5, -0.5
        0x43EF_FFFF_FFFF_FFFFL, 0xC3E0_0000_0000_0001L,              // largest below 2^64, just below -2^63
    };

    private static final int[] S_EDGES = {
        0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0x7FA0_0000, 0x7FC0_BEEF,
        1, 0x807F_FFFF, 0x0040_0000, 0x0080_0000, 0x7F7F_FFFF, 0x3F80_0000, 0xBF80_0000, 0x4EFF_FFFF, 0x4F00_0000,
        0xCF00_0000, 0x4F80_0000, 0x5F00_0000, 0xDF00_0000, 0x5F80_0000, 0x3F00_0000, 0x3FC0_0000, 0x4020_0000,
        0x4EFF_FFFF, 0xCF00_0001, 0xBF00_0000, 0x5F7F_FFFF, 0xDF00_0001, 0x4F7F_FFFF,
    };

    /** A 64-bit f-register pattern: doubles, NaN-boxed singles, and improperly boxed singles. */
    static long interestingF(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0, 1 -> D_EDGES[random.nextInt(D_EDGES.length)];
            case 2, 3 -> 0xFFFF_FFFF_0000_0000L | Integer.toUnsignedLong(S_EDGES[random.nextInt(S_EDGES.length)]);
            case 4 -> 0xFFFF_FFFF_0000_0000L | Integer.toUnsignedLong(randomFloatBits(random));
            case 5 -> random.nextInt(4) == 0 ? random.nextLong() // an improperly boxed single
                    : Integer.toUnsignedLong(S_EDGES[random.nextInt(S_EDGES.length)]);
            default -> randomDoubleBits(random);
        };
    }

    /** Random sign and significand, exponent near the middle or near either end. */
    private static long randomDoubleBits(SplittableRandom random) {
        long exponent = switch (random.nextInt(3)) {
            case 0 -> 1023 + random.nextInt(-70, 70);
            case 1 -> random.nextInt(60);
            default -> 2047 - random.nextInt(60);
        };
        return (random.nextLong() & 0x800F_FFFF_FFFF_FFFFL) | exponent << 52;
    }

    private static int randomFloatBits(SplittableRandom random) {
        int exponent = switch (random.nextInt(3)) {
            case 0 -> 127 + random.nextInt(-40, 40);
            case 1 -> random.nextInt(30);
            default -> 255 - random.nextInt(30);
        };
        return (random.nextInt() & 0x807F_FFFF) | exponent << 23;
    }

    // ---- code ------------------------------------------------------------------------------------

    /** sp = s0 = block + 2048; fcsr, f0..f31, x1..x31 (but sp, s0) from the init table. */
    private void prologue(long block) {
        li(RandomInstructions.SP, block + PTR);
        emit(Op.ADDI, RandomInstructions.BASE, RandomInstructions.SP, 0, 0);
        int init = INIT - PTR;
        emit(Op.LD, 1, RandomInstructions.SP, 0, init + FCSR_OFFSET);
        emit(Op.CSRRW, 0, 1, 0, RandomInstructions.FCSR);
        for (int r = 0; r < 32; r++) emit(Op.FLD, r, RandomInstructions.SP, 0, init + F_OFFSET + 8 * r);
        for (int r = 1; r < 32; r++) {
            if (!RandomInstructions.isReserved(r)) emit(Op.LD, r, RandomInstructions.SP, 0, init + 8 * r);
        }
    }

    /** x0..x31, f0..f31 and fcsr into the result slot. */
    private void epilogue() {
        int slot = RESULT - PTR;
        for (int r = 0; r < 32; r++) emit(Op.SD, 0, RandomInstructions.SP, r, slot + 8 * r);
        for (int r = 0; r < 32; r++) emit(Op.FSD, 0, RandomInstructions.SP, r, slot + F_OFFSET + 8 * r);
        emit(Op.CSRRS, 1, 0, 0, RandomInstructions.FCSR);
        emit(Op.SD, 0, RandomInstructions.SP, 1, slot + FCSR_OFFSET);
    }

    /** Loads a 32-bit signed constant: lui + addiw, or addi alone. */
    private void li(int rd, long value) {
        if (value != (int) value) throw new IllegalArgumentException("li of a 64-bit constant");
        long lo = value << 52 >> 52, hi = value - lo;
        if (hi == 0) {
            emit(Op.ADDI, rd, 0, 0, lo);
        } else {
            emit(Op.LUI, rd, 0, 0, (int) hi);
            emit(Op.ADDIW, rd, rd, 0, lo);
        }
    }

    private void emit(Op op, int rd, int rs1, int rs2, long imm) {
        emit(new Instruction(Asm.encode(op, rd, rs1, rs2, 0, imm, 0, 0), 4));
    }

    private void emit(Instruction i) {
        if (i.length() == 2) {
            text.write(i.bits());
            text.write(i.bits() >>> 8);
        } else {
            for (int b = 0; b < 32; b += 8) text.write(i.bits() >>> b);
        }
        instructions++;
    }
}
