package dev.reprise.jit;

import dev.reprise.cpu.Hart;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;

/**
 * One translated guest block: straight-line code from {@link #pc} up to and including the
 * instruction that ends it. {@link Translator} generates a hidden subclass per block.
 *
 * <p>{@link #execute} runs the whole block and leaves the hart exactly as the interpreter would after
 * the same instructions: registers written back, pc and icount exact, also when an instruction in
 * the middle traps (then pc is on it, it is not retired, and the {@link dev.reprise.cpu.Trap} is thrown).
 *
 * <p>Immutable; owned by the translation buffer of the vCPU that translated it.
 */
public abstract class Block {
    /** Guest pc of the first instruction. */
    public final long pc;
    /** Instructions in the block: what it retires unless one traps. */
    public final int length;
    /** The decoded instructions; the generated code hands the ones it does not translate to the interpreter. */
    protected final Insn[] insns;
    /** The block ends with fence.i: this vCPU drops its translations after running it. */
    final boolean endsWithFenceI;

    protected Block(long pc, int length, Insn[] insns) {
        this.pc = pc;
        this.length = length;
        this.insns = insns;
        this.endsWithFenceI = insns[length - 1].op() == Op.FENCE_I;
    }

    /** Runs the block on {@code h} (whose pc is {@link #pc}). */
    public abstract void execute(Hart h);
}
