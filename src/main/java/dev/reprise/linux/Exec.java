package dev.reprise.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.reprise.mem.AddressSpace.LIMIT;
import static dev.reprise.mem.AddressSpace.PAGE_SIZE;
import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;

/**
 * Loads a program into a fresh process: ELF loading, initial stack and auxv.
 *
 * <p>Everything is placed where qemu-riscv64 7.2 on an x86-64 host places it, in the same order
 * (program, stack, interpreter, signal trampoline page), so that addresses, sp and every pointer
 * on the initial stack equal QEMU's for the same argv and environment: docs/address-space.md.
 * Called once, before any thread runs.
 */
public final class Exec {
    private Exec() {}

    /** Where the first thread starts. */
    public record Start(long pc, long sp) {}

    /** QEMU reserves this much after the main program while it places the rest, to leave room for brk. */
    static final long BRK_RESERVE = 32L << 20;
    /** QEMU's default guest stack size; a larger finite host RLIMIT_STACK replaces it. */
    static final long DEFAULT_STACK = 8L << 20;
    /** riscv64 HWCAP for rv64imafdc: one bit per letter (a=bit 0 ... z=bit 25), as QEMU 7.2 reports it. */
    static final long HWCAP_RV64GC = letters("imafdc");

    static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
            AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;

    /** A loaded ELF image: where its reservation starts, its load bias, entry and end of its segments. */
    record Image(long loadAddress, long bias, long entry, long end) {}

    /** Loads {@code options.program()} into {@code process} and builds the initial stack. */
    public static Start load(Process process, Options options) throws LoadError {
        String name = options.program().toString();
        ElfFile program = ElfFile.read(options.program(), name);
        ElfFile interpreter = program.interpreter == null ? null : readInterpreter(program, options.sysroot());
        MemoryManager memory = process.memory;

        Image main = loadImage(memory, program, BRK_RESERVE);

        long stackSize = Math.max(DEFAULT_STACK, Host.stackLimit());
        long guard = PAGE_SIZE;
        long stackBase = memory.place(0, guard + stackSize);
        if (stackBase < 0) throw new LoadError(LoadError.Kind.MALFORMED, name + ": no room for the stack");
        memory.mapZero(stackBase, guard, 0, null);
        memory.mapZero(stackBase + guard, stackSize, PROT_READ | PROT_WRITE | (execStack(program) ? PROT_EXEC : 0), "[stack]");
        long stackTop = stackBase + guard + stackSize;

        // The strings go first, at the top: QEMU copies them before it loads the interpreter.
        Strings strings = Strings.layout(stackTop - 8, stackBase + guard, name, options.argv(), options.env());
        if (strings == null) throw new LoadError(LoadError.Kind.CANNOT_OPEN, name + ": Argument list too long");

        Image interp = interpreter == null ? null : loadImage(memory, interpreter, 0);

        // QEMU 7.2 keeps its signal return code in a page of its own (there is no vDSO).
        long trampoline = memory.place(0, PAGE_SIZE);
        memory.mapData(trampoline, PAGE_SIZE, PROT_READ | PROT_EXEC, SIGRETURN_CODE, 0, SIGRETURN_CODE.length, null);
        memory.setSigreturnTrampoline(trampoline);

        long sp = buildStack(process, strings, program, main, interp);

        long brkStart = MemoryManager.pageUp(main.end);
        memory.release(brkStart, MemoryManager.pageUp(main.end + BRK_RESERVE) - brkStart);
        memory.startBrk(brkStart);
        return new Start(interp != null ? interp.entry : main.entry, sp);
    }

    /**
     * The guest environment qemu-user 7.2 passes on, for {@link Options#env()}: QEMU keeps it as a
     * list where setting a variable removes it and puts it first, so the host's {@code environ}
     * comes out reversed. {@code changes} are the -E and -U options in command-line order:
     * "NAME=VALUE" sets (-E), a bare "NAME" unsets (-U). Verified against qemu-riscv64 7.2.
     */
    public static List<String> qemuEnvironment(List<String> hostEnviron, List<String> changes) {
        java.util.LinkedList<String> env = new java.util.LinkedList<>();
        for (String e : hostEnviron) setFirst(env, e);
        for (String c : changes) {
            if (c.indexOf('=') >= 0) setFirst(env, c);
            else env.removeIf(e -> e.startsWith(c + "=") || e.equals(c));
        }
        return List.copyOf(env);
    }

    private static void setFirst(java.util.LinkedList<String> env, String assignment) {
        int eq = assignment.indexOf('=');
        String name = eq < 0 ? assignment : assignment.substring(0, eq + 1);
        env.removeIf(e -> eq < 0 ? e.equals(name) : e.startsWith(name));
        env.addFirst(assignment);
    }

    private static ElfFile readInterpreter(ElfFile program, Path sysroot) throws LoadError {
        if (sysroot == null) {
            throw new LoadError(LoadError.Kind.NO_SYSROOT, program.name + ": dynamically linked (needs "
                    + program.interpreter + "): give the riscv64 root with --sysroot DIR or -L DIR");
        }
        Path path = sysroot.resolve(program.interpreter.replaceFirst("^/+", ""));
        if (!Files.isRegularFile(path)) {
            throw new LoadError(LoadError.Kind.NO_INTERPRETER, program.name + ": dynamic loader "
                    + program.interpreter + " not found under " + sysroot);
        }
        return ElfFile.read(path, path.toString());
    }

    /** PT_GNU_STACK's X flag; without the header, riscv stacks are not executable. */
    private static boolean execStack(ElfFile elf) {
        for (ElfFile.Segment s : elf.segments) if (s.type() == ElfFile.PT_GNU_STACK) return (s.flags() & ElfFile.PF_X) != 0;
        return false;
    }

    /**
     * Maps an image as QEMU's load_elf_image does: one PROT_NONE reservation over all of it (plus
     * {@code reserve} bytes after it), fixed for ET_EXEC and placed like an mmap for ET_DYN, then each
     * PT_LOAD over it; the gaps stay reserved.
     */
    static Image loadImage(MemoryManager memory, ElfFile elf, long reserve) throws LoadError {
        long low = elf.loadLow();
        long size = MemoryManager.pageUp(elf.loadHigh() - low + reserve);
        long at;
        if (elf.type == ElfFile.ET_EXEC) {
            if (low > LIMIT - size) throw new LoadError(LoadError.Kind.MALFORMED, elf.name + ": does not fit below 0x" + Long.toHexString(LIMIT));
            at = low;
        } else {
            at = memory.place(low, size);
            if (at < 0) throw new LoadError(LoadError.Kind.MALFORMED, elf.name + ": no room to load it");
        }
        memory.mapZero(at, size, 0, null);
        long bias = at - low;
        long end = 0;
        for (ElfFile.Segment s : elf.segments) {
            if (s.type() != ElfFile.PT_LOAD) continue;
            int prot = s.prot();
            long vaddr = bias + s.vaddr();
            long pageOffset = vaddr & (PAGE_SIZE - 1), pageStart = vaddr - pageOffset;
            long fileEnd = vaddr + s.filesz(), memEnd = vaddr + s.memsz();
            if (s.filesz() != 0) {
                // Whole pages come from the file, as a file mapping would bring them in...
                long length = MemoryManager.pageUp(s.filesz() + pageOffset);
                int from = (int) (s.offset() - pageOffset);
                memory.mapData(pageStart, length, prot, elf.data, from, (int) Math.min(length, elf.data.length - from), elf.name);
                if (s.filesz() < s.memsz()) {
                    // ...so the bss part of the last file page is cleared, and the rest is fresh pages.
                    long bssPages = MemoryManager.pageUp(fileEnd);
                    memory.zero(fileEnd, bssPages - fileEnd);
                    if (bssPages < MemoryManager.pageUp(memEnd)) memory.mapZero(bssPages, MemoryManager.pageUp(memEnd) - bssPages, prot, null);
                }
            } else if (s.memsz() != 0) {
                memory.mapZero(pageStart, MemoryManager.pageUp(s.memsz() + pageOffset), prot, null);
            }
            end = Math.max(end, memEnd);
        }
        return new Image(at, bias, elf.entry + bias, end);
    }

    /** li a7, 139 (rt_sigreturn); ecall. */
    private static final byte[] SIGRETURN_CODE = {(byte) 0x93, 0x08, (byte) 0xb0, 0x08, 0x73, 0, 0, 0};

    /**
     * The filename, environment and argument strings as QEMU's copy_elf_strings puts them below
     * {@code top}: the filename first, then each list from its last string down, so that [0] ends
     * lowest. {@code bytes} holds [bottom, top).
     */
    record Strings(long bottom, long execfn, long[] argv, long[] env, byte[] bytes, long top) {
        /** Returns null if the strings would take more than a quarter of the stack (Linux's limit). */
        static Strings layout(long top, long limit, String filename, List<String> argv, List<String> env) {
            byte[] file = cString(filename);
            byte[][] envBytes = env.stream().map(Strings::cString).toArray(byte[][]::new);
            byte[][] argvBytes = argv.stream().map(Strings::cString).toArray(byte[][]::new);
            long p = top - file.length;
            long execfn = p;
            long[] envAt = new long[envBytes.length], argvAt = new long[argvBytes.length];
            for (int i = envBytes.length - 1; i >= 0; i--) envAt[i] = p -= envBytes[i].length;
            for (int i = argvBytes.length - 1; i >= 0; i--) argvAt[i] = p -= argvBytes[i].length;
            if (top - p > (top - limit) / 4) return null;

            byte[] bytes = new byte[(int) (top - p)];
            System.arraycopy(file, 0, bytes, (int) (execfn - p), file.length);
            for (int i = 0; i < envAt.length; i++) System.arraycopy(envBytes[i], 0, bytes, (int) (envAt[i] - p), envBytes[i].length);
            for (int i = 0; i < argvAt.length; i++) System.arraycopy(argvBytes[i], 0, bytes, (int) (argvAt[i] - p), argvBytes[i].length);
            return new Strings(p, execfn, argvAt, envAt, bytes, top);
        }

        private static byte[] cString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return java.util.Arrays.copyOf(b, b.length + 1);
        }
    }

    /**
     * Writes the strings and, below them, as QEMU's create_elf_tables: 16-byte alignment, the 16
     * AT_RANDOM bytes, then argc, argv, envp and auxv in a block aligned down to 16. Returns sp.
     */
    private static long buildStack(Process process, Strings strings, ElfFile program, Image main, Image interp) {
        long p = strings.bottom() & -16L;
        long random = p - 16;
        byte[] randomBytes = new byte[16];
        process.randomBytes(randomBytes);

        long[] ids = ids();
        long[][] auxv = {
                {AT_PHDR, main.loadAddress() + program.phoff},
                {AT_PHENT, ElfFile.PHDR_SIZE},
                {AT_PHNUM, program.phnum},
                {AT_PAGESZ, PAGE_SIZE},
                {AT_BASE, interp == null ? 0 : interp.loadAddress()},
                {AT_FLAGS, 0},
                {AT_ENTRY, main.entry()},
                {AT_UID, ids[0]},
                {AT_EUID, ids[1]},
                {AT_GID, ids[2]},
                {AT_EGID, ids[3]},
                {AT_HWCAP, HWCAP_RV64GC},
                {AT_CLKTCK, 100},
                {AT_RANDOM, random},
                {AT_SECURE, 0},
                {AT_EXECFN, strings.execfn()},
                {AT_NULL, 0},
        };
        int argc = strings.argv().length, envc = strings.env().length;
        int words = 1 + argc + 1 + envc + 1 + 2 * auxv.length;
        long sp = (random - 8L * words) & -16L;

        ByteBuffer b = ByteBuffer.allocate((int) (strings.top() - sp)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(argc);
        for (long a : strings.argv()) b.putLong(a);
        b.putLong(0);
        for (long e : strings.env()) b.putLong(e);
        b.putLong(0);
        for (long[] entry : auxv) b.putLong(entry[0]).putLong(entry[1]);
        b.put((int) (random - sp), randomBytes);
        b.put((int) (strings.top() - strings.bytes().length - sp), strings.bytes());
        process.space.write(sp, b.array(), 0, b.capacity());
        return sp;
    }

    private static long letters(String isa) {
        long bits = 0;
        for (char c : isa.toCharArray()) bits |= 1L << (c - 'a');
        return bits;
    }

    /**
     * This process's real and effective uid and gid (for AT_UID, AT_EUID, AT_GID, AT_EGID), from
     * /proc/self/status: every program needs them at start-up, and four host calls would link a
     * downcall (a stub and method-handle classes, tens of milliseconds; docs/performance.md,
     * "start-up") that few guests need later. Without procfs, the host calls.
     */
    static long[] ids() {
        long[] ids = new long[4];
        int found = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                int at = line.startsWith("Uid:") ? 0 : line.startsWith("Gid:") ? 2 : -1;
                if (at < 0) continue;
                String[] f = line.substring(4).trim().split("\t");   // real, effective, saved, filesystem (tab-separated)
                ids[at] = Long.parseLong(f[0]);
                ids[at + 1] = Long.parseLong(f[1]);
                found++;
            }
        } catch (java.io.IOException | RuntimeException e) {
            found = 0;
        }
        if (found == 2) return ids;
        return new long[] {Integer.toUnsignedLong(Host.getuid()), Integer.toUnsignedLong(Host.geteuid()),
                Integer.toUnsignedLong(Host.getgid()), Integer.toUnsignedLong(Host.getegid())};
    }
}
