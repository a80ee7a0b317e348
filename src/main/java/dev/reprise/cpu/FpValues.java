package dev.reprise.cpu;

/**
 * Fp's operations on register values instead of instructions: one static method per F and D
 * operation but the loads and stores, named like {@link Fp}'s (FADD_S is faddS, FCVT_WU_D is
 * fcvtWuD). The JIT calls them (docs/jit.md): the parameters say what the generated code passes —
 * the hart first when the operation may raise flags, then the operands in the order the
 * instruction names them ({@code int} for a single read from an f register, unboxed by
 * {@link Fp#unboxSingle}; {@code long} for a double, raw f register bits or an x register), then
 * the rounding mode (already checked: 0..4) when the operation has one. An {@code int} result is a
 * single (the caller NaN-boxes it), a {@code long} one a double or an x register value.
 *
 * <p>Results and fflags are exactly Fp's (the interpreter's). Each method either returns the host's
 * IEEE result where that is provably the answer with no flag to raise beyond those already set, or
 * calls Fp's method for the operation. The shortcut: in round-to-nearest-even (the mode C programs
 * run in) with NX already set — fflags only accrue, and a program's first inexact operation sets
 * NX — a host result that is finite and not tiny (magnitude at least 2^-1021 in double, 2^-125 in
 * single: then the exact value is not tiny either) has raised no flag but NX, which is set: it is
 * the result, with no rounding error to compute. Sums need only be finite (a tiny sum is exact).
 * NaN, infinite or tiny results, directed rounding and a clear NX take Fp's path.
 */
public final class FpValues {
    private FpValues() {}

    // ---- when the host's result is the answer --------------------------------------------------

    /** Round to nearest even with NX already set: see the class comment. */
    private static boolean nearestAndInexact(Hart h, int rm) {
        return rm == Fp.RNE && (h.fflags & Hart.FFLAG_NX) != 0;
    }

    /** Finite (not NaN, not infinite). */
    private static boolean finite(double r) {
        return Math.abs(r) <= Double.MAX_VALUE;
    }

    private static boolean finite(float r) {
        return Math.abs(r) <= Float.MAX_VALUE;
    }

    /** Finite and at least twice the smallest normal: neither the result nor the exact value is tiny. */
    private static boolean normal(double r) {
        double m = Math.abs(r);
        return m >= 2 * Double.MIN_NORMAL && m <= Double.MAX_VALUE;
    }

    private static boolean normal(float r) {
        float m = Math.abs(r);
        return m >= 2 * Float.MIN_NORMAL && m <= Float.MAX_VALUE;
    }

    private static double d(long bits) {
        return Double.longBitsToDouble(bits);
    }

    private static float s(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static long bits(double r) {
        return Double.doubleToRawLongBits(r);
    }

    private static int bits(float r) {
        return Float.floatToRawIntBits(r);
    }

    // ---- arithmetic --------------------------------------------------------------------------

    public static int faddS(Hart h, int a, int b, int rm) {
        float r = s(a) + s(b);
        return nearestAndInexact(h, rm) && finite(r) ? bits(r) : Fp.addS(h, a, b, rm);
    }

    public static int fsubS(Hart h, int a, int b, int rm) {
        float r = s(a) - s(b);
        return nearestAndInexact(h, rm) && finite(r) ? bits(r) : Fp.addS(h, a, b ^ 0x80000000, rm);
    }

    public static int fmulS(Hart h, int a, int b, int rm) {
        float r = s(a) * s(b);
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.mulS(h, a, b, rm);
    }

    public static int fdivS(Hart h, int a, int b, int rm) {
        float r = s(a) / s(b);
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.divS(h, a, b, rm);
    }

    public static int fsqrtS(Hart h, int a, int rm) {
        float r = (float) Math.sqrt(s(a));   // double rounding is innocuous for sqrt (53 >= 2*24+2)
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.sqrtS(h, a, rm);
    }

    public static long faddD(Hart h, long a, long b, int rm) {
        double r = d(a) + d(b);
        return nearestAndInexact(h, rm) && finite(r) ? bits(r) : Fp.addD(h, a, b, rm);
    }

    public static long fsubD(Hart h, long a, long b, int rm) {
        double r = d(a) - d(b);
        return nearestAndInexact(h, rm) && finite(r) ? bits(r) : Fp.addD(h, a, b ^ Long.MIN_VALUE, rm);
    }

    public static long fmulD(Hart h, long a, long b, int rm) {
        double r = d(a) * d(b);
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.mulD(h, a, b, rm);
    }

    public static long fdivD(Hart h, long a, long b, int rm) {
        double r = d(a) / d(b);
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.divD(h, a, b, rm);
    }

    public static long fsqrtD(Hart h, long a, int rm) {
        double r = Math.sqrt(d(a));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.sqrtD(h, a, rm);
    }

    // The fused multiply-adds: the host's fma rounds once, as RISC-V's does (Math.fma on floats is
    // the single-precision fma, not a double fma rounded again).

    public static int fmaddS(Hart h, int a, int b, int c, int rm) {
        float r = Math.fma(s(a), s(b), s(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaS(h, a, b, c, false, false, rm);
    }

    public static int fmsubS(Hart h, int a, int b, int c, int rm) {
        float r = Math.fma(s(a), s(b), -s(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaS(h, a, b, c, false, true, rm);
    }

    public static int fnmsubS(Hart h, int a, int b, int c, int rm) {
        float r = Math.fma(-s(a), s(b), s(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaS(h, a, b, c, true, false, rm);
    }

    public static int fnmaddS(Hart h, int a, int b, int c, int rm) {
        float r = Math.fma(-s(a), s(b), -s(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaS(h, a, b, c, true, true, rm);
    }

    public static long fmaddD(Hart h, long a, long b, long c, int rm) {
        double r = Math.fma(d(a), d(b), d(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaD(h, a, b, c, false, false, rm);
    }

    public static long fmsubD(Hart h, long a, long b, long c, int rm) {
        double r = Math.fma(d(a), d(b), -d(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaD(h, a, b, c, false, true, rm);
    }

    public static long fnmsubD(Hart h, long a, long b, long c, int rm) {
        double r = Math.fma(-d(a), d(b), d(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaD(h, a, b, c, true, false, rm);
    }

    public static long fnmaddD(Hart h, long a, long b, long c, int rm) {
        double r = Math.fma(-d(a), d(b), -d(c));
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.fmaD(h, a, b, c, true, true, rm);
    }

    // ---- sign injection, min/max, moves: no rounding ---------------------------------------------

    public static int fsgnjS(int a, int b) { return a & 0x7fffffff | b & 0x80000000; }
    public static int fsgnjnS(int a, int b) { return a & 0x7fffffff | ~b & 0x80000000; }
    public static int fsgnjxS(int a, int b) { return a ^ b & 0x80000000; }
    public static long fsgnjD(long a, long b) { return a & Long.MAX_VALUE | b & Long.MIN_VALUE; }
    public static long fsgnjnD(long a, long b) { return a & Long.MAX_VALUE | ~b & Long.MIN_VALUE; }
    public static long fsgnjxD(long a, long b) { return a ^ b & Long.MIN_VALUE; }

    public static int fminS(Hart h, int a, int b) { return (int) Fp.minMax(h, Fp.S, a, b, false); }
    public static int fmaxS(Hart h, int a, int b) { return (int) Fp.minMax(h, Fp.S, a, b, true); }
    public static long fminD(Hart h, long a, long b) { return Fp.minMax(h, Fp.D, a, b, false); }
    public static long fmaxD(Hart h, long a, long b) { return Fp.minMax(h, Fp.D, a, b, true); }

    /** fmv.x.w: the low 32 bits of the register as they are (not unboxed), sign-extended. */
    public static long fmvXW(long raw) { return (int) raw; }
    public static int fmvWX(long x) { return (int) x; }
    public static long fmvXD(long raw) { return raw; }
    public static long fmvDX(long x) { return x; }

    // ---- compares and class: a NaN operand takes Fp's path (NV) ------------------------------------

    public static long feqS(Hart h, int a, int b) {
        float x = s(a), y = s(b);
        return x == x && y == y ? (x == y ? 1 : 0) : Fp.compare(h, Fp.S, a, b, false) == 0 ? 1 : 0;
    }

    public static long fltS(Hart h, int a, int b) {
        float x = s(a), y = s(b);
        return x == x && y == y ? (x < y ? 1 : 0) : Fp.compare(h, Fp.S, a, b, true) < 0 ? 1 : 0;
    }

    public static long fleS(Hart h, int a, int b) {
        float x = s(a), y = s(b);
        return x == x && y == y ? (x <= y ? 1 : 0) : Fp.compare(h, Fp.S, a, b, true) <= 0 ? 1 : 0;
    }

    public static long feqD(Hart h, long a, long b) {
        double x = d(a), y = d(b);
        return x == x && y == y ? (x == y ? 1 : 0) : Fp.compare(h, Fp.D, a, b, false) == 0 ? 1 : 0;
    }

    public static long fltD(Hart h, long a, long b) {
        double x = d(a), y = d(b);
        return x == x && y == y ? (x < y ? 1 : 0) : Fp.compare(h, Fp.D, a, b, true) < 0 ? 1 : 0;
    }

    public static long fleD(Hart h, long a, long b) {
        double x = d(a), y = d(b);
        return x == x && y == y ? (x <= y ? 1 : 0) : Fp.compare(h, Fp.D, a, b, true) <= 0 ? 1 : 0;
    }

    public static long fclassS(int a) { return Fp.classify(Fp.S, a); }
    public static long fclassD(long a) { return Fp.classify(Fp.D, a); }

    // ---- conversions ---------------------------------------------------------------------------

    public static long fcvtWS(Hart h, int a, int rm) { return Fp.toInt(h, Fp.S, a, rm, Fp.W); }
    public static long fcvtWuS(Hart h, int a, int rm) { return Fp.toInt(h, Fp.S, a, rm, Fp.WU); }
    public static long fcvtLS(Hart h, int a, int rm) { return Fp.toInt(h, Fp.S, a, rm, Fp.L); }
    public static long fcvtLuS(Hart h, int a, int rm) { return Fp.toInt(h, Fp.S, a, rm, Fp.LU); }
    public static long fcvtWD(Hart h, long a, int rm) { return Fp.toInt(h, Fp.D, a, rm, Fp.W); }
    public static long fcvtWuD(Hart h, long a, int rm) { return Fp.toInt(h, Fp.D, a, rm, Fp.WU); }
    public static long fcvtLD(Hart h, long a, int rm) { return Fp.toInt(h, Fp.D, a, rm, Fp.L); }
    public static long fcvtLuD(Hart h, long a, int rm) { return Fp.toInt(h, Fp.D, a, rm, Fp.LU); }

    // From integers: exact, whatever the mode and with no flag, when the value has at most as many
    // significant bits as the format's significand (every int in a double); else Fp rounds.

    public static int fcvtSW(Hart h, long x, int rm) {
        int v = (int) x;
        return Math.abs(v) <= 1 << 24 ? bits((float) v) : (int) Fp.fromInt(h, Fp.S, v, false, rm);
    }

    public static int fcvtSWu(Hart h, long x, int rm) {
        long v = x & 0xffffffffL;
        return v <= 1 << 24 ? bits((float) v) : (int) Fp.fromInt(h, Fp.S, v, false, rm);
    }

    public static int fcvtSL(Hart h, long x, int rm) {
        return Math.abs(x) <= 1 << 24 ? bits((float) x) : (int) Fp.fromInt(h, Fp.S, x, false, rm);
    }

    public static int fcvtSLu(Hart h, long x, int rm) {
        return x >= 0 && x <= 1 << 24 ? bits((float) x) : (int) Fp.fromInt(h, Fp.S, x, true, rm);
    }

    public static long fcvtDW(Hart h, long x, int rm) { return bits((double) (int) x); }
    public static long fcvtDWu(Hart h, long x, int rm) { return bits((double) (x & 0xffffffffL)); }

    public static long fcvtDL(Hart h, long x, int rm) {
        return Math.abs(x) <= 1L << 53 ? bits((double) x) : Fp.fromInt(h, Fp.D, x, false, rm);
    }

    public static long fcvtDLu(Hart h, long x, int rm) {
        return x >= 0 && x <= 1L << 53 ? bits((double) x) : Fp.fromInt(h, Fp.D, x, true, rm);
    }

    public static int fcvtSD(Hart h, long a, int rm) {
        float r = (float) d(a);
        return nearestAndInexact(h, rm) && normal(r) ? bits(r) : Fp.cvtSD(h, a, rm);
    }

    /**
     * fcvt.d.s (its rm is only checked). Widening is exact for every non-NaN single (zeros,
     * subnormals, infinities included) and raises no flag, so the host's conversion is the
     * result; NaNs take Fp's path (canonical NaN, NV for a signalling one).
     */
    public static long fcvtDS(Hart h, int a, int rm) {
        float x = s(a);
        return x == x ? bits((double) x) : Fp.convert(h, Fp.S, Fp.D, a & 0xffffffffL, Fp.RNE);
    }
}
