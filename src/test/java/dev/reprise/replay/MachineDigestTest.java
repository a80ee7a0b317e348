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
