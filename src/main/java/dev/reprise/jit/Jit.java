package dev.reprise.jit;

import dev.reprise.cpu.Hart;
import dev.reprise.cpu.Interpreter;
import dev.reprise.cpu.StepObserver;
import dev.reprise.cpu.Trap;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.MemoryFault;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One vCPU's JIT: its translation buffer (a direct-mapped jump cache in front of a map keyed by
 * guest pc) and the loop that runs translated blocks within an instruction budget.
 *
 * <p>Threading: owned by the vCPU's thread; no lock. Other vCPUs reach it only through the address
 * space's code epoch ({@link AddressSpace#invalidateCode()}), which this vCPU reads before every
 * block and answers by dropping all its translations; a change also sets {@link Hart#codeStale}
 * and {@link Hart#leave} (this JIT watches the space), which makes translated loops leave at their heads.
 *
 * <p>Bounded: at {@link #CAPACITY} entries the whole buffer is dropped (hidden classes are
 * unloaded once unreachable), so a guest that touches a lot of code cannot grow memory without bound.
 *
 * <p>The buffer is this vCPU's, but the regions in it are shared with the other vCPUs of the
 * address space ({@link Shared}): a region one vCPU translated is entered by the others without
 * translating it, and HotSpot compiling it, again.
 */
public final class Jit {
    static final int JUMP_CACHE = 1 << 12;
    static final int CAPACITY = 1 << 14;
    /**
     * Times a block start runs in the interpreter before it is translated: most code runs only a
     * few times (start-up, libc initialisation), and translating it costs more than interpreting
     * it. 0 translates everything at once (the lock-step test does, to cover all code). Read when
     * a vCPU is created, from the system property reprise.jit.threshold.
     * 2000: glibc's start-up runs its busiest block about that often, and a translation (class
     * generation, then HotSpot compiling it) costs more than 2000 interpreted runs of a block; at
     * 32, hello translated 7 blocks, which took a tenth of its start-up (docs/performance.md).
     * Tests that want small programs translated set the property lower (pom.xml).
     */
    static int defaultThreshold() {
        return Integer.getInteger("reprise.jit.threshold", 2000);
    }

    private final int capacity;
    private int threshold;
    /** Hears of every instruction when this vCPU is traced ({@link #observe}); null: untraced, full speed. */
    private StepObserver observer;
    /** Executions of not-yet-translated block starts, direct-mapped by pc (collisions only make a block hot sooner); shorts, as the threshold is above a byte. */
    private final short[] heat = new short[JUMP_CACHE];
    private final Hart hart;
    private final AddressSpace space;
    /** Where translated code can be entered: a region and one of its blocks. */
    record Entry(Block region, int index, long pc, int length) {}

    private final Entry[] jumpCache = new Entry[JUMP_CACHE];
    /**
     * Per jump-cache slot, the last pc looked up there that has no translation (NOT_A_PC: none):
     * while it stays cold, its next arrivals count heat without a map lookup (a boxed Long per
     * interpreted block: a tenth of a replay of many lukewarm threads). Cleared when that pc gets
     * an entry, and by a flush.
     */
    private final long[] coldPc = new long[JUMP_CACHE];
    private static final long NOT_A_PC = -1;   // odd: never a pc
    /** Every block start that translated code can be entered at (a region's blocks each get one unless they already have one). */
    private final HashMap<Long, Entry> blocks = new HashMap<>();
    /** The code epoch this buffer's translations are valid for. */
    private long epoch;
    /** Translations made so far, and regions taken from another vCPU (for tests and statistics). */
    long translated, flushes, reused;
    /** Regions of this address space that any of its vCPUs translated. */
    private final Shared shared;
    /**
     * Set by this vCPU's fence.i until the code epoch changes: its own stores may have changed
     * code without advancing the epoch (its TLB held write rights from before the page held
     * code), so it translates for itself and neither takes nor offers shared regions.
     */
    private boolean privateCode;
    /**
     * The last {@link #run} ended inside a block (its budget ended there), or a region just left in
     * the middle of one ({@link Hart#leftMidBlock}): that block is finished in the interpreter (if pc
     * moved meanwhile, a signal or a debugger, it interprets one block from there, which is harmless).
     */
    private boolean insideBlock;
    /** Whether the current run is a {@link #runAbout} (set by each run): it takes free variants, and a region it translates is made free first. */
    private boolean about;
    /** The last {@link #region} returned null because another vCPU was translating (one at a time): interpret meanwhile, look again at the next arrival. */
    private boolean othersTranslating;

    public Jit(Hart hart) {
        this(hart, CAPACITY, defaultThreshold());
    }

    /** A JIT whose buffer holds at most {@code capacity} blocks and that translates a block on its {@code threshold}+1st run. */
    Jit(Hart hart, int capacity, int threshold) {
        this.capacity = capacity;
        this.threshold = Math.min(threshold, Short.MAX_VALUE);
        this.hart = hart;
        this.space = hart.mmu.space();
        space.watchCode(hart);   // before reading the epoch, so that no change goes unheard
        this.epoch = space.codeEpoch();
        this.shared = Shared.of(space);
        java.util.Arrays.fill(coldPc, NOT_A_PC);
    }

    /**
     * Runs exactly {@code budget} instructions, like {@link Interpreter#run}, unless a trap ends
     * the run early (pc on the faulting instruction, as the interpreter leaves it) or
     * {@link Hart#attention} or {@link Hart#serviceWanted} is set (then it returns at the next
     * block boundary: while either is set, loops leave at their heads at once): whole blocks
     * while they fit in what is left, the rest one instruction at a time in the interpreter.
     */
    public void run(int budget) {
        Hart h = hart;
        long end = h.icount + budget;
        // The last run ended inside a block: finish it in the interpreter. Looking its pc up would
        // heat it, and every pc where slices happen to end would become a region of its own.
        if (insideBlock) insideBlock = !interpretBlock(end);
        about = false;
        while (h.icount < end && !h.attention && !h.serviceWanted) {
            Entry b = lookup(h.pc);
            if (b != null && b.length() <= end - h.icount) execute(b, end - h.icount);
            else insideBlock = !interpretBlock(end);   // not translated yet, or the budget ends inside this block
        }
    }

    /**
     * Runs about {@code budget} instructions: like {@link #run}, but the last region entered runs
     * on until control leaves it or {@link Hart#leave} is set, however far past the budget, and
     * the last block is finished; it also returns when {@link Hart#serviceWanted} is set. For runs
     * that stop nowhere in particular (a plain run's slices, a recording's where the recorder wants
     * no stop: nothing is recorded or replayed at their ends). It takes each region's
     * {@link Block#free free} variant, whose loops test only {@link Hart#leave}: a budget test at a
     * loop head is an exit there, and exits at loop heads made HotSpot's code of the whole region
     * worse (bench_cpu_1 2.79 → 2.22 s without them, docs/performance.md), and such a run never
     * needs a careful variant either, which HotSpot compiled too, with C2, ahead of the regions
     * that do the work (bench_fp: three careful regions, ~0.1 s of C2's one thread each).
     */
    public void runAbout(int budget) {
        Hart h = hart;
        long end = h.icount + budget;
        if (insideBlock) insideBlock = !interpretBlock(end);   // an exact run ended inside a block
        about = true;
        while (h.icount < end && !h.attention && !h.serviceWanted) {
            Entry b = lookup(h.pc);
            if (b != null) execute(b, Math.max(end - h.icount, b.region().total));   // every variant has the same blocks
            else interpretBlock(Long.MAX_VALUE);
        }
    }

    /**
     * Runs one block (or, where there is no translation yet, the same instructions in the
     * interpreter); returns the instructions retired. The lock-step equivalence test drives the
     * JIT this way.
     */
    public long runBlock() {
        long before = hart.icount;
        about = false;
        Entry b = lookup(hart.pc);
        if (b != null) execute(b, b.length());
        else interpretBlock(Long.MAX_VALUE);
        return hart.icount - before;
    }

    /**
     * Interprets up to the end of the block at pc (as the translator would cut it), or up to icount
     * {@code end}; returns false when it stopped at {@code end} before the block ended.
     */
    private boolean interpretBlock(long end) {
        Hart h = hart;
        long page = h.pc >>> dev.reprise.mem.AddressSpace.PAGE_SHIFT;
        for (int n = 0; n < Translator.MAX_LENGTH; n++) {
            if (h.icount >= end) return false;
            if (Translator.endsBlock(step()) || h.pc >>> dev.reprise.mem.AddressSpace.PAGE_SHIFT != page) return true;
        }
        return true;
    }

    /**
     * Runs the region of {@code e} from its block (budget at least that block's length): the free
     * variant for {@link #runAbout} ({@link #about}), else the fast one when the budget covers
     * the whole region, else the careful one. When it left before an instruction in the
     * middle of a block (a TLB miss in a recording's code), runs the rest of that block here.
     */
    private void execute(Entry e, long budget) {
        Block region = e.region(), current = region.current();
        Block r = current.variant(about ? Translator.Checks.FREE : budget < current.total ? Translator.Checks.CAREFUL : Translator.Checks.FAST);
        long end = hart.icount + budget;
        try {
            r.entry.invokeExact(r, hart, budget, e.index());   // not r.execute(...): see Block.entry
        } catch (RuntimeException | Error x) {
            throw x;   // a Trap, a TaskExit, or a bug
        } catch (Throwable t) {
            throw new IllegalStateException(t);   // execute declares no checked exception
        }
        // A free loop asked to leave: if that is rare, its next entries take a new class, not the
        // one HotSpot now compiles again with an exit at that loop head (Block#left).
        if (about && hart.leave && !hart.leftMidBlock && r.startsBlock(hart.pc)) current.left(Translator.Checks.FREE, r);
        if (hart.leftMidBlock) {   // a TLB miss in a recording's code: the rest of the block, interpreted
            hart.leftMidBlock = false;
            region.leftOnMiss();
            insideBlock = true;   // stays so if it traps: the next run finishes the block
            insideBlock = !interpretBlock(end);
        }
        if (r.hasFenceI) fenceI();   // this hart's own stores into code are visible from now on
    }

    /** Runs the instruction at pc alone, in the interpreter, with fence.i's effect on this buffer (any thread that owns the vCPU). */
    public void stepInstruction() {
        step();
    }

    /** One instruction in the interpreter (with fence.i's effect on this buffer), observed when traced; returns it. */
    private Insn step() {
        Hart h = hart;
        StepObserver o = observer;
        if (o != null) o.before(h);
        Insn insn;
        try {
            insn = h.decode(Interpreter.fetch(h.mmu, h.pc));
        } catch (MemoryFault f) {
            throw new Trap(Trap.Cause.MEMORY, h.pc, f.address, f);
        }
        Interpreter.executeAt(h, insn);
        if (insn.op() == Op.FENCE_I) fenceI();
        if (o != null) o.after(h);
        return insn;
    }

    /**
     * Traces this vCPU from now on: every instruction, translated or interpreted here, is told to
     * {@code o} ({@link StepObserver#before}, then {@link StepObserver#after}). Drops the
     * translations made so far; new ones are traced translations (the same regions, with a call
     * to the observer around each instruction), and every block is translated on its first run,
     * so that the trace shows the translator's work from the first instruction on. An instruction
     * that traps (or ends the thread) leaves {@link #run} and {@link #runBlock} with
     * {@code before} told and {@code after} not: the caller delivers the signal, then calls
     * {@code after}, as it does around the interpreter.
     */
    public void observe(StepObserver o) {
        observer = o;
        threshold = 0;
        flush();
    }

    /** The translated code to enter at {@code pc}, translated if hot; null to interpret (see {@link Translator#translate}). */
    Entry lookup(long pc) {
        // Cleared before the epoch is read: a change after that read sets it again (AddressSpace#invalidateCode).
        if (hart.codeStale) hart.codeStale = false;
        if (hart.leave) {   // re-armed from what it stands for (Hart#leave): cleared first, then the flags read
            hart.leave = false;
            if (hart.codeStale || hart.attention || hart.serviceWanted) hart.leave = true;
        }
        long current = space.codeEpoch();
        if (current != epoch) {
            flush();
            epoch = current;
            privateCode = false;
        }
        int slot = (int) (pc >>> 1) & (JUMP_CACHE - 1);
        Entry e = jumpCache[slot];
        if (e != null && e.pc() == pc) return e;
        if (coldPc[slot] == pc && heat[slot] < threshold) {
            heat[slot]++;
            return null;   // still cold, and known to have no entry
        }
        e = blocks.get(pc);
        if (e == null) {
            if (heat[slot] < threshold) {
                heat[slot]++;
                coldPc[slot] = pc;
                return null;   // still cold: the caller interprets it
            }
            Block region = region(pc);
            if (region == null && othersTranslating) return null;   // interpret it this time and look again at the next arrival: the region is coming
            heat[slot] = 0;
            if (region == null) return null;
            if (blocks.size() + region.entryPcs.length > capacity) flush();
            for (int j = region.entryPcs.length - 1; j >= 0; j--) {
                if (j == 0 || !blocks.containsKey(region.entryPcs[j])) {
                    blocks.put(region.entryPcs[j], new Entry(region, j, region.entryPcs[j], region.entryLengths[j]));
                    int s = (int) (region.entryPcs[j] >>> 1) & (JUMP_CACHE - 1);
                    if (coldPc[s] == region.entryPcs[j]) coldPc[s] = NOT_A_PC;
                }
            }
            translated++;
            e = blocks.get(pc);
        }
        jumpCache[slot] = e;
        return e;
    }

    /** The variant a new region is translated as: the one the current run takes (the others are made when needed). */
    private Translator.Checks firstVariant() {
        return about ? Translator.Checks.FREE : Translator.Checks.FAST;
    }

    /**
     * A region with a block at {@code pc}: one another vCPU translated for the current code epoch
     * (starting there, or holding a block that starts there: a region is offered under all its
     * block starts, so two threads running one loop share its region whichever block each thread
     * reached first, and HotSpot compiles it once), else a new translation, offered to the others.
     * Taking one marks its page as code for this vCPU too ({@link dev.reprise.mem.Mmu#markCode}),
     * exactly as translating it would.
     */
    private Block region(long pc) {
        othersTranslating = false;
        if (observer != null) return Translator.translate(hart, pc, observer, Translator.Checks.CAREFUL);   // traced code is this vCPU's own
        Shared.Generation g = privateCode ? null : shared.at(epoch);
        if (g == null || g.epoch() != epoch) return Translator.translate(hart, pc, null, firstVariant());   // private, or our epoch is already stale
        Block r = g.regions().get(pc);
        if (r != null) return take(r, pc);
        // Threads that run the same code get hot on it at the same moment (bench_core_2's two
        // threads reached 11 of their 17 regions within milliseconds of each other, and both
        // translated each): one vCPU of the address space translates at a time, and the others
        // interpret meanwhile, then take its region if it holds their pc. (A claim per pc was not
        // enough: the waiting thread got hot on another block of the same loop and translated a
        // second region for it, which both then ran and HotSpot compiled.)
        Thread me = Thread.currentThread();
        if (!g.translator().compareAndSet(null, me)) {
            r = g.regions().get(pc);   // offered between the two looks
            if (r != null) return take(r, pc);
            othersTranslating = true;
            return null;
        }
        try {
            r = g.regions().get(pc);   // offered just before we claimed
            if (r != null) return take(r, pc);
            r = Translator.translate(hart, pc, null, firstVariant());
            if (r != null) {
                if (g.regions().size() >= capacity) g.regions().clear();   // bounded like a buffer
                // Never replaces an offered region (only the claimant offers, so none should be
                // there): the first offer wins, and a second one is never run, so never compiled.
                Block first = g.regions().putIfAbsent(pc, r);
                if (first != null) return first;
                for (long start : r.entryPcs) g.regions().putIfAbsent(start, r);
            }
            return r;
        } finally {
            g.translator().set(null);
        }
    }

    /** Takes the region {@code r} another vCPU translated (and offered under {@code pc}): marks its page as code for this vCPU too, as translating it would. */
    private Block take(Block r, long pc) {
        hart.mmu.markCode(pc >>> dev.reprise.mem.AddressSpace.PAGE_SHIFT);
        reused++;
        return r;
    }

    /** fence.i: drops this vCPU's translations, and it translates for itself until the code epoch changes. */
    private void fenceI() {
        flush();
        privateCode = true;
    }

    /**
     * The regions of one address space, for all its vCPUs: one generation per code epoch (a new
     * epoch starts an empty one; epochs only grow), each a concurrent map from every block start
     * of a region to the immutable region (lock-free reads; any vCPU thread puts, never replacing
     * an entry; a new generation is made under this object's monitor). Regions hold no vCPU
     * state: the hart comes as an argument.
     */
    static final class Shared {
        /** {@code translator}: the vCPU thread translating a region now (one at a time), or null. */
        record Generation(long epoch, ConcurrentHashMap<Long, Block> regions, AtomicReference<Thread> translator) {
            Generation(long epoch) {
                this(epoch, new ConcurrentHashMap<>(), new AtomicReference<>());
            }
        }

        private static final Map<AddressSpace, Shared> ALL = Collections.synchronizedMap(new WeakHashMap<>());
        private volatile Generation current = new Generation(Long.MIN_VALUE);

        static Shared of(AddressSpace space) {
            return ALL.computeIfAbsent(space, s -> new Shared());
        }

        /** The current generation, a new one if it is older than {@code epoch} (newer means the caller's epoch is stale). */
        Generation at(long epoch) {
            Generation g = current;
            if (g.epoch() >= epoch) return g;
            synchronized (this) {
                if (current.epoch() < epoch) current = new Generation(epoch);
                return current;
            }
        }
    }

    /** Drops every translation of this vCPU. */
    public void flush() {
        blocks.clear();
        java.util.Arrays.fill(jumpCache, null);
        java.util.Arrays.fill(heat, (short) 0);
        java.util.Arrays.fill(coldPc, NOT_A_PC);
        flushes++;
    }

    /** Entries in the buffer now. */
    int size() {
        return blocks.size();
    }
}
