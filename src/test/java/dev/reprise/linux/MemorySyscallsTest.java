package dev.reprise.linux;

import dev.reprise.mem.MemoryFault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static dev.reprise.linux.MemoryManager.MAP_ANONYMOUS;
import static dev.reprise.linux.MemoryManager.MAP_PRIVATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory calls through the syscall table, and the TLB flushes that must follow a loss of rights. */
class MemorySyscallsTest {
    private static final int MAP_STACK = 0x20000, MAP_GROWSDOWN = 0x100;
    private final Process process = new Process(new Options(Path.of("x"), List.of("x"), List.of(), null, null, 1));
    private final Task caller = Task.first(process, new Exec.Start(0, 0));
    private final Task other = Task.first(process, new Exec.Start(0, 0));

    MemorySyscallsTest() {
        process.add(caller);
        process.add(other);
    }

    @AfterEach
    void close() {
        process.space.close();
    }

    private long call(int number, long... args) {
        long[] a = java.util.Arrays.copyOf(args, 6);
        caller.hart.x[17] = number;
        for (int i = 0; i < 6; i++) caller.hart.x[10 + i] = a[i];
        Syscalls.dispatch(caller);
        return caller.hart.x[10];
    }

    @Test
    void munmapFlushesTheCallerAtOnceAndTheOthersAtTheirNextBoundary() {
        long page = call(MemorySyscalls.MMAP, 0, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_GROWSDOWN, -1, 0);
        assertThat(page).isEqualTo(MemoryManager.MMAP_BASE);
        caller.hart.mmu.sb(page, 1);
        other.hart.mmu.sb(page, 2);                 // both TLBs now hold the page
        assertThat(call(MemorySyscalls.MUNMAP, page, 4096)).isZero();

        assertThatThrownBy(() -> caller.hart.mmu.lb(page)).isInstanceOf(MemoryFault.class);
        other.hart.mmu.serviceFlush();
        assertThatThrownBy(() -> other.hart.mmu.lb(page)).isInstanceOf(MemoryFault.class);
    }

    @Test
    void mprotectToReadOnlyStopsWritesEverywhere() {
        long page = call(MemorySyscalls.MMAP, 0, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        caller.hart.mmu.sb(page, 1);
        other.hart.mmu.sb(page, 2);
        assertThat(call(MemorySyscalls.MPROTECT, page, 4096, 1)).isZero();
        assertThatThrownBy(() -> caller.hart.mmu.sb(page, 3)).isInstanceOf(MemoryFault.class);
        other.hart.mmu.serviceFlush();
        assertThatThrownBy(() -> other.hart.mmu.sb(page, 3)).isInstanceOf(MemoryFault.class);
        assertThat(other.hart.mmu.lb(page)).isEqualTo(2);
    }

    @Test
    void errorsComeBackAsNegativeErrno() {
        assertThat(call(MemorySyscalls.MMAP, 0, 0, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(call(MemorySyscalls.MPROTECT, 0x7000000000L, 4096, 1)).isEqualTo(-Errno.ENOMEM);
        assertThat(call(MemorySyscalls.BRK, 0)).isEqualTo(0);
    }
}
