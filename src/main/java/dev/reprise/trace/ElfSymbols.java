package dev.reprise.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The code symbols of an ELF file's symbol table (.symtab), for naming pcs as {@code main+0x24}.
 * A file without one (stripped, missing, not ELF) gives an empty table: symbols only decorate.
 */
public final class ElfSymbols {
    private static final int SHT_SYMTAB = 2, STT_NOTYPE = 0, STT_FUNC = 2, STB_GLOBAL = 1;
    private static final ElfSymbols NONE = new ElfSymbols(new TreeMap<>(), 0);

    /** rank: functions before labels, globals before locals, when several name one address. */
    private record Symbol(String name, long size, int rank) {}

    /** By address (as in the file). */
    private final TreeMap<Long, Symbol> byAddress;
    /** Added to file addresses to get run-time ones (static-pie). */
    private final long bias;

    private ElfSymbols(TreeMap<Long, Symbol> byAddress, long bias) {
        this.byAddress = byAddress;
        this.bias = bias;
    }

    public static ElfSymbols none() {
        return NONE;
    }

    /** The symbols of {@code file} as loaded with {@code bias}; empty when it has none or cannot be read. */
    public static ElfSymbols read(Path file, long bias) {
        try {
            return new ElfSymbols(parse(Files.readAllBytes(file)), bias);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    private static TreeMap<Long, Symbol> parse(byte[] data) {
        TreeMap<Long, Symbol> symbols = new TreeMap<>();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 64 || b.getInt(0) != 0x464c457f || data[4] != 2) return symbols;
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A)), shnum = Short.toUnsignedInt(b.getShort(0x3C));
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != SHT_SYMTAB) continue;
            int offset = (int) b.getLong(sh + 0x18), size = (int) b.getLong(sh + 0x20), entsize = (int) b.getLong(sh + 0x38);
            int strtab = (int) b.getLong((int) (shoff + (long) b.getInt(sh + 0x28) * shentsize) + 0x18);
            for (int at = offset; at + entsize <= offset + size; at += entsize) {
                int info = data[at + 4], type = info & 15;
                int shndx = Short.toUnsignedInt(b.getShort(at + 6));
                if ((type != STT_FUNC && type != STT_NOTYPE) || shndx == 0 || shndx >= 0xff00) continue;
                String name = cString(data, strtab + b.getInt(at));
                if (name.isEmpty() || name.startsWith("$") || name.startsWith(".L")) continue;
                long value = b.getLong(at + 8);
                Symbol s = new Symbol(name, b.getLong(at + 16), (type == STT_FUNC ? 2 : 0) + ((info >> 4) == STB_GLOBAL ? 1 : 0));
                Symbol old = symbols.get(value);
                if (old == null || s.rank > old.rank) symbols.put(value, s);
            }
        }
        return symbols;
    }

    private static String cString(byte[] data, int at) {
        int end = at;
        while (end < data.length && data[end] != 0) end++;
        return new String(data, at, end - at, StandardCharsets.UTF_8);
    }

    /** "name+0x24", "name" at its start, or "" when no symbol covers {@code pc}. */
    public String name(long pc) {
        Map.Entry<Long, Symbol> e = byAddress.floorEntry(pc - bias);
        if (e == null) return "";
        long offset = pc - bias - e.getKey();
        Symbol s = e.getValue();
        if (s.size > 0 && offset >= s.size) return "";
        return offset == 0 ? s.name : s.name + "+0x" + Long.toHexString(offset);
    }
}
