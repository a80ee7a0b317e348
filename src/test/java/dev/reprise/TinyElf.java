package dev.reprise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal static riscv64 ELF writer for generated test programs: an ET_EXEC with two PT_LOAD
 * segments, code (R-X) and data (RW-), no sections, no symbols. Enough for qemu-riscv64 and
 * Reprise's loader; no cross toolchain needed.
 *
 * <p>File layout: ELF header and the two program headers in the first page, the code from file
 * offset {@code 0x1000}, the data from the next page boundary after it. Both addresses must be
 * page-aligned (a segment's offset and address then agree modulo the page size, as loaders require).
 *
 * @param textAddress page-aligned address of the code; also the entry point
 * @param text        the code
 * @param dataAddress page-aligned address of the data, above the code
 * @param data        the initial data
 * @param dataMemSize the data segment's size in memory ({@code >= data.length}; the rest is zero)
 */
public record TinyElf(long textAddress, byte[] text, long dataAddress, byte[] data, long dataMemSize) {
    private static final int PAGE = 4096, EHDR = 64, PHDR = 56;
    private static final int PT_LOAD = 1, PF_X = 1, PF_W = 2, PF_R = 4;
    private static final short ET_EXEC = 2, EM_RISCV = 243;
    /** EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE, as gcc marks RV64GC lp64d programs. */
    private static final int E_FLAGS = 0x0001 | 0x0004;

    public TinyElf {
        if (textAddress % PAGE != 0 || dataAddress % PAGE != 0) throw new IllegalArgumentException("addresses must be page-aligned");
        if (dataAddress < textAddress + text.length) throw new IllegalArgumentException("data overlaps the code");
        if (dataMemSize < data.length) throw new IllegalArgumentException("dataMemSize < data.length");
    }

    /** The ELF image. */
    public byte[] bytes() {
        long textOffset = PAGE;
        long dataOffset = pageUp(textOffset + text.length);
        ByteBuffer b = ByteBuffer.allocate((int) (dataOffset + data.length)).order(ByteOrder.LITTLE_ENDIAN);
        // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        b.putShort(ET_EXEC).putShort(EM_RISCV).putInt(1);
        b.putLong(textAddress);            // e_entry
        b.putLong(EHDR);                   // e_phoff
        b.putLong(0);                      // e_shoff
        b.putInt(E_FLAGS);
        b.putShort((short) EHDR).putShort((short) PHDR).putShort((short) 2); // e_ehsize, e_phentsize, e_phnum
        b.putShort((short) 64).putShort((short) 0).putShort((short) 0);      // e_shentsize, e_shnum, e_shstrndx
        programHeader(b, PF_R | PF_X, textOffset, textAddress, text.length, text.length);
        programHeader(b, PF_R | PF_W, dataOffset, dataAddress, data.length, dataMemSize);
        b.put((int) textOffset, text);
        b.put((int) dataOffset, data);
        return b.array();
    }

    /** Writes the image to {@code file} and makes it executable. */
    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        file.toFile().setExecutable(true);
        return file;
    }

    private static void programHeader(ByteBuffer b, int flags, long offset, long address, long fileSize, long memSize) {
        b.putInt(PT_LOAD).putInt(flags);
        b.putLong(offset).putLong(address).putLong(address); // p_offset, p_vaddr, p_paddr
        b.putLong(fileSize).putLong(memSize).putLong(PAGE);
    }

    private static long pageUp(long n) {
        return (n + PAGE - 1) & -PAGE;
    }
}
