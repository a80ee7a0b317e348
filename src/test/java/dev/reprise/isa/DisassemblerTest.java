package dev.reprise.isa;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Spot checks that need no cross tools; every expected line is what riscv64-linux-gnu-objdump
 * -d -M no-aliases (binutils 2.40) printed for the same bits, symbol tail dropped and branch
 * targets taken from pc 0x10000.
 * ObjdumpDifferentialTest compares everything else.
 */
class DisassemblerTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        00c58553 | fadd.s	fa0,fa1,fa2,rne
        00c5d553 | fadd.s	fa0,fa1,fa2,unknown
        00c5f553 | fadd.s	fa0,fa1,fa2
        d2050553 | fcvt.d.w	fa0,a0
        8330000f | fence.tso
        0100000f | fence	w,unknown
        0ff0000f | fence	iorw,iorw
        0000100f | fence.i
        000780e7 | jalr	ra,0(a5)
        1405a52f | lr.w.aq	a0,(a1)
        1ec5b52f | sc.d.aqrl	a0,a2,(a1)
        7c002573 | csrrs	a0,0x7c0,zero
        30002573 | csrrs	a0,mstatus,zero
        0021d573 | csrrwi	a0,frm,3
        c0001073 | unimp
        fa5ff0ef | jal	ra,ffa4
        fab500e3 | beq	a0,a1,ffa0
        fffff517 | auipc	a0,0xfffff
        01f5151b | slliw	a0,a0,0x1f
        00000073 | ecall
        0000403b | .4byte	0x403b
        0000     | c.unimp
        0001     | c.addi	zero,0
        0002     | c.slli64	zero
        0004     | .2byte	0x4
        0020     | c.addi4spn	s0,sp,8
        6105     | c.addi16sp	sp,32
        6005     | c.lui	zero,0x1
        8001     | c.srli64	s0
        8c21     | c.xor	s0,s0
        9002     | c.ebreak
        a005     | c.j	10020
        c001     | c.beqz	s0,10000
        60ca     | c.ldsp	ra,144(sp)
        e406     | c.sdsp	ra,8(sp)
        """)
    void printsLikeObjdump(String hex, String text) {
        assertThat(Disassembler.disassemble(Integer.parseUnsignedInt(hex, 16), 0x10000)).isEqualTo(text);
    }
}
