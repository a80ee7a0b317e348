package dev.reprise.cpu;

/**
 * Fp's operations on register values instead of instructions: what the JIT calls when it
 * translates FP instructions itself (docs/jit.md). Each method is the body of the {@link Fp}
 * method of the same operation with the operands already read, calling the same code, so the
 * results and fflags are Fp's by construction. Singles come in unboxed ({@link Fp#unboxSingle})
 * and go out unboxed (the caller NaN-boxes them); the rounding mode is already checked.
 */
public final class FpValues {
    private FpValues() {}

    /** Integer kinds of the conversions: 32-bit signed, 32-bit unsigned, 64-bit signed, 64-bit unsigned. */
    public static final int W = Fp.W, WU = Fp.WU, L = Fp.L, LU = Fp.LU;

    public static long toIntS(Hart h, int a, int rm, int kind) { return Fp.toInt(h, Fp.S, a, rm, kind); }
    public static long toIntD(Hart h, long a, int rm, int kind) { return Fp.toInt(h, Fp.D, a, rm, kind); }

    /** fcvt.s.{w,wu,l,lu}: {@code v} already narrowed as Fp does ((int) x, x & 0xffffffffL, x). */
    public static int fromIntS(Hart h, long v, boolean unsigned, int rm) { return (int) Fp.fromInt(h, Fp.S, v, unsigned, rm); }
    public static long fromIntD(Hart h, long v, boolean unsigned, int rm) { return Fp.fromInt(h, Fp.D, v, unsigned, rm); }

    /**
     * fcvt.d.s (its rm is only checked). Widening is exact for every non-NaN single (zeros,
     * subnormals, infinities included) and raises no flag, so the host's conversion is the
     * result; NaNs take Fp's path (canonical NaN, NV for a signalling one).
     */
    public static long cvtDS(Hart h, int a) {
        float x = Float.intBitsToFloat(a);
        return x == x ? Double.doubleToRawLongBits(x) : Fp.convert(h, Fp.S, Fp.D, a & 0xffffffffL, Fp.RNE);
    }

    public static long feqS(Hart h, int a, int b) { return Fp.compare(h, Fp.S, a, b, false) == 0 ? 1 : 0; }
    public static long fltS(Hart h, int a, int b) { return Fp.compare(h, Fp.S, a, b, true) < 0 ? 1 : 0; }
    public static long fleS(Hart h, int a, int b) { return Fp.compare(h, Fp.S, a, b, true) <= 0 ? 1 : 0; }
    public static long feqD(Hart h, long a, long b) { return Fp.compare(h, Fp.D, a, b, false) == 0 ? 1 : 0; }
    public static long fltD(Hart h, long a, long b) { return Fp.compare(h, Fp.D, a, b, true) < 0 ? 1 : 0; }
    public static long fleD(Hart h, long a, long b) { return Fp.compare(h, Fp.D, a, b, true) <= 0 ? 1 : 0; }

    public static int minMaxS(Hart h, int a, int b, boolean max) { return (int) Fp.minMax(h, Fp.S, a, b, max); }
    public static long minMaxD(Hart h, long a, long b, boolean max) { return Fp.minMax(h, Fp.D, a, b, max); }

    public static long classS(int a) { return Fp.classify(Fp.S, a); }
    public static long classD(long a) { return Fp.classify(Fp.D, a); }
}
