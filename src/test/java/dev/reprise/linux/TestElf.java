package dev.reprise.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds small synthetic riscv64 ELF files for loader tests; each field can be spoiled on purpose. */
final class TestElf {
    record Phdr(int type, int flags, long offset, long vaddr, long filesz, long memsz) {}

    int type = ElfFile.ET_EXEC;
    int machine = ElfFile.EM_RISCV;
    int elfClass = 2;
    long entry = 0x10078;
    final List<Phdr> phdrs = new ArrayList<>();
    /** File contents after the headers are this byte, so that bytes past p_filesz are visibly non-zero. */
    byte fill = (byte) 0xAA;
    int size = 0x3000;
    String interpreter;

    TestElf load(int flags, long offset, long vaddr, long filesz, long memsz) {
        phdrs.add(new Phdr(ElfFile.PT_LOAD, flags, offset, vaddr, filesz, memsz));
        return this;
    }

    /** A static ET_EXEC: text at 0x10000 (R X, the first page of the file), data at 0x11f00 (RW, 0x200 in the file, 0x2100 in memory). */
    static TestElf staticExec() {
        return new TestElf()
                .load(ElfFile.PF_R | ElfFile.PF_X, 0, 0x10000, 0x1000, 0x1000)
                .load(ElfFile.PF_R | ElfFile.PF_W, 0x1f00, 0x11f00, 0x200, 0x2100);
    }

    /** The same, position-independent (ET_DYN linked at 0). */
    static TestElf staticPie() {
        TestElf e = new TestElf();
        e.type = ElfFile.ET_DYN;
        e.entry = 0x78;
        return e.load(ElfFile.PF_R | ElfFile.PF_X, 0, 0, 0x1000, 0x1000)
                .load(ElfFile.PF_R | ElfFile.PF_W, 0x1f00, 0x1f00, 0x200, 0x2100);
    }

    byte[] bytes() {
        int phnum = phdrs.size() + (interpreter != null ? 1 : 0);
        byte[] file = new byte[size];
        Arrays.fill(file, fill);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        b.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, 1).putLong(24, entry)
                .putLong(32, 64).putLong(40, 0).putInt(48, 0).putShort(52, (short) 64).putShort(54, (short) 56)
                .putShort(56, (short) phnum).putShort(58, (short) 64).putShort(60, (short) 0).putShort(62, (short) 0);
        int at = 64;
        if (interpreter != null) {
            byte[] path = (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
            int where = 64 + 56 * phnum;
            b.put(where, path);
            phdr(b, at, new Phdr(ElfFile.PT_INTERP, ElfFile.PF_R, where, where, path.length, path.length));
            at += 56;
        }
        for (Phdr p : phdrs) {
            phdr(b, at, p);
            at += 56;
        }
        return file;
    }

    private static void phdr(ByteBuffer b, int at, Phdr p) {
        b.putInt(at, p.type).putInt(at + 4, p.flags).putLong(at + 8, p.offset).putLong(at + 16, p.vaddr)
                .putLong(at + 24, p.vaddr).putLong(at + 32, p.filesz).putLong(at + 40, p.memsz).putLong(at + 48, 0x1000);
    }
}
