package dev.reprise.isa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderTest {
    private static final int SAMPLES = 300;

    /** The same instruction without its raw bits (re-encoding may pick other bits for ignored fields). */
    private static Insn fields(Insn i) {
        return new Insn(i.op(), i.rd(), i.rs1(), i.rs2(), i.rs3(), i.imm(), i.rm(), i.aqrl(), i.length(), 0, i.compressed());
    }

    @ParameterizedTest
    @EnumSource(value = Op.class, names = "ILLEGAL", mode = EnumSource.Mode.EXCLUDE)
    void everyOperationRoundTripsThroughTheAssembler(Op op) {
        var random = new SplittableRandom(op.ordinal());
        for (int n = 0; n < SAMPLES; n++) {
            int word = Asm.random(op, random);
            Insn insn = Decoder.decode(word);
            assertThat(insn.op()).isEqualTo(op);
            assertThat(insn.length()).isEqualTo(4);
            assertThat(insn.raw()).isEqualTo(word);
            int again = Asm.encode(insn);
            assertThat(fields(Decoder.decode(again))).isEqualTo(fields(insn));
            // fence.i ignores its operand bits, so they cannot come back.
            if (op != Op.FENCE_I) assertThat(again).as("%s %08x", op, word).isEqualTo(word);
            assertThat(Disassembler.disassemble(insn, 0x10000)).startsWith(op.mnemonic);
        }
    }

    @ParameterizedTest
    @EnumSource(Compressed.class)
    void everyCompressedFormRoundTripsThroughTheAssembler(Compressed c) {
        if (c.op == Op.ILLEGAL) {
            assertThatThrownBy(() -> Asm.encode(c, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        var random = new SplittableRandom(c.ordinal());
        for (int n = 0; n < SAMPLES; n++) {
            int parcel = Asm.random(c, random);
            Insn insn = Decoder.decode(parcel);
            assertThat(insn.compressed()).isEqualTo(c);
            assertThat(insn.op()).isEqualTo(c.op);
            assertThat(insn.length()).isEqualTo(2);
            assertThat(Asm.encode(insn)).as("%s %04x", c, parcel).isEqualTo(parcel);
            assertThat(Disassembler.disassemble(insn, 0x10000)).startsWith(c.mnemonic);
            // The expansion is exactly the 32-bit instruction with the same operands.
            Insn base = Decoder.decode(Asm.encode(c.op, insn.rd(), insn.rs1(), insn.rs2(), 0, insn.imm(), insn.rm(), 0));
            assertThat(fields(base)).isEqualTo(new Insn(c.op, insn.rd(), insn.rs1(), insn.rs2(), 0, insn.imm(),
                    insn.rm(), 0, 4, 0, null));
        }
    }

    @Test
    void assemblerRejectsOperandsThatDoNotFit() {
        assertThatThrownBy(() -> Asm.encode(Op.ADDI, 1, 1, 0, 0, 2048, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.encode(Op.BEQ, 0, 1, 2, 0, 3, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.encode(Op.ADD, 32, 1, 2, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.encode(Compressed.C_LW, 3, 8, 0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.encode(Compressed.C_LW, 8, 8, 0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.encode(Compressed.C_ADDI4SPN, 8, 2, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.encode(Compressed.C_ADDI16SP, 2, 2, 0, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fieldsAreExtractedPerFormat() {
        // Values checked against riscv64-linux-gnu-objdump.
        assertThat(Decoder.decode(0xfa5ff0ef)).isEqualTo(new Insn(Op.JAL, 1, 0, 0, 0, -92, 0, 0, 4, 0xfa5ff0ef, null));
        assertThat(Decoder.decode(0xfab500e3)).isEqualTo(new Insn(Op.BEQ, 0, 10, 11, 0, -96, 0, 0, 4, 0xfab500e3, null));
        assertThat(Decoder.decode(0xfffff517)).isEqualTo(new Insn(Op.AUIPC, 10, 0, 0, 0, -4096, 0, 0, 4, 0xfffff517, null));
        assertThat(Decoder.decode(0x00c58553)).isEqualTo(new Insn(Op.FADD_S, 10, 11, 12, 0, 0, 0, 0, 4, 0x00c58553, null));
        assertThat(Decoder.decode(0x1ec5b52f)).isEqualTo(new Insn(Op.SC_D, 10, 11, 12, 0, 0, 3, 3, 4, 0x1ec5b52f, null));
        assertThat(Decoder.decode(0x0021d573)).isEqualTo(new Insn(Op.CSRRWI, 10, 3, 0, 0, 2, 5, 0, 4, 0x0021d573, null));
        assertThat(Decoder.decode(0x0ff0000f)).isEqualTo(new Insn(Op.FENCE, 0, 0, 0, 0, 0xff, 0, 0, 4, 0x0ff0000f, null));
        assertThat(Decoder.decode(0xfe843c23).imm()).isEqualTo(-8); // sd s0,-8(s0)
        assertThat(Decoder.decode(0x03f51513).imm()).isEqualTo(63); // slli a0,a0,0x3f
        // c.addi16sp sp,-64: nzimm[9|4|6|8:7|5]
        assertThat(Decoder.decode(0x7139)).isEqualTo(new Insn(Op.ADDI, 2, 2, 0, 0, -64, 0, 0, 2, 0x7139, Compressed.C_ADDI16SP));
    }

    @Test
    void upperHalfOfACompressedParcelIsIgnored() {
        assertThat(Decoder.decode(0x12340001)).isEqualTo(Decoder.decode(0x0001));
    }

    @ParameterizedTest
    @ValueSource(ints = {
        0x0000,          // all zero (c.unimp)
        0x0004, 0x001c,  // c.addi4spn, nzuimm = 0
        0x8000, 0x9ffc,  // quadrant 0, funct3 100
        0x2001, 0x307d,  // c.addiw rd = 0
        0x6001, 0x6081,  // c.lui imm = 0
        0x6101,          // c.addi16sp imm = 0
        0x9c41, 0x9c61,  // c.subw/c.addw neighbours
        0x4002, 0x507e,  // c.lwsp rd = 0
        0x6002, 0x707e,  // c.ldsp rd = 0
        0x8002,          // c.jr x0
    })
    void reservedCompressedEncodingsAreIllegal(int parcel) {
        Insn insn = Decoder.decode(parcel);
        assertThat(insn.op()).as("%04x", parcel).isEqualTo(Op.ILLEGAL);
        assertThat(insn.length()).isEqualTo(2);
        assertThat(insn.raw()).isEqualTo(parcel);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0001, 0x0005, 0x0002, 0x4001, 0x6005, 0x8006, 0x9006, 0x8001, 0x1002})
    void compressedHintsDecodeToTheirBaseOperation(int parcel) {
        Insn insn = Decoder.decode(parcel);
        assertThat(insn.op()).as("%04x", parcel).isNotEqualTo(Op.ILLEGAL);
        assertThat(insn.op()).isEqualTo(insn.compressed().op);
    }

    @ParameterizedTest
    @ValueSource(ints = {0xffffffff, 0x10500073 /* wfi */, 0x0000007f, 0x0000600b, 0x0000403b /* funct3 100 of OP-32 */})
    void unknownWordsAreIllegal(int word) {
        Insn insn = Decoder.decode(word);
        assertThat(insn.op()).as("%08x", word).isEqualTo(Op.ILLEGAL);
        assertThat(insn.length()).isEqualTo(4);
    }

    @Test
    void everyParcelDecodesWithoutException() {
        for (int parcel = 0; parcel < 0x10000; parcel++) {
            if ((parcel & 3) == 3) continue;
            Insn insn = Decoder.decode(parcel);
            assertThat(insn.length()).isEqualTo(2);
            assertThat(Disassembler.disassemble(insn, 0)).isNotEmpty();
        }
    }

    /** Assembling the disassembler's text gives back the text, and the bits wherever the text shows them all. */
    @Test
    void assemblerReadsWhatTheDisassemblerWrites() {
        var random = new SplittableRandom(99);
        long pc = 0x10000;
        for (Op op : Op.values()) {
            if (op == Op.ILLEGAL) continue;
            for (int n = 0; n < SAMPLES; n++) checkText(Asm.random(op, random), pc);
        }
        for (Compressed c : Compressed.values()) {
            if (c.op == Op.ILLEGAL) continue;
            for (int n = 0; n < SAMPLES; n++) checkText(Asm.random(c, random), pc);
        }
        checkText(0x8330000f, pc);
        checkText(0xc0001073, pc);
        checkText(0x0000, pc);
    }

    private static void checkText(int bits, long pc) {
        Insn insn = Decoder.decode(bits);
        String text = Disassembler.disassemble(insn, pc);
        int again = Asm.assemble(text, pc);
        assertThat(Disassembler.disassemble(again, pc)).as("%08x", bits).isEqualTo(text);
        boolean showsAllBits = !text.contains("unknown") && switch (insn.op()) {
            case FENCE, FENCE_I, FCVT_D_S, FCVT_D_W, FCVT_D_WU -> false;
            default -> true;
        };
        if (showsAllBits) assertThat(again).as("%s", text).isEqualTo(insn.length() == 2 ? bits & 0xffff : bits);
    }

    @Test
    void assemblerTakesHandWrittenLines() {
        assertThat(Asm.assemble("c.addi sp,-16")).isEqualTo(0x1141);
        assertThat(Asm.assemble("addi x10, x0, 5")).isEqualTo(0x00500513);
        assertThat(Asm.assemble("jal ra,.-92")).isEqualTo(0xfa5ff0ef);
        assertThat(Asm.assemble("fadd.s fa0,fa1,fa2,rne")).isEqualTo(0x00c58553);
        assertThat(Asm.assemble("sc.d.aqrl a0,a2,(a1)")).isEqualTo(0x1ec5b52f);
        assertThat(Asm.assemble("csrrwi a0,frm,3")).isEqualTo(0x0021d573);
        assertThat(Asm.assemble("fence iorw,iorw")).isEqualTo(0x0ff0000f);
        assertThat(Asm.program(0x1000, "c.li a0,5", "addi a0,a0,-1", "c.bnez a0,.-4", "ecall"))
                .containsExactly(0x15, 0x45, 0x13, 0x05, 0xf5, 0xff, 0x75, 0xfd, 0x73, 0x00, 0x00, 0x00);
        assertThatThrownBy(() -> Asm.assemble("frobnicate a0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Asm.assemble("c.lw a0,2(a1)")).isInstanceOf(IllegalArgumentException.class);
    }
}
