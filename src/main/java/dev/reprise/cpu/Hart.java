package dev.reprise.cpu;

import dev.reprise.isa.Decoder;
import dev.reprise.isa.Insn;
import dev.reprise.mem.Mmu;

/**
 * The architectural state of one RISC-V hart (one guest thread, one vCPU): integer and FP
 * registers, pc, fcsr, and the retired-instruction count that is the clock of record and replay.
 *
 * <p>Threading: owned by its vCPU thread. Other threads read it only while the vCPU is stopped
 * (debugger, checkpoints) or when creating it (clone copies the parent's registers before the
 * child thread starts).
 */
public final class Hart implements dev.reprise.mem.AddressSpace.CodeWatcher {
    /** x0..x31; x[0] is always zero (writes go through {@link #setX}). */
    public final long[] x = new long[32];
    /** f0..f31 as raw 64-bit patterns; singles are NaN-boxed (upper 32 bits all ones). */
    public final long[] f = new long[32];
    public long pc;
    /** fcsr.frm: the dynamic rounding mode (0..4 valid; 5..7 make dynamic-rm FP ops illegal). */
    public int frm;
    /** fcsr.fflags: NV=16, DZ=8, OF=4, UF=2, NX=1; accrued (only ever OR-ed into by FP ops). */
    public int fflags;
    /** Retired instructions of this hart (an ecall counts on entering the kernel; a faulting one never). */
    public long icount;
    /**
     * Set by translated code that left its region before an instruction in the middle of a block
     * (a TLB miss in a recording's code), pc and icount on that instruction; the JIT clears it and
     * runs the rest of the block in the interpreter. Own thread.
     */
    public boolean leftMidBlock;
    /**
     * Set by another thread that needs this vCPU at a block boundary soon (the recorder's
     * ownership requests, the replayer, checkpoints: {@link #requestAttention}); {@code Jit.run}
     * returns early when it is set. Cleared by the owner when it serves the request.
     */
    public volatile boolean attention;
    /**
     * Set by any thread that changed the address space's code epoch ({@link #codeChanged}, once
     * the JIT watches the space); the JIT clears it before it reads the epoch again. Comparing the
     * epoch in loops instead kept the address space and the epoch at entry live in every loop, and
     * C2 spilled the guest's registers for them (docs/performance.md, 2026-11-28 05:00–06:30).
     */
    public volatile boolean codeStale;
    /**
     * Set by another thread that has given this vCPU's task loop something to serve between
     * slices (a signal, a TLB flush, the process ending: {@link #requestService}). A plain run's
     * translated loops do not count their budget ({@code Jit.runAbout}), so without it such a
     * vCPU could stay in a loop for ever. Cleared by the owner's task loop before it looks at
     * what there is to serve, so a request made after that look is seen at the next one.
     */
    public volatile boolean serviceWanted;
    /**
     * What translated loops test at their heads, one load instead of three: set after {@link
     * #attention}, {@link #codeStale} or {@link #serviceWanted} (by whoever sets them), so a loop
     * that sees it false has nothing to leave for. Only the owner clears it, and then reads the
     * flags again and sets it back if one is set ({@code Jit.lookup}): a setter's flag is written
     * before this one, so the owner either sees the flag or its clear comes first and the setter's
     * write stays.
     */
    public volatile boolean leave;

    /** Another thread needs this vCPU at a block boundary soon: see {@link #attention}. */
    public void requestAttention() {
        attention = true;
        leave = true;
    }

    /** Another thread has given this vCPU's task loop something to serve: see {@link #serviceWanted}. */
    public void requestService() {
        serviceWanted = true;
        leave = true;
    }

    @Override
    public void codeChanged() {
        codeStale = true;
        leave = true;
    }

    public final Mmu mmu;
    /** What ecall and the counters reach: the operating system this hart runs under. */
    public final SystemInterface system;

    public Hart(Mmu mmu, SystemInterface system) {
        this.mmu = mmu;
        this.system = system;
    }

    /**
     * Decoded instructions, direct-mapped by their bits (decoding depends on nothing else, so
     * self-modifying code needs no invalidation here). Owned by this hart's thread.
     */
    private final Insn[] decoded = new Insn[1 << 12];

    /** Decodes {@code bits} (a 16-bit parcel or a 32-bit word), through the cache. */
    public Insn decode(int bits) {
        int slot = (bits ^ bits >>> 12 ^ bits >>> 20) & (decoded.length - 1);
        Insn insn = decoded[slot];
        if (insn == null || insn.raw() != bits) decoded[slot] = insn = Decoder.decode(bits);
        return insn;
    }

    public void setX(int r, long v) {
        if (r != 0) x[r] = v;
    }

    public static final int FFLAG_NV = 16, FFLAG_DZ = 8, FFLAG_OF = 4, FFLAG_UF = 2, FFLAG_NX = 1;

    /** Copies registers, pc and fcsr from {@code other} (clone); icount starts at zero. */
    public void copyRegistersFrom(Hart other) {
        System.arraycopy(other.x, 0, x, 0, 32);
        System.arraycopy(other.f, 0, f, 0, 32);
        pc = other.pc;
        frm = other.frm;
        fflags = other.fflags;
    }
}
