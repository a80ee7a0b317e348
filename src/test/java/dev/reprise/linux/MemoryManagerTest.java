package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.reprise.linux.MemoryManager.MADV_DONTNEED;
import static dev.reprise.linux.MemoryManager.MAP_ANONYMOUS;
import static dev.reprise.linux.MemoryManager.MAP_FIXED;
import static dev.reprise.linux.MemoryManager.MAP_FIXED_NOREPLACE;
import static dev.reprise.linux.MemoryManager.MAP_PRIVATE;
import static dev.reprise.linux.MemoryManager.MAP_SHARED;
import static dev.reprise.linux.MemoryManager.MMAP_BASE;
import static dev.reprise.linux.MemoryManager.MREMAP_FIXED;
import static dev.reprise.linux.MemoryManager.MREMAP_MAYMOVE;
import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

class MemoryManagerTest {
    private static final int RW = PROT_READ | PROT_WRITE, ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private static final int FD = 3;

    private final AddressSpace space = new AddressSpace();
    private final MemoryManager mm = new MemoryManager(space);
    /** The file behind fd 3; other fds are bad. */
    private final byte[] file = new byte[10000];
    private final MemoryManager.FileReader files = (fd, host, length, offset) -> {
        if (fd != FD) return -Errno.EBADF;
        int n = (int) Math.max(0, Math.min(length, file.length - offset));
        MemorySegment.copy(file, (int) Math.min(offset, file.length), MemorySegment.ofAddress(host).reinterpret(n), ValueLayout.JAVA_BYTE, 0, n);
        return n;
    };

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        space.close();
    }

    private long anon(long length) {
        return mm.mmap(0, length, RW, ANON, -1, 0, files);
    }

    private byte get(long address) {
        byte[] b = new byte[1];
        space.read(address, b, 0, 1);
        return b[0];
    }

    private void put(long address, int value) {
        space.write(address, new byte[] {(byte) value}, 0, 1);
    }

    @Test
    void mmapGoesUpFromTheBaseAndNeverReusesHolesLikeQemu() {
        // The sequence qemu-riscv64 7.2 returned in a static program, after its stack and trampoline page.
        mm.mapZero(mm.place(0, 0x802000), 0x802000, RW, null);
        long[] sizes = {4096, 8192, 65536, 1 << 20, 100, 200000, 16 << 20};
        long[] qemu = {0x4000802000L, 0x4000803000L, 0x4000805000L, 0x4000815000L, 0x4000915000L, 0x4000916000L, 0x4000947000L};
        for (int i = 0; i < sizes.length; i++) assertThat(anon(sizes[i])).as("mmap %d", sizes[i]).isEqualTo(qemu[i]);
        long a = anon(4096), b = anon(4096);
        assertThat(mm.munmap(a, 4096)).isZero();
        assertThat(anon(4096)).isEqualTo(b + 4096);
    }

    @Test
    void hintsAreTakenWhenFreeAndOtherwiseTheNextFreeRangeIsUsed() {
        long a = anon(4096);
        assertThat(mm.mmap(0x5000000000L, 4096, RW, ANON, -1, 0, files)).isEqualTo(0x5000000000L);
        assertThat(mm.mmap(0x200123, 4096, RW, ANON, -1, 0, files)).isEqualTo(0x200000);   // aligned down
        assertThat(anon(4096)).as("a hint does not move the next start").isEqualTo(a + 4096);
        assertThat(mm.mmap(0x800, 4096, RW, ANON, -1, 0, files)).as("a hint in page zero is no hint").isEqualTo(a + 0x2000);
        long blocker = mm.mmap(a + 0x3000, 4096, RW, ANON | MAP_FIXED, -1, 0, files);
        assertThat(blocker).isEqualTo(a + 0x3000);
        assertThat(anon(0x4000)).as("skips the fixed mapping in the way").isEqualTo(a + 0x4000);
        assertThat(mm.mmap(a, 4096, RW, ANON, -1, 0, files)).as("busy hint").isEqualTo(a + 0x8000);
    }

    @Test
    void fixedMappingsReplaceAndNoReplaceRefuses() {
        long a = anon(0x3000);
        put(a + 0x1000, 7);
        assertThat(mm.mmap(a + 0x1000, 0x1000, PROT_READ, ANON | MAP_FIXED, -1, 0, files)).isEqualTo(a + 0x1000);
        assertThat(get(a + 0x1000)).isZero();
        assertThat(space.protection(a + 0x1000)).isEqualTo(PROT_READ);
        assertThat(space.protection(a + 0x2000)).isEqualTo(RW);
        assertThat(mm.mmap(a, 0x1000, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0, files)).isEqualTo(-Errno.EEXIST);
        assertThat(mm.mmap(a + 0x10000, 0x1000, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0, files)).isEqualTo(a + 0x10000);
    }

    @Test
    void mmapArgumentErrors() {
        assertThat(mm.mmap(0, 0, RW, ANON, -1, 0, files)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.mmap(0, 4096, RW, MAP_ANONYMOUS, -1, 0, files)).as("neither shared nor private").isEqualTo(-Errno.EINVAL);
        assertThat(mm.mmap(0, 4096, RW, ANON, -1, 123, files)).as("offset").isEqualTo(-Errno.EINVAL);
        assertThat(mm.mmap(0, 4096, 0x10, ANON, -1, 0, files)).as("prot").isEqualTo(-Errno.EINVAL);
        assertThat(mm.mmap(0x1001, 4096, RW, ANON | MAP_FIXED, -1, 0, files)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.mmap(0, 4096, RW, ANON | MAP_FIXED, -1, 0, files)).as("page zero").isEqualTo(-Errno.EPERM);
        assertThat(mm.mmap(0, -4096L, RW, ANON, -1, 0, files)).isEqualTo(-Errno.ENOMEM);
        assertThat(mm.mmap(0, 1L << 40, RW, ANON, -1, 0, files)).isEqualTo(-Errno.ENOMEM);
        assertThat(mm.mmap(0, 4096, RW, MAP_PRIVATE, -1, 0, files)).isEqualTo(-Errno.EBADF);
        assertThat(mm.mmap(0, 4096, RW, MAP_PRIVATE, 99, 0, files)).isEqualTo(-Errno.EBADF);
        MemoryManager.FileReader directory = (fd, host, length, offset) -> -Errno.EISDIR;
        assertThat(mm.mmap(0, 4096, RW, MAP_PRIVATE, FD, 0, directory)).isEqualTo(-Errno.ENODEV);
        assertThat(mm.mappings()).isEmpty();
    }

    @Test
    void fileMappingsCopyTheFileAndZeroPastItsEnd() {
        for (int i = 0; i < file.length; i++) file[i] = (byte) (i * 7 + 1);
        long at = mm.mmap(0, 0x4000, PROT_READ, MAP_PRIVATE, FD, 0x1000, files);
        assertThat(at).isEqualTo(MMAP_BASE);
        assertThat(get(at)).isEqualTo(file[0x1000]);
        assertThat(get(at + 9999 - 0x1000)).isEqualTo(file[9999]);
        assertThat(get(at + 10000 - 0x1000)).isZero();
        assertThat(space.protection(at)).isEqualTo(PROT_READ);
        long shared = mm.mmap(0, 100, RW, MAP_SHARED, FD, 0, files);
        assertThat(get(shared + 99)).isEqualTo(file[99]);
        assertThat(get(shared + 100)).as("rest of the page").isEqualTo(file[100]);
    }

    @Test
    void munmapDropsPagesAndChecksArguments() {
        long a = anon(0x3000);
        put(a + 0x1000, 5);
        assertThat(mm.munmap(a + 0x1000, 1)).isZero();            // length rounds up to the page
        assertThat(space.protection(a + 0x1000)).isZero();
        assertThat(space.protection(a)).isEqualTo(RW);
        assertThat(space.protection(a + 0x2000)).isEqualTo(RW);
        assertThat(mm.munmap(a + 1, 4096)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.munmap(a, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.munmap(0x7000000000L, 4096)).as("nothing there is fine").isZero();
        assertThat(mm.mmap(a + 0x1000, 0x1000, RW, ANON | MAP_FIXED, -1, 0, files)).isEqualTo(a + 0x1000);
        assertThat(get(a + 0x1000)).isZero();
    }

    @Test
    void mprotectChangesRightsKeepsContentsAndNeedsMappedPages() {
        long a = anon(0x2000);
        put(a, 42);
        assertThat(mm.mprotect(a, 0x1000, PROT_READ)).isZero();
        assertThat(space.protection(a)).isEqualTo(PROT_READ);
        assertThat(mm.mprotect(a, 0x1000, 0)).isZero();
        assertThat(space.protection(a)).isZero();
        assertThat(mm.mappings()).as("PROT_NONE stays mapped").anySatisfy(v -> assertThat(v.start()).isEqualTo(a));
        assertThat(anon(4096)).as("no mmap into it").isEqualTo(a + 0x2000);
        assertThat(mm.mprotect(a, 0x1000, RW | PROT_EXEC)).isZero();
        assertThat(get(a)).as("contents survive PROT_NONE").isEqualTo((byte) 42);
        assertThat(mm.mprotect(a + 1, 4096, PROT_READ)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.mprotect(a, 4096, 0x10)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.mprotect(a, 0, PROT_READ)).isZero();
        assertThat(mm.mprotect(0x7000000000L, 4096, PROT_READ)).isEqualTo(-Errno.ENOMEM);
        assertThat(mm.mprotect(a + 0x2000, 0x2000, PROT_READ)).as("runs past the end").isEqualTo(-Errno.ENOMEM);
        assertThat(space.protection(a + 0x2000)).as("all or nothing").isEqualTo(RW);
    }

    @Test
    void protNoneReservationsCanBeOpenedPieceByPiece() {
        long r = mm.mmap(0, 0x10000, 0, ANON, -1, 0, files);
        assertThat(space.protection(r)).isZero();
        assertThat(space.isMapped(r + 0xf000)).isTrue();
        assertThat(anon(4096)).isEqualTo(r + 0x10000);
        assertThat(mm.mprotect(r + 0x4000, 0x2000, RW)).isZero();
        assertThat(space.protection(r + 0x4000)).isEqualTo(RW);
        assertThat(get(r + 0x5fff)).isZero();
        assertThat(space.protection(r + 0x6000)).isZero();
    }

    @Test
    void mremapShrinksGrowsInPlaceOrMoves() {
        long c = anon(0x2000);
        put(c, 9);
        assertThat(mm.mremap(c, 0x2000, 0x4000, 0, 0)).as("free after it").isEqualTo(c);
        assertThat(space.protection(c + 0x3000)).isEqualTo(RW);
        long d = anon(0x1000);
        assertThat(mm.mremap(c, 0x4000, 0x6000, 0, 0)).as("blocked, may not move").isEqualTo(-Errno.ENOMEM);
        long moved = mm.mremap(c, 0x4000, 0x6000, MREMAP_MAYMOVE, 0);
        assertThat(moved).isEqualTo(d + 0x1000);
        assertThat(get(moved)).isEqualTo((byte) 9);
        assertThat(space.protection(c)).isZero();
        assertThat(mm.mremap(moved, 0x6000, 0x1000, 0, 0)).isEqualTo(moved);
        assertThat(space.protection(moved + 0x1000)).isZero();
        assertThat(mm.mremap(moved, 0x1000, 0x2000, MREMAP_MAYMOVE | MREMAP_FIXED, 0x6100000000L)).isEqualTo(0x6100000000L);
        assertThat(get(0x6100000000L)).isEqualTo((byte) 9);
        assertThat(mm.mremap(0x7000000000L, 0x1000, 0x3000, MREMAP_MAYMOVE, 0)).isEqualTo(-Errno.EFAULT);
        assertThat(mm.mremap(d + 1, 0x1000, 0x3000, MREMAP_MAYMOVE, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.mremap(d, 0x1000, 0, MREMAP_MAYMOVE, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.mremap(d, 0x1000, 0x2000, MREMAP_FIXED, 0x6200000000L)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void madviseDontNeedZeroesAnonymousPages() {
        long a = anon(0x2000);
        put(a, 1);
        put(a + 0x1000, 2);
        assertThat(mm.madvise(a, 0x1000, MADV_DONTNEED)).isZero();
        assertThat(get(a)).isZero();
        assertThat(get(a + 0x1000)).isEqualTo((byte) 2);
        assertThat(space.protection(a)).isEqualTo(RW);
        assertThat(mm.madvise(a, 0x2000, 12345)).as("other advice accepted").isZero();
        assertThat(mm.madvise(a + 1, 0x1000, MADV_DONTNEED)).isEqualTo(-Errno.EINVAL);
        assertThat(mm.madvise(0x7000000000L, 0x1000, MADV_DONTNEED)).isEqualTo(-Errno.ENOMEM);
    }

    @Test
    void brkGrowsShrinksAndNeverGoesBelowItsStart() {
        mm.startBrk(0xa1000);
        assertThat(mm.brk(0)).isEqualTo(0xa1000);
        assertThat(mm.brk(0x1000)).isEqualTo(0xa1000);
        assertThat(mm.brk(0xa1001)).isEqualTo(0xa1001);              // not page-aligned, as Linux and QEMU return it
        assertThat(space.protection(0xa1000)).isEqualTo(RW);
        put(0xa1000, 3);
        put(0xa1800, 4);
        assertThat(mm.brk(0xb1000)).isEqualTo(0xb1000);
        assertThat(space.protection(0xb0fff)).isEqualTo(RW);
        assertThat(get(0xa1000)).isEqualTo((byte) 3);
        assertThat(mm.brk(0xa1100)).isEqualTo(0xa1100);
        assertThat(space.protection(0xa2000)).isZero();
        assertThat(mm.brk(0xa1900)).isEqualTo(0xa1900);
        assertThat(get(0xa1800)).as("regrown heap reads zeros").isZero();
        assertThat(mm.brk(1L << 45)).isEqualTo(0xa1900);
        mm.mmap(0xa3000, 0x1000, RW, ANON | MAP_FIXED, -1, 0, files);
        assertThat(mm.brk(0xa4000)).as("a mapping in the way").isEqualTo(0xa1900);
        assertThat(mm.brk(0xa3000)).isEqualTo(0xa3000);
    }

    @Test
    void theLoaderLeavesAFirstMmapWhereQemuPutsIt() throws Exception {
        Path program = Files.write(dir.resolve("p"), TestElf.staticExec().bytes());
        Process p = new Process(new Options(program, List.of("p"), List.of(), null, null, 1));
        try {
            Exec.load(p, p.options);
            long stack = Math.max(Exec.DEFAULT_STACK, Host.stackLimit());
            // guard page + stack + signal trampoline page, then the first mmap (0x4000802000 with an 8 MiB stack).
            assertThat(p.memory.mmap(0, 4096, RW, ANON, -1, 0, files)).isEqualTo(MMAP_BASE + 0x1000 + stack + 0x1000);
        } finally {
            p.space.close();
        }
    }

    @Test
    void mappingsMergeAndSplit() {
        long a = anon(0x1000), b = anon(0x1000);
        assertThat(b).isEqualTo(a + 0x1000);
        assertThat(mm.mappings()).hasSize(1);
        mm.mprotect(a, 0x1000, PROT_READ);
        assertThat(mm.mappings()).extracting(MemoryManager.Vma::prot).containsExactly(PROT_READ, RW);
        assertThat(Arrays.asList(mm.mappings().getFirst().start(), mm.mappings().getLast().end())).containsExactly(a, a + 0x2000);
    }
}
