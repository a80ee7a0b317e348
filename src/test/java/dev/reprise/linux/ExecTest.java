package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ExecTest {
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void close() {
        for (Process p : processes) p.space.close();
    }

    private Process process(Path program, Path sysroot, String... argv) {
        Process p = new Process(new Options(program, List.of(argv), List.of("A=1"), sysroot, null, 42));
        processes.add(p);
        return p;
    }

    private Path write(String name, TestElf elf) throws Exception {
        return Files.write(dir.resolve(name), elf.bytes());
    }

    /** QEMU's stack for a program whose image does not sit at the mmap base: guard page at 2^38, 8 MiB (or the rlimit) above it. */
    private static long stackTop(long firstMmap) {
        return firstMmap + AddressSpace.PAGE_SIZE + Math.max(Exec.DEFAULT_STACK, Host.stackLimit());
    }

    @Test
    void staticExecutableSegmentsGetTheirRightsAndBssIsZero() throws Exception {
        Path file = write("static", TestElf.staticExec());
        Process p = process(file, null, "static");
        Exec.Start start = Exec.load(p, p.options);

        assertThat(start.pc()).isEqualTo(0x10078);
        AddressSpace s = p.space;
        assertThat(s.protection(0x10000)).isEqualTo(PROT_READ | PROT_EXEC);
        assertThat(s.protection(0x11000)).isEqualTo(PROT_READ | PROT_WRITE);
        assertThat(s.protection(0x13000)).isEqualTo(PROT_READ | PROT_WRITE);    // bss pages
        assertThat(s.protection(0x14000)).isZero();
        byte[] data = new byte[0x3000];
        s.read(0x11000, data, 0, data.length);
        // Page 0x11000 comes from the file (0xAA beyond the segment's start), the file part of the
        // segment is 0x200 bytes at 0x11f00, then bss: zero, although the file holds 0xAA there.
        assertThat(data[0xeff]).isEqualTo((byte) 0xAA);
        assertThat(data[0xf00 + 0x1ff]).isEqualTo((byte) 0xAA);
        for (int i = 0xf00 + 0x200; i < data.length; i++) assertThat(data[i]).as("bss byte %x", i).isZero();
        assertThat(p.memory.brkStart()).isEqualTo(0x15000 - 0x1000);            // page after 0x11f00+0x2100
        assertThat(p.memory.brk(0)).isEqualTo(0x14000);

        // QEMU: the stack is the first mmap, at 2^38, with its guard page below.
        assertThat(s.protection(MemoryManager.MMAP_BASE)).isZero();
        assertThat(s.isMapped(MemoryManager.MMAP_BASE)).as("guard page: mapped, PROT_NONE").isTrue();
        assertThat(p.memory.mappings()).anySatisfy(v -> assertThat(v).isEqualTo(
                new MemoryManager.Vma(MemoryManager.MMAP_BASE, MemoryManager.MMAP_BASE + 0x1000, 0, false, null)));
        assertThat(s.protection(stackTop(MemoryManager.MMAP_BASE) - 1)).isEqualTo(PROT_READ | PROT_WRITE);
        assertThat(start.sp()).isBetween(stackTop(MemoryManager.MMAP_BASE) - 0x1000, stackTop(MemoryManager.MMAP_BASE));
        // Then the signal trampoline page, executable.
        long trampoline = p.memory.sigreturnTrampoline();
        assertThat(trampoline).isEqualTo(stackTop(MemoryManager.MMAP_BASE));
        assertThat(s.protection(trampoline)).isEqualTo(PROT_READ | PROT_EXEC);
    }

    @Test
    void staticPieIsLoadedAtTheMmapBaseWithBrkRoomAfterIt() throws Exception {
        Path file = write("pie", TestElf.staticPie());
        Process p = process(file, null, "pie");
        Exec.Start start = Exec.load(p, p.options);

        long base = MemoryManager.MMAP_BASE;
        assertThat(start.pc()).isEqualTo(base + 0x78);
        assertThat(p.space.protection(base)).isEqualTo(PROT_READ | PROT_EXEC);
        assertThat(p.space.protection(base + 0x1000)).isEqualTo(PROT_READ | PROT_WRITE);
        assertThat(p.memory.brkStart()).isEqualTo(base + 0x4000);
        // The stack went above the image plus QEMU's 32 MiB brk reserve, which is free again.
        long stackBase = base + 0x4000 + Exec.BRK_RESERVE;
        assertThat(p.space.isFree(base + 0x4000, Exec.BRK_RESERVE)).isTrue();
        assertThat(start.sp()).isBetween(stackTop(stackBase) - 0x1000, stackTop(stackBase));
        Map<Long, Long> aux = auxv(p, start.sp());
        assertThat(aux.get((long) Exec.AT_PHDR)).isEqualTo(base + 64);
        assertThat(aux.get((long) Exec.AT_ENTRY)).isEqualTo(base + 0x78);
        assertThat(aux.get((long) Exec.AT_BASE)).isZero();
        assertThat(p.memory.brk(base + 0x10000)).isEqualTo(base + 0x10000);     // brk can grow into the reserve
    }

    @Test
    void dynamicProgramWithoutSysrootNamesTheOption() throws Exception {
        TestElf elf = TestElf.staticPie();
        elf.interpreter = "/lib/ld-linux-riscv64-lp64d.so.1";
        Path file = write("dyn", elf);
        Process p = process(file, null, "dyn");
        LoadError e = catchThrowableOfType(LoadError.class, () -> Exec.load(p, p.options));
        assertThat(e.kind).isEqualTo(LoadError.Kind.NO_SYSROOT);
        assertThat(e.getMessage()).contains("--sysroot").contains("-L").contains("/lib/ld-linux-riscv64-lp64d.so.1").doesNotContain("\n");
        assertThat(p.memory.mappings()).as("nothing mapped before the check").isEmpty();
    }

    @Test
    void dynamicProgramWithInterpreterMissingUnderSysroot() throws Exception {
        TestElf elf = TestElf.staticPie();
        elf.interpreter = "/lib/ld-linux-riscv64-lp64d.so.1";
        Path file = write("dyn", elf);
        Process p = process(file, dir.resolve("root"), "dyn");
        LoadError e = catchThrowableOfType(LoadError.class, () -> Exec.load(p, p.options));
        assertThat(e.kind).isEqualTo(LoadError.Kind.NO_INTERPRETER);
        assertThat(e.getMessage()).contains("/lib/ld-linux-riscv64-lp64d.so.1").contains(dir.resolve("root").toString());
    }

    @Test
    void interpreterIsLoadedAfterTheStackAndStartsTheProgram() throws Exception {
        TestElf elf = TestElf.staticExec();
        elf.interpreter = "/lib/ld.so";
        Path file = write("dyn", elf);
        Files.createDirectories(dir.resolve("root/lib"));
        Files.write(dir.resolve("root/lib/ld.so"), TestElf.staticPie().bytes());
        Process p = process(file, dir.resolve("root"), "dyn");
        Exec.Start start = Exec.load(p, p.options);

        long interpBase = stackTop(MemoryManager.MMAP_BASE);
        assertThat(start.pc()).isEqualTo(interpBase + 0x78);
        Map<Long, Long> aux = auxv(p, start.sp());
        assertThat(aux.get((long) Exec.AT_BASE)).isEqualTo(interpBase);
        assertThat(aux.get((long) Exec.AT_ENTRY)).isEqualTo(0x10078);
        assertThat(aux.get((long) Exec.AT_PHDR)).isEqualTo(0x10040);
        assertThat(p.space.protection(interpBase)).isEqualTo(PROT_READ | PROT_EXEC);
        assertThat(p.memory.sigreturnTrampoline()).isEqualTo(interpBase + 0x4000);
    }

    @Test
    void stackHoldsArgcArgvEnvAndAuxvInQemusOrder() throws Exception {
        Path file = write("static", TestElf.staticExec());
        Process p = process(file, null, "prog", "one", "two");
        Exec.Start start = Exec.load(p, p.options);
        long sp = start.sp();
        assertThat(sp % 16).isZero();
        assertThat(word(p, sp)).isEqualTo(3);
        assertThat(p.space.readCString(word(p, sp + 8), 100)).isEqualTo("prog");
        assertThat(p.space.readCString(word(p, sp + 24), 100)).isEqualTo("two");
        assertThat(word(p, sp + 32)).isZero();
        assertThat(p.space.readCString(word(p, sp + 40), 100)).isEqualTo("A=1");
        assertThat(word(p, sp + 48)).isZero();
        List<Long> types = new ArrayList<>();
        for (long a = sp + 56; ; a += 16) {
            types.add(word(p, a));
            if (word(p, a) == 0) break;
        }
        assertThat(types).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 11L, 12L, 13L, 14L, 16L, 17L, 25L, 23L, 31L, 0L);
        Map<Long, Long> aux = auxv(p, sp);
        assertThat(aux.get(16L)).isEqualTo(0x112d);
        assertThat(p.space.readCString(aux.get(31L), 4096)).isEqualTo(file.toString());
        // The file name ends 8 bytes below the top of the stack.
        assertThat(aux.get(31L) + file.toString().length() + 1).isEqualTo(stackTop(MemoryManager.MMAP_BASE) - 8);
    }

    @Test
    void environmentIsOrderedAsQemuPassesIt() {
        // Observed: env -i A=1 B=2 Z=0 qemu-riscv64 -E C=3 -E A=9 -U B -E D=4 prints D=4 A=9 C=3 Z=0.
        assertThat(Exec.qemuEnvironment(List.of("A=1", "B=2", "Z=0"), List.of("C=3", "A=9", "B", "D=4")))
                .containsExactly("D=4", "A=9", "C=3", "Z=0");
        assertThat(Exec.qemuEnvironment(List.of("A=1", "B=2"), List.of())).containsExactly("B=2", "A=1");
        assertThat(Exec.qemuEnvironment(List.of("A=1", "B=2"), List.of("A=1"))).containsExactly("A=1", "B=2");
    }

    static long word(Process p, long address) {
        byte[] b = new byte[8];
        p.space.read(address, b, 0, 8);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static Map<Long, Long> auxv(Process p, long sp) {
        long a = sp + 8 + 8 * (word(p, sp) + 1);
        while (word(p, a) != 0) a += 8;
        Map<Long, Long> aux = new HashMap<>();
        for (a += 8; word(p, a) != 0; a += 16) aux.put(word(p, a), word(p, a + 8));
        return aux;
    }

    /** The auxv's ids come from /proc/self/status (no downcall at start-up): the same the host's calls give. */
    @Test
    void auxvIdsAreTheHostsOwn() {
        assertThat(Exec.ids()).containsExactly(Integer.toUnsignedLong(Host.getuid()), Integer.toUnsignedLong(Host.geteuid()),
                Integer.toUnsignedLong(Host.getgid()), Integer.toUnsignedLong(Host.getegid()));
    }
}
