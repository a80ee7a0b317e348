package dev.reprise.replay;

import static dev.reprise.mem.AddressSpace.PAGE_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.linux.MemoryManager;
import dev.reprise.mem.AddressSpace;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MachineDigestTest {
    private static final int RW = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;
    private final AddressSpace space = new AddressSpace();
    private final MemoryManager memory = new MemoryManager(space);
    private final long region = memory.mmap(0, 256 * PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, null);

    @AfterEach
    void close() {
        space.close();
    }

    /** The digest as it was defined first, every word of every mapping hashed (recordings on disk hold its values). */
    private long wordByWord(long[] vcpuDigests) {
        long d = 0x4d616368696e6531L;
        for (MemoryManager.Vma vma : memory.mappings()) {
            d = mix(d ^ vma.start()) + mix(vma.end() ^ vma.prot());
            long h = 0;
            for (long a = vma.start(); a < vma.end(); a += 8) h = h * 0x9E3779B97F4A7C15L + space.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, a);
            d = mix(d ^ h);
        }
        for (int v = 0; v < vcpuDigests.length; v++) d = mix(d ^ vcpuDigests[v]) + v;
        return d;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Test
    void theDigestIsTheWordByWordHashOfEveryMapping() {
        long other = memory.mmap(0, 3000 * PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, null);   // more than a pagemap batch
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < 60; i++) space.memory().set(ValueLayout.JAVA_LONG, other + 8L * r.nextInt((int) (3000 * PAGE_SIZE / 8)), r.nextLong());
        space.memory().get(ValueLayout.JAVA_LONG, region + 3 * PAGE_SIZE);   // read only: the host may back it with its zero page
        space.memory().set(ValueLayout.JAVA_LONG, region + 255 * PAGE_SIZE + 4088, -1);   // the last word
        long[] vcpus = {3, 5};
        assertThat(MachineDigest.of(memory, space, vcpus)).isEqualTo(wordByWord(vcpus));
    }

    private long digest() {
        return MachineDigest.of(memory, space, new long[] {7});
    }

    @Test
    void aPageOfZerosTheHostBackedHashesLikeOneItNeverBacked() {
        long untouched = digest();
        space.memory().set(ValueLayout.JAVA_LONG, region + 5 * PAGE_SIZE + 16, 99);
        long written = digest();
        space.memory().set(ValueLayout.JAVA_LONG, region + 5 * PAGE_SIZE + 16, 0);   // backed now, zeros again
        assertThat(written).isNotEqualTo(untouched);
        assertThat(digest()).isEqualTo(untouched);
    }

    @Test
    void everyWordAndItsPlaceCount() {
        space.memory().set(ValueLayout.JAVA_LONG, region + 100 * PAGE_SIZE, 1);
        long one = digest();
        space.memory().set(ValueLayout.JAVA_LONG, region + 100 * PAGE_SIZE, 0);
        space.memory().set(ValueLayout.JAVA_LONG, region + 101 * PAGE_SIZE, 1);   // the same word a page later
        assertThat(digest()).isNotEqualTo(one);
    }
}
