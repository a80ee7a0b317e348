package dev.reprise.jit;

import dev.reprise.cpu.Trap;
import dev.reprise.mem.MemoryFault;

/**
 * Out-of-line pieces of translated code, with the interpreter's semantics: small static methods
 * that HotSpot inlines. Stateless.
 */
public final class JitOps {
    private JitOps() {}

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

    /** The trap a memory fault of the instruction at {@code pc} raises (as {@link dev.reprise.cpu.Interpreter#step}). */
    public static Trap trap(MemoryFault f, long pc) {
        return new Trap(Trap.Cause.MEMORY, pc, f.address, f);
    }
}
