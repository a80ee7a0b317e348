package dev.reprise.replay;

import dev.reprise.linux.Host;
import dev.reprise.linux.MemoryManager;
import dev.reprise.mem.AddressSpace;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The digest of a whole machine at the end of a run: every mapping (bounds, rights, contents) and
 * every vCPU's final register digest. Recording writes it into the completion marker; replay
 * computes it again and says "identical" only if they match.
 */
public final class MachineDigest {
    private MachineDigest() {}

    /** {@code vcpuDigests[v]}: vCPU v's {@link RegisterDigest} when it stopped. Call only when no vCPU runs. */
    public static long of(MemoryManager memory, AddressSpace space, long[] vcpuDigests) {
        MemorySegment mem = space.memory();
        long d = 0x4d616368696e6531L;   // "Machine1"
        for (MemoryManager.Vma vma : memory.mappings()) {
            d = mix(d ^ vma.start()) + mix(vma.end() ^ vma.prot());
            d = mix(d ^ contents(mem, vma.start(), vma.end()));
        }
        for (int v = 0; v < vcpuDigests.length; v++) d = mix(d ^ vcpuDigests[v]) + v;
        return d;
    }

    private static final long M = 0x9E3779B97F4A7C15L;
    private static final long PAGE = AddressSpace.PAGE_SIZE;

    /**
     * The hash of the words in [start, end) (8-aligned): h = h * M + word, from 0, word by word.
     * Zero words only multiply by M, so a zero range of n words multiplies by M^n: most of a
     * guest's mapped memory (its stack, its heap's reserve) was never written, and walking it in
     * Java, which a short run still interprets, took 0.1 s at every recording's and replay's end.
     * Reading it would not do either: on a VM a read fault costs 20 µs (8 MiB of stack: 45 ms).
     * So pages the host never backed ({@link Host#mincore}: not resident, in a private anonymous
     * mapping on a host without swap, so zero) are not read at all, and the others are asked
     * whether they are all zero ({@link Host#allZero}, one downcall), halved until they are, or
     * until a page is left to walk.
     */
    static long contents(MemorySegment mem, long start, long end) {
        if ((start & (PAGE - 1)) != 0 || (end & (PAGE - 1)) != 0 || !UNBACKED_IS_ZERO) return contents(mem, start, end, 0);
        long h = 0;
        long[] resident = new long[Host.MINCORE_PAGES / 64];
        for (long chunk = start; chunk < end; ) {
            long chunkEnd = Math.min(end, chunk + (long) Host.MINCORE_PAGES * PAGE);
            if (Host.mincore(mem.address() + chunk, chunkEnd - chunk, resident) < 0) return contents(mem, start, end, 0);
            int pages = (int) ((chunkEnd - chunk) / PAGE);
            for (int i = 0; i < pages; ) {   // runs of pages alike
                boolean in = (resident[i >>> 6] & 1L << i) != 0;
                int j = i + 1;
                while (j < pages && ((resident[j >>> 6] & 1L << j) != 0) == in) j++;
                long from = chunk + i * PAGE, to = chunk + j * PAGE;
                h = in ? contents(mem, from, to, h) : h * power(M, (to - from) >>> 3);
                i = j;
            }
            chunk = chunkEnd;
        }
        return h;
    }

    /** Whether a page the host never backed reads as zeros (no swap); read once, at the first digest. */
    private static final boolean UNBACKED_IS_ZERO = !Host.swapInUse();

    private static long contents(MemorySegment mem, long start, long end, long h) {
        if (start >= end) return h;
        if (Host.allZero(mem.address() + start, end - start)) return h * power(M, (end - start) >>> 3);
        if (end - start <= PAGE) {
            for (long a = start; a < end; a += 8) h = h * M + mem.get(ValueLayout.JAVA_LONG_UNALIGNED, a);
            return h;
        }
        long half = (end - start) >>> 1;
        long middle = start + (half >= PAGE ? half & -PAGE : half & -8);   // page-aligned halves of page-aligned ranges
        return contents(mem, middle, end, contents(mem, start, middle, h));
    }

    /** base^n modulo 2^64. */
    static long power(long base, long n) {
        long r = 1;
        for (; n > 0; n >>>= 1, base *= base) if ((n & 1) != 0) r *= base;
        return r;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
