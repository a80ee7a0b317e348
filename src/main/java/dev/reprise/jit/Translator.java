package dev.reprise.jit;

import static dev.reprise.mem.AddressSpace.PAGE_SHIFT;
import static java.lang.constant.ConstantDescs.CD_double;
import static java.lang.constant.ConstantDescs.CD_float;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import dev.reprise.cpu.Fp;
import dev.reprise.cpu.FpValues;
import dev.reprise.cpu.Hart;
import dev.reprise.cpu.Interpreter;
import dev.reprise.cpu.StepObserver;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Mmu;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a region of guest blocks to JVM bytecode (java.lang.classfile) and loads it as a
 * hidden class (docs/jit.md).
 *
 * <p>A block runs from its pc to the first control transfer, ecall, ebreak, fence.i, CSR access
 * other than fflags/frm/fcsr or illegal instruction (included), stopping earlier at a page boundary
 * or after {@link #MAX_LENGTH} instructions. A region is a hot block and the blocks it reaches in
 * the same page; jumps between them are JVM jumps. Integer and FP registers live in JVM locals:
 * loaded at entry, written back at every exit. Instructions the translator does not inline run
 * through {@link Interpreter#executeAt} with the state written back first.
 *
 * <p>Stateless: any vCPU thread may translate at any time.
 */
final class Translator {
    private Translator() {}

    /** Longest block, in instructions. */
    static final int MAX_LENGTH = 48;

    private static final ClassDesc CD_HART = desc(Hart.class), CD_MMU = desc(Mmu.class), CD_INSN = desc(Insn.class),
            CD_BLOCK = desc(Block.class), CD_OPS = desc(JitOps.class), CD_FAULT = desc(MemoryFault.class), CD_LEAVE = desc(JitOps.Leave.class),
            CD_TRAP = desc(dev.reprise.cpu.Trap.class), CD_INTERP = desc(Interpreter.class),
            CD_LONGS = CD_long.arrayType(), CD_INSNS = CD_INSN.arrayType(), CD_LONG_BOX = ClassDesc.of("java.lang.Long"),
            CD_MATH = ClassDesc.of("java.lang.Math"), CD_SPACE = desc(dev.reprise.mem.AddressSpace.class),
            CD_OBSERVER = desc(StepObserver.class), CD_FP = desc(Fp.class), CD_FP_VALUES = desc(FpValues.class),
            CD_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment"), CD_OBJECT = ClassDesc.of("java.lang.Object"),
            CD_UNSAFE = ClassDesc.of("jdk.internal.misc.Unsafe"), CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle"),
            CD_FLOAT = ClassDesc.of("java.lang.Float"), CD_DOUBLE = ClassDesc.of("java.lang.Double");
    /** A region's execute(Hart, long budget, int entry), and the type of {@link Block#entry}, the handle the JIT calls it through (the region first). */
    private static final MethodType EXECUTE_TYPE = MethodType.methodType(void.class, Hart.class, long.class, int.class),
            ENTRY_TYPE = EXECUTE_TYPE.insertParameterTypes(0, Block.class);
    private static final MethodTypeDesc INIT = MethodTypeDesc.of(CD_void, CD_long.arrayType(), CD_int.arrayType(), CD_INSNS),
            EXECUTE = EXECUTE_TYPE.describeConstable().orElseThrow(), LOAD = MethodTypeDesc.of(CD_long, CD_long),
            STORE = MethodTypeDesc.of(CD_void, CD_long, CD_long), BINARY = MethodTypeDesc.of(CD_long, CD_long, CD_long),
            COMPARE = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    private static final ClassFile CLASS_FILE = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(Translator.class.getClassLoader()))));
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private static ClassDesc desc(Class<?> c) {
        return ClassDesc.of(c.getName());
    }

    /**
     * Largest region, in instructions and in blocks (-Dreprise.jit.region=N). HotSpot's C2 takes
     * more than linear time in the size of a method: regions of up to 320 instructions took it
     * seconds each (bench_core_1, -XX:+CITime), and the guest ran in slower tiers meanwhile;
     * 160 instructions and 4000 bytes of bytecode roughly halved the CPU time of that run; 3500
     * bytes did better again on every single-thread benchmark once loop heads stopped reading the
     * code epoch (docs/performance.md, 2026-11-28 05:00–06:30).
     */
    static final int MAX_REGION = Integer.getInteger("reprise.jit.region", 160), MAX_BLOCKS = Integer.getInteger("reprise.jit.blocks", 24);
    /**
     * Largest bytecode of a region's method (-Dreprise.jit.bytes=N): a region is halved until its
     * careful variant fits. Below HotSpot's HugeMethodLimit (8000 bytes, above which it never compiles).
     */
    static final int HUGE_METHOD = Math.min(Integer.getInteger("reprise.jit.bytes", 3500), 7999);
    /** HotSpot's HugeMethodLimit: it compiles no larger method. */
    private static final int HOTSPOT_LIMIT = 8000;

    private static boolean hasHostFp(List<Part> region) {
        return region.stream().flatMap(p -> java.util.Arrays.stream(p.insns())).anyMatch(i -> Host.of(i.op()) != null);
    }

    /** The instructions of one block from {@code pc}, decoded (see the class comment for where it ends); empty if none can be fetched. */
    static List<Insn> decodeBlock(Hart h, long pc) {
        List<Insn> insns = new ArrayList<>();
        long page = pc >>> PAGE_SHIFT, p = pc;
        while (insns.size() < MAX_LENGTH) {
            Insn insn;
            try {
                int lo = h.mmu.fetch16(p);
                boolean wide = (lo & 3) == 3;
                // Ends at a page boundary: the next page may be unmapped, or remapped independently.
                if ((p >>> PAGE_SHIFT) != page || wide && ((p + 2) >>> PAGE_SHIFT) != page) break;
                insn = h.decode(wide ? lo | h.mmu.fetch16(p + 2) << 16 : lo);
            } catch (MemoryFault f) {
                break;   // the instruction faults on fetch: the interpreter raises that when it gets there
            }
            insns.add(insn);
            p += insn.length();
            if (endsBlock(insn)) break;
        }
        return insns;
    }

    /**
     * What a region's code checks before its blocks ({@link Gen#part}); one variant of a region
     * per kind, made when first needed ({@link Block#variant}).
     */
    enum Checks {
        /** The budget before every block: exact runs' last blocks, and traced code. */
        CAREFUL,
        /** The budget for the whole region, and {@link Hart#leave}, at loop heads: exact runs. */
        FAST,
        /** Only {@link Hart#leave}, at loop heads: runs that need not stop anywhere in particular ({@link Jit#runAbout}). */
        FREE
    }

    /** One block of a region: its pc and instructions, and the index of its first instruction in the region. */
    record Part(long pc, Insn[] insns, int first) {
        long pcOf(int k) {
            long p = pc;
            for (int i = 0; i < k; i++) p += insns[i].length();
            return p;
        }
    }

    /**
     * Translates the region that starts with the block at {@code pc}: that block and the blocks it
     * reaches by branches, jumps and fall-through within the same page (not through jalr), up to
     * {@link #MAX_REGION} instructions. Jumps between them stay inside the generated method, so
     * guest loops become JVM loops. Returns null when not even the first instruction can be
     * fetched inside one page (the caller runs it in the interpreter, which raises the fault).
     */
    static Block translate(Hart h, long pc) {
        return translate(h, pc, null, Checks.FAST);
    }

    /**
     * {@link #translate(Hart, long)} with the given {@code checks} (the variant the caller runs
     * first; the others are made when needed: {@link Block#variant}), and with an {@code observer}
     * a traced translation instead: the same region, careful, whose code also tells the observer
     * about every instruction (see {@link Gen#observeBefore}).
     */
    static Block translate(Hart h, long pc, StepObserver observer, Checks checks) {
        List<Insn> first = decodeBlock(h, pc);
        if (first.isEmpty()) return null;
        long page = pc >>> PAGE_SHIFT;
        List<Part> parts = new ArrayList<>();
        java.util.Map<Long, Integer> index = new java.util.HashMap<>();
        java.util.ArrayDeque<Long> queue = new java.util.ArrayDeque<>();
        int total = 0;
        queue.add(pc);
        while (!queue.isEmpty() && parts.size() < MAX_BLOCKS) {
            long q = queue.poll();
            if (index.containsKey(q) || (q >>> PAGE_SHIFT) != page) continue;
            List<Insn> insns = q == pc ? first : decodeBlock(h, q);
            if (insns.isEmpty() || total + insns.size() > MAX_REGION) continue;
            Part part = new Part(q, insns.toArray(Insn[]::new), total);
            index.put(q, parts.size());
            parts.add(part);
            total += insns.size();
            queue.addAll(successors(part));
        }
        h.mmu.markCode(page);
        boolean fine = h.mmu.checksOwnership();   // the same for every vCPU of a process: regions are shared
        // Fewer blocks until the method is small enough for HotSpot to compile well (HUGE_METHOD).
        // (The careful variant with calls, with a budget check per block, is the largest of the untraced ones.)
        // C2 compiles what runs: the slow path of a host FP operation runs only for special operands
        // and results (where it never ran, C2 leaves an uncommon trap), so the size that counts for
        // a region with such operations is that of its code without them, as long as the whole
        // method stays below HotSpot's limit (FP code is ~80 bytes of bytecode per instruction, a
        // quarter of it slow paths: docs/performance.md, 2026-11-28 16:38–). Not for traced code:
        // its observer calls make the method larger than the careful variant, which must leave it
        // room below that limit.
        for (int n = parts.size(); ; n = Math.max(1, n / 2)) {
            List<Part> region = parts.subList(0, n);
            int length = codeLength(generate(region, false, Checks.CAREFUL, fine, false, true));
            if (n == 1 || length < HUGE_METHOD || observer == null && length < HOTSPOT_LIMIT && hasHostFp(region)
                    && codeLength(generate(region, false, Checks.CAREFUL, fine, false, false)) < HUGE_METHOD) {
                // A traced region has the untraced one's blocks, whatever its own size: the trace shows that code.
                if (observer != null) {
                    return traced(load(generate(region, true, Checks.CAREFUL, fine, false, true), pc, region, Checks.CAREFUL, fine, false), observer);
                }
                // A region leaves on a TLB miss until it has left too often (Block#exits).
                return load(generate(region, false, checks, fine, true, true), pc, region, checks, fine, true);
            }
        }
    }

    /** The variant of untraced region {@code b} with other {@code checks}: the same blocks and code ({@link Block#variant}). */
    static Block variant(Block b, Checks checks) {
        List<Part> region = parts(b);
        return load(generate(region, false, checks, b.fine, b.exits, true), b.pc, region, checks, b.fine, b.exits);
    }

    /** The variant of {@code b} (a region that leaves on TLB misses) that calls the Mmu on them instead, with the same checks. */
    static Block withCalls(Block b) {
        List<Part> region = parts(b);
        return load(generate(region, false, b.checks, b.fine, false, true), b.pc, region, b.checks, b.fine, false);
    }

    /** The blocks of a translated region, as the translator cut them. */
    private static List<Part> parts(Block b) {
        List<Part> region = new ArrayList<>();
        for (int j = 0, first = 0; j < b.entryPcs.length; first += b.entryLengths[j], j++) {
            region.add(new Part(b.entryPcs[j], java.util.Arrays.copyOfRange(b.insns, first, first + b.entryLengths[j]), first));
        }
        return region;
    }

    /** Where a block may go next by its own code (not jalr, not a fallback that ends it). */
    static List<Long> successors(Part part) {
        Insn last = part.insns()[part.insns().length - 1];
        long lastPc = part.pcOf(part.insns().length - 1), next = lastPc + last.length();
        return switch (last.op()) {
            case BEQ, BNE, BLT, BGE, BLTU, BGEU -> List.of(next, lastPc + last.imm());
            case JAL -> List.of(lastPc + last.imm());
            default -> endsBlock(last) ? List.of() : List.of(next);   // else cut at the length cap or a page boundary
        };
    }

    /**
     * The class of a region: traced or not, its {@link Checks}, fine or not (for a recording:
     * {@link Block#fine}), leaving on TLB misses or calling the Mmu ({@link Block#exits}: untraced
     * code leaves until it has left too often); without the slow paths of host FP operations only
     * to be measured.
     */
    private static byte[] generate(List<Part> region, boolean traced, Checks checks, boolean fine, boolean exits, boolean fpSlowPaths) {
        return CLASS_FILE.build(ClassDesc.of("dev.reprise.jit.GuestBlock"), cb -> {
            // Class file version 49: no StackMapTable to compute (the JVM verifies it by type inference
            // instead). Computing stack maps was a large part of translating, and compiling the
            // JDK's stack-map generator a large part of C2's work in short runs.
            cb.withVersion(ClassFile.JAVA_5_VERSION, 0);
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withSuperclass(CD_BLOCK);
            cb.withMethodBody("<init>", INIT, ClassFile.ACC_PUBLIC, c -> {
                c.aload(0).aload(1).aload(2).aload(3).invokespecial(CD_BLOCK, "<init>", INIT).return_();
            });
            cb.withMethodBody("execute", EXECUTE, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    c -> new Gen(c, region, traced, checks, fine, exits, fpSlowPaths).generate());
        });
    }

    private static int codeLength(byte[] bytes) {
        var model = ClassFile.of().parse(bytes);
        for (var m : model.methods()) {
            if (m.methodName().equalsString("execute")) return m.findAttribute(java.lang.classfile.Attributes.code()).orElseThrow().codeLength();
        }
        throw new IllegalStateException("no execute method");
    }

    private static Block load(byte[] bytes, long pc, List<Part> region, Checks checks, boolean fine, boolean exits) {
        List<Insn> all = new ArrayList<>();
        for (Part p : region) all.addAll(List.of(p.insns()));
        Insn[] array = all.toArray(Insn[]::new);
        long[] pcs = new long[region.size()];
        int[] lengths = new int[region.size()];
        for (int j = 0; j < pcs.length; j++) {
            pcs[j] = region.get(j).pc();
            lengths[j] = region.get(j).insns().length;
        }
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClass(bytes, true);
            MethodHandle init = hidden.findConstructor(hidden.lookupClass(),
                    MethodType.methodType(void.class, long[].class, int[].class, Insn[].class));
            Block b = (Block) init.invoke(pcs, lengths, array);
            b.checks = checks;
            b.fine = fine;
            b.exits = exits;
            b.entry = hidden.findVirtual(hidden.lookupClass(), "execute", EXECUTE_TYPE).asType(ENTRY_TYPE);
            return b;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot load the translation of the block at 0x" + Long.toHexString(pc), e);
        }
    }

    /**
     * Operations after which the block ends: control transfers and whatever needs the vCPU loop or
     * the interpreter's state (but see {@link #endsBlock(Insn)}: FP CSR accesses do not).
     */
    private static boolean endsBlock(Op op) {
        return switch (op) {
            case JAL, JALR, BEQ, BNE, BLT, BGE, BLTU, BGEU, ECALL, EBREAK, FENCE_I, ILLEGAL,
                 CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI -> true;
            default -> false;
        };
    }

    /** Generates {@code execute} for one region. */
    private static final class Gen {
        // Locals: 0 this, 1 hart, 2-3 the budget (instructions this call may retire), 4 the entry
        // block, 5 hart.x, 6 mmu, 7-8 icount at entry plus the budget, 9-10 the pc to leave at, 11 the fault, 12
        // the faulting instruction's index in its block and 13-14 its pc (trap exit), 15-16
        // the budget minus the instructions retired by the blocks already left, (17-19 unused),
        // x1..x31 from 20, 84 hart.f, 85 frm (loaded at entry and after anything that may change it),
        // 86-87 the guest address of a load or store, 88 the TLB's read and write tags (89 unused),
        // 90 guest memory, 91-92 the old value of a CSR, 93-94 the host address of guest address 0,
        // 95 the region-wide index of an FP instruction whose dynamic rounding mode is reserved (also a
        // scratch int for the new value of a CSR),
        // f0..f31 from 96 (raw 64-bit patterns, singles NaN-boxed, as in hart.f), 160-161 a double
        // and 162 a float result of a host FP operation, 163 whether host FP results may be taken
        // (see hostFast), 164-165 the TLB key of a load or store (tagCheck; fine code only),
        // 166-197 the single views of f0..f31 (fSingle).
        private static final int THIS = 0, HART = 1, LIMIT = 2, ENTRY = 4, X = 5, MMU = 6, ICOUNT = 7, TARGET = 9,
                FAULT = 11, INDEX = 12, FAULT_PC = 13, LEFT = 15, REGS = 20, F = 84, RM = 85,
                ADDR = 86, TAGS = 88, MEM = 90, OLD = 91, BASE = 93, INSN = 95, F_REGS = 96,
                RESULT_D = 160, RESULT_F = 162, FAST = 163, KEY = 164, F_SINGLES = 166;

        private final CodeBuilder c;
        private final List<Part> parts;
        private final java.util.Map<Long, Integer> partAt = new java.util.HashMap<>();
        private final Label[] heads;
        /** Parts entered by a backward jump (loop heads): they check for invalidation. */
        private final boolean[] loopHead;
        /** Registers the region reads or writes (loaded at entry) and those it may change (written back at exits): x and f. */
        private final boolean[] used = new boolean[32], written = new boolean[32], fUsed = new boolean[32], fWritten = new boolean[32];
        /**
         * f registers kept in a {@code double} local rather than a {@code long} one (the same raw
         * bits either way: the moves between them are the host's, which keep every bit, NaN payloads
         * too): those a double host operation ({@link Host}) reads or writes and no single one reads.
         * A chain of host operations through such a register then stays in the host's FP registers
         * instead of moving to a general register and back each time (docs/jit.md).
         */
        private final boolean[] fDouble = new boolean[32];
        /**
         * f registers a single host operation reads: beside their bits they have a {@code float}
         * local, their value as a single operand sees it (a NaN when the bits are not NaN-boxed, which
         * sends the operation to its slow path), set at every write of the bits, from which host
         * operations read it; a single result goes there directly.
         */
        private final boolean[] fSingle = new boolean[32];
        private final Label exit, trap, missExit, reservedRm, leave;
        /** The region has FP operations: it keeps FAST (and RM) up to date. */
        private final boolean hasFp;
        private boolean trapUsed, missExitUsed, reservedRmUsed, leaveUsed;
        /** Traced translation: the observer hears of every instruction (the methods under "tracing"). */
        private final boolean traced;
        /** Test-only fault injection ({@link #faultyImmediate}), read once per translation. */
        private final Op faulty = faultyImmediate;
        /** The part and instruction being translated. */
        private Part part;
        private long[] pcs;

        /** A budget check at every block (else only at loop heads, for the whole region: see {@link #part}). */
        private final boolean careful;
        /** No budget check at all: loop heads only test {@link Hart#leave} ({@link Block#free}). */
        private final boolean free;
        /** A TLB miss asks the split page's word bits first ({@link Block#fine}). */
        private final boolean fine;
        /** A TLB miss that they do not answer leaves the region ({@link Block#exits}) rather than calling the Mmu. */
        private final boolean exits;
        /** Host FP operations have their slow paths (false only to measure a region: {@link #translate}). */
        private final boolean fpSlowPaths;
        /** Instructions in the region: no path between two loop heads is longer. */
        private final int total;

        Gen(CodeBuilder c, List<Part> parts, boolean traced, Checks checks, boolean fine, boolean exits, boolean fpSlowPaths) {
            this.c = c;
            this.fpSlowPaths = fpSlowPaths;
            this.parts = parts;
            this.traced = traced;
            this.careful = checks == Checks.CAREFUL;
            this.free = checks == Checks.FREE;
            this.fine = fine;
            this.exits = exits && !traced;
            this.total = parts.stream().mapToInt(p -> p.insns().length).sum();
            this.heads = new Label[parts.size()];
            this.loopHead = new boolean[parts.size()];
            for (int j = 0; j < parts.size(); j++) {
                partAt.put(parts.get(j).pc(), j);
                heads[j] = c.newLabel();
                for (Insn i : parts.get(j).insns()) {
                    used[i.rd()] = used[i.rs1()] = used[i.rs2()] = true;   // more than needed for FP and CSR operations: harmless
                    if (writesXLocal(i)) written[i.rd()] = true;
                    Operands o = Operands.of(i.op());
                    if (o.fRd) fUsed[i.rd()] = true;
                    if (o.fRs1) fUsed[i.rs1()] = true;
                    if (o.fRs2) fUsed[i.rs2()] = true;
                    if (o.fRs3) fUsed[i.rs3()] = true;
                    if (o.fRd && (inline(i.op()) || inlineFp(i.op()))) fWritten[i.rd()] = true;
                }
            }
            for (Part p : parts) {
                for (Insn i : p.insns()) {
                    Host host = Host.of(i.op());
                    if (host == null) continue;
                    for (Operands.Source source : Operands.of(i.op()).sources) {
                        if (host.operandSingle) fSingle[source.of(i)] = true;
                        else fDouble[source.of(i)] = true;
                    }
                    if (!host.single) fDouble[i.rd()] = true;
                }
            }
            for (int r = 0; r < 32; r++) fDouble[r] &= !fSingle[r];
            for (Part p : parts) {
                for (long t : successors(p)) {
                    Integer j = partAt.get(t);
                    if (j != null && t <= p.pc()) loopHead[j] = true;
                }
            }
            used[0] = written[0] = false;
            hasFp = parts.stream().flatMap(p -> java.util.Arrays.stream(p.insns())).anyMatch(i -> inlineFp(i.op()));
            exit = c.newLabel();
            trap = c.newLabel();
            missExit = c.newLabel();
            reservedRm = c.newLabel();
            leave = c.newLabel();
        }

        static int slot(int r) {
            return REGS + 2 * r;
        }

        static int fslot(int r) {
            return F_REGS + 2 * r;
        }

        /** Pushes f[r]'s raw bits (a long). */
        void fBits(int r) {
            if (fDouble[r]) c.dload(fslot(r)).invokestatic(CD_DOUBLE, "doubleToRawLongBits", MethodTypeDesc.of(CD_long, CD_double));
            else c.lload(fslot(r));
        }

        /** Stores the raw bits on the stack (a long) into f[r]. */
        void fSetBits(int r) {
            if (fDouble[r]) c.invokestatic(CD_DOUBLE, "longBitsToDouble", MethodTypeDesc.of(CD_double, CD_long)).dstore(fslot(r));
            else c.lstore(fslot(r));
            if (!fSingle[r]) return;
            Label unboxed = c.newLabel(), store = c.newLabel();
            c.lload(fslot(r)).dup2().loadConstant(32).lushr().l2i().iconst_m1().if_icmpne(unboxed);
            c.l2i().invokestatic(CD_FLOAT, "intBitsToFloat", MethodTypeDesc.of(CD_float, CD_int)).goto_(store);
            c.labelBinding(unboxed);
            c.pop2().loadConstant(Float.NaN);
            c.labelBinding(store);
            c.fstore(F_SINGLES + r);
        }

        /** Stores a NaN-boxed single's bits on the stack (a long) into f[r]. */
        void fSetBoxed(int r) {
            if (!fSingle[r]) {
                fSetBits(r);
                return;
            }
            c.dup2().l2i().invokestatic(CD_FLOAT, "intBitsToFloat", MethodTypeDesc.of(CD_float, CD_int)).fstore(F_SINGLES + r);
            c.lstore(fslot(r));   // fSingle excludes fDouble
        }

        /** Pushes f[r] as a double. */
        void fDoubleValue(int r) {
            if (fDouble[r]) c.dload(fslot(r));
            else c.lload(fslot(r)).invokestatic(CD_DOUBLE, "longBitsToDouble", MethodTypeDesc.of(CD_double, CD_long));
        }

        void generate() {
            c.aload(HART).getfield(CD_HART, "x", CD_LONGS).astore(X);
            c.aload(HART).getfield(CD_HART, "mmu", CD_MMU).astore(MMU);
            c.aload(HART).getfield(CD_HART, "f", CD_LONGS).astore(F);
            // ICOUNT is the icount at entry plus the budget, and LEFT counts down from the budget: the
            // icount at an exit is ICOUNT - LEFT, and a budget check compares LEFT with a constant.
            c.aload(HART).getfield(CD_HART, "icount", CD_long).lload(LIMIT).ladd().lstore(ICOUNT);
            // Its length, unused, is a null check that C2 keeps: the tag reads (Unsafe.getLong, see
            // tagCheck) then need no test of their own for a null array.
            c.aload(MMU).invokevirtual(CD_MMU, "tags", MethodTypeDesc.of(CD_LONGS)).dup().arraylength().pop().astore(TAGS);
            c.aload(MMU).invokevirtual(CD_MMU, "memory", MethodTypeDesc.of(CD_SEGMENT)).astore(MEM);
            c.aload(MMU).invokevirtual(CD_MMU, "space", MethodTypeDesc.of(CD_SPACE)).invokevirtual(CD_SPACE, "hostBase", MethodTypeDesc.of(CD_long)).lstore(BASE);
            c.lload(LIMIT).lstore(LEFT);
            fpModes();
            for (int r = 1; r < 32; r++) if (used[r]) c.aload(X).loadConstant(r).laload().lstore(slot(r));
            for (int r = 0; r < 32; r++) {
                if (!fUsed[r]) continue;
                c.aload(F).loadConstant(r).laload();
                fSetBits(r);
            }
            if (parts.size() > 1) {
                List<java.lang.classfile.instruction.SwitchCase> cases = new ArrayList<>();
                for (int j = 1; j < parts.size(); j++) cases.add(java.lang.classfile.instruction.SwitchCase.of(j, heads[j]));
                c.iload(ENTRY).tableswitch(1, parts.size() - 1, heads[0], cases);
            }
            for (int j = 0; j < parts.size(); j++) part(j);
            // The common exit: registers back, pc = TARGET, icount = ICOUNT - LEFT.
            c.labelBinding(exit);
            writeBack();
            c.aload(HART).lload(TARGET).putfield(CD_HART, "pc", CD_long);
            c.aload(HART).lload(ICOUNT).lload(LEFT).lsub().putfield(CD_HART, "icount", CD_long);
            c.return_();
            // The one handler of every budget check: HotSpot compiles a handler that its profile never
            // saw entered as a trap (ProfileExceptionHandlers), so each check having its own would undo
            // what JitOps.leaveAt is for.
            if (leaveUsed) c.labelBinding(leave).pop().goto_(exit);
            if (trapUsed) trapExit();
            if (missExitUsed) missExit();
            if (reservedRmUsed) reservedRmExit();
        }

        /**
         * Part j: the budget (and for loop heads the flag {@link Hart#leave}: code stale or attention wanted) checked on
         * entry, then its instructions.
         *
         * <p>A careful region checks at every block that the block fits in the budget. A fast one
         * is only entered with a budget that covers the whole region ({@link Block#total}, see
         * {@link Jit}) and checks only at loop heads that the whole region still fits: every cycle
         * of the region's blocks passes through a loop head (a block entered by a backward jump),
         * so a path from the entry or from a loop head to the next loop head or exit visits each
         * block at most once. The hot code then has one rarely taken exit per loop, not one per
         * block (each is a place where HotSpot's compiled code deoptimizes when it is first taken).
         */
        void part(int j) {
            part = parts.get(j);
            Insn[] insns = part.insns();
            pcs = new long[insns.length];
            for (int k = 0; k < insns.length; k++) pcs[k] = part.pcOf(k);
            c.labelBinding(heads[j]);
            if (free && loopHead[j]) {
                // Leave only when asked to, and with a plain branch: HotSpot sees it never taken and
                // compiles the loop without an exit here (Block#free); the first time it is taken
                // costs a recompilation of the region, with the exit.
                Label stay = c.newLabel();
                c.aload(HART).getfield(CD_HART, "leave", java.lang.constant.ConstantDescs.CD_boolean).ifeq(stay);
                c.loadConstant(part.pc()).lstore(TARGET).goto_(exit);
                c.labelBinding(stay);
            } else if (careful || loopHead[j]) {
                // Leave before the block if it does not fit in the budget (or translations went stale):
                // the check throws JitOps.LEAVE to the region's one handler, with pc on this block
                // (see JitOps.leaveAt for why it is not a branch here).
                Label start = c.newLabel(), end = c.newLabel();
                c.loadConstant(part.pc()).lstore(TARGET);
                c.labelBinding(start);
                c.loadConstant((long) (careful ? insns.length : total)).lload(LEFT);
                if (loopHead[j]) {
                    c.aload(HART).invokestatic(CD_OPS, "leaveAt", MethodTypeDesc.of(CD_void, CD_long, CD_long, CD_HART));
                } else {
                    c.invokestatic(CD_OPS, "fits", MethodTypeDesc.of(CD_void, CD_long, CD_long));
                }
                c.labelBinding(end);
                c.exceptionCatch(start, end, leave, CD_LEAVE);
                leaveUsed = true;
            }
            boolean ended = false;
            for (int k = 0; k < insns.length && !ended; k++) {
                if (traced) observeBefore(k);
                ended = instruction(k);
                // The last instruction of a block cut short is reported by its edge (observeTransfer).
                if (traced && !ended && k < insns.length - 1) observeAfter(k);
            }
            if (!ended) edge(insns.length - 1, pcs[insns.length - 1] + insns[insns.length - 1].length());
        }

        // ---- registers and exits ----

        void read(int r) {
            if (r == 0) c.lconst_0();
            else c.lload(slot(r));
        }

        /** Stores the long on the stack into x[rd] (dropped for x0). */
        void write(int rd) {
            if (rd == 0) c.pop2();
            else c.lstore(slot(rd));
        }

        void writeBack() {
            for (int r = 1; r < 32; r++) if (written[r]) c.aload(X).loadConstant(r).lload(slot(r)).lastore();
            for (int r = 0; r < 32; r++) {
                if (!fWritten[r]) continue;
                c.aload(F).loadConstant(r);
                fBits(r);
                c.lastore();
            }
        }

        /** Sets hart.pc and hart.icount for the state before instruction k of the current part. */
        void setState(long pc, int k) {
            c.aload(HART).loadConstant(pc).putfield(CD_HART, "pc", CD_long);
            c.aload(HART).lload(ICOUNT).lload(LEFT).lsub().loadConstant((long) k).ladd().putfield(CD_HART, "icount", CD_long);
        }

        /** Control leaves instruction k (retired) for {@code target}: a jump inside the region, or the exit. */
        void edge(int k, long target) {
            c.lload(LEFT).loadConstant((long) k + 1).lsub().lstore(LEFT);
            if (traced) observeTransfer(k, target);
            Integer j = partAt.get(target);
            if (j != null) {
                c.goto_(heads[j]);
            } else {
                c.loadConstant(target).lstore(TARGET).goto_(exit);
            }
        }

        /** Leaves before instruction k (a TLB miss in a recording's code): the JIT runs the rest of its block in the interpreter. */
        void leaveOnMiss(int k) {
            c.loadConstant(k).istore(INDEX).loadConstant(pcs[k]).lstore(FAULT_PC).goto_(missExit);
            missExitUsed = true;
        }

        /** The shared exit of {@link #leaveOnMiss}: state as before the instruction, and {@link Hart#leftMidBlock} set. */
        void missExit() {
            c.labelBinding(missExit);
            writeBack();
            c.aload(HART).lload(FAULT_PC).putfield(CD_HART, "pc", CD_long);
            c.aload(HART).lload(ICOUNT).lload(LEFT).lsub().iload(INDEX).i2l().ladd().putfield(CD_HART, "icount", CD_long);
            c.aload(HART).iconst_1().putfield(CD_HART, "leftMidBlock", java.lang.constant.ConstantDescs.CD_boolean);
            c.return_();
        }

        /** The shared exit of every memory fault: state as before the faulting instruction, then the trap. */
        void trapExit() {
            c.labelBinding(trap);
            writeBack();
            c.aload(HART).lload(FAULT_PC).putfield(CD_HART, "pc", CD_long);
            c.aload(HART).lload(ICOUNT).lload(LEFT).lsub().iload(INDEX).i2l().ladd().putfield(CD_HART, "icount", CD_long);
            c.aload(FAULT).lload(FAULT_PC)
                    .invokestatic(CD_OPS, "trap", MethodTypeDesc.of(CD_TRAP, CD_FAULT, CD_long)).athrow();
        }

        /** Emits {@code access} guarded by a handler for the memory fault of instruction k. */
        void guarded(int k, Runnable access) {
            Label start = c.newLabel(), end = c.newLabel(), handler = c.newLabel(), after = c.newLabel();
            c.labelBinding(start);
            access.run();
            c.labelBinding(end);
            c.goto_(after);
            c.labelBinding(handler);
            c.astore(FAULT).loadConstant(k).istore(INDEX).loadConstant(pcs[k]).lstore(FAULT_PC).goto_(trap);
            c.labelBinding(after);
            c.exceptionCatch(start, end, handler, CD_FAULT);
            trapUsed = true;
        }

        /**
         * Pushes the loaded value of load {@code i} (instruction k), extended to a long as
         * {@code method} ({@code lb} ... {@code ld}, an {@link Mmu} method) says. The TLB fast path
         * is inline — Mmu's own: aligned and the page's read tag hit, then one opaque access of
         * native width. In a recording's code ({@link #fine}) a miss asks the split page's word
         * bits ({@link #fineCheck}: a word this vCPU holds takes the same access); then it leaves
         * the region ({@link #exits}) or calls {@code method}, under the fault handler. Every
         * branch goes forward (no backward branch that is not a loop).
         */
        void loadValue(int k, Insn i, String method) {
            int size = switch (method) { case "lb", "lbu" -> 1; case "lh", "lhu" -> 2; case "lw", "lwu" -> 4; default -> 8; };
            Label access = c.newLabel(), done = c.newLabel();
            read(i.rs1());
            c.loadConstant(i.imm()).ladd().lstore(ADDR);
            tagCheck(Mmu.READ, size, access);
            if (fine) fineCheck(Mmu.READ, access);
            if (exits) {
                leaveOnMiss(k);
            } else {
                guarded(k, () -> c.aload(MMU).lload(ADDR).invokevirtual(CD_MMU, method, LOAD));
                c.goto_(done);
            }
            c.labelBinding(access);
            if (JitOps.UNSAFE != null) {
                c.getstatic(CD_OPS, "UNSAFE", CD_OBJECT).checkcast(CD_UNSAFE).aconst_null().lload(BASE).lload(ADDR).ladd()
                        .invokevirtual(CD_UNSAFE, "get" + unsafeKind(size) + "Opaque", MethodTypeDesc.of(kind(size), CD_OBJECT, CD_long));
            } else {
                c.getstatic(CD_MMU, handle(size), CD_VAR_HANDLE).aload(MEM).lload(ADDR)
                        .invokevirtual(CD_VAR_HANDLE, "getOpaque", MethodTypeDesc.of(kind(size), CD_SEGMENT, CD_long));
            }
            switch (method) {
                case "lbu" -> c.loadConstant(0xFF).iand().i2l();
                case "lhu" -> c.loadConstant(0xFFFF).iand().i2l();
                case "lwu" -> c.i2l().loadConstant(0xFFFF_FFFFL).land();
                case "ld" -> { }
                default -> c.i2l();   // byte, short, int: sign-extended
            }
            c.labelBinding(done);
        }

        /**
         * Stores the value {@code value} pushes (a long) with store {@code i} (instruction k) of
         * {@code size} bytes: inline when aligned and the page's write tag hits, or else (in a
         * recording's code) when {@link #fineCheck} says the word is held exclusive; else it leaves
         * the region ({@link #exits}) or stores through {@code method} under the fault handler.
         * {@code value} is emitted twice (once per path).
         */
        void storeValue(int k, Insn i, String method, int size, Runnable value) {
            Label access = c.newLabel(), done = c.newLabel();
            read(i.rs1());
            c.loadConstant(i.imm()).ladd().lstore(ADDR);
            tagCheck(Mmu.WRITE, size, access);
            if (fine) fineCheck(Mmu.WRITE, access);
            if (exits) {
                leaveOnMiss(k);
            } else {
                guarded(k, () -> {
                    c.aload(MMU).lload(ADDR);
                    value.run();
                    c.invokevirtual(CD_MMU, method, STORE);
                });
                c.goto_(done);
            }
            c.labelBinding(access);
            boolean unsafe = JitOps.UNSAFE != null;
            if (unsafe) c.getstatic(CD_OPS, "UNSAFE", CD_OBJECT).checkcast(CD_UNSAFE).aconst_null().lload(BASE).lload(ADDR).ladd();
            else c.getstatic(CD_MMU, handle(size), CD_VAR_HANDLE).aload(MEM).lload(ADDR);
            value.run();
            switch (size) {
                case 1 -> c.l2i().i2b();
                case 2 -> c.l2i().i2s();
                case 4 -> c.l2i();
                default -> { }
            }
            if (unsafe) c.invokevirtual(CD_UNSAFE, "put" + unsafeKind(size) + "Opaque", MethodTypeDesc.of(CD_void, CD_OBJECT, CD_long, kind(size)));
            else c.invokevirtual(CD_VAR_HANDLE, "setOpaque", MethodTypeDesc.of(CD_void, CD_SEGMENT, CD_long, kind(size)));
            c.labelBinding(done);
        }

        /**
         * Jumps to {@code hit} if the address in ADDR is aligned to {@code size} and its page
         * has a tag for {@code right} ({@link Mmu#READ} or {@link Mmu#WRITE}): one compare of
         * {@code tags[(page & TLB_MASK) * 2 + right]} (the page's first address) with the key, the
         * address ANDed with {@code -PAGE_SIZE | size - 1}: a misaligned address keeps a low bit
         * and never matches, and neither does an empty entry, -1 (Mmu#tlbKey). The element is read
         * with Unsafe at byte offset {@code (ADDR >>> PAGE_SHIFT - 4) & TLB_MASK << 4} (plus the
         * array base and 8 × right, which C2 folds into the load's displacement), else with
         * {@code laload} at the index {@code (int) (ADDR >>> PAGE_SHIFT - 1) & TLB_MASK << 1} plus
         * the right. Fine code keeps the key in KEY for the miss branch.
         */
        void tagCheck(int right, int size, Label hit) {
            if (JitOps.UNSAFE != null) {
                // The same element; the mask keeps the offset inside the array. In longs: no int conversions.
                tagAt(() -> c.lload(ADDR).loadConstant(PAGE_SHIFT - 4).lushr().loadConstant((long) Mmu.TLB_MASK << 4).land(), right);
            } else {
                c.aload(TAGS).lload(ADDR).loadConstant(PAGE_SHIFT - 1).lushr().l2i().loadConstant(Mmu.TLB_MASK << 1).iand();
                if (right != 0) c.loadConstant(right).iadd();
                c.laload();
            }
            c.lload(ADDR).loadConstant(-dev.reprise.mem.AddressSpace.PAGE_SIZE | (size - 1)).land();
            if (fine) c.dup2().lstore(KEY);   // the miss branch asks the word bits with it
            c.lcmp().ifeq(hit);
        }

        /**
         * Jumps to {@code access} if the copy of the split page's word bits for {@code right} in
         * the tag array says the word is held ({@link Mmu#fineRead}, {@link Mmu#fineWrite}: the
         * same test, inline). It needs only the tag array and the key, which the loop holds anyway.
         */
        void fineCheck(int right, Label access) {
            Label no = c.newLabel();
            if (JitOps.UNSAFE != null) {   // as in tagCheck
                tagAt(null, Mmu.FINE_KEY + right);
                c.lload(KEY).lcmp().ifne(no);
                tagAt(() -> c.lload(ADDR).loadConstant(6).lushr().loadConstant(7L << 3).land(), Mmu.FINE_BITS + 8 * right);   // word long (a & 4095) >>> 9
            } else {
                c.aload(TAGS).loadConstant(Mmu.FINE_KEY + right).laload().lload(KEY).lcmp().ifne(no);
                c.aload(TAGS).lload(ADDR).l2i().bipush(9).iushr().bipush(7).iand().loadConstant(Mmu.FINE_BITS + 8 * right).iadd().laload();
            }
            c.lload(ADDR).l2i().iconst_3().iushr().lushr().l2i().iconst_1().iand().ifne(access);
            c.labelBinding(no);
        }

        /**
         * Pushes the tag array's element {@code element} plus the byte offset that {@code offset}
         * pushes (a long; none if null), read with Unsafe.getLong: no bounds check, so callers keep
         * the offset inside the array (masks).
         */
        void tagAt(Runnable offset, int element) {
            c.getstatic(CD_OPS, "UNSAFE", CD_OBJECT).checkcast(CD_UNSAFE).aload(TAGS);
            c.loadConstant(JitOps.LONG_ARRAY_BASE + 8L * element);
            if (offset != null) {
                offset.run();
                c.ladd();
            }
            c.invokevirtual(CD_UNSAFE, "getLong", MethodTypeDesc.of(CD_long, CD_OBJECT, CD_long));
        }

        static String unsafeKind(int size) {
            return switch (size) { case 1 -> "Byte"; case 2 -> "Short"; case 4 -> "Int"; default -> "Long"; };
        }

        static String handle(int size) {
            return switch (size) { case 1 -> "BYTE"; case 2 -> "SHORT"; case 4 -> "INT"; default -> "LONG"; };
        }

        static ClassDesc kind(int size) {
            return switch (size) {
                case 1 -> java.lang.constant.ConstantDescs.CD_byte;
                case 2 -> java.lang.constant.ConstantDescs.CD_short;
                case 4 -> CD_int;
                default -> CD_long;
            };
        }

        void load(int k, Insn i, String method) {
            loadValue(k, i, method);
            write(i.rd());   // after the access: a fault leaves rd as it was
        }

        void store(int k, Insn i, String method, int size) {
            storeValue(k, i, method, size, () -> read(i.rs2()));
        }

        /** Pushes 1 if the int on the stack satisfies {@code test} against 0, else 0 (as a long). */
        void bool(java.util.function.Consumer<Label> test) {
            Label yes = c.newLabel(), done = c.newLabel();
            test.accept(yes);
            c.lconst_0().goto_(done);
            c.labelBinding(yes);
            c.lconst_1();
            c.labelBinding(done);
        }

        void unsignedCompare() {
            c.invokestatic(CD_LONG_BOX, "compareUnsigned", COMPARE);
        }

        void callOps(String name) {
            c.invokestatic(CD_OPS, name, BINARY);
        }

        /**
         * Conditional branch: both ways leave the block. The comparison (-1, 0 or 1) goes to a
         * lookupswitch of one case, not to an {@code if}: C2 compiles an {@code if} that its
         * profile never saw go one way as an uncommon trap there, and when the guest does go that
         * way (a long loop's exit, a rare path) the region's compiled code is thrown away, runs in
         * the interpreter and C1 again, and C2 compiles it anew (bench_core_1: 15 such
         * deoptimizations, 0.9 s of C2's time in all). Reprise's JVM runs with
         * -XX:-UseSwitchProfiling, so C2 compiles both ways of a switch (docs/jit.md).
         */
        void branch(int k, Insn i, boolean unsigned) {
            read(i.rs1());
            read(i.rs2());
            if (unsigned) unsignedCompare();
            else c.lcmp();
            int key = i.op() == Op.BEQ || i.op() == Op.BNE ? 0 : -1;   // equal; less than
            boolean takenOnKey = i.op() == Op.BEQ || i.op() == Op.BLT || i.op() == Op.BLTU;
            Label taken = c.newLabel(), fallThrough = c.newLabel();
            c.lookupswitch(takenOnKey ? fallThrough : taken,
                    List.of(java.lang.classfile.instruction.SwitchCase.of(key, takenOnKey ? taken : fallThrough)));
            c.labelBinding(fallThrough);
            edge(k, pcs[k] + i.length());
            c.labelBinding(taken);
            edge(k, pcs[k] + i.imm());
        }

        /** Translates instruction k; returns true if it ended the block (its code has left it). */
        boolean instruction(int k) {
            Insn i = part.insns()[k];
            long pc = pcs[k], imm = i.imm() + (i.op() == faulty ? 1 : 0);
            int rd = i.rd();
            switch (i.op()) {
                case LUI -> { c.loadConstant(imm); write(rd); }
                case AUIPC -> { c.loadConstant(pc + imm); write(rd); }
                case JAL -> {
                    c.loadConstant(pc + i.length());
                    write(rd);
                    edge(k, pc + imm);
                    return true;
                }
                case JALR -> {
                    read(i.rs1());
                    c.loadConstant(imm).ladd().loadConstant(~1L).land().lstore(TARGET);   // before rd: rd may be rs1
                    c.loadConstant(pc + i.length());
                    write(rd);
                    c.lload(LEFT).loadConstant((long) k + 1).lsub().lstore(LEFT);
                    if (traced) observeJump(k);
                    c.goto_(exit);
                    return true;
                }
                case BEQ, BNE, BLT, BGE -> { branch(k, i, false); return true; }
                case BLTU, BGEU -> { branch(k, i, true); return true; }
                case LB -> load(k, i, "lb");
                case LH -> load(k, i, "lh");
                case LW -> load(k, i, "lw");
                case LD -> load(k, i, "ld");
                case LBU -> load(k, i, "lbu");
                case LHU -> load(k, i, "lhu");
                case LWU -> load(k, i, "lwu");
                case SB -> store(k, i, "sb", 1);
                case SH -> store(k, i, "sh", 2);
                case SW -> store(k, i, "sw", 4);
                case SD -> store(k, i, "sd", 8);
                case ADDI -> { read(i.rs1()); c.loadConstant(imm).ladd(); write(rd); }
                case SLTI -> { read(i.rs1()); c.loadConstant(imm).lcmp(); bool(c::iflt); write(rd); }
                case SLTIU -> { read(i.rs1()); c.loadConstant(imm); unsignedCompare(); bool(c::iflt); write(rd); }
                case XORI -> { read(i.rs1()); c.loadConstant(imm).lxor(); write(rd); }
                case ORI -> { read(i.rs1()); c.loadConstant(imm).lor(); write(rd); }
                case ANDI -> { read(i.rs1()); c.loadConstant(imm).land(); write(rd); }
                case SLLI -> { read(i.rs1()); c.loadConstant((int) imm).lshl(); write(rd); }
                case SRLI -> { read(i.rs1()); c.loadConstant((int) imm).lushr(); write(rd); }
                case SRAI -> { read(i.rs1()); c.loadConstant((int) imm).lshr(); write(rd); }
                case ADD -> { read(i.rs1()); read(i.rs2()); c.ladd(); write(rd); }
                case SUB -> { read(i.rs1()); read(i.rs2()); c.lsub(); write(rd); }
                case SLL -> { read(i.rs1()); read(i.rs2()); c.l2i().lshl(); write(rd); }
                case SLT -> { read(i.rs1()); read(i.rs2()); c.lcmp(); bool(c::iflt); write(rd); }
                case SLTU -> { read(i.rs1()); read(i.rs2()); unsignedCompare(); bool(c::iflt); write(rd); }
                case XOR -> { read(i.rs1()); read(i.rs2()); c.lxor(); write(rd); }
                case SRL -> { read(i.rs1()); read(i.rs2()); c.l2i().lushr(); write(rd); }
                case SRA -> { read(i.rs1()); read(i.rs2()); c.l2i().lshr(); write(rd); }
                case OR -> { read(i.rs1()); read(i.rs2()); c.lor(); write(rd); }
                case AND -> { read(i.rs1()); read(i.rs2()); c.land(); write(rd); }
                case ADDIW -> { read(i.rs1()); c.loadConstant(imm).ladd().l2i().i2l(); write(rd); }
                case SLLIW -> { read(i.rs1()); c.l2i().loadConstant((int) imm).ishl().i2l(); write(rd); }
                case SRLIW -> { read(i.rs1()); c.l2i().loadConstant((int) imm).iushr().i2l(); write(rd); }
                case SRAIW -> { read(i.rs1()); c.l2i().loadConstant((int) imm).ishr().i2l(); write(rd); }
                case ADDW -> { read(i.rs1()); read(i.rs2()); c.ladd().l2i().i2l(); write(rd); }
                case SUBW -> { read(i.rs1()); read(i.rs2()); c.lsub().l2i().i2l(); write(rd); }
                // ishl/iushr/ishr use the low 5 bits of the count, as the W shifts do.
                case SLLW -> { read(i.rs1()); c.l2i(); read(i.rs2()); c.l2i().ishl().i2l(); write(rd); }
                case SRLW -> { read(i.rs1()); c.l2i(); read(i.rs2()); c.l2i().iushr().i2l(); write(rd); }
                case SRAW -> { read(i.rs1()); c.l2i(); read(i.rs2()); c.l2i().ishr().i2l(); write(rd); }
                case MUL -> { read(i.rs1()); read(i.rs2()); c.lmul(); write(rd); }
                case MULW -> { read(i.rs1()); c.l2i(); read(i.rs2()); c.l2i().imul().i2l(); write(rd); }
                case MULH -> { read(i.rs1()); read(i.rs2()); c.invokestatic(CD_MATH, "multiplyHigh", BINARY); write(rd); }
                case MULHU -> { read(i.rs1()); read(i.rs2()); c.invokestatic(CD_MATH, "unsignedMultiplyHigh", BINARY); write(rd); }
                case MULHSU -> { read(i.rs1()); read(i.rs2()); callOps("mulhsu"); write(rd); }
                case DIV -> { read(i.rs1()); read(i.rs2()); callOps("div"); write(rd); }
                case DIVU -> { read(i.rs1()); read(i.rs2()); callOps("divu"); write(rd); }
                case REM -> { read(i.rs1()); read(i.rs2()); callOps("rem"); write(rd); }
                case REMU -> { read(i.rs1()); read(i.rs2()); callOps("remu"); write(rd); }
                case DIVW -> { read(i.rs1()); read(i.rs2()); callOps("divw"); write(rd); }
                case DIVUW -> { read(i.rs1()); read(i.rs2()); callOps("divuw"); write(rd); }
                case REMW -> { read(i.rs1()); read(i.rs2()); callOps("remw"); write(rd); }
                case REMUW -> { read(i.rs1()); read(i.rs2()); callOps("remuw"); write(rd); }
                case FENCE -> c.aload(MMU).loadConstant((int) imm).invokevirtual(CD_MMU, "fence", MethodTypeDesc.of(CD_void, CD_int));
                // FP loads and stores move raw bits between memory and the f locals (singles NaN-boxed on load).
                case FLW -> {
                    loadValue(k, i, "lwu");
                    c.loadConstant(0xFFFF_FFFF_0000_0000L).lor();   // after the access: a fault leaves rd as it was
                    fSetBoxed(rd);
                }
                case FLD -> {
                    loadValue(k, i, "ld");
                    fSetBits(rd);
                }
                case FSW, FSD -> storeValue(k, i, i.op() == Op.FSW ? "sw" : "sd", i.op() == Op.FSW ? 4 : 8, () -> fBits(i.rs2()));
                default -> {
                    if (fpCsr(i)) {
                        fpCsrAccess(i);
                        return false;
                    }
                    if (floatingPoint(k, i)) return false;
                    return fallback(k, i);
                }
            }
            return false;
        }

        /**
         * Runs instruction k in the interpreter: FP arithmetic and conversions (their rounding and
         * fflags are Fp's), atomics (Mmu's reservation and ordering), and the block-ending system
         * instructions (ecall, ebreak, fence.i, CSRs, illegal), which need the full hart state.
         */
        boolean fallback(int k, Insn i) {
            writeBack();
            setState(pcs[k], k);
            c.aload(HART).aload(THIS).getfield(CD_BLOCK, "insns", CD_INSNS).loadConstant(part.first() + k).aaload()
                    .invokestatic(CD_INTERP, "executeAt", MethodTypeDesc.of(CD_void, CD_HART, CD_INSN));
            if (endsBlock(i)) {
                if (traced) observe("after");   // the interpreter left the whole state in the hart
                c.return_();   // the interpreter has set pc and icount (an ecall may even have moved pc)
                return true;
            }
            // It wrote at most x[rd] or f[rd] (as its operands say): refresh that local (and the FP modes, to be safe).
            fpModes();
            Operands o = Operands.of(i.op());
            if (o.fRd) {
                c.aload(F).loadConstant(i.rd()).laload();
                fSetBits(i.rd());
            }
            else if (i.rd() != 0 && used[i.rd()]) c.aload(X).loadConstant(i.rd()).laload().lstore(slot(i.rd()));
            return false;
        }

        // ---- tracing: traced translations only (Jit.observe); untraced code has none of this ----
        //
        // The observer sees the hart as the interpreter would leave it: pc, icount, x, f and fcsr.
        // Between two instructions the hart is always up to date: the locals are loaded from it
        // at entry and every instruction's result is written back before the observer hears of
        // it. Observers only watch (StepObserver): the locals are not reloaded after a call. An
        // instruction that traps or ends the thread leaves with before() told and after() not:
        // the vCPU loop delivers the signal and then calls after(), as for the interpreter.

        /** Before instruction k: pc and icount on it, then {@code before}. */
        void observeBefore(int k) {
            setState(pcs[k], k);
            observe("before");
        }

        /** After instruction k, which falls through: its result, pc and icount, then {@code after}. */
        void observeAfter(int k) {
            writeResult(k);
            setState(pcs[k] + part.insns()[k].length(), k + 1);
            observe("after");
        }

        /** After instruction k, which leaves for {@code target} (LEFT already counts it). */
        void observeTransfer(int k, long target) {
            writeResult(k);
            c.aload(HART).loadConstant(target).putfield(CD_HART, "pc", CD_long);
            c.aload(HART).lload(ICOUNT).lload(LEFT).lsub().putfield(CD_HART, "icount", CD_long);
            observe("after");
        }

        /** After the jalr k, whose target is in TARGET (LEFT already counts it). */
        void observeJump(int k) {
            writeResult(k);
            c.aload(HART).lload(TARGET).putfield(CD_HART, "pc", CD_long);
            c.aload(HART).lload(ICOUNT).lload(LEFT).lsub().putfield(CD_HART, "icount", CD_long);
            observe("after");
        }

        /** Writes back the register instruction k wrote in its local (fallbacks write the hart themselves). */
        void writeResult(int k) {
            Insn i = part.insns()[k];
            if (i.rd() != 0 && writesXLocal(i)) c.aload(X).loadConstant(i.rd()).lload(slot(i.rd())).lastore();   // as written[] says
            if (Operands.of(i.op()).fRd && (inline(i.op()) || inlineFp(i.op()))) {
                c.aload(F).loadConstant(i.rd());
                fBits(i.rd());
                c.lastore();
            }
        }

        /** Calls {@code observer.before(hart)} or {@code observer.after(hart)}. */
        void observe(String method) {
            c.aload(THIS).getfield(CD_BLOCK, "observer", CD_OBSERVER).aload(HART)
                    .invokeinterface(CD_OBSERVER, method, MethodTypeDesc.of(CD_void, CD_HART));
        }
        // ---- floating point: FpValues' methods on the f and x locals (Fp's results and flags) ----

        /**
         * Translates FP instruction k if it is one of {@link #inlineFp}: the operands come from the
         * f and x locals, the result goes to one, and the operation is the {@link FpValues} method
         * of the instruction's operation, which gives {@link Fp}'s result and fflags (the
         * interpreter's). Guard: the rounding mode. A static rm 5 or 6 always traps: the interpreter takes
         * it. A dynamic rm reads frm at run time; frm 5..7 takes the interpreter path, which raises
         * the illegal instruction there. Returns false for instructions left to {@link #fallback}.
         */
        boolean floatingPoint(int k, Insn i) {
            Op op = i.op();
            if (!inlineFp(op)) return false;
            if (!roundsFp(op)) {
                fpBody(i, 0);
                return true;
            }
            int rm = i.rm();
            if (rm > Fp.RMM && rm != Fp.DYN) return false;   // reserved rm: the interpreter raises the trap
            if (rm == Fp.DYN) {
                Label valid = c.newLabel();
                c.iload(RM).loadConstant(Fp.RMM).if_icmple(valid);
                c.loadConstant(part.first() + k).istore(INSN).goto_(reservedRm);
                c.labelBinding(valid);
                reservedRmUsed = true;
            }
            Host host = Host.of(op);
            if (host == null || rm != Fp.DYN && rm != Fp.RNE) {
                fpBody(i, rm == Fp.DYN ? DYNAMIC : rm);
                return true;
            }
            Label slow = c.newLabel(), done = c.newLabel();
            hostFast(i, host, slow);
            c.goto_(done);
            c.labelBinding(slow);
            if (fpSlowPaths) fpBody(i, rm == Fp.DYN ? DYNAMIC : rm);
            c.labelBinding(done);
            return true;
        }

        /**
         * FAST = 1 when frm is round-to-nearest-even and NX is set, RM = frm: at entry, after a CSR
         * write and after the interpreter ran an instruction (only those change frm or clear NX; FP
         * operations only set flags, so FAST is never 1 wrongly), and while it is 0 after every
         * FpValues call (which may have set NX). Nothing else in a region's run sets NX: a loop
         * head need not look again.
         */
        void fpModes() {
            if (!hasFp) return;
            Label zero = c.newLabel(), store = c.newLabel();
            c.aload(HART).getfield(CD_HART, "frm", CD_int).dup().istore(RM).ifne(zero);
            c.aload(HART).getfield(CD_HART, "fflags", CD_int).loadConstant(Hart.FFLAG_NX).iand().goto_(store);
            c.labelBinding(zero);
            c.iconst_0();
            c.labelBinding(store);
            c.istore(FAST);
        }

        /**
         * The host's IEEE operation, inline, for an operation of {@link Host}: when FAST (round to
         * nearest even, NX already set), the single operands NaN-boxed and the result finite (a
         * sum) or normal (the rest: then neither it nor the exact value is tiny), it is the result
         * with no flag to raise (FpValues' class comment proves it); else {@code slow}, the
         * operation's FpValues method. The same format code for singles and doubles.
         */
        void hostFast(Insn i, Host host, Label slow) {
            boolean single = host.single;
            c.iload(FAST).ifeq(slow);
            List<Operands.Source> sources = Operands.of(i.op()).sources;
            for (int n = 0; n < sources.size(); n++) {
                int r = sources.get(n).of(i);
                if (host.operandSingle) c.fload(F_SINGLES + r);   // a NaN if not boxed: the result is a NaN, which takes the slow path
                else fDoubleValue(r);
                if (host.negated(n)) {
                    if (host.operandSingle) c.fneg();
                    else c.dneg();
                }
            }
            ClassDesc t = host.operandSingle ? CD_float : CD_double;
            switch (host.operation) {
                case ADD -> { if (single) c.fadd(); else c.dadd(); }
                case SUB -> { if (single) c.fsub(); else c.dsub(); }
                case MUL -> { if (single) c.fmul(); else c.dmul(); }
                case DIV -> { if (single) c.fdiv(); else c.ddiv(); }
                case SQRT -> {   // a single's root through double: double rounding is innocuous for sqrt (53 >= 2*24+2)
                    if (single) c.f2d();
                    c.invokestatic(CD_MATH, "sqrt", MethodTypeDesc.of(CD_double, CD_double));
                    if (single) c.d2f();
                }
                case FMA -> c.invokestatic(CD_MATH, "fma", MethodTypeDesc.of(t, t, t, t));
                case NARROW -> c.d2f();
            }
            if (single) {
                c.fstore(RESULT_F).fload(RESULT_F).invokestatic(CD_MATH, "abs", MethodTypeDesc.of(CD_float, CD_float)).loadConstant(Float.MAX_VALUE).fcmpg().ifgt(slow);
                if (!host.sum) c.fload(RESULT_F).invokestatic(CD_MATH, "abs", MethodTypeDesc.of(CD_float, CD_float)).loadConstant(2 * Float.MIN_NORMAL).fcmpl().iflt(slow);
                c.fload(RESULT_F).invokestatic(CD_FLOAT, "floatToRawIntBits", MethodTypeDesc.of(CD_int, CD_float))
                        .i2l().loadConstant(0xFFFF_FFFFL).land().loadConstant(0xFFFF_FFFF_0000_0000L).lor();   // NaN-boxed
                if (fSingle[i.rd()]) c.lstore(fslot(i.rd())).fload(RESULT_F).fstore(F_SINGLES + i.rd());   // fSingle excludes fDouble
                else fSetBits(i.rd());
            } else {
                c.dstore(RESULT_D).dload(RESULT_D).invokestatic(CD_MATH, "abs", MethodTypeDesc.of(CD_double, CD_double)).loadConstant(Double.MAX_VALUE).dcmpg().ifgt(slow);
                if (!host.sum) c.dload(RESULT_D).invokestatic(CD_MATH, "abs", MethodTypeDesc.of(CD_double, CD_double)).loadConstant(2 * Double.MIN_NORMAL).dcmpl().iflt(slow);
                c.dload(RESULT_D);
                if (fDouble[i.rd()]) c.dstore(fslot(i.rd()));
                else c.invokestatic(CD_DOUBLE, "doubleToRawLongBits", MethodTypeDesc.of(CD_long, CD_double)).lstore(fslot(i.rd()));
            }
        }

        /**
         * The shared exit of FP instructions that find a reserved dynamic rounding mode (frm 5..7):
         * the registers written back, then {@link Block#reservedRoundingMode} sets pc and icount
         * before the instruction and runs it in the interpreter, which raises the illegal-instruction
         * trap. (One exit for the whole region keeps the write-back of every register out of each
         * FP instruction's code.)
         */
        void reservedRmExit() {
            c.labelBinding(reservedRm);
            writeBack();
            c.aload(THIS).aload(HART).iload(INSN).lload(ICOUNT).lload(LEFT).lsub()
                    .invokevirtual(CD_BLOCK, "reservedRoundingMode", MethodTypeDesc.of(CD_void, CD_HART, CD_int, CD_long));
            c.return_();   // not reached (it traps); had it run the instruction, pc and icount would be the interpreter's
        }

        /** rm argument meaning "the frm read into local RM". */
        private static final int DYNAMIC = -1;

        private void roundingMode(int rm) {
            if (rm == DYNAMIC) c.iload(RM);
            else c.loadConstant(rm);
        }

        /**
         * The body of FP instruction i, its rounding mode already checked (rm: a mode 0..4 or
         * DYNAMIC): a call of the {@link FpValues} method of its operation, whose parameters say what
         * to pass (see there) — the hart, the operands in the order the ISA table names them, the
         * rounding mode — and whose result goes to f[rd] (NaN-boxed if a single) or x[rd]. So the
         * translator has no per-operation FP code: the table ({@link Op}) and FpValues describe it.
         */
        private void fpBody(Insn i, int rm) {
            FpMethod m = FP_VALUES.get(i.op());
            Class<?>[] params = m.params();
            int p = 0;
            if (params[0] == Hart.class) {
                c.aload(HART);
                p++;
            }
            for (Operands.Source source : Operands.of(i.op()).sources) {
                int r = source.of(i);
                if (!source.f()) read(r);
                else if (params[p] == long.class) fBits(r);   // a double, or raw bits
                else {
                    fBits(r);
                    c.invokestatic(CD_FP, "unboxSingle", MethodTypeDesc.of(CD_int, CD_long));
                }
                p++;
            }
            if (p < params.length) roundingMode(rm);
            c.invokestatic(CD_FP_VALUES, m.name(), m.type());
            if (!Operands.of(i.op()).fRd) {
                write(i.rd());
            } else if (m.returnsSingle()) {
                c.invokestatic(CD_FP, "boxSingle", MethodTypeDesc.of(CD_long, CD_int));
                fSetBoxed(i.rd());
            } else {
                fSetBits(i.rd());
            }
            if (!hasFp) return;
            // It may have set NX: from then on host results may be taken.
            Label fast = c.newLabel();
            c.iload(FAST).ifne(fast);
            fpModes();
            c.labelBinding(fast);
        }

        /**
         * csrrw/csrrs/csrrc(i) of fflags, frm or fcsr: Csr's semantics on the hart's fields (x[rd]
         * gets the old value; the csrrs/csrrc forms with x0 or uimm 0 only read). Generated code
         * reads frm and fflags from the hart at each use, so nothing else needs to know.
         */
        void fpCsrAccess(Insn i) {
            Op op = i.op();
            int csr = (int) i.imm();
            boolean immediate = op == Op.CSRRWI || op == Op.CSRRSI || op == Op.CSRRCI;
            boolean writes = op == Op.CSRRW || op == Op.CSRRWI || i.rs1() != 0;
            if (csr != FCSR) c.aload(HART).getfield(CD_HART, csr == FFLAGS ? "fflags" : "frm", CD_int).i2l();
            else c.aload(HART).getfield(CD_HART, "frm", CD_int).i2l().loadConstant(5).lshl().aload(HART).getfield(CD_HART, "fflags", CD_int).i2l().lor();
            c.lstore(OLD);
            if (writes) {
                if (immediate) c.loadConstant((long) i.rs1());
                else read(i.rs1());
                switch (op) {
                    case CSRRS, CSRRSI -> c.lload(OLD).lor();
                    case CSRRC, CSRRCI -> c.loadConstant(-1L).lxor().lload(OLD).land();
                    default -> { }
                }
                c.l2i().istore(INSN);   // the new value (only its low 8 bits matter)
                if (csr != FRM) c.aload(HART).iload(INSN).loadConstant(0x1f).iand().putfield(CD_HART, "fflags", CD_int);
                if (csr == FRM) c.aload(HART).iload(INSN).loadConstant(7).iand().putfield(CD_HART, "frm", CD_int);
                if (csr == FCSR) c.aload(HART).iload(INSN).loadConstant(5).ishr().loadConstant(7).iand().putfield(CD_HART, "frm", CD_int);
                fpModes();
            }
            c.lload(OLD);
            write(i.rd());
        }
    }

    private static final int FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003;

    /** A CSR access of fflags, frm or fcsr: translated inline ({@link Gen#fpCsrAccess}), and it does not end a block. */
    static boolean fpCsr(Insn i) {
        return switch (i.op()) {
            case CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI -> i.imm() == FFLAGS || i.imm() == FRM || i.imm() == FCSR;
            default -> false;
        };
    }

    /** Whether {@code i} ends a block: see the class comment; a CSR access ends it unless it is an FP one ({@link #fpCsr}). */
    static boolean endsBlock(Insn i) {
        return endsBlock(i.op()) && !fpCsr(i);
    }

    /** Instructions whose translation writes x[rd] into its local (written back at exits). */
    static boolean writesXLocal(Insn i) {
        return inline(i.op()) && writesX(i.op()) || inlineFp(i.op()) && !Operands.of(i.op()).fRd || fpCsr(i);
    }

    /**
     * Which fields of an operation name f and x registers, read from the ISA table's operand
     * letters ({@link Op#operands}: D S T R are f rd, rs1, rs2, rs3; d is x rd; s and t are x rs1
     * and rs2, also inside an address such as o(s)); {@code sources} lists the register operands
     * an operation reads, in the order the table names them.
     */
    record Operands(boolean fRd, boolean fRs1, boolean fRs2, boolean fRs3, List<Source> sources) {
        /** A source operand: field 1, 2 or 3 (rs1, rs2, rs3), f or x register. */
        record Source(int field, boolean f) {
            /** The register this operand names in {@code i}. */
            int of(Insn i) {
                return switch (field) { case 1 -> i.rs1(); case 2 -> i.rs2(); default -> i.rs3(); };
            }
        }

        private static final java.util.Map<Op, Operands> ALL = new java.util.EnumMap<>(Op.class);

        static {
            for (Op op : Op.values()) {
                List<String> tokens = List.of(op.operands.split(","));
                List<Source> sources = new ArrayList<>();
                for (String t : tokens) {
                    switch (t) {
                        case "S" -> sources.add(new Source(1, true));
                        case "T" -> sources.add(new Source(2, true));
                        case "R" -> sources.add(new Source(3, true));
                        case "s" -> sources.add(new Source(1, false));
                        case "t" -> sources.add(new Source(2, false));
                        default -> { }
                    }
                }
                ALL.put(op, new Operands(tokens.contains("D"), tokens.contains("S"), tokens.contains("T"), tokens.contains("R"), List.copyOf(sources)));
            }
        }

        static Operands of(Op op) {
            return ALL.get(op);
        }
    }

    /**
     * FP operations with a host fast path ({@link Gen#hostFast}): the host operation, which
     * operands it negates (the fused multiply-adds), whether the operands and the result are
     * singles, and whether it is a sum (a finite sum is never tiny-and-inexact, so it needs only
     * be finite). Singles and doubles share everything else.
     */
    record Host(Operation operation, boolean operandSingle, boolean single, boolean sum, boolean negateFirst, boolean negateThird) {
        enum Operation { ADD, SUB, MUL, DIV, SQRT, FMA, NARROW }

        boolean negated(int operand) {
            return operand == 0 && negateFirst || operand == 2 && negateThird;
        }

        private static final java.util.Map<Op, Host> ALL = new java.util.EnumMap<>(Op.class);

        private static void add(Operation o, boolean negateFirst, boolean negateThird, Op single, Op dbl) {
            boolean sum = o == Operation.ADD || o == Operation.SUB;
            ALL.put(single, new Host(o, true, true, sum, negateFirst, negateThird));
            ALL.put(dbl, new Host(o, false, false, sum, negateFirst, negateThird));
        }

        static {
            add(Operation.ADD, false, false, Op.FADD_S, Op.FADD_D);
            add(Operation.SUB, false, false, Op.FSUB_S, Op.FSUB_D);
            add(Operation.MUL, false, false, Op.FMUL_S, Op.FMUL_D);
            add(Operation.DIV, false, false, Op.FDIV_S, Op.FDIV_D);
            add(Operation.SQRT, false, false, Op.FSQRT_S, Op.FSQRT_D);
            add(Operation.FMA, false, false, Op.FMADD_S, Op.FMADD_D);       // a*b + c
            add(Operation.FMA, false, true, Op.FMSUB_S, Op.FMSUB_D);        // a*b - c
            add(Operation.FMA, true, false, Op.FNMSUB_S, Op.FNMSUB_D);      // -(a*b) + c
            add(Operation.FMA, true, true, Op.FNMADD_S, Op.FNMADD_D);       // -(a*b) - c
            ALL.put(Op.FCVT_S_D, new Host(Operation.NARROW, false, true, false, false, false));
        }

        static Host of(Op op) {
            return ALL.get(op);
        }
    }

    /** The {@link FpValues} method of each inlined FP operation, by name (FADD_S is faddS); a missing one fails here. */
    private static final java.util.Map<Op, FpMethod> FP_VALUES = new java.util.EnumMap<>(Op.class);

    /** An FpValues method: its name, parameter types and descriptor, and whether it returns a single (an int). */
    private record FpMethod(String name, Class<?>[] params, MethodTypeDesc type, boolean returnsSingle) {}

    static {
        java.util.Map<String, java.lang.reflect.Method> byName = new java.util.HashMap<>();
        for (var m : FpValues.class.getMethods()) if (m.getDeclaringClass() == FpValues.class) byName.put(m.getName(), m);
        for (Op op : Op.values()) {
            if (!inlineFp(op)) continue;
            String[] words = op.name().toLowerCase(java.util.Locale.ROOT).split("_");
            StringBuilder name = new StringBuilder(words[0]);
            for (int w = 1; w < words.length; w++) name.append(Character.toUpperCase(words[w].charAt(0))).append(words[w].substring(1));
            var m = byName.get(name.toString());
            if (m == null) throw new IllegalStateException("FpValues has no method " + name + " for " + op);
            MethodTypeDesc type = MethodTypeDesc.ofDescriptor(MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString());
            FP_VALUES.put(op, new FpMethod(m.getName(), m.getParameterTypes(), type, m.getReturnType() == int.class));
        }
    }

    /** FP operations the translator inlines (through {@link Gen#floatingPoint}); all of F and D but loads and stores, which {@link #inline} has. */
    static boolean inlineFp(Op op) {
        return op.isFloat() && op != Op.FLW && op != Op.FLD && op != Op.FSW && op != Op.FSD;
    }

    /** Inlined FP operations with a rounding mode field (checked, and a trap when reserved). */
    static boolean roundsFp(Op op) {
        return switch (op) {
            case FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S,
                 FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
                 FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU,
                 FCVT_W_D, FCVT_WU_D, FCVT_L_D, FCVT_LU_D, FCVT_D_W, FCVT_D_WU, FCVT_D_L, FCVT_D_LU,
                 FCVT_S_D, FCVT_D_S -> true;
            default -> false;
        };
    }

    /** Makes {@code block}, generated traced, report to {@code observer}. */
    private static Block traced(Block block, StepObserver observer) {
        block.observer = observer;   // traced code is careful: it stops after any block
        return block;
    }

    /**
     * Test-only fault injection: translations made while this is set give every instruction of
     * this kind an immediate one too large (an ADDI adds imm + 1). TraceJitTest sets it to prove
     * that {@code trace diff} of the interpreter against the JIT finds a translator bug at its
     * exact icount and pc. Package-private and never set by main code: no option, property or
     * environment variable reaches it, so a production run cannot enable it.
     */
    static volatile Op faultyImmediate;

    /** Operations the generator translates itself (the rest go through {@link Gen#fallback}). */
    static boolean inline(Op op) {
        return switch (op) {
            case LUI, AUIPC, JAL, JALR, BEQ, BNE, BLT, BGE, BLTU, BGEU, LB, LH, LW, LD, LBU, LHU, LWU, SB, SH, SW, SD,
                 ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI, ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
                 ADDIW, SLLIW, SRLIW, SRAIW, ADDW, SUBW, SLLW, SRLW, SRAW,
                 MUL, MULW, MULH, MULHU, MULHSU, DIV, DIVU, REM, REMU, DIVW, DIVUW, REMW, REMUW,
                 FENCE, FLW, FLD, FSW, FSD -> true;
            default -> false;
        };
    }

    /** Inline operations that write x[rd]. */
    static boolean writesX(Op op) {
        return switch (op) {
            case BEQ, BNE, BLT, BGE, BLTU, BGEU, SB, SH, SW, SD, FENCE, FLW, FLD, FSW, FSD -> false;
            default -> true;
        };
    }
}
