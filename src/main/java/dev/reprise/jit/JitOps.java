package dev.reprise.jit;

import dev.reprise.cpu.Trap;
import dev.reprise.mem.MemoryFault;

/**
 * Out-of-line pieces of translated code, with the interpreter's semantics: small static methods
 * that HotSpot inlines. Stateless.
 */
public final class JitOps {
    private JitOps() {}

    /**
     * jdk.internal.misc.Unsafe, when java.base exports it to Reprise (the launcher's and the
     * tests' --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED) and the host is little-endian
     * like the guest; else null, and generated code accesses guest memory through {@link
     * dev.reprise.mem.Mmu}'s VarHandles. Its opaque accesses are the same accesses as those
     * VarHandles' (which end in them), without the segment's bounds and liveness checks: HotSpot
     * compiles them to one instruction, where each VarHandle access inlines about ten methods into
     * the region, which made the C2 compilation of a region take seconds. The checks are not
     * needed there: a TLB tag hit proves the page is inside the reservation (Mmu), an aligned
     * access never leaves its page, and the reservation is unmapped only once no vCPU runs
     * (Process.close).
     */
    public static final Object UNSAFE = unsafe();

    /**
     * Where a long[]'s elements start, in bytes from the array ({@code Unsafe.arrayBaseOffset}); 0
     * when {@link #UNSAFE} is null. Generated code reads the TLB's tags with it: the index is masked
     * into the array, so HotSpot's bounds check on every guest access is not needed.
     */
    public static final long LONG_ARRAY_BASE = longArrayBase();

    private static long longArrayBase() {
        if (UNSAFE == null) return 0;
        try {
            return ((Number) UNSAFE.getClass().getMethod("arrayBaseOffset", Class.class).invoke(UNSAFE, long[].class)).longValue();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object unsafe() {
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN || Boolean.getBoolean("reprise.jit.varhandles")) return null;
        try {
            Class<?> c = Class.forName("jdk.internal.misc.Unsafe");
            if (!c.getModule().isExported("jdk.internal.misc", JitOps.class.getModule())) return null;
            return c.getMethod("getUnsafe").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    public static long mulhsu(long a, long b) {
        return Math.multiplyHigh(a, b) + (b < 0 ? a : 0);
    }

    public static long div(long a, long b) {
        return b == 0 ? -1 : a / b;
    }

    public static long divu(long a, long b) {
        return b == 0 ? -1 : Long.divideUnsigned(a, b);
    }

    public static long rem(long a, long b) {
        return b == 0 ? a : a % b;
    }

    public static long remu(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    public static long divw(long a, long b) {
        return (int) b == 0 ? -1 : (int) a / (int) b;
    }

    public static long divuw(long a, long b) {
        return (int) b == 0 ? -1 : Integer.divideUnsigned((int) a, (int) b);
    }

    public static long remw(long a, long b) {
        return (int) b == 0 ? (int) a : (int) a % (int) b;
    }

    public static long remuw(long a, long b) {
        return (int) b == 0 ? (int) a : Integer.remainderUnsigned((int) a, (int) b);
    }

    /**
     * Thrown by {@link #leaveAt} and {@link #fits} to leave a region before a block: generated code
     * stores the block's pc before the call, and the region's one handler takes the common exit.
     * Preallocated and without a stack trace: throwing it costs an unwind in the interpreter and
     * C1, and nothing in C2, which inlines the check and turns the throw into a jump to the handler.
     */
    public static final class Leave extends RuntimeException {
        private Leave() {
            super(null, null, false, false);
        }
    }

    public static final Leave LEAVE = new Leave();

    /*
     * Why the checks of generated code branch here and not in the region: HotSpot profiles each
     * branch of a method on its own, and C2 compiles a branch that the profile never saw taken as a
     * trap that throws the compiled region away (unstable_if) when it is taken, then profiles and
     * compiles it again. A region has a check at each loop head; the budget runs out at one of them
     * about once per slice, rarely the same one while C2's profile was taken, so most of them
     * became such traps: 23 of the 44 region deoptimizations of bench_core_1 (docs/performance.md).
     * Here, one branch serves every region and is taken at every slice end, so C2 keeps it.
     */

    /**
     * At a loop head of a region: throws {@link #LEAVE} unless the region fits in what is left of
     * the budget ({@code needed <= budget}: the region's instruction count, and the budget minus
     * what the region has retired so far) and nothing asks loops to leave ({@link dev.reprise.cpu.Hart#leave}:
     * translated code went stale, or the vCPU's attention is wanted).
     */
    public static void leaveAt(long needed, long budget, dev.reprise.cpu.Hart h) {
        if (needed > budget || h.leave) throw LEAVE;
    }

    /** At a block of a careful region: throws {@link #LEAVE} unless the block fits in what is left of the budget. */
    public static void fits(long needed, long budget) {
        if (needed > budget) throw LEAVE;
    }

    /** The trap a memory fault of the instruction at {@code pc} raises (as {@link dev.reprise.cpu.Interpreter#step}). */
    public static Trap trap(MemoryFault f, long pc) {
        return new Trap(Trap.Cause.MEMORY, pc, f.address, f);
    }
}
