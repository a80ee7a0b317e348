package dev.reprise.replay;

import dev.reprise.linux.MemoryManager;
import dev.reprise.mem.AddressSpace;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

/**
 * The digest of a whole machine at the end of a run: every mapping (bounds, rights, contents) and
 * every vCPU's final register digest. Recording writes it into the completion marker; replay
 * computes it again and says "identical" only if they match. Pages the host never backed are hashed
 * as the zeros they hold, without reading them ({@link AddressSpace#pagesWithData}).
 */
public final class MachineDigest {
    private MachineDigest() {}

    /** {@code vcpuDigests[v]}: vCPU v's {@link RegisterDigest} when it stopped. Call only when no vCPU runs. */
    public static long of(MemoryManager memory, AddressSpace space, long[] vcpuDigests) {
        MemorySegment mem = space.memory();
        long d = 0x4d616368696e6531L;   // "Machine1"
        // A page at a time into an array (one bulk copy), then hashed from it: this runs once per
        // recording and replay, mostly interpreted, where a MemorySegment.get per word cost 15-20 ms
        // of a small program's end against 2-8 (docs/performance.md, 2026-11-28).
        long[] words = new long[(int) (AddressSpace.PAGE_SIZE / 8)];
        for (MemoryManager.Vma vma : memory.mappings()) {
            d = mix(d ^ vma.start()) + mix(vma.end() ^ vma.prot());
            long h = 0;
            BitSet data = space.pagesWithData(vma.start(), vma.end());
            for (long a = vma.start(); a < vma.end(); a += AddressSpace.PAGE_SIZE) {
                if (!data.get((int) ((a - vma.start()) >>> AddressSpace.PAGE_SHIFT))) {
                    h *= K_PAGE;   // a page of zeros, as if its 512 words were hashed
                    continue;
                }
                MemorySegment.copy(mem, ValueLayout.JAVA_LONG_UNALIGNED, a, words, 0, words.length);
                for (long w : words) h = h * K + w;
            }
            d = mix(d ^ h);
        }
        for (int v = 0; v < vcpuDigests.length; v++) d = mix(d ^ vcpuDigests[v]) + v;
        return d;
    }

    /** The hash steps over a word and over a page of zero words (K to the 512th). */
    private static final long K = 0x9E3779B97F4A7C15L, K_PAGE = power(K, (int) (AddressSpace.PAGE_SIZE / 8));

    private static long power(long k, int n) {
        long p = 1;
        for (int i = 0; i < n; i++) p *= k;
        return p;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
