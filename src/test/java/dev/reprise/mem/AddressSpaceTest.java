package dev.reprise.mem;

import static dev.reprise.mem.AddressSpace.LIMIT;
import static dev.reprise.mem.AddressSpace.PAGE_SIZE;
import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprise.mem.AddressSpace.Mapping;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AddressSpaceTest {
    private static final int RW = PROT_READ | PROT_WRITE;
    private final AddressSpace space = new AddressSpace();

    @AfterEach
    void close() {
        space.close();
    }

    @Test
    void theWholeGuestRangeIsOneSegmentAtHostBase() {
        assertThat(space.memory().byteSize()).isEqualTo(LIMIT);
        assertThat(space.memory().address()).isEqualTo(space.hostBase());
        assertThat(space.hostAddress(0x1234)).isEqualTo(space.hostBase() + 0x1234);
        assertThatThrownBy(() -> space.hostAddress(LIMIT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> space.hostAddress(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pagesWithDataHasEveryWrittenPageAndOnLinuxNoneTheHostNeverBacked() {
        long base = 0x100000;
        space.map(base, 64 * PAGE_SIZE, RW);
        space.memory().set(ValueLayout.JAVA_LONG, base + 3 * PAGE_SIZE + 8, 42);
        space.memory().set(ValueLayout.JAVA_BYTE, base + 40 * PAGE_SIZE + 4095, (byte) 1);
        var data = space.pagesWithData(base, base + 64 * PAGE_SIZE);
        assertThat(data.get(3)).isTrue();
        assertThat(data.get(40)).isTrue();
        if (System.getProperty("os.arch").equals("amd64")) {   // pagemap gives one entry per 4 KiB page
            assertThat(data.stream().toArray()).containsExactly(3, 40);
            space.unmap(base + 3 * PAGE_SIZE, PAGE_SIZE);   // discarded: zeros again
            space.map(base + 3 * PAGE_SIZE, PAGE_SIZE, RW);
            assertThat(space.pagesWithData(base, base + 64 * PAGE_SIZE).stream().toArray()).containsExactly(40);
        }
    }

    @Test
    void mapSetsRightsPerPageAndUnmappedPagesHaveNone() {
        space.map(0x10000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC);
        assertThat(space.protection(0x10000)).isEqualTo(PROT_READ | PROT_EXEC);
        assertThat(space.protection(0x11fff)).isEqualTo(PROT_READ | PROT_EXEC);
        assertThat(space.protection(0x12000)).isZero();
        assertThat(space.protection(0xffff)).isZero();
        assertThat(space.protection(-1)).isZero();
        assertThat(space.protection(LIMIT)).isZero();
    }

    @Test
    void lengthIsRoundedUpToWholePages() {
        space.map(0x20000, 1, RW);
        assertThat(space.protection(0x20fff)).isEqualTo(RW);
        assertThat(space.protection(0x21000)).isZero();
    }

    @Test
    void mapAndUnmapRejectBadRanges() {
        assertThatThrownBy(() -> space.map(0x1001, PAGE_SIZE, RW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> space.map(LIMIT - PAGE_SIZE, 2 * PAGE_SIZE, RW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> space.map(-PAGE_SIZE, PAGE_SIZE, RW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> space.unmap(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> space.map(0, PAGE_SIZE, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTopPageOfTheGuestRangeIsUsable() {
        space.map(LIMIT - PAGE_SIZE, PAGE_SIZE, RW);
        space.write(LIMIT - 3, new byte[] {1, 2, 3}, 0, 3);
        byte[] back = new byte[3];
        space.read(LIMIT - 3, back, 0, 3);
        assertThat(back).containsExactly(1, 2, 3);
    }

    @Test
    void unmapThenMapReadsZeros() {
        space.map(0x40000, 3 * PAGE_SIZE, RW);
        byte[] ones = new byte[(int) (3 * PAGE_SIZE)];
        java.util.Arrays.fill(ones, (byte) 0x5a);
        space.write(0x40000, ones, 0, ones.length);
        space.unmap(0x41000, PAGE_SIZE);
        assertThat(space.protection(0x41000)).isZero();
        assertThat(space.protection(0x40000)).isEqualTo(RW);
        space.map(0x41000, PAGE_SIZE, RW);
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, 0x41000)).isZero();
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, 0x41fff)).isZero();
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, 0x40fff)).isEqualTo((byte) 0x5a);
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, 0x42000)).isEqualTo((byte) 0x5a);
    }

    @Test
    void mapOverAMappingReplacesItWithZeros() {
        space.map(0x50000, PAGE_SIZE, RW);
        space.write(0x50010, new byte[] {7}, 0, 1);
        space.map(0x50000, PAGE_SIZE, PROT_READ);
        assertThat(space.protection(0x50000)).isEqualTo(PROT_READ);
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, 0x50010)).isZero();
    }

    @Test
    void protectChangesRightsOnlyWhenAllPagesAreMapped() {
        space.map(0x60000, 2 * PAGE_SIZE, RW);
        space.write(0x60008, new byte[] {9}, 0, 1);
        assertThat(space.protect(0x60000, 3 * PAGE_SIZE, PROT_READ)).isFalse();
        assertThat(space.protection(0x60000)).isEqualTo(RW);
        assertThat(space.protect(0x61000, PAGE_SIZE, PROT_READ)).isTrue();
        assertThat(space.protection(0x60000)).isEqualTo(RW);
        assertThat(space.protection(0x61000)).isEqualTo(PROT_READ);
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, 0x60008)).as("protect keeps contents").isEqualTo((byte) 9);
    }

    @Test
    void isAccessibleAndIsFree() {
        space.map(0x70000, PAGE_SIZE, RW);
        space.map(0x71000, PAGE_SIZE, PROT_WRITE);
        space.map(0x72000, PAGE_SIZE, PROT_EXEC);
        assertThat(space.isAccessible(0x70000, 2 * PAGE_SIZE, PROT_READ)).as("write implies read").isTrue();
        assertThat(space.isAccessible(0x70ff0, 0x20, PROT_WRITE)).isTrue();
        assertThat(space.isAccessible(0x71ff0, 0x20, PROT_READ)).as("exec-only is not readable").isFalse();
        assertThat(space.isAccessible(0x72000, 1, PROT_EXEC)).isTrue();
        assertThat(space.isAccessible(0x73000, 1, 0)).as("unmapped").isFalse();
        assertThat(space.isAccessible(0x70000, 0, PROT_READ)).isTrue();
        assertThat(space.isAccessible(LIMIT - 1, 2, PROT_READ)).isFalse();
        assertThat(space.isFree(0x73000, 10 * PAGE_SIZE)).isTrue();
        assertThat(space.isFree(0x6f000, 2 * PAGE_SIZE)).isFalse();
        assertThat(space.isFree(0x72000, 1)).isFalse();
    }

    @Test
    void aProtNoneMappingIsMappedButWithoutRights() {
        space.map(0x90000, 4 * PAGE_SIZE, 0);                     // e.g. a thread stack with its guard page
        assertThat(space.protection(0x90000)).isZero();
        assertThat(space.isMapped(0x90000)).isTrue();
        assertThat(space.isMapped(0x94000)).isFalse();
        assertThat(space.isFree(0x90000, PAGE_SIZE)).isFalse();
        assertThat(space.isAccessible(0x90000, 4 * PAGE_SIZE, 0)).isTrue();
        assertThat(space.isAccessible(0x90000, PAGE_SIZE, PROT_READ)).isFalse();
        assertThat(space.findFree(0x90000, 0x100000, PAGE_SIZE, false)).isEqualTo(0x94000);
        assertThat(space.protect(0x91000, 3 * PAGE_SIZE, RW)).isTrue();
        assertThat(space.mappings()).containsExactly(new Mapping(0x90000, 0x91000, 0), new Mapping(0x91000, 0x94000, RW));
        space.unmap(0x90000, PAGE_SIZE);
        assertThat(space.isMapped(0x90000)).isFalse();
        assertThat(space.protect(0x90000, 2 * PAGE_SIZE, RW)).isFalse();
    }

    @Test
    void effectiveRightsFollowLinuxOnRiscv() {
        assertThat(AddressSpace.effective(PROT_WRITE)).isEqualTo(RW);
        assertThat(AddressSpace.effective(PROT_EXEC)).isEqualTo(PROT_EXEC);
        assertThat(AddressSpace.effective(0)).isZero();
    }

    @Test
    void findFreeFindsTheLowestOrHighestHole() {
        space.map(0x100000, PAGE_SIZE, RW);             // holes: [0x101000, 0x103000) is 2 pages
        space.map(0x103000, PAGE_SIZE, RW);
        space.map(0x106000, PAGE_SIZE, RW);             // [0x104000, 0x106000) 2 pages, then free above
        assertThat(space.findFree(0x100000, 0x200000, PAGE_SIZE, false)).isEqualTo(0x101000);
        assertThat(space.findFree(0x100000, 0x200000, 2 * PAGE_SIZE, false)).isEqualTo(0x101000);
        assertThat(space.findFree(0x100000, 0x200000, 3 * PAGE_SIZE, false)).isEqualTo(0x107000);
        assertThat(space.findFree(0x100000, 0x200000, 1, true)).isEqualTo(0x1ff000);
        assertThat(space.findFree(0x100000, 0x107000, 2 * PAGE_SIZE, true)).isEqualTo(0x104000);
        assertThat(space.findFree(0x100000, 0x106000, 3 * PAGE_SIZE, true)).isEqualTo(-1);
        assertThat(space.findFree(0x100000, 0x107000, 3 * PAGE_SIZE, false)).isEqualTo(-1);
        assertThat(space.findFree(0x100001, 0x103000, PAGE_SIZE, false)).as("from rounds up").isEqualTo(0x101000);
        assertThat(space.findFree(0x100000, 0x102fff, 2 * PAGE_SIZE, false)).as("to rounds down").isEqualTo(-1);
    }

    @Test
    void findFreeCrossesEmptyAndFullChunks() {
        long chunk = AddressSpace.CHUNK_PAGES * PAGE_SIZE;
        space.map(5 * chunk - PAGE_SIZE, PAGE_SIZE, RW);
        assertThat(space.findFree(0, LIMIT, chunk, true)).isEqualTo(LIMIT - chunk);
        assertThat(space.findFree(4 * chunk, 6 * chunk, chunk, false)).isEqualTo(5 * chunk);
        assertThat(space.findFree(4 * chunk, 6 * chunk, chunk, true)).isEqualTo(5 * chunk);
        assertThat(space.findFree(0, 5 * chunk, 5 * chunk - PAGE_SIZE, true)).isZero();
        assertThat(space.findFree(0, LIMIT, LIMIT, false)).isEqualTo(-1);
        assertThat(space.findFree(-5, Long.MAX_VALUE, chunk, false)).isZero();
        assertThat(space.findFree(Long.MAX_VALUE, -1, PAGE_SIZE, true)).isEqualTo(-1);
    }

    @Test
    void mapFreeMapsTheHoleItFinds() {
        space.map(0x200000, PAGE_SIZE, RW);
        long at = space.mapFree(0x200000, 0x300000, 2 * PAGE_SIZE, PROT_READ, false);
        assertThat(at).isEqualTo(0x201000);
        assertThat(space.protection(0x202000)).isEqualTo(PROT_READ);
        assertThat(space.mapFree(0x200000, 0x203000, PAGE_SIZE, RW, false)).isEqualTo(-1);
    }

    @Test
    void mappingsAreMaximalRunsOfEqualRights() {
        long chunk = AddressSpace.CHUNK_PAGES * PAGE_SIZE;
        space.map(0x10000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC);
        space.map(0x12000, PAGE_SIZE, RW);
        space.map(0x14000, PAGE_SIZE, RW);
        space.map(chunk - PAGE_SIZE, 2 * PAGE_SIZE, RW);     // one run across a chunk boundary
        space.map(LIMIT - PAGE_SIZE, PAGE_SIZE, RW);
        assertThat(space.mappings()).containsExactly(
                new Mapping(0x10000, 0x12000, PROT_READ | PROT_EXEC),
                new Mapping(0x12000, 0x13000, RW),
                new Mapping(0x14000, 0x15000, RW),
                new Mapping(chunk - PAGE_SIZE, chunk + PAGE_SIZE, RW),
                new Mapping(LIMIT - PAGE_SIZE, LIMIT, RW));
        space.unmap(0, LIMIT);
        assertThat(space.mappings()).isEmpty();
    }

    @Test
    void readAndWriteIgnoreRightsButNotTheRange() {
        space.map(0x80000, PAGE_SIZE, PROT_READ);
        space.write(0x80000, "hello".getBytes(StandardCharsets.US_ASCII), 0, 5);
        byte[] back = new byte[5];
        space.read(0x80000, back, 0, 5);
        assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("hello");
        space.read(0x90000, back, 0, 5);           // unmapped: still allowed, reads zeros
        assertThat(back).containsOnly(0);
        assertThatThrownBy(() -> space.read(LIMIT - 2, back, 0, 5))
                .isInstanceOfSatisfying(MemoryFault.class, f -> assertThat(f.kind).isEqualTo(MemoryFault.Kind.UNMAPPED));
        assertThatThrownBy(() -> space.write(-1, back, 0, 1))
                .isInstanceOfSatisfying(MemoryFault.class, f -> {
                    assertThat(f.kind).isEqualTo(MemoryFault.Kind.UNMAPPED);
                    assertThat(f.access).isEqualTo(MemoryFault.Access.WRITE);
                });
    }

    @Test
    void readCStringStopsAtNulAndChecksReadRights() {
        space.map(0xa0000, PAGE_SIZE, RW);
        byte[] s = "/etc/passwd\0junk".getBytes(StandardCharsets.UTF_8);
        space.write(0xa0100, s, 0, s.length);
        assertThat(space.readCString(0xa0100, 4096)).isEqualTo("/etc/passwd");
        assertThat(space.readCString(0xa0100, 5)).as("no NUL within max").isNull();
        assertThat(space.readCString(0xa010b, 10)).isEmpty();
        byte[] tail = "abc".getBytes(StandardCharsets.UTF_8);          // runs into the unmapped next page
        space.write(0xa1000 - 3, tail, 0, 3);
        assertThatThrownBy(() -> space.readCString(0xa1000 - 3, 100))
                .isInstanceOfSatisfying(MemoryFault.class, f -> {
                    assertThat(f.kind).isEqualTo(MemoryFault.Kind.UNMAPPED);
                    assertThat(f.address).isEqualTo(0xa1000);
                });
        space.map(0xa1000, PAGE_SIZE, PROT_EXEC);
        assertThatThrownBy(() -> space.readCString(0xa1000 - 3, 100))
                .isInstanceOfSatisfying(MemoryFault.class, f -> assertThat(f.kind).isEqualTo(MemoryFault.Kind.PROTECTION));
    }

    @Test
    void aHugeSparseMappingCostsNothingUntilTouched() {
        space.map(0, LIMIT / 2, RW);
        space.write(LIMIT / 2 - 1, new byte[] {1}, 0, 1);
        assertThat(space.memory().get(ValueLayout.JAVA_BYTE, LIMIT / 2 - 1)).isEqualTo((byte) 1);
        space.unmap(0, LIMIT / 2);
        assertThat(space.protection(0)).isZero();
    }
}
