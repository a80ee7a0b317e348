package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed riscv64 ELF executable: the header fields and program headers the loader needs, checked
 * so that loading can trust them. Every problem is a {@link LoadError} whose message names the file.
 * Immutable.
 */
public final class ElfFile {
    public static final int ET_EXEC = 2, ET_DYN = 3;
    public static final int EM_RISCV = 243;
    public static final int PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6, PT_GNU_STACK = 0x6474e551;
    public static final int PF_X = 1, PF_W = 2, PF_R = 4;
    static final int EHDR_SIZE = 64, PHDR_SIZE = 56;

    /** One program header. */
    public record Segment(int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
        /** The PROT_* rights its flags ask for. */
        public int prot() {
            return ((flags & PF_R) != 0 ? AddressSpace.PROT_READ : 0)
                    | ((flags & PF_W) != 0 ? AddressSpace.PROT_WRITE : 0)
                    | ((flags & PF_X) != 0 ? AddressSpace.PROT_EXEC : 0);
        }
    }

    /** The file as named by the user (for messages). */
    public final String name;
    /** The whole file. */
    final byte[] data;
    public final int type;
    public final long entry;
    public final long phoff;
    public final int phnum;
    /** All program headers, in file order. */
    public final List<Segment> segments;
    /** PT_INTERP's path without its NUL, or null for a static program. */
    public final String interpreter;

    private ElfFile(String name, byte[] data, int type, long entry, long phoff, int phnum, List<Segment> segments, String interpreter) {
        this.name = name;
        this.data = data;
        this.type = type;
        this.entry = entry;
        this.phoff = phoff;
        this.phnum = phnum;
        this.segments = segments;
        this.interpreter = interpreter;
    }

    /** Reads and parses {@code file}; {@code name} is how messages call it. */
    public static ElfFile read(Path file, String name) throws LoadError {
        byte[] data;
        try {
            if (Files.isDirectory(file)) throw error(LoadError.Kind.CANNOT_OPEN, name, "is a directory");
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw error(LoadError.Kind.CANNOT_OPEN, name, "No such file or directory");
        } catch (AccessDeniedException e) {
            throw error(LoadError.Kind.CANNOT_OPEN, name, "Permission denied");
        } catch (IOException | OutOfMemoryError e) {
            throw error(LoadError.Kind.CANNOT_OPEN, name, "cannot read: " + e.getMessage());
        }
        return parse(data, name);
    }

    /** Parses an ELF image held in memory. */
    public static ElfFile parse(byte[] data, String name) throws LoadError {
        if (data.length < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') {
            throw error(LoadError.Kind.NOT_ELF, name, "not an ELF file");
        }
        if (data.length < 6) throw error(LoadError.Kind.TRUNCATED, name, "truncated ELF file (no header)");
        if (data[4] == 1) throw error(LoadError.Kind.WRONG_CLASS, name, "32-bit ELF file; riscv64 programs are 64-bit");
        if (data[4] != 2) throw error(LoadError.Kind.WRONG_CLASS, name, "unknown ELF class " + data[4]);
        if (data[5] != 1) throw error(LoadError.Kind.WRONG_MACHINE, name, "big-endian ELF file; riscv64 is little-endian");
        if (data.length < EHDR_SIZE) throw error(LoadError.Kind.TRUNCATED, name, "truncated ELF file (header cut short)");
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_RISCV) {
            throw error(LoadError.Kind.WRONG_MACHINE, name, "ELF file for " + machineName(machine) + ", not riscv64");
        }
        int type = Short.toUnsignedInt(b.getShort(16));
        if (type != ET_EXEC && type != ET_DYN) {
            throw error(LoadError.Kind.MALFORMED, name, "not an executable (ELF type " + type + ")");
        }
        if (data[6] != 1 || b.getInt(20) != 1) throw error(LoadError.Kind.MALFORMED, name, "unknown ELF version");
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phentsize != PHDR_SIZE) throw error(LoadError.Kind.MALFORMED, name, "bad program header size " + phentsize);
        if (phnum == 0) throw error(LoadError.Kind.MALFORMED, name, "no program headers");
        if (phoff < 0 || phoff > data.length - (long) phnum * PHDR_SIZE) {
            throw error(LoadError.Kind.TRUNCATED, name, "truncated ELF file (program headers past the end)");
        }

        List<Segment> segments = new ArrayList<>(phnum);
        String interpreter = null;
        boolean anyLoad = false;
        for (int i = 0; i < phnum; i++) {
            int at = (int) phoff + i * PHDR_SIZE;
            Segment s = new Segment(b.getInt(at), b.getInt(at + 4), b.getLong(at + 8), b.getLong(at + 16),
                    b.getLong(at + 32), b.getLong(at + 40), b.getLong(at + 48));
            segments.add(s);
            if (s.type == PT_LOAD) {
                anyLoad = true;
                checkLoad(s, data.length, name);
            } else if (s.type == PT_INTERP) {
                if (interpreter != null) throw error(LoadError.Kind.MALFORMED, name, "more than one PT_INTERP");
                interpreter = interpreter(s, data, name);
            }
        }
        if (!anyLoad) throw error(LoadError.Kind.MALFORMED, name, "nothing to load (no PT_LOAD segment)");
        return new ElfFile(name, data, type, entry, phoff, phnum, List.copyOf(segments), interpreter);
    }

    private static void checkLoad(Segment s, int fileLength, String name) throws LoadError {
        long page = AddressSpace.PAGE_SIZE;
        if (s.filesz < 0 || s.memsz < 0 || s.offset < 0 || s.vaddr < s.offset || s.filesz > s.memsz) {
            throw error(LoadError.Kind.MALFORMED, name, "bad PT_LOAD sizes");
        }
        if (s.vaddr >= AddressSpace.LIMIT || s.memsz > AddressSpace.LIMIT - s.vaddr) {
            throw error(LoadError.Kind.MALFORMED, name, "PT_LOAD outside the 39-bit address space");
        }
        if (((s.vaddr - s.offset) & (page - 1)) != 0) {
            throw error(LoadError.Kind.MALFORMED, name, "PT_LOAD offset and address disagree modulo the page size");
        }
        if (s.offset > fileLength - s.filesz) {
            throw error(LoadError.Kind.TRUNCATED, name, "truncated ELF file (a segment ends past the end of the file)");
        }
    }

    private static String interpreter(Segment s, byte[] data, String name) throws LoadError {
        if (s.offset < 0 || s.filesz < 0 || s.offset > data.length - s.filesz) {
            throw error(LoadError.Kind.TRUNCATED, name, "truncated ELF file (PT_INTERP past the end)");
        }
        int from = (int) s.offset, length = (int) s.filesz;
        if (length < 2 || data[from + length - 1] != 0) throw error(LoadError.Kind.MALFORMED, name, "bad PT_INTERP");
        return new String(data, from, length - 1, StandardCharsets.UTF_8);
    }

    /** Lowest page the PT_LOAD segments need, as QEMU computes it (min of p_vaddr - p_offset). */
    public long loadLow() {
        long low = Long.MAX_VALUE;
        for (Segment s : segments) if (s.type == PT_LOAD) low = Math.min(low, s.vaddr - s.offset);
        return low;
    }

    /** One past the highest byte the PT_LOAD segments occupy (max of p_vaddr + p_memsz). */
    public long loadHigh() {
        long high = 0;
        for (Segment s : segments) if (s.type == PT_LOAD) high = Math.max(high, s.vaddr + s.memsz);
        return high;
    }

    private static LoadError error(LoadError.Kind kind, String name, String what) {
        return new LoadError(kind, name + ": " + what);
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 3 -> "i386";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "s390";
            case 40 -> "ARM";
            case 62 -> "x86-64";
            case 183 -> "AArch64";
            case 258 -> "LoongArch";
            default -> "machine " + machine;
        };
    }
}
