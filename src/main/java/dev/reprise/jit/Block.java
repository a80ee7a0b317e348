package dev.reprise.jit;

import dev.reprise.cpu.Hart;
import dev.reprise.cpu.StepObserver;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;

/**
 * One translated region: the guest block at {@link #pc} and the blocks it reaches within its page,
 * jumps between them kept inside the generated method. {@link Translator} generates a hidden
 * subclass per region.
 *
 * <p>{@link #execute} runs blocks, whole ones only, while they fit in its budget, and leaves the
 * hart exactly as the interpreter would after the same instructions: registers written back, pc
 * and icount exact, also when an instruction in the middle traps (then pc is on it, it is not
 * retired, and the {@link dev.reprise.cpu.Trap} is thrown).
 *
 * <p>Immutable once translated (but for its variants {@link #careful}, {@link #fast},
 * {@link #free} and {@link #withCalls}, each set once or made anew ({@link #left}), and the racy
 * counts {@link #missExits} and {@link #leftAt}), and shared by the translation buffers of all the
 * vCPUs of an address space ({@link Jit}'s {@code Shared}).
 */
public abstract class Block {
    /** Guest pc of the first instruction. */
    public final long pc;
    /** Instructions in the first block: the least budget {@link #execute} needs to make progress. */
    public final int length;
    /** Instructions in all blocks: a fast region is only entered with at least this budget. */
    final int total;
    /**
     * What this region's code checks before its blocks: the budget before each (careful), the
     * budget and {@link Hart#leave} at loop heads (fast), or only {@link Hart#leave} there (free).
     * Set by {@link Translator} before the block is published.
     */
    Translator.Checks checks;
    /**
     * This region's variants with other checks ({@link #variant}), each null until first needed.
     * Exact runs take the fast one when the budget covers the whole region ({@link #total}) and
     * the careful one for smaller budgets (the end of a slice, replay's exact stops, one block at
     * a time); runs that need not stop anywhere in particular ({@code Jit.runAbout}: a plain run,
     * a recording where the recorder wants no stop) take the free one, which runs until control
     * leaves the region or something asks the vCPU to leave, however long that takes. Its leave
     * test is a branch HotSpot sees never taken, so C2 compiles its loops with no exit at their
     * heads: a budget test there is an exit, and exits at loop heads made C2's code of the whole
     * region worse (docs/performance.md, 2026-11-28 11:55–); the first time the test is taken,
     * that code is thrown away and compiled again with the exit. Each variant is made once for
     * all the vCPUs that share the region: two vCPUs that each made their own ran, and HotSpot
     * compiled, two classes of the same code (bench_core_2: 21 careful classes for 17 regions).
     */
    Block careful, fast, free;
    /**
     * Translated for a recording: a TLB miss asks the vCPU's word bits of a split page first
     * ({@link dev.reprise.mem.Mmu#fineRead}). Other runs never split pages, so their code has
     * none of that bytecode (~25 bytes per access, which counts against the region size limit).
     * Set by {@link Translator} before the block is published; its variants have the same.
     */
    boolean fine;
    /**
     * An untraced region whose TLB misses (those that a recording's split-page word bits do not
     * answer) leave it before their instruction ({@link Hart#leftMidBlock}; the JIT runs the rest
     * of that block in the interpreter) instead of calling the Mmu. With a call on the miss branch,
     * C2 kept the Mmu and more of the loop's values on the stack for the whole loop (bench_cpu_2's
     * recording: 7 % more vCPU time; plain runs 2–4 % on four of five benchmarks, docs/jit.md).
     * A region that leaves often (a program whose accesses keep missing the TLB, or misaligned
     * ones) pays ~1 µs each time, so after
     * {@link #MISS_EXITS} of them it is replaced by its variant that calls ({@link #current()}).
     * Set by {@link Translator} before the block is published; its variants have the same.
     */
    boolean exits;
    /** Exits on TLB misses after which an {@link #exits} region gives way to its variant with calls. */
    static final int MISS_EXITS = 1000;
    /** Exits on TLB misses so far, counted by any vCPU that runs this region (a racy count: it only needs to get large). */
    int missExits;
    /** The variant of this region that calls the Mmu on TLB misses; null until it has left {@link #MISS_EXITS} times. */
    Block withCalls;
    /**
     * {@link #execute} of this class, as a method handle of type (Block, Hart, long, int)void: the
     * JIT enters the region through it. Set by {@link Translator} before the block is published.
     *
     * <p>Why not a plain virtual call: HotSpot compiles the JIT's call site, seeing one or two
     * region classes there, as direct calls to their compiled code. When that code is thrown away
     * (a vCPU left a shared loop by a branch the profile never saw taken), the calls from that
     * site went on into the bytecode interpreter even after C2 had compiled the region again:
     * every other vCPU in that loop then ran each slice in the interpreter, entering C2's OSR code
     * part way, for seconds (bench_cpu_2 240000000: the second thread ended 0.9-4.6 s after the
     * first). A method handle call always enters the method's current code (docs/performance.md,
     * 2026-11-27 22:00–23:00).
     */
    java.lang.invoke.MethodHandle entry;
    private static final java.lang.invoke.VarHandle CAREFUL, FAST, FREE, WITH_CALLS;
    static {
        try {
            CAREFUL = java.lang.invoke.MethodHandles.lookup().findVarHandle(Block.class, "careful", Block.class);
            FAST = java.lang.invoke.MethodHandles.lookup().findVarHandle(Block.class, "fast", Block.class);
            FREE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Block.class, "free", Block.class);
            WITH_CALLS = java.lang.invoke.MethodHandles.lookup().findVarHandle(Block.class, "withCalls", Block.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The region to run for this one: itself, or its variant with calls once it has left too often. Any vCPU. */
    final Block current() {
        Block w = (Block) WITH_CALLS.getAcquire(this);
        return w != null ? w : this;
    }

    /**
     * It left before an instruction on a TLB miss ({@link #exits}); after {@link #MISS_EXITS} of
     * those, publishes its variant with calls (any vCPU; as for {@link #variant}, the first published wins).
     */
    final void leftOnMiss() {
        if (++missExits < MISS_EXITS || WITH_CALLS.getAcquire(this) != null) return;
        WITH_CALLS.compareAndExchange(this, (Block) null, Translator.withCalls(this));
    }

    /**
     * This region's variant with {@code checks}: itself if it has them (or is traced: traced code
     * is careful and is the only code a traced vCPU runs), else the one made for it,
     * translated on first need. Any vCPU: when two make one at once, the first published wins and
     * both run it (the other is never run, so never compiled). Callers ask the region they looked
     * up ({@link #current()}), never a variant, so that each region has one of each.
     */
    final Block variant(Translator.Checks want) {
        if (observer != null) return this;
        // Each VarHandle named here, not chosen first: a VarHandle that is not a constant is not
        // inlined, and this runs at every entry into translated code.
        Block v = switch (want) {
            case CAREFUL -> (Block) CAREFUL.getAcquire(this);
            case FAST -> (Block) FAST.getAcquire(this);
            case FREE -> (Block) FREE.getAcquire(this);
        };
        if (v != null) return v;   // made for it, or made anew (left)
        if (checks == want) return this;
        v = Translator.variant(this, want);
        Block won = (Block) field(want).compareAndExchange(this, (Block) null, v);
        return won != null ? won : v;
    }

    private static java.lang.invoke.VarHandle field(Translator.Checks checks) {
        return switch (checks) { case CAREFUL -> CAREFUL; case FAST -> FAST; case FREE -> FREE; };
    }

    /**
     * Its variant {@code stale} (what {@link #variant}{@code (checks)} returned) just left a loop at
     * its head because something asked its vCPU to leave ({@link Hart#leave}): if that is rare for
     * this region (no such leave for {@link #QUIET}, nor since its translation), makes that variant
     * anew, a new class. Why: a free loop's leave test is a branch HotSpot saw never taken, so it
     * compiled the loop with no exit there; the first time the test is taken HotSpot throws that
     * code away and compiles the method again with the exit, which made the whole loop slower for
     * the rest of the run (~20 %, docs/performance.md, 2026-11-28 11:55–). A new class has a new
     * profile: a rare request (a signal, a TLB flush, a checkpoint's cut) costs one more
     * compilation, not a slower loop. A region whose vCPUs are asked to leave all the time (a
     * recording of threads that share a lot, a frequent timer signal) keeps its exit: made anew
     * each time, its loops would run mostly uncompiled. Any vCPU: the first to publish wins.
     */
    final void left(Translator.Checks checks, Block stale) {
        long now = System.nanoTime(), quietFor = now - leftAt;
        leftAt = now;
        if (quietFor >= QUIET) field(checks).compareAndExchange(this, stale == this ? null : stale, Translator.variant(this, checks));
    }

    /** How long a region must have run without being asked to leave for a request to be rare. */
    static final long QUIET = 100_000_000L;
    /** When a loop of it last left because asked to (at first: its translation). Racy, any vCPU: at worst one renewal more or less. */
    private long leftAt = System.nanoTime();

    /**
     * Whether a block of this region starts at {@code pc}: after the region returns, a loop left at
     * its head (its direct edges to its own blocks stay inside; only an indirect jump could leave
     * for one, and then {@link #left} at worst renews once too often).
     */
    final boolean startsBlock(long pc) {
        for (long start : entryPcs) {
            if (start == pc) return true;
        }
        return false;
    }

    /** Each block's pc and length: {@link #execute} may enter at any of them (entry = index). */
    final long[] entryPcs;
    final int[] entryLengths;
    /** The decoded instructions of all blocks; the generated code hands the ones it does not translate to the interpreter. */
    protected final Insn[] insns;
    /** The region holds a fence.i: this vCPU drops its translations after running it. */
    final boolean hasFenceI;
    /**
     * Who hears of every instruction, in a traced translation (null otherwise: untraced code
     * never reads it). Set once by the translator before the block is used.
     */
    StepObserver observer;

    protected Block(long[] entryPcs, int[] entryLengths, Insn[] insns) {
        this.pc = entryPcs[0];
        this.length = entryLengths[0];
        this.entryPcs = entryPcs;
        this.entryLengths = entryLengths;
        this.insns = insns;
        this.total = insns.length;
        this.hasFenceI = java.util.Arrays.stream(insns).anyMatch(i -> i.op() == Op.FENCE_I);
    }

    /**
     * Runs on {@code h} from the start of block {@code entry} (h.pc is {@code entryPcs[entry]}),
     * retiring at most {@code budget} instructions (at least that block's length; at least
     * {@link #total} unless this is a careful region; a free region does not count them),
     * until control leaves the region, the budget
     * does not cover the next block, or something asks the vCPU to leave (loop heads check
     * {@link Hart#leave}: translated code was invalidated, {@link Hart#attention} or
     * {@link Hart#serviceWanted} was set).
     */
    public abstract void execute(Hart h, long budget, int entry);

    /**
     * For generated code: instruction {@code index} of the region (its registers written back)
     * found a reserved dynamic rounding mode. Sets pc and icount ({@code icount}: at the start of
     * its block) on it and runs it in the interpreter, which raises the illegal-instruction trap.
     */
    public final void reservedRoundingMode(Hart h, int index, long icount) {
        int first = 0, j = 0;
        while (first + entryLengths[j] <= index) first += entryLengths[j++];
        long pc = entryPcs[j];
        for (int k = first; k < index; k++) pc += insns[k].length();
        h.pc = pc;
        h.icount = icount + index - first;
        dev.reprise.cpu.Interpreter.executeAt(h, insns[index]);
    }
}
