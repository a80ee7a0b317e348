package dev.reprise.cpu;

import dev.reprise.isa.Asm;
import dev.reprise.isa.Compressed;
import dev.reprise.isa.Op;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Mmu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The interpreter's semantics, one instruction group at a time, on hand-assembled code. */
class InterpreterTest {
    static final long CODE = 0x10000, DATA = 0x20000;

    final AddressSpace space = new AddressSpace();
    final List<Long> ecalls = new ArrayList<>();
    final Hart h = new Hart(new Mmu(space), new SystemInterface() {
        @Override
        public void ecall(Hart hart) {
            ecalls.add(hart.x[17]);
            hart.setX(10, 42);
        }

        @Override
        public long readTime() {
            return 7;
        }
    });
    private long end = CODE;

    InterpreterTest() {
        space.map(CODE, 0x1000, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC);
        space.map(DATA, 0x1000, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        h.pc = CODE;
    }

    @AfterEach
    void close() {
        space.close();
    }

    /** Appends a 32-bit instruction. */
    InterpreterTest emit(Op op, int rd, int rs1, int rs2, long imm) {
        return word(Asm.encode(op, rd, rs1, rs2, 0, imm, op.isFloat() ? 0 : 0, 0), 4);
    }

    InterpreterTest c(Compressed c, int rd, int rs1, int rs2, long imm) {
        return word(Asm.encode(c, rd, rs1, rs2, imm), 2);
    }

    InterpreterTest word(int bits, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (bits >>> 8 * i);
        space.write(end, b, 0, length);
        end += length;
        return this;
    }

    void run(int instructions) {
        for (int i = 0; i < instructions; i++) Interpreter.step(h);
    }

    @Test
    void integerArithmeticWrapsAndSignExtendsWordResults() {
        h.x[1] = Long.MAX_VALUE;
        h.x[2] = 1;
        h.x[3] = 0x7fff_ffffL;
        emit(Op.ADD, 5, 1, 2, 0).emit(Op.ADDW, 6, 3, 2, 0).emit(Op.SUB, 7, 0, 2, 0).emit(Op.ADDIW, 8, 3, 0, 1)
                .emit(Op.SLLIW, 9, 2, 0, 31).emit(Op.SRAI, 10, 7, 0, 63).emit(Op.SRLI, 11, 7, 0, 60).emit(Op.ADDI, 0, 1, 0, 5);
        run(8);
        assertThat(h.x[5]).isEqualTo(Long.MIN_VALUE);
        assertThat(h.x[6]).isEqualTo(0xffff_ffff_8000_0000L);
        assertThat(h.x[7]).isEqualTo(-1);
        assertThat(h.x[8]).isEqualTo(0xffff_ffff_8000_0000L);
        assertThat(h.x[9]).isEqualTo(0xffff_ffff_8000_0000L);
        assertThat(h.x[10]).isEqualTo(-1);
        assertThat(h.x[11]).isEqualTo(0xf);
        assertThat(h.x[0]).as("x0 stays zero").isZero();
        assertThat(h.icount).isEqualTo(8);
        assertThat(h.pc).isEqualTo(CODE + 32);
    }

    @Test
    void comparisonsAreSignedOrUnsignedAsNamed() {
        h.x[1] = -1;
        h.x[2] = 1;
        emit(Op.SLT, 3, 1, 2, 0).emit(Op.SLTU, 4, 1, 2, 0).emit(Op.SLTI, 5, 1, 0, 0).emit(Op.SLTIU, 6, 2, 0, -1);
        run(4);
        assertThat(new long[] {h.x[3], h.x[4], h.x[5], h.x[6]}).containsExactly(1, 0, 1, 1);
    }

    @Test
    void divisionFollowsTheSpecsSpecialCases() {
        h.x[1] = Long.MIN_VALUE;
        h.x[2] = -1;
        h.x[3] = 7;
        emit(Op.DIV, 4, 1, 2, 0).emit(Op.REM, 5, 1, 2, 0).emit(Op.DIV, 6, 3, 0, 0).emit(Op.REM, 7, 3, 0, 0)
                .emit(Op.DIVU, 8, 3, 0, 0).emit(Op.REMU, 9, 3, 0, 0).emit(Op.DIVW, 10, 3, 0, 0)
                .emit(Op.DIVUW, 11, 2, 3, 0).emit(Op.REMW, 12, 2, 3, 0);
        run(9);
        assertThat(h.x[4]).isEqualTo(Long.MIN_VALUE);
        assertThat(h.x[5]).isZero();
        assertThat(h.x[6]).isEqualTo(-1);
        assertThat(h.x[7]).isEqualTo(7);
        assertThat(h.x[8]).isEqualTo(-1);
        assertThat(h.x[9]).isEqualTo(7);
        assertThat(h.x[10]).isEqualTo(-1);
        assertThat(h.x[11]).isEqualTo(0xffffffffL / 7);
        assertThat(h.x[12]).isEqualTo(-1);
    }

    @Test
    void highMultipliesOfEverySignedness() {
        h.x[1] = -2;
        h.x[2] = 3;
        emit(Op.MULH, 3, 1, 2, 0).emit(Op.MULHU, 4, 1, 2, 0).emit(Op.MULHSU, 5, 1, 2, 0).emit(Op.MULHSU, 6, 2, 1, 0)
                .emit(Op.MULW, 7, 1, 2, 0);
        run(5);
        assertThat(h.x[3]).isEqualTo(-1);
        assertThat(h.x[4]).isEqualTo(2); // (2^64-2)*3 >> 64
        assertThat(h.x[5]).isEqualTo(-1); // -2 * 3 (unsigned)
        assertThat(h.x[6]).isEqualTo(2); // 3 * (2^64-2) >> 64
        assertThat(h.x[7]).isEqualTo(-6);
    }

    @Test
    void jumpsLinkTheNextPcAndJalrClearsBitZero() {
        h.x[5] = CODE + 13;
        emit(Op.JAL, 1, 0, 0, 8).emit(Op.ADDI, 0, 0, 0, 0).emit(Op.JALR, 5, 5, 0, -1);
        run(1);
        assertThat(h.pc).isEqualTo(CODE + 8);
        assertThat(h.x[1]).isEqualTo(CODE + 4);
        run(1);
        assertThat(h.pc).as("rd == rs1: the target uses the old value").isEqualTo(CODE + 12);
        assertThat(h.x[5]).isEqualTo(CODE + 12);
    }

    @Test
    void branchesTakeOrFallThrough() {
        h.x[1] = -1;
        h.x[2] = 1;
        emit(Op.BLT, 0, 1, 2, 8).emit(Op.ADDI, 0, 0, 0, 0).emit(Op.BLTU, 0, 1, 2, 8).emit(Op.BGEU, 0, 1, 2, -12);
        run(1);
        assertThat(h.pc).isEqualTo(CODE + 8);
        run(1);
        assertThat(h.pc).isEqualTo(CODE + 12);
        run(1);
        assertThat(h.pc).isEqualTo(CODE);
    }

    @Test
    void loadsExtendAndStoresTruncate() {
        h.x[1] = DATA;
        h.x[2] = 0x8899_aabb_ccdd_eeffL;
        emit(Op.SD, 0, 1, 2, 8).emit(Op.LB, 3, 1, 0, 8).emit(Op.LBU, 4, 1, 0, 8).emit(Op.LH, 5, 1, 0, 9)
                .emit(Op.LWU, 6, 1, 0, 12).emit(Op.LW, 7, 1, 0, 12).emit(Op.SH, 0, 1, 2, 0).emit(Op.LD, 8, 1, 0, 0)
                .emit(Op.LD, 9, 1, 0, 3);
        run(9);
        assertThat(h.x[3]).isEqualTo(0xffff_ffff_ffff_ffffL);
        assertThat(h.x[4]).isEqualTo(0xff);
        assertThat(h.x[5]).isEqualTo(0xffff_ffff_ffff_ddeeL);
        assertThat(h.x[6]).isEqualTo(0x8899_aabbL);
        assertThat(h.x[7]).isEqualTo(0xffff_ffff_8899_aabbL);
        assertThat(h.x[8]).isEqualTo(0xeeffL);
        assertThat(h.x[9]).as("misaligned load of bytes 3..10").isEqualTo(0xddee_ff00_0000_0000L);
    }

    @Test
    void compressedInstructionsAdvanceByTwo() {
        h.x[8] = 5;
        c(Compressed.C_ADDI, 8, 8, 0, -3).c(Compressed.C_LI, 9, 0, 0, 31).c(Compressed.C_MV, 10, 0, 9, 0);
        run(3);
        assertThat(h.x[8]).isEqualTo(2);
        assertThat(h.x[10]).isEqualTo(31);
        assertThat(h.pc).isEqualTo(CODE + 6);
    }

    @Test
    void atomicsReturnTheOldValue() {
        h.x[1] = DATA;
        h.x[2] = -5;
        emit(Op.SW, 0, 1, 2, 0).word(Asm.encode(Op.AMOADD_W, 3, 1, 2, 0, 0, 0, 3), 4)
                .word(Asm.encode(Op.AMOMAXU_W, 4, 1, 2, 0, 0, 0, 0), 4).emit(Op.LW, 5, 1, 0, 0)
                .word(Asm.encode(Op.LR_D, 6, 1, 0, 0, 0, 0, 2), 4).word(Asm.encode(Op.SC_D, 7, 1, 2, 0, 0, 0, 1), 4)
                .word(Asm.encode(Op.SC_D, 8, 1, 2, 0, 0, 0, 1), 4);
        run(7);
        assertThat(h.x[3]).isEqualTo(-5);
        assertThat(h.x[4]).isEqualTo(-10);
        assertThat(h.x[5]).isEqualTo(-5);
        assertThat(h.x[7]).as("sc after lr succeeds").isZero();
        assertThat(h.x[8]).as("a second sc fails").isEqualTo(1);
    }

    @Test
    void csrsReadAndWriteFcsrAndCounters() {
        h.x[1] = 0xff;
        emit(Op.CSRRW, 2, 1, 0, 0x003).emit(Op.CSRRS, 3, 0, 0, 0x002).emit(Op.CSRRCI, 4, 1, 0, 0x001)
                .emit(Op.CSRRS, 5, 0, 0, 0xC02).emit(Op.CSRRS, 6, 0, 0, 0xC01);
        run(5);
        assertThat(h.x[2]).isZero();
        assertThat(h.x[3]).isEqualTo(7);
        assertThat(h.x[4]).isEqualTo(0x1f);
        assertThat(h.fflags).isEqualTo(0x1e);
        assertThat(h.x[5]).as("instret").isEqualTo(3);
        assertThat(h.x[6]).as("time").isEqualTo(7);
    }

    @Test
    void writingAReadOnlyCounterIsIllegal() {
        h.x[1] = 1;
        emit(Op.CSRRW, 2, 1, 0, 0xC00);
        assertThatThrownBy(() -> run(1)).isInstanceOfSatisfying(Trap.class,
                t -> assertThat(t.cause).isEqualTo(Trap.Cause.ILLEGAL_INSTRUCTION));
        assertThat(h.icount).isZero();
        assertThat(h.pc).isEqualTo(CODE);
    }

    @Test
    void illegalInstructionsTrapWithoutRetiring() {
        word(0, 4);
        assertThatThrownBy(() -> run(1)).isInstanceOfSatisfying(Trap.class, t -> {
            assertThat(t.cause).isEqualTo(Trap.Cause.ILLEGAL_INSTRUCTION);
            assertThat(t.pc).isEqualTo(CODE);
        });
        assertThat(h.icount).isZero();
    }

    @Test
    void memoryFaultsTrapWithTheAddress() {
        h.x[1] = 0x30000;
        emit(Op.LD, 2, 1, 0, 8).emit(Op.SD, 0, 1, 2, 0);
        assertThatThrownBy(() -> run(1)).isInstanceOfSatisfying(Trap.class, t -> {
            assertThat(t.cause).isEqualTo(Trap.Cause.MEMORY);
            assertThat(t.value).isEqualTo(0x30008);
            assertThat(t.fault.kind).isEqualTo(MemoryFault.Kind.UNMAPPED);
        });
        h.pc = CODE + 4;
        h.x[1] = CODE;
        assertThatThrownBy(() -> run(1)).isInstanceOfSatisfying(Trap.class,
                t -> assertThat(t.fault.kind).isEqualTo(MemoryFault.Kind.PROTECTION));
    }

    @Test
    void ecallRetiresAndReachesTheSystem() {
        h.x[17] = 64;
        emit(Op.ECALL, 0, 0, 0, 0);
        run(1);
        assertThat(ecalls).containsExactly(64L);
        assertThat(h.x[10]).isEqualTo(42);
        assertThat(h.pc).isEqualTo(CODE + 4);
        assertThat(h.icount).isEqualTo(1);
    }

    @Test
    void ebreakTraps() {
        emit(Op.EBREAK, 0, 0, 0, 0);
        assertThatThrownBy(() -> run(1)).isInstanceOfSatisfying(Trap.class,
                t -> assertThat(t.cause).isEqualTo(Trap.Cause.BREAKPOINT));
    }

    @Test
    void floatLoadsNanBoxSingles() {
        h.x[1] = DATA;
        h.x[2] = 0x3f80_0000L;
        emit(Op.SW, 0, 1, 2, 0).emit(Op.FLW, 1, 1, 0, 0).emit(Op.FSD, 0, 1, 1, 8).emit(Op.LD, 3, 1, 0, 8);
        run(4);
        assertThat(h.f[1]).isEqualTo(0xffff_ffff_3f80_0000L);
        assertThat(h.x[3]).isEqualTo(0xffff_ffff_3f80_0000L);
    }
}
