package dev.reprise.replay;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The digest's shortcut over zero pages gives the word-by-word hash it replaced (recordings on disk hold its values). */
class MachineDigestTest {
    private static long wordByWord(MemorySegment mem, long start, long end) {
        long h = 0;
        for (long a = start; a < end; a += 8) h = h * 0x9E3779B97F4A7C15L + mem.get(ValueLayout.JAVA_LONG_UNALIGNED, a);
        return h;
    }

    /** In anonymous memory of which the host backs only the pages written (and one read): the pages it never backed are skipped. */
    @Test
    void pagesNeverTouchedHashAsZeros() throws Throwable {
        var linker = java.lang.foreign.Linker.nativeLinker();
        var mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(), java.lang.foreign.FunctionDescriptor.of(
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        var munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        long size = 20000L * 4096;   // more pages than one mincore call takes
        long address = (long) mmap.invokeExact(0L, size, 3, 0x22 | 0x4000, -1, 0L);   // PRIVATE|ANONYMOUS|NORESERVE
        assertThat(address).isNotEqualTo(-1L);
        try {
            MemorySegment mem = MemorySegment.ofAddress(address).reinterpret(size);
            Random r = new Random(11);
            for (int i = 0; i < 60; i++) mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * r.nextInt((int) (size / 8)), r.nextLong());
            mem.get(ValueLayout.JAVA_LONG, 4096 * 3);              // read only: backed by the zero page
            mem.set(ValueLayout.JAVA_LONG, size - 8, 0);           // written, zero
            assertThat(MachineDigest.contents(mem, 0, size)).isEqualTo(wordByWord(mem, 0, size));
            assertThat(MachineDigest.contents(mem, 4096 * 16384L, size)).isEqualTo(wordByWord(mem, 4096 * 16384L, size));
        } finally {
            int unused = (int) munmap.invokeExact(address, size);
        }
    }

    @Test
    void zeroPagesHashAsTheirWordsDo() {
        try (Arena arena = Arena.ofConfined()) {
            int pages = 40;
            MemorySegment mem = arena.allocate(pages * 4096L, 4096);
            Random r = new Random(7);
            for (int p = 0; p < pages; p++) {
                switch (p % 5) {
                    case 0 -> { }                                                            // zero page
                    case 1 -> mem.set(ValueLayout.JAVA_LONG_UNALIGNED, p * 4096L + 8 * r.nextInt(512), r.nextLong());
                    case 2 -> mem.set(ValueLayout.JAVA_LONG_UNALIGNED, p * 4096L + 4088, 1);  // last word only
                    case 3 -> { for (int w = 0; w < 512; w++) mem.set(ValueLayout.JAVA_LONG_UNALIGNED, p * 4096L + 8 * w, r.nextLong()); }
                    default -> mem.set(ValueLayout.JAVA_BYTE, p * 4096L, (byte) 1);         // first byte only
                }
            }
            long[][] ranges = {{0, pages * 4096L}, {4096, 8192}, {0, 0}, {8, 4096 * 3 + 16}, {4096 * 5, 4096 * 11}};
            for (long[] range : ranges) {
                assertThat(MachineDigest.contents(mem, range[0], range[1])).as("[%d, %d)", range[0], range[1])
                        .isEqualTo(wordByWord(mem, range[0], range[1]));
            }
            assertThat(MachineDigest.contents(mem, 0, 4096)).isZero();
            long m = 0x9E3779B97F4A7C15L, p = 1;
            for (int n = 0; n < 1200; n++, p *= m) assertThat(MachineDigest.power(m, n)).as("M^%d", n).isEqualTo(p);
        }
    }
}
