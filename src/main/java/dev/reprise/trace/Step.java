package dev.reprise.trace;

import dev.reprise.isa.Disassembler;

/**
 * One decoded trace record: an instruction that retired (with its effects), a change of state
 * without one (a signal delivered), or a full register state (where a stream starts). Mutable and
 * reused by the reader, so that reading allocates nothing per record.
 */
public final class Step {
    public enum Kind { INSN, CHANGE, STATE }

    /** Effect types (also their encoding in the stream). */
    public static final int X = 0, F = 1, FCSR = 2, STORE = 3, LOAD = 4;

    public Kind kind;
    public int vcpu;
    /** The instruction's icount (for CHANGE and STATE: the icount of the next instruction). */
    public long icount;
    /** The instruction's pc (for CHANGE and STATE: the new pc). */
    public long pc;
    /** The instruction word (16 bits for a compressed one); INSN only. */
    public int bits;

    /** Effects, in the writer's canonical order: x ascending, f ascending, fcsr, memory. */
    int count;
    byte[] type = new byte[8];
    /** The register number; for memory effects the access size in bytes. */
    byte[] reg = new byte[8];
    long[] value = new long[8];
    long[] address = new long[8];

    public int effects() {
        return count;
    }

    public int type(int e) {
        return type[e];
    }

    public int reg(int e) {
        return reg[e];
    }

    public long value(int e) {
        return value[e];
    }

    public long address(int e) {
        return address[e];
    }

    void clear() {
        count = 0;
    }

    void add(int t, int r, long v, long a) {
        if (count == type.length) {
            int n = count * 2;
            type = java.util.Arrays.copyOf(type, n);
            reg = java.util.Arrays.copyOf(reg, n);
            value = java.util.Arrays.copyOf(value, n);
            address = java.util.Arrays.copyOf(address, n);
        }
        type[count] = (byte) t;
        reg[count] = (byte) r;
        value[count] = v;
        address[count] = a;
        count++;
    }

    /** Same record: kind, icount, pc, bits and every effect. */
    public boolean sameAs(Step o) {
        if (kind != o.kind || icount != o.icount || pc != o.pc || bits != o.bits || count != o.count) return false;
        for (int e = 0; e < count; e++) {
            if (type[e] != o.type[e] || reg[e] != o.reg[e] || value[e] != o.value[e] || address[e] != o.address[e]) {
                return false;
            }
        }
        return true;
    }

    /** Effect {@code e} as text: "a0=0x5", "ft0=0x...", "fcsr=0x1", "st8 0x1000=0x2a", "ld4 0x1000". */
    public String effect(int e) {
        return switch (type[e]) {
            case X -> Disassembler.xreg(reg[e]) + "=0x" + Long.toHexString(value[e]);
            case F -> Disassembler.freg(reg[e]) + "=0x" + Long.toHexString(value[e]);
            case FCSR -> "fcsr=0x" + Long.toHexString(value[e]);
            case STORE -> "st" + reg[e] + " 0x" + Long.toHexString(address[e]) + "=0x" + Long.toHexString(value[e]);
            default -> "ld" + reg[e] + " 0x" + Long.toHexString(address[e]);
        };
    }

    /** All effects, space-separated. */
    public String effects(String separator) {
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < count; e++) {
            if (e > 0) sb.append(separator);
            sb.append(effect(e));
        }
        return sb.toString();
    }

    /** Copies {@code o} into this step. */
    public void copyFrom(Step o) {
        kind = o.kind;
        vcpu = o.vcpu;
        icount = o.icount;
        pc = o.pc;
        bits = o.bits;
        count = o.count;
        if (type.length < count) {
            type = new byte[o.type.length];
            reg = new byte[o.type.length];
            value = new long[o.type.length];
            address = new long[o.type.length];
        }
        System.arraycopy(o.type, 0, type, 0, count);
        System.arraycopy(o.reg, 0, reg, 0, count);
        System.arraycopy(o.value, 0, value, 0, count);
        System.arraycopy(o.address, 0, address, 0, count);
    }
}
