package dev.reprise.mem;

import static dev.reprise.mem.AddressSpace.PAGE_SIZE;
import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.isa.Op;
import dev.reprise.mem.MemoryFault.Access;
import dev.reprise.mem.MemoryFault.Kind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MmuTest {
    private static final int RW = PROT_READ | PROT_WRITE;
    /** Two RW pages; P1 is the second one. */
    private static final long P0 = 0x10000, P1 = P0 + PAGE_SIZE;
    private static final long RO = 0x20000, XO = 0x30000, RX = 0x40000, UNMAPPED = 0x50000;

    private final AddressSpace space = new AddressSpace();
    private final Mmu mmu;

    MmuTest() {
        space.map(P0, 2 * PAGE_SIZE, RW);
        space.map(RO, PAGE_SIZE, PROT_READ);
        space.map(XO, PAGE_SIZE, PROT_EXEC);
        space.map(RX, PAGE_SIZE, PROT_READ | PROT_EXEC);
        mmu = new Mmu(space);
    }

    @AfterEach
    void close() {
        space.close();
    }

    // ---- widths, extension, byte order -----------------------------------------------------------

    @Test
    void loadsSignOrZeroExtendEveryWidth() {
        mmu.sd(P0, 0x8899aabbccddeeffL);
        assertThat(mmu.lb(P0)).isEqualTo(0xffff_ffff_ffff_ffffL);
        assertThat(mmu.lbu(P0)).isEqualTo(0xffL);
        assertThat(mmu.lh(P0)).isEqualTo(0xffff_ffff_ffff_eeffL);
        assertThat(mmu.lhu(P0)).isEqualTo(0xeeffL);
        assertThat(mmu.lw(P0)).isEqualTo(0xffff_ffff_ccdd_eeffL);
        assertThat(mmu.lwu(P0)).isEqualTo(0xccdd_eeffL);
        assertThat(mmu.ld(P0)).isEqualTo(0x8899aabbccddeeffL);
        mmu.sd(P0 + 8, 0x7f7f_7f7f_7f7f_7f7fL);
        assertThat(mmu.lb(P0 + 8)).isEqualTo(0x7fL);
        assertThat(mmu.lh(P0 + 8)).isEqualTo(0x7f7fL);
        assertThat(mmu.lw(P0 + 8)).isEqualTo(0x7f7f_7f7fL);
    }

    @Test
    void storesTruncateToTheirWidth() {
        mmu.sd(P0, -1);
        mmu.sb(P0, 0x1234_5678_9abc_de01L);
        assertThat(mmu.ld(P0)).isEqualTo(0xffff_ffff_ffff_ff01L);
        mmu.sh(P0 + 2, 0x1234_5678_9abc_0203L);
        assertThat(mmu.ld(P0)).isEqualTo(0xffff_ffff_0203_ff01L);
        mmu.sw(P0 + 4, 0x1234_5678_0405_0607L);
        assertThat(mmu.ld(P0)).isEqualTo(0x0405_0607_0203_ff01L);
    }

    @Test
    void guestMemoryIsLittleEndian() {
        mmu.sd(P0, 0x0807060504030201L);
        for (int i = 0; i < 8; i++) assertThat(mmu.lbu(P0 + i)).isEqualTo(i + 1);
        assertThat(mmu.lhu(P0 + 2)).isEqualTo(0x0403);
        assertThat(mmu.lwu(P0 + 4)).isEqualTo(0x08070605L);
        byte[] raw = new byte[8];
        space.read(P0, raw, 0, 8);
        assertThat(raw).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    // ---- misaligned and page-crossing ---------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"1", "3", "5", "7"})
    void misalignedAccessesWorkInsideAPage(long offset) {
        long a = P0 + 0x100 + offset;
        mmu.sd(a, 0x8877665544332211L);
        assertThat(mmu.ld(a)).isEqualTo(0x8877665544332211L);
        assertThat(mmu.lbu(a)).isEqualTo(0x11);
        assertThat(mmu.lw(a + 4)).isEqualTo(0xffff_ffff_8877_6655L);
        assertThat(mmu.lwu(a + 4)).isEqualTo(0x8877_6655L);
        assertThat(mmu.lh(a + 6)).isEqualTo(0xffff_ffff_ffff_8877L);
        assertThat(mmu.lhu(a + 6)).isEqualTo(0x8877L);
        mmu.sw(a + 1, 0xa1b2c3d4L);
        mmu.sh(a + 5, 0xe5f6L);
        assertThat(mmu.ld(a)).isEqualTo(0x88e5f6a1b2c3d411L);
    }

    @Test
    void pageCrossingAccessesTouchBothPages() {
        for (int width : new int[] {2, 4, 8}) {
            for (int before = 1; before < width; before++) {
                long a = P1 - before;
                mmu.sd(P1 - 8, 0);
                mmu.sd(P1, 0);
                long v = 0x0102030405060708L;
                switch (width) {
                    case 2 -> mmu.sh(a, v);
                    case 4 -> mmu.sw(a, v);
                    default -> mmu.sd(a, v);
                }
                long expected = width == 8 ? v : v & ((1L << (8 * width)) - 1);
                long got = switch (width) {
                    case 2 -> mmu.lhu(a);
                    case 4 -> mmu.lwu(a);
                    default -> mmu.ld(a);
                };
                assertThat(got).as("width %d, %d bytes before the boundary", width, before).isEqualTo(expected);
                assertThat(mmu.lbu(P1)).isEqualTo((expected >>> (8 * before)) & 0xff);
            }
        }
    }

    @Test
    void aPageCrossingAccessFaultsOnTheSecondPageAndWritesNothing() {
        long a = RO - 4;                                      // a RW page, then the read-only one
        space.map(RO - PAGE_SIZE, PAGE_SIZE, RW);
        mmu.flush();
        mmu.sd(RO - 8, 0);
        assertThat(mmu.ld(a)).isZero();                                   // reading across is fine
        assertFault(() -> mmu.sd(a, -1), RO, Kind.PROTECTION, Access.WRITE);
        assertThat(mmu.ld(RO - 8)).as("no partial store").isZero();
        assertFault(() -> mmu.lw(UNMAPPED - 2), UNMAPPED - 2, Kind.UNMAPPED, Access.READ);
        space.map(UNMAPPED - PAGE_SIZE, PAGE_SIZE, RW);
        mmu.flush();
        assertFault(() -> mmu.lw(UNMAPPED - 2), UNMAPPED, Kind.UNMAPPED, Access.READ);
    }

    // ---- rights ------------------------------------------------------------------------------------

    @Test
    void unmappedAccessesFaultWithTheirAddressAndAccess() {
        assertFault(() -> mmu.lb(UNMAPPED + 5), UNMAPPED + 5, Kind.UNMAPPED, Access.READ);
        assertFault(() -> mmu.ld(UNMAPPED), UNMAPPED, Kind.UNMAPPED, Access.READ);
        assertFault(() -> mmu.sw(UNMAPPED + 4, 1), UNMAPPED + 4, Kind.UNMAPPED, Access.WRITE);
        assertFault(() -> mmu.fetch16(UNMAPPED), UNMAPPED, Kind.UNMAPPED, Access.EXECUTE);
        assertFault(() -> mmu.ld(AddressSpace.LIMIT), AddressSpace.LIMIT, Kind.UNMAPPED, Access.READ);
        assertFault(() -> mmu.sb(-8, 1), -8, Kind.UNMAPPED, Access.WRITE);
        assertFault(() -> mmu.ld(-8), -8, Kind.UNMAPPED, Access.READ);
    }

    @Test
    void readOnlyPagesRefuseStores() {
        space.write(RO, new byte[] {42}, 0, 1);
        assertThat(mmu.lb(RO)).isEqualTo(42);
        assertFault(() -> mmu.sb(RO, 1), RO, Kind.PROTECTION, Access.WRITE);
        assertFault(() -> mmu.sd(RO + 8, 1), RO + 8, Kind.PROTECTION, Access.WRITE);
        assertThat(mmu.lb(RO)).isEqualTo(42);
    }

    @Test
    void executeNeedsExecRightsAndExecOnlyIsNotReadable() {
        space.write(XO, new byte[] {0x13, 0x05}, 0, 2);
        space.write(RX, new byte[] {(byte) 0x82, (byte) 0x80}, 0, 2);
        assertThat(mmu.fetch16(XO)).isEqualTo(0x0513);
        assertThat(mmu.fetch16(RX)).isEqualTo(0x8082);
        assertThat(mmu.lhu(RX)).isEqualTo(0x8082);
        assertFault(() -> mmu.lb(XO), XO, Kind.PROTECTION, Access.READ);
        assertFault(() -> mmu.sb(RX, 0), RX, Kind.PROTECTION, Access.WRITE);
        assertFault(() -> mmu.fetch16(P0), P0, Kind.PROTECTION, Access.EXECUTE);
        assertFault(() -> mmu.fetch16(RO), RO, Kind.PROTECTION, Access.EXECUTE);
    }

    @Test
    void protNonePagesFaultWithProtectionNotUnmapped() {
        space.map(UNMAPPED, PAGE_SIZE, 0);
        assertFault(() -> mmu.lb(UNMAPPED), UNMAPPED, Kind.PROTECTION, Access.READ);
        assertFault(() -> mmu.sd(UNMAPPED, 0), UNMAPPED, Kind.PROTECTION, Access.WRITE);
        assertFault(() -> mmu.fetch16(UNMAPPED), UNMAPPED, Kind.PROTECTION, Access.EXECUTE);
        space.protect(UNMAPPED, PAGE_SIZE, PROT_READ);
        assertThat(mmu.lb(UNMAPPED)).isZero();
    }

    @Test
    void writeOnlyPagesAreReadableAsOnLinux() {
        space.map(UNMAPPED, PAGE_SIZE, PROT_WRITE);
        mmu.sw(UNMAPPED, 5);
        assertThat(mmu.lw(UNMAPPED)).isEqualTo(5);
    }

    @Test
    void aFetchAcrossAPageBoundaryNeedsExecOnBoth() {
        space.write(RX + PAGE_SIZE - 1, new byte[] {0x34}, 0, 1);
        space.map(RX + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_EXEC);
        space.write(RX + PAGE_SIZE, new byte[] {0x12}, 0, 1);
        assertThat(mmu.fetch16(RX + PAGE_SIZE - 1)).isEqualTo(0x1234);
        space.protect(RX + PAGE_SIZE, PAGE_SIZE, PROT_READ);
        mmu.flush();
        assertFault(() -> mmu.fetch16(RX + PAGE_SIZE - 1), RX + PAGE_SIZE, Kind.PROTECTION, Access.EXECUTE);
    }

    // ---- TLB: a vCPU sees rights changes after it flushes -----------------------------------------

    @Test
    void aStaleTlbKeepsOldRightsUntilFlushed() {
        mmu.sd(P0, 1);                                         // the entry now grants write
        space.protect(P0, PAGE_SIZE, PROT_READ);
        mmu.sd(P0, 2);                                         // stale, as on hardware without sfence.vma
        mmu.flush();
        assertFault(() -> mmu.sd(P0, 3), P0, Kind.PROTECTION, Access.WRITE);
        assertThat(mmu.ld(P0)).isEqualTo(2);
    }

    @Test
    void aFlushRequestedByAnotherThreadIsServedByTheOwner() throws Exception {
        mmu.sd(P0, 1);
        Mmu other = new Mmu(space);
        other.sd(P0, 7);                                       // other vCPU caches write rights too
        CompletableFuture.runAsync(() -> {                     // a third thread does munmap
            space.unmap(P0, PAGE_SIZE);
            other.requestFlush();
        }).get(10, TimeUnit.SECONDS);
        other.sd(P0 + 8, 1);                                   // no block boundary yet: stale but harmless
        other.serviceFlush();
        assertFault(() -> other.ld(P0), P0, Kind.UNMAPPED, Access.READ);
        other.serviceFlush();                                  // nothing pending: no-op
        assertFault(() -> other.ld(P0), P0, Kind.UNMAPPED, Access.READ);
        space.map(P0, PAGE_SIZE, RW);
        assertThat(other.ld(P0)).isZero();
        assertThat(other.ld(P0 + 8)).isZero();
    }

    @Test
    void pagesThatShareATlbSlotEvictEachOther() {
        long alias = P0 + Mmu.TLB_SIZE * PAGE_SIZE;
        space.map(alias, PAGE_SIZE, PROT_READ);
        mmu.sd(P0, 11);
        space.write(alias, new byte[] {22}, 0, 1);
        assertThat(mmu.lb(alias)).isEqualTo(22);
        assertFault(() -> mmu.sb(alias, 1), alias, Kind.PROTECTION, Access.WRITE);
        assertThat(mmu.ld(P0)).isEqualTo(11);
        mmu.sd(P0, 12);
        assertThat(mmu.lb(alias)).isEqualTo(22);
    }

    // ---- AMOs --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // op,        old,                 src,                 new memory,          (returned = old sign-extended)
            "AMOSWAP_W, 0x00000000_80000000, 0x00000000_00000005, 0x00000000_00000005",
            "AMOADD_W,  0x00000000_7fffffff, 0x00000000_00000001, 0x00000000_80000000",
            "AMOADD_W,  0x00000000_ffffffff, 0x12345678_00000002, 0x00000000_00000001",
            "AMOXOR_W,  0x00000000_f0f0f0f0, 0x00000000_ff00ff00, 0x00000000_0ff00ff0",
            "AMOAND_W,  0x00000000_f0f0f0f0, 0x00000000_ff00ff00, 0x00000000_f000f000",
            "AMOOR_W,   0x00000000_f0f0f0f0, 0x00000000_0000000f, 0x00000000_f0f0f0ff",
            "AMOMIN_W,  0x00000000_ffffffff, 0x00000000_00000001, 0x00000000_ffffffff",
            "AMOMIN_W,  0x00000000_00000001, 0x00000000_80000000, 0x00000000_80000000",
            "AMOMAX_W,  0x00000000_ffffffff, 0x00000000_00000001, 0x00000000_00000001",
            "AMOMAX_W,  0x00000000_7fffffff, 0x00000000_80000000, 0x00000000_7fffffff",
            "AMOMINU_W, 0x00000000_ffffffff, 0x00000000_00000001, 0x00000000_00000001",
            "AMOMINU_W, 0x00000000_00000000, 0x00000000_ffffffff, 0x00000000_00000000",
            "AMOMAXU_W, 0x00000000_ffffffff, 0x00000000_00000001, 0x00000000_ffffffff",
            "AMOMAXU_W, 0x00000000_7fffffff, 0x00000000_80000000, 0x00000000_80000000",
            "AMOMAX_W,  0x00000000_00000005, 0xffffffff_00000003, 0x00000000_00000005",
            "AMOSWAP_D, 0x80000000_00000000, 0x00000000_00000005, 0x00000000_00000005",
            "AMOADD_D,  0x7fffffff_ffffffff, 0x00000000_00000001, 0x80000000_00000000",
            "AMOXOR_D,  0xf0f0f0f0_f0f0f0f0, 0xff00ff00_ff00ff00, 0x0ff00ff0_0ff00ff0",
            "AMOAND_D,  0xf0f0f0f0_f0f0f0f0, 0xff00ff00_ff00ff00, 0xf000f000_f000f000",
            "AMOOR_D,   0xf0f0f0f0_f0f0f0f0, 0x00000000_0000000f, 0xf0f0f0f0_f0f0f0ff",
            "AMOMIN_D,  0xffffffff_ffffffff, 0x00000000_00000001, 0xffffffff_ffffffff",
            "AMOMIN_D,  0x00000000_00000001, 0x80000000_00000000, 0x80000000_00000000",
            "AMOMAX_D,  0xffffffff_ffffffff, 0x00000000_00000001, 0x00000000_00000001",
            "AMOMAX_D,  0x7fffffff_ffffffff, 0x80000000_00000000, 0x7fffffff_ffffffff",
            "AMOMINU_D, 0xffffffff_ffffffff, 0x00000000_00000001, 0x00000000_00000001",
            "AMOMINU_D, 0x00000000_00000000, 0xffffffff_ffffffff, 0x00000000_00000000",
            "AMOMAXU_D, 0xffffffff_ffffffff, 0x00000000_00000001, 0xffffffff_ffffffff",
            "AMOMAXU_D, 0x7fffffff_ffffffff, 0x80000000_00000000, 0x80000000_00000000",
    })
    void amoAppliesItsOperationAndReturnsTheOldValueSignExtended(Op op, String oldHex, String srcHex, String newHex) {
        long old = hex(oldHex), src = hex(srcHex), expected = hex(newHex);
        boolean word = op.name().endsWith("_W");
        long a = P0 + 0x80;
        mmu.sd(a, 0x5555_5555_5555_5555L);        // the neighbouring word must survive a W op
        if (word) mmu.sw(a, old); else mmu.sd(a, old);
        long returned = mmu.amo(op, a, src, false, false);
        assertThat(returned).isEqualTo(word ? (long) (int) old : old);
        if (word) {
            assertThat(mmu.lwu(a)).isEqualTo(expected);
            assertThat(mmu.lwu(a + 4)).isEqualTo(0x5555_5555L);
        } else {
            assertThat(mmu.ld(a)).isEqualTo(expected);
        }
    }

    @Test
    void amoFaultsWhenMisalignedOrNotWritable() {
        assertFault(() -> mmu.amo(Op.AMOADD_W, P0 + 2, 1, true, true), P0 + 2, Kind.MISALIGNED, Access.WRITE);
        assertFault(() -> mmu.amo(Op.AMOADD_D, P0 + 4, 1, false, false), P0 + 4, Kind.MISALIGNED, Access.WRITE);
        assertFault(() -> mmu.amo(Op.AMOSWAP_W, RO, 1, false, false), RO, Kind.PROTECTION, Access.WRITE);
        assertFault(() -> mmu.amo(Op.AMOOR_D, UNMAPPED, 1, false, false), UNMAPPED, Kind.UNMAPPED, Access.WRITE);
        assertFault(() -> mmu.amo(Op.AMOADD_W, UNMAPPED + 1, 1, false, false), UNMAPPED + 1, Kind.MISALIGNED, Access.WRITE);
        assertThatThrownBy(() -> mmu.amo(Op.LR_W, P0, 1, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mmu.amo(Op.ADD, P0, 1, false, false)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- LR/SC -------------------------------------------------------------------------------------

    @Test
    void scSucceedsAfterAMatchingLr() {
        mmu.sw(P0, 0x8000_0000L);
        assertThat(mmu.loadReserved(P0, false, true)).as("sign-extended").isEqualTo(0xffff_ffff_8000_0000L);
        assertThat(mmu.storeConditional(P0, 0x1_0000_0007L, false, true)).isTrue();
        assertThat(mmu.ld(P0)).as("sc.w stores 32 bits").isEqualTo(7);
        mmu.sd(P0 + 8, -2);
        assertThat(mmu.loadReserved(P0 + 8, true, false)).isEqualTo(-2);
        assertThat(mmu.storeConditional(P0 + 8, 99, true, false)).isTrue();
        assertThat(mmu.ld(P0 + 8)).isEqualTo(99);
    }

    @Test
    void scFailsWithoutAReservationAndClearsIt() {
        mmu.sd(P0, 5);
        assertThat(mmu.storeConditional(P0, 6, true, false)).isFalse();
        mmu.loadReserved(P0, true, false);
        assertThat(mmu.storeConditional(P0, 6, true, false)).isTrue();
        assertThat(mmu.storeConditional(P0, 7, true, false)).as("the first SC used the reservation up").isFalse();
        assertThat(mmu.ld(P0)).isEqualTo(6);
    }

    @Test
    void scFailsForAnotherAddressOrWidth() {
        mmu.sd(P0, 0);
        mmu.loadReserved(P0, true, false);
        assertThat(mmu.storeConditional(P0 + 8, 1, true, false)).isFalse();
        mmu.loadReserved(P0, true, false);
        assertThat(mmu.storeConditional(P0, 1, false, false)).isFalse();
        assertThat(mmu.ld(P0 + 8)).isZero();
        assertThat(mmu.ld(P0)).isZero();
    }

    @Test
    void scFailsAfterAnotherHartChangedTheValue() {
        Mmu other = new Mmu(space);
        mmu.sw(P0, 1);
        mmu.loadReserved(P0, false, false);
        other.sw(P0, 2);
        assertThat(mmu.storeConditional(P0, 3, false, false)).isFalse();
        assertThat(mmu.lw(P0)).isEqualTo(2);
    }

    @Test
    void clearReservationMakesTheNextScFail() {
        mmu.loadReserved(P0, false, false);
        mmu.clearReservation();
        assertThat(mmu.storeConditional(P0, 1, false, false)).isFalse();
    }

    @Test
    void lrScCheckAlignmentAndRights() {
        assertFault(() -> mmu.loadReserved(P0 + 4, true, false), P0 + 4, Kind.MISALIGNED, Access.READ);
        assertFault(() -> mmu.loadReserved(XO, false, false), XO, Kind.PROTECTION, Access.READ);
        assertFault(() -> mmu.loadReserved(UNMAPPED, false, false), UNMAPPED, Kind.UNMAPPED, Access.READ);
        assertFault(() -> mmu.storeConditional(P0 + 2, 0, false, false), P0 + 2, Kind.MISALIGNED, Access.WRITE);
        assertThat(mmu.loadReserved(RO, false, false)).isZero();
        assertFault(() -> mmu.storeConditional(RO, 1, false, false), RO, Kind.PROTECTION, Access.WRITE);
        assertThat(mmu.storeConditional(P0, 1, false, false)).as("the faulting SC cleared it").isFalse();
    }

    // ---- fences ------------------------------------------------------------------------------------

    @Test
    void everyFenceEncodingIsAccepted() {
        for (int bits = 0; bits < 1 << 12; bits++) mmu.fence(bits);   // ordering itself: MmuConcurrencyTest
        mmu.fence(0x833);   // fence.tso
        mmu.fence(0x010);   // pause
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static long hex(String s) {
        return Long.parseUnsignedLong(s.trim().substring(2).replace("_", ""), 16);
    }

    /** An ownership that holds some 8-byte words of page P0 (a page of granules finer than a page) and counts its calls. */
    private static final class WordOwnership implements Ownership {
        final long[] words = new long[17];
        int calls;

        @Override
        public int acquire(long address, int size, boolean write) {
            calls++;
            int w = (int) (address - P0) >>> 3;
            long held = words[(write ? EXCLUSIVE_WORDS : 0) + (w >>> 6)] & 1L << w;
            if (held == 0) throw new MemoryFault(address, Kind.OWNERSHIP, write ? Access.WRITE : Access.READ);
            return 0;   // never the whole page
        }

        @Override
        public long[] wordRights(long page) {
            return page == P0 >>> AddressSpace.PAGE_SHIFT ? words : null;
        }
    }

    @Test
    void wordsHeldOnAPageOfFineGranulesAreAnsweredWithoutTheOwnership() {
        WordOwnership own = new WordOwnership();
        own.words[0] = 0b11;                   // words 0 and 1: shared or exclusive
        own.words[Ownership.EXCLUSIVE_WORDS] = 0b10;     // word 1 exclusive
        mmu.attach(own);
        mmu.sd(P0 + 8, 42);
        assertThat(own.calls).isEqualTo(1);   // the first access asks, and the page's bits are kept
        assertThat(mmu.ld(P0 + 8)).isEqualTo(42);
        assertThat(mmu.lw(P0)).isZero();
        mmu.sb(P0 + 15, 7);
        assertThat(own.calls).isEqualTo(1);   // held words: no more questions
        assertFault(() -> mmu.sd(P0, 1), P0, Kind.OWNERSHIP, Access.WRITE);   // word 0 is only shared
        assertFault(() -> mmu.ld(P0 + 16), P0 + 16, Kind.OWNERSHIP, Access.READ);
        // Rights given up as the recorder gives them up: the Mmu told first (it forgets its copy of the bits), then the bits.
        mmu.dropRights(P0 >>> AddressSpace.PAGE_SHIFT, 1, true);
        own.words[Ownership.EXCLUSIVE_WORDS] = 0;
        int before = own.calls;
        assertFault(() -> mmu.sd(P0 + 8, 1), P0 + 8, Kind.OWNERSHIP, Access.WRITE);
        assertThat(own.calls).isEqualTo(before + 1);
        assertThat(mmu.ld(P0 + 8)).isEqualTo(42L | 7L << 56);
    }

    @Test
    void fineWordsAreForgottenOnAFlushAndStoresIntoCodeStillInvalidate() {
        WordOwnership own = new WordOwnership();
        own.words[0] = own.words[Ownership.EXCLUSIVE_WORDS] = 1;
        mmu.attach(own);
        mmu.sd(P0, 1);
        mmu.flush();
        mmu.sd(P0, 2);
        assertThat(own.calls).isEqualTo(2);   // asked again after the flush
        mmu.markCode(P0 >>> AddressSpace.PAGE_SHIFT);
        mmu.sd(P0, 3);
        assertThat(own.calls).isEqualTo(3);   // a store into code takes the slow path...
        assertThat(space.isCode(P0 >>> AddressSpace.PAGE_SHIFT)).isFalse();   // ...which invalidates it
        assertThat(mmu.ld(P0)).isEqualTo(3);
    }

    /** fineRead/fineWrite (what the JIT's miss branch computes inline) with the JIT's TLB key; every word of the page, at every width. */
    @Test
    void theJitsFineWordQuestionsAnswerForEveryWordAndRefuseMisalignedKeys() {
        WordOwnership own = new WordOwnership();
        own.words[7] = 1L << 63;                                  // word 511, the page's last: shared
        own.words[5] = own.words[Ownership.EXCLUSIVE_WORDS + 5] = 1L << 22;   // word 5 * 64 + 22 = 342: exclusive
        mmu.attach(own);
        assertThat(mmu.lb(P0 + 4095)).isZero();                   // the first access asks and keeps the page's bits
        long page = P0 >>> AddressSpace.PAGE_SHIFT, last = P0 + 511 * 8, mine = P0 + 342 * 8;
        for (int size = 1; size <= 8; size *= 2) {
            for (long a = last; a < last + 8; a += size) {
                assertThat(mmu.fineRead(key(a, size), a) & 1).as("read word 511 +%d", a - last).isEqualTo(1);
                assertThat(mmu.fineWrite(key(a, size), a) & 1).as("write word 511").isZero();
            }
            for (long a = mine; a < mine + 8; a += size) {
                assertThat(mmu.fineRead(key(a, size), a) & 1).isEqualTo(1);
                assertThat(mmu.fineWrite(key(a, size), a) & 1).isEqualTo(1);
            }
            if (size > 1) {   // the key of a misaligned address keeps a low bit: never a tag
                assertThat(mmu.fineRead(key(mine + 1, size), mine + 1) & 1).as("misaligned, size %d", size).isZero();
                assertThat(mmu.fineWrite(key(mine + 1, size), mine + 1) & 1).isZero();
            }
            assertThat(mmu.fineRead(key(mine - 8, size), mine - 8) & 1).as("word 341").isZero();
            assertThat(mmu.fineRead(key(mine + 8, size), mine + 8) & 1).as("word 343").isZero();
            assertThat(mmu.fineRead(key(mine + 4096, size), mine + 4096) & 1).as("another page").isZero();
        }
        mmu.markCode(page);
        assertThat(mmu.fineWrite(key(mine, 8), mine) & 1).as("stores into code go to the slow path").isZero();
        assertThat(mmu.fineRead(key(mine, 8), mine) & 1).isEqualTo(1);
        mmu.flush();
        assertThat(mmu.fineRead(key(mine, 8), mine) & 1).as("forgotten on a flush").isZero();
        assertThat(mmu.lb(P0 + 4095)).isZero();   // asks again and keeps the bits
        assertThat(mmu.fineRead(key(mine, 8), mine) & 1).isEqualTo(1);
        mmu.dropRights(page - 1, 3, true);
        assertThat(mmu.fineRead(key(mine, 8), mine) & 1).as("forgotten when rights on the page are given up").isZero();
        assertThat(mmu.fineWrite(key(mine, 8), mine) & 1).isZero();
    }

    /** The JIT reads the split-page bits from the tag array it holds: the same answers as fineRead and fineWrite. */
    @Test
    void theSplitPageBitsBesideTheTagsAreTheOnesFineReadAndFineWriteAnswer() {
        WordOwnership own = new WordOwnership();
        own.words[5] = own.words[Ownership.EXCLUSIVE_WORDS + 5] = 1L << 22;   // word 342: exclusive
        own.words[6] = 1L << 3;                                               // word 387: shared
        mmu.attach(own);
        assertThat(mmu.lb(P0 + 342 * 8)).isZero();
        long page = P0;   // tags hold a page's first address
        long[] tags = mmu.tags();
        assertThat(tags[Mmu.FINE_KEY + Mmu.READ]).isEqualTo(page);
        assertThat(tags[Mmu.FINE_KEY + Mmu.WRITE]).isEqualTo(page);
        assertThat(tags[Mmu.FINE_BITS + 8 * Mmu.READ + 5]).isEqualTo(1L << 22);
        assertThat(tags[Mmu.FINE_BITS + 8 * Mmu.READ + 6]).isEqualTo(1L << 3);
        assertThat(tags[Mmu.FINE_BITS + 8 * Mmu.WRITE + 5]).isEqualTo(1L << 22);
        assertThat(tags[Mmu.FINE_BITS + 8 * Mmu.WRITE + 6]).isZero();
        for (int i = 0; i < 2 * Mmu.TLB_SIZE; i++) {
            assertThat(tags[i]).as("tag %d", i).isNotEqualTo(page);   // a split page is never a TLB entry
        }
    }

    /** Translator.tagCheck's key (Mmu#tlbKey): the address with the page offset cleared but for the bits a misaligned access has set. */
    private static long key(long a, int size) {
        return a & (-AddressSpace.PAGE_SIZE | (size - 1));
    }

    private static void assertFault(ThrowingCallable call, long address, Kind kind, Access access) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MemoryFault.class, f -> {
            assertThat(f.kind).as("kind").isEqualTo(kind);
            assertThat(f.access).as("access").isEqualTo(access);
            assertThat(f.address).as("address").isEqualTo(address);
        });
    }
}
