package dev.reprise.cpu;

import dev.reprise.isa.Insn;
import java.math.BigInteger;

/**
 * F and D semantics: one static method per FP operation of {@link dev.reprise.isa.Op} (loads and
 * stores excepted), named after it in lower camel case (FADD_S is faddS, FCVT_W_S is fcvtWS).
 *
 * <p>Bit-exact with the RISC-V spec (and so with softfloat as QEMU configures it for RISC-V):
 * canonical NaNs, no payload propagation, tininess detected after rounding, saturating
 * conversions to integer. Operations that round check the rounding mode first and raise an
 * illegal instruction, before touching any state, for rm 5/6 or a dynamic rm with frm 5..7.
 *
 * <p>Arithmetic takes a fast path on the host's IEEE arithmetic (round to nearest even), where
 * error-free transformations give the exact rounding error, which yields the inexact flag and the
 * result in every other rounding mode. NaN or infinite operands, overflow and results near the
 * underflow threshold, and the rare fma tie the host cannot settle, go to an exact
 * integer-significand path ({@link #round}).
 */
public final class Fp {
    private Fp() {}

    public static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7;
    public static final int CANONICAL_NAN_S = 0x7fc00000;
    public static final long CANONICAL_NAN_D = 0x7ff8000000000000L;
    private static final long BOX = 0xffffffff00000000L;

    // ---- NaN-boxing (also for FLW/FSW in the interpreter) -------------------------------------

    /** The register pattern of a single: upper 32 bits all ones. */
    public static long boxSingle(int bits) {
        return BOX | (bits & 0xffffffffL);
    }

    /**
     * The single an arithmetic operation reads from a register: the canonical NaN when the register
     * is not NaN-boxed. FSW and FMV.X.W do not unbox: they move the low 32 bits as they are.
     */
    public static int unboxSingle(long reg) {
        return (reg & BOX) == BOX ? (int) reg : CANONICAL_NAN_S;
    }

    /** The effective rounding mode of {@code i}, or an illegal-instruction trap. */
    public static int rm(Hart h, Insn i) {
        int rm = i.rm() == DYN ? h.frm : i.rm();
        if (rm > RMM) throw Trap.illegal(h.pc, i.raw() & 0xffffffffL);
        return rm;
    }

    // ---- single precision ----------------------------------------------------------------------

    public static void faddS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, addS(h, s1(h, i), s2(h, i), rm)); }
    public static void fsubS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, addS(h, s1(h, i), s2(h, i) ^ 0x80000000, rm)); }
    public static void fmulS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, mulS(h, s1(h, i), s2(h, i), rm)); }
    public static void fdivS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, divS(h, s1(h, i), s2(h, i), rm)); }
    public static void fsqrtS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, sqrtS(h, s1(h, i), rm)); }

    public static void fmaddS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, fmaS(h, s1(h, i), s2(h, i), s3(h, i), false, false, rm)); }
    public static void fmsubS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, fmaS(h, s1(h, i), s2(h, i), s3(h, i), false, true, rm)); }
    public static void fnmsubS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, fmaS(h, s1(h, i), s2(h, i), s3(h, i), true, false, rm)); }
    public static void fnmaddS(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, fmaS(h, s1(h, i), s2(h, i), s3(h, i), true, true, rm)); }

    public static void fsgnjS(Hart h, Insn i) { setS(h, i, s1(h, i) & 0x7fffffff | s2(h, i) & 0x80000000); }
    public static void fsgnjnS(Hart h, Insn i) { setS(h, i, s1(h, i) & 0x7fffffff | ~s2(h, i) & 0x80000000); }
    public static void fsgnjxS(Hart h, Insn i) { setS(h, i, s1(h, i) ^ s2(h, i) & 0x80000000); }
    public static void fminS(Hart h, Insn i) { setS(h, i, (int) minMax(h, S, s1(h, i), s2(h, i), false)); }
    public static void fmaxS(Hart h, Insn i) { setS(h, i, (int) minMax(h, S, s1(h, i), s2(h, i), true)); }

    public static void feqS(Hart h, Insn i) { h.setX(i.rd(), compare(h, S, s1(h, i), s2(h, i), false) == 0 ? 1 : 0); }
    public static void fltS(Hart h, Insn i) { h.setX(i.rd(), compare(h, S, s1(h, i), s2(h, i), true) < 0 ? 1 : 0); }
    public static void fleS(Hart h, Insn i) { h.setX(i.rd(), compare(h, S, s1(h, i), s2(h, i), true) <= 0 ? 1 : 0); }
    public static void fclassS(Hart h, Insn i) { h.setX(i.rd(), classify(S, s1(h, i))); }

    public static void fcvtWS(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, S, s1(h, i), rm, W)); }
    public static void fcvtWuS(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, S, s1(h, i), rm, WU)); }
    public static void fcvtLS(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, S, s1(h, i), rm, L)); }
    public static void fcvtLuS(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, S, s1(h, i), rm, LU)); }
    public static void fcvtSW(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, (int) fromInt(h, S, (int) h.x[i.rs1()], false, rm)); }
    public static void fcvtSWu(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, (int) fromInt(h, S, h.x[i.rs1()] & 0xffffffffL, false, rm)); }
    public static void fcvtSL(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, (int) fromInt(h, S, h.x[i.rs1()], false, rm)); }
    public static void fcvtSLu(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, (int) fromInt(h, S, h.x[i.rs1()], true, rm)); }

    public static void fmvXW(Hart h, Insn i) { h.setX(i.rd(), (int) h.f[i.rs1()]); }
    public static void fmvWX(Hart h, Insn i) { h.f[i.rd()] = boxSingle((int) h.x[i.rs1()]); }

    // ---- double precision ----------------------------------------------------------------------

    public static void faddD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = addD(h, d1(h, i), d2(h, i), rm); }
    public static void fsubD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = addD(h, d1(h, i), d2(h, i) ^ Long.MIN_VALUE, rm); }
    public static void fmulD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = mulD(h, d1(h, i), d2(h, i), rm); }
    public static void fdivD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = divD(h, d1(h, i), d2(h, i), rm); }
    public static void fsqrtD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = sqrtD(h, d1(h, i), rm); }

    public static void fmaddD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fmaD(h, d1(h, i), d2(h, i), d3(h, i), false, false, rm); }
    public static void fmsubD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fmaD(h, d1(h, i), d2(h, i), d3(h, i), false, true, rm); }
    public static void fnmsubD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fmaD(h, d1(h, i), d2(h, i), d3(h, i), true, false, rm); }
    public static void fnmaddD(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fmaD(h, d1(h, i), d2(h, i), d3(h, i), true, true, rm); }

    public static void fsgnjD(Hart h, Insn i) { h.f[i.rd()] = d1(h, i) & Long.MAX_VALUE | d2(h, i) & Long.MIN_VALUE; }
    public static void fsgnjnD(Hart h, Insn i) { h.f[i.rd()] = d1(h, i) & Long.MAX_VALUE | ~d2(h, i) & Long.MIN_VALUE; }
    public static void fsgnjxD(Hart h, Insn i) { h.f[i.rd()] = d1(h, i) ^ d2(h, i) & Long.MIN_VALUE; }
    public static void fminD(Hart h, Insn i) { h.f[i.rd()] = minMax(h, D, d1(h, i), d2(h, i), false); }
    public static void fmaxD(Hart h, Insn i) { h.f[i.rd()] = minMax(h, D, d1(h, i), d2(h, i), true); }

    public static void feqD(Hart h, Insn i) { h.setX(i.rd(), compare(h, D, d1(h, i), d2(h, i), false) == 0 ? 1 : 0); }
    public static void fltD(Hart h, Insn i) { h.setX(i.rd(), compare(h, D, d1(h, i), d2(h, i), true) < 0 ? 1 : 0); }
    public static void fleD(Hart h, Insn i) { h.setX(i.rd(), compare(h, D, d1(h, i), d2(h, i), true) <= 0 ? 1 : 0); }
    public static void fclassD(Hart h, Insn i) { h.setX(i.rd(), classify(D, d1(h, i))); }

    public static void fcvtWD(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, D, d1(h, i), rm, W)); }
    public static void fcvtWuD(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, D, d1(h, i), rm, WU)); }
    public static void fcvtLD(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, D, d1(h, i), rm, L)); }
    public static void fcvtLuD(Hart h, Insn i) { int rm = rm(h, i); h.setX(i.rd(), toInt(h, D, d1(h, i), rm, LU)); }
    public static void fcvtDW(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fromInt(h, D, (int) h.x[i.rs1()], false, rm); }
    public static void fcvtDWu(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fromInt(h, D, h.x[i.rs1()] & 0xffffffffL, false, rm); }
    public static void fcvtDL(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fromInt(h, D, h.x[i.rs1()], false, rm); }
    public static void fcvtDLu(Hart h, Insn i) { int rm = rm(h, i); h.f[i.rd()] = fromInt(h, D, h.x[i.rs1()], true, rm); }

    public static void fcvtSD(Hart h, Insn i) { int rm = rm(h, i); setS(h, i, cvtSD(h, d1(h, i), rm)); }
    public static void fcvtDS(Hart h, Insn i) { rm(h, i); h.f[i.rd()] = convert(h, S, D, s1(h, i) & 0xffffffffL, RNE); }

    public static void fmvXD(Hart h, Insn i) { h.setX(i.rd(), h.f[i.rs1()]); }
    public static void fmvDX(Hart h, Insn i) { h.f[i.rd()] = h.x[i.rs1()]; }

    // ---- operand access ------------------------------------------------------------------------

    private static int s1(Hart h, Insn i) { return unboxSingle(h.f[i.rs1()]); }
    private static int s2(Hart h, Insn i) { return unboxSingle(h.f[i.rs2()]); }
    private static int s3(Hart h, Insn i) { return unboxSingle(h.f[i.rs3()]); }
    private static long d1(Hart h, Insn i) { return h.f[i.rs1()]; }
    private static long d2(Hart h, Insn i) { return h.f[i.rs2()]; }
    private static long d3(Hart h, Insn i) { return h.f[i.rs3()]; }
    private static void setS(Hart h, Insn i, int bits) { h.f[i.rd()] = boxSingle(bits); }

    // ---- fast paths on the host's IEEE arithmetic (also the JIT's helpers) --------------------
    // Each returns the result and ORs its flags into h.fflags. The host computes r = RNE(v) of the
    // exact value v, an error-free transformation gives v - r (or its sign), and settle() turns that
    // into the result of any rounding mode. Whatever that cannot decide with certainty (NaN or
    // infinite operands, overflow, results near the underflow threshold) goes to the exact path.

    /** Below this magnitude the fast paths do not decide: error terms could underflow. */
    private static final double TINY_D = 0x1p-900;
    private static final float TINY_S = 0x1p-100f;
    /** Bounds operands of the fma fast path away from intermediate overflow. */
    private static final double HUGE_D = 0x1p1000;
    /** "Not decided": a NaN pattern, which no fast path ever returns. */
    private static final long UNDECIDED = -1;

    /**
     * Whether a fast path may return the host's result r without its rounding error: in round to
     * nearest even r is the result whatever the error, and once NX is set (fflags only accrue)
     * the error cannot change the flags either. Only inside a fast path's conditions, where the
     * only flag the operation can raise is NX.
     */
    private static boolean errorIrrelevant(Hart h, int rm) {
        return rm == RNE && (h.fflags & Hart.FFLAG_NX) != 0;
    }

    public static long addD(Hart h, long a, long b, int rm) {
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x + y;
        double yv = r - x, err = (x - (r - yv)) + (y - yv);          // TwoSum: x + y = r + err
        boolean ok = Double.isFinite(r) && Double.isFinite(err) && (r != 0 || rm != RDN);   // RDN: x - x = -0
        long bits = ok ? settle(h, r, err, true, rm) : UNDECIDED;
        return bits != UNDECIDED ? bits : add(h, D, a, b, rm);
    }

    public static long mulD(Hart h, long a, long b, int rm) {
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x * y;
        if (Double.isFinite(r) && Math.abs(r) >= TINY_D && errorIrrelevant(h, rm)) return Double.doubleToRawLongBits(r);
        long bits = Double.isFinite(r) && Math.abs(r) >= TINY_D ? settle(h, r, Math.fma(x, y, -r), true, rm) : UNDECIDED;
        return bits != UNDECIDED ? bits : mul(h, D, a, b, rm);
    }

    public static long divD(Hart h, long a, long b, int rm) {
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x / y;
        boolean ok = Double.isFinite(r) && Math.abs(r) >= TINY_D && Math.abs(x) >= TINY_D;
        if (ok && errorIrrelevant(h, rm)) return Double.doubleToRawLongBits(r);
        long bits = ok ? settle(h, r, Math.fma(-r, y, x) * Math.signum(y), false, rm) : UNDECIDED;  // no ties
        return bits != UNDECIDED ? bits : div(h, D, a, b, rm);
    }

    public static long sqrtD(Hart h, long a, int rm) {
        double x = Double.longBitsToDouble(a), r = Math.sqrt(x);
        if (Double.isFinite(r) && x >= TINY_D && errorIrrelevant(h, rm)) return Double.doubleToRawLongBits(r);
        long bits = Double.isFinite(r) && x >= TINY_D ? settle(h, r, -Math.fma(r, r, -x), false, rm) : UNDECIDED;
        return bits != UNDECIDED ? bits : sqrt(h, D, a, rm);
    }

    /**
     * (-1)^negProd * a*b + (-1)^negC * c. The exact error of the host fma is found with Boldo and
     * Muller's ErrFma (a*b + c = r + gamma + z2 exactly, barring underflow and overflow).
     */
    public static long fmaD(Hart h, long a, long b, long c, boolean negProd, boolean negC, int rm) {
        double x = Double.longBitsToDouble(negProd ? a ^ Long.MIN_VALUE : a), y = Double.longBitsToDouble(b);
        double z = Double.longBitsToDouble(negC ? c ^ Long.MIN_VALUE : c), r = Math.fma(x, y, z), u1 = x * y;
        long bits = UNDECIDED;
        if (Double.isFinite(r) && Math.abs(r) >= TINY_D && Math.abs(u1) >= TINY_D
                && Math.abs(u1) <= HUGE_D && Math.abs(z) <= HUGE_D) {
            if (errorIrrelevant(h, rm)) return Double.doubleToRawLongBits(r);
            double u2 = Math.fma(x, y, -u1);                              // x*y = u1 + u2
            double a1 = z + u2, t = a1 - z, z2 = (z - (a1 - t)) + (u2 - t);       // z + u2 = a1 + z2
            double b1 = u1 + a1, v = b1 - u1, b2 = (u1 - (b1 - v)) + (a1 - v);    // u1 + a1 = b1 + b2
            double gamma = (b1 - r) + b2, e = gamma + z2, w = e - gamma;
            boolean eExact = (gamma - (e - w)) + (z2 - w) == 0;          // TwoSum's error of e
            bits = settle(h, r, e, eExact, rm);
        }
        return bits != UNDECIDED ? bits : fma(h, D, a, b, c, negProd, negC, rm);
    }

    /**
     * The single-precision fma: the product is exact in double and TwoSum gives the sum's error;
     * rounding the double sum s to float is then correct unless s is a float tie made by the first
     * rounding, which goes to the exact path.
     */
    public static int fmaS(Hart h, int a, int b, int c, boolean negProd, boolean negC, int rm) {
        double p = (double) Float.intBitsToFloat(negProd ? a ^ 0x80000000 : a) * Float.intBitsToFloat(b);
        double z = Float.intBitsToFloat(negC ? c ^ 0x80000000 : c), s = p + z;
        double t = s - p, err = (p - (s - t)) + (z - t);                    // p + z = s + err
        float r = (float) s;
        boolean maybeTie = err != 0 && (Double.doubleToRawLongBits(s) & 0xfffffffL) == 0;
        if (Float.isFinite(r) && Math.abs(r) >= TINY_S && !maybeTie && errorIrrelevant(h, rm)) return Float.floatToRawIntBits(r);
        int bits = Float.isFinite(r) && Math.abs(r) >= TINY_S && !maybeTie
                ? settle(h, r, (s - r) + err, err == 0, rm) : (int) UNDECIDED;    // s - r is exact
        return bits != (int) UNDECIDED ? bits : (int) fma(h, S, a & 0xffffffffL, b & 0xffffffffL, c & 0xffffffffL, negProd, negC, rm);
    }

    public static int addS(Hart h, int a, int b, int rm) {
        float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b), r = x + y;
        float yv = r - x, err = (x - (r - yv)) + (y - yv);           // TwoSum: x + y = r + err
        boolean ok = Float.isFinite(r) && Float.isFinite(err) && (r != 0 || rm != RDN);
        int bits = ok ? settle(h, r, err, true, rm) : (int) UNDECIDED;
        return bits != (int) UNDECIDED ? bits : (int) add(h, S, a & 0xffffffffL, b & 0xffffffffL, rm);
    }

    public static int mulS(Hart h, int a, int b, int rm) {
        float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b), r = x * y;
        if (Float.isFinite(r) && Math.abs(r) >= TINY_S && errorIrrelevant(h, rm)) return Float.floatToRawIntBits(r);
        int bits = Float.isFinite(r) && Math.abs(r) >= TINY_S ? settle(h, r, (double) x * y - r, true, rm) : (int) UNDECIDED;
        return bits != (int) UNDECIDED ? bits : (int) mul(h, S, a & 0xffffffffL, b & 0xffffffffL, rm);
    }

    public static int divS(Hart h, int a, int b, int rm) {
        float x = Float.intBitsToFloat(a), y = Float.intBitsToFloat(b), r = x / y;
        if (Float.isFinite(r) && Math.abs(r) >= TINY_S && errorIrrelevant(h, rm)) return Float.floatToRawIntBits(r);
        int bits = Float.isFinite(r) && Math.abs(r) >= TINY_S
                ? settle(h, r, ((double) x - (double) r * y) * Math.signum(y), false, rm) : (int) UNDECIDED;
        return bits != (int) UNDECIDED ? bits : (int) div(h, S, a & 0xffffffffL, b & 0xffffffffL, rm);
    }

    public static int sqrtS(Hart h, int a, int rm) {
        float x = Float.intBitsToFloat(a), r = (float) Math.sqrt(x);   // double rounding is innocuous here
        if (Float.isFinite(r) && x >= TINY_S && errorIrrelevant(h, rm)) return Float.floatToRawIntBits(r);
        int bits = Float.isFinite(r) && x >= TINY_S ? settle(h, r, x - (double) r * r, false, rm) : (int) UNDECIDED;
        return bits != (int) UNDECIDED ? bits : (int) sqrt(h, S, a & 0xffffffffL, rm);
    }

    public static int cvtSD(Hart h, long a, int rm) {
        double x = Double.longBitsToDouble(a);
        float r = (float) x;
        boolean ok = Float.isFinite(r) && (Math.abs(r) >= TINY_S || x == 0);
        int bits = ok ? settle(h, r, x - r, true, rm) : (int) UNDECIDED;        // x - r is exact
        return bits != (int) UNDECIDED ? bits : (int) convert(h, D, S, a, rm);
    }

    /**
     * The result in mode rm from r = RNE(v) and err, which has the sign of v - r and, when
     * {@code tieable}, is exactly v - r (division and square root never produce ties).
     * UNDECIDED when a directed rounding overflows.
     */
    private static long settle(Hart h, double r, double err, boolean tieable, int rm) {
        if (err == 0) return Double.doubleToRawLongBits(r);
        if (rm == RNE && Double.isFinite(r)) {                            // r is the result: no neighbour needed
            h.fflags |= Hart.FFLAG_NX;
            return Double.doubleToRawLongBits(r);
        }
        double other = err > 0 ? Math.nextUp(r) : Math.nextDown(r);       // v lies between r and other
        double d = switch (rm) {
            case RNE -> r;
            case RTZ -> Math.abs(other) < Math.abs(r) ? other : r;
            case RDN -> Math.min(r, other);
            case RUP -> Math.max(r, other);
            default -> tieable && other - r == 2 * err && Math.abs(other) > Math.abs(r) ? other : r;
        };
        if (!Double.isFinite(d)) return UNDECIDED;
        h.fflags |= Hart.FFLAG_NX;
        return Double.doubleToRawLongBits(d);
    }

    private static int settle(Hart h, float r, double err, boolean tieable, int rm) {
        if (err == 0) return Float.floatToRawIntBits(r);
        if (rm == RNE && Float.isFinite(r)) {
            h.fflags |= Hart.FFLAG_NX;
            return Float.floatToRawIntBits(r);
        }
        float other = err > 0 ? Math.nextUp(r) : Math.nextDown(r);
        float d = switch (rm) {
            case RNE -> r;
            case RTZ -> Math.abs(other) < Math.abs(r) ? other : r;
            case RDN -> Math.min(r, other);
            case RUP -> Math.max(r, other);
            default -> tieable && (double) other - r == 2 * err && Math.abs(other) > Math.abs(r) ? other : r;
        };
        if (!Float.isFinite(d)) return (int) UNDECIDED;
        h.fflags |= Hart.FFLAG_NX;
        return Float.floatToRawIntBits(d);
    }

    // ---- formats and classification on raw bits (singles in the low 32 bits) -----------------

    /** An IEEE binary format: precision p (with the hidden bit) and exponent width. */
    record Fmt(int p, int expBits) {
        int width() { return p + expBits; }
        int bias() { return (1 << (expBits - 1)) - 1; }
        int emin() { return 1 - bias(); }
        int emax() { return bias(); }
        long signBit() { return 1L << (width() - 1); }
        long fracMask() { return (1L << (p - 1)) - 1; }
        long expField(long b) { return (b >>> (p - 1)) & ((1L << expBits) - 1); }
        long expAllOnes() { return (1L << expBits) - 1; }
    }

    static final Fmt S = new Fmt(24, 8), D = new Fmt(53, 11);

    static boolean neg(Fmt f, long b) { return (b & f.signBit()) != 0; }
    static boolean isNaN(Fmt f, long b) { return f.expField(b) == f.expAllOnes() && (b & f.fracMask()) != 0; }
    static boolean isSNaN(Fmt f, long b) { return isNaN(f, b) && (b & (1L << (f.p() - 2))) == 0; }
    static boolean isInf(Fmt f, long b) { return f.expField(b) == f.expAllOnes() && (b & f.fracMask()) == 0; }
    static boolean isZero(Fmt f, long b) { return (b & (f.signBit() - 1)) == 0; }
    static long canonicalNaN(Fmt f) { return f == S ? CANONICAL_NAN_S : CANONICAL_NAN_D; }
    static long inf(Fmt f, boolean neg) { return (neg ? f.signBit() : 0) | f.expAllOnes() << (f.p() - 1); }
    static long zero(Fmt f, boolean neg) { return neg ? f.signBit() : 0; }

    /** The integer significand of a finite value (hidden bit included). */
    static long sig(Fmt f, long b) { return f.expField(b) == 0 ? b & f.fracMask() : b & f.fracMask() | 1L << (f.p() - 1); }

    /** The exponent of the significand's least significant bit of a finite value. */
    static int lsbExp(Fmt f, long b) { return (int) Math.max(f.expField(b), 1) - f.bias() - (f.p() - 1); }

    static int classify(Fmt f, long b) {
        boolean n = neg(f, b);
        if (isNaN(f, b)) return isSNaN(f, b) ? 1 << 8 : 1 << 9;
        if (isInf(f, b)) return n ? 1 : 1 << 7;
        if (isZero(f, b)) return n ? 1 << 3 : 1 << 4;
        if (f.expField(b) == 0) return n ? 1 << 2 : 1 << 5;
        return n ? 1 << 1 : 1 << 6;
    }

    /** The canonical NaN, raising NV when any operand is a signalling NaN. */
    private static long nanResult(Hart h, Fmt f, long... ops) {
        for (long b : ops) if (isSNaN(f, b)) h.fflags |= Hart.FFLAG_NV;
        return canonicalNaN(f);
    }

    private static long invalid(Hart h, Fmt f) {
        h.fflags |= Hart.FFLAG_NV;
        return canonicalNaN(f);
    }

    // ---- non-rounding operations -----------------------------------------------------------

    /** IEEE 754-2019 minimumNumber / maximumNumber. */
    static long minMax(Hart h, Fmt f, long a, long b, boolean max) {
        boolean na = isNaN(f, a), nb = isNaN(f, b);
        if (na || nb) {
            long r = na && nb ? canonicalNaN(f) : na ? b : a;
            nanResult(h, f, a, b);
            return r;
        }
        double x = value(f, a), y = value(f, b);
        if (x == y) return neg(f, a) == max ? b : a;          // equal, or zeros of either sign
        return (x < y) != max ? a : b;
    }

    /** -1, 0 or 1 for ordered operands; 2 when unordered (NV for sNaN, or any NaN if signalling). */
    static int compare(Hart h, Fmt f, long a, long b, boolean signalling) {
        if (isNaN(f, a) || isNaN(f, b)) {
            if (signalling) h.fflags |= Hart.FFLAG_NV;
            else nanResult(h, f, a, b);
            return 2;
        }
        return Double.compare(value(f, a) + 0.0, value(f, b) + 0.0);   // + 0.0 makes -0 equal +0
    }

    private static double value(Fmt f, long b) {
        return f == S ? Float.intBitsToFloat((int) b) : Double.longBitsToDouble(b);
    }

    // ---- conversions to and from integers -----------------------------------------------------

    static final int W = 0, WU = 1, L = 2, LU = 3;

    /** Saturating conversion; 32-bit results sign-extended to 64. */
    static long toInt(Hart h, Fmt f, long a, int rm, int kind) {
        double x = value(f, a);                               // singles widen exactly
        if (Double.isNaN(x)) return saturate(h, kind, false);
        double r = roundToIntegral(x, rm);
        boolean inRange = switch (kind) {
            case W -> r >= -0x1p31 && r <= 0x1p31 - 1;
            case WU -> r >= 0 && r <= 0x1p32 - 1;              // -0.0 >= 0 holds
            case L -> r >= -0x1p63 && r < 0x1p63;
            default -> r >= 0 && r < 0x1p64;
        };
        if (!inRange) return saturate(h, kind, r < 0);
        if (r != x) h.fflags |= Hart.FFLAG_NX;
        return switch (kind) {
            case WU -> (int) (long) r;
            case LU -> r >= 0x1p63 ? (long) (r - 0x1p63) ^ Long.MIN_VALUE : (long) r;
            default -> (long) r;
        };
    }

    private static long saturate(Hart h, int kind, boolean negative) {
        h.fflags |= Hart.FFLAG_NV;
        return switch (kind) {
            case W -> negative ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            case WU, LU -> negative ? 0 : -1;                  // 2^32-1 sign-extended, or 2^64-1
            default -> negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        };
    }

    static double roundToIntegral(double x, int rm) {
        return switch (rm) {
            case RNE -> Math.rint(x);
            case RTZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RDN -> Math.floor(x);
            case RUP -> Math.ceil(x);
            default -> {                                        // RMM: ties away from zero
                double t = Math.floor(Math.abs(x));
                yield Math.copySign(Math.abs(x) - t >= 0.5 ? t + 1 : t, x);
            }
        };
    }

    /** Converts a signed (or, if {@code unsigned}, unsigned) 64-bit integer (never tiny, never overflows). */
    static long fromInt(Hart h, Fmt f, long v, boolean unsigned, int rm) {
        boolean negative = !unsigned && v < 0;
        long mag = negative ? -v : v;                        // unsigned magnitude (2^63 for Long.MIN_VALUE)
        if (mag == 0) return 0;
        int shift = Math.max(0, 63 - Long.numberOfLeadingZeros(mag) - (f.p() - 1));   // bits that do not fit
        long kept = mag >>> shift, rem = mag & ((1L << shift) - 1);
        if (rem != 0) {
            h.fflags |= Hart.FFLAG_NX;
            if (roundUp(rm, negative, (kept & 1) != 0, Long.compare(rem, 1L << (shift - 1)))) kept++;
        }
        int top = 63 - Long.numberOfLeadingZeros(kept);      // p - 1, or p after a carry, or less if exact
        long exp = top + shift + f.bias();
        long sig = top < f.p() ? kept << (f.p() - 1 - top) : kept >>> 1;   // leading bit at p - 1
        return zero(f, negative) | exp << (f.p() - 1) | sig & f.fracMask();
    }

    /** Format conversion (S to D is exact; D to S rounds). */
    static long convert(Hart h, Fmt from, Fmt to, long a, int rm) {
        if (isNaN(from, a)) {
            if (isSNaN(from, a)) h.fflags |= Hart.FFLAG_NV;
            return canonicalNaN(to);
        }
        if (isInf(from, a)) return inf(to, neg(from, a));
        if (isZero(from, a)) return zero(to, neg(from, a));
        return round(h, to, neg(from, a), BigInteger.valueOf(sig(from, a)), lsbExp(from, a), false, rm);
    }

    // ---- exact arithmetic -------------------------------------------------------------------

    static long add(Hart h, Fmt f, long a, long b, int rm) {
        if (isNaN(f, a) || isNaN(f, b)) return nanResult(h, f, a, b);
        if (isInf(f, a) || isInf(f, b)) {
            if (isInf(f, a) && isInf(f, b) && neg(f, a) != neg(f, b)) return invalid(h, f);
            return isInf(f, a) ? a : b;
        }
        return sum(h, f, neg(f, a), BigInteger.valueOf(sig(f, a)), lsbExp(f, a), b, rm);
    }

    static long mul(Hart h, Fmt f, long a, long b, int rm) {
        if (isNaN(f, a) || isNaN(f, b)) return nanResult(h, f, a, b);
        boolean n = neg(f, a) != neg(f, b);
        if (isInf(f, a) || isInf(f, b)) return isZero(f, a) || isZero(f, b) ? invalid(h, f) : inf(f, n);
        BigInteger m = BigInteger.valueOf(sig(f, a)).multiply(BigInteger.valueOf(sig(f, b)));
        return round(h, f, n, m, lsbExp(f, a) + lsbExp(f, b), false, rm);
    }

    static long div(Hart h, Fmt f, long a, long b, int rm) {
        if (isNaN(f, a) || isNaN(f, b)) return nanResult(h, f, a, b);
        boolean n = neg(f, a) != neg(f, b);
        if (isInf(f, a)) return isInf(f, b) ? invalid(h, f) : inf(f, n);
        if (isInf(f, b)) return zero(f, n);
        if (isZero(f, b)) {
            if (isZero(f, a)) return invalid(h, f);
            h.fflags |= Hart.FFLAG_DZ;
            return inf(f, n);
        }
        BigInteger ma = BigInteger.valueOf(sig(f, a)), mb = BigInteger.valueOf(sig(f, b));
        int k = Math.max(0, f.p() + 3 + mb.bitLength() - ma.bitLength());   // quotient gets >= p+2 bits
        BigInteger[] qr = ma.shiftLeft(k).divideAndRemainder(mb);
        return round(h, f, n, qr[0], lsbExp(f, a) - k - lsbExp(f, b), qr[1].signum() != 0, rm);
    }

    static long sqrt(Hart h, Fmt f, long a, int rm) {
        if (isNaN(f, a)) return nanResult(h, f, a);
        if (isZero(f, a)) return a;
        if (neg(f, a)) return invalid(h, f);
        if (isInf(f, a)) return a;
        BigInteger m = BigInteger.valueOf(sig(f, a));
        int e = lsbExp(f, a);
        int k = Math.max(0, 2 * (f.p() + 2) - m.bitLength() + 1);
        if (((e - k) & 1) != 0) k++;                          // even exponent
        BigInteger[] sr = m.shiftLeft(k).sqrtAndRemainder();
        return round(h, f, false, sr[0], (e - k) / 2, sr[1].signum() != 0, rm);
    }

    /** (-1)^negProd * a*b + (-1)^negC * c with a single rounding. */
    static long fma(Hart h, Fmt f, long a, long b, long c, boolean negProd, boolean negC, int rm) {
        boolean infZero = isInf(f, a) && isZero(f, b) || isZero(f, a) && isInf(f, b);
        if (isNaN(f, a) || isNaN(f, b) || isNaN(f, c)) {
            if (infZero) h.fflags |= Hart.FFLAG_NV;           // even when c is a quiet NaN
            return nanResult(h, f, a, b, c);
        }
        if (infZero) return invalid(h, f);
        if (negC) c ^= f.signBit();
        boolean np = neg(f, a) != neg(f, b) != negProd;
        if (isInf(f, a) || isInf(f, b)) {
            if (isInf(f, c) && neg(f, c) != np) return invalid(h, f);
            return inf(f, np);
        }
        if (isInf(f, c)) return c;
        BigInteger m = BigInteger.valueOf(sig(f, a)).multiply(BigInteger.valueOf(sig(f, b)));
        return sum(h, f, np, m, lsbExp(f, a) + lsbExp(f, b), c, rm);
    }

    /** Rounds (-1)^n * m * 2^e + b for finite b; exact zero sums are -0 only when both were (or RDN). */
    private static long sum(Hart h, Fmt f, boolean n, BigInteger m, int e, long b, int rm) {
        boolean nb = neg(f, b);
        int eb = lsbExp(f, b), lo = Math.min(e, eb);
        BigInteger x = m.shiftLeft(e - lo), y = BigInteger.valueOf(sig(f, b)).shiftLeft(eb - lo);
        BigInteger s = (n ? x.negate() : x).add(nb ? y.negate() : y);
        if (s.signum() == 0) return zero(f, n == nb ? n : rm == RDN);
        return round(h, f, s.signum() < 0, s.abs(), lo, false, rm);
    }

    /**
     * Rounds (-1)^neg * (m + sticky) * 2^e to format {@code f}, where {@code sticky} stands for a
     * nonzero fraction below m's last bit, raising NX, UF (tiny after rounding, and inexact) and OF.
     */
    static long round(Hart h, Fmt f, boolean neg, BigInteger m, int e, boolean sticky, int rm) {
        if (sticky) { m = m.shiftLeft(2).setBit(0); e -= 2; }
        if (m.signum() == 0) return zero(f, neg);
        int p = f.p(), top = e + m.bitLength() - 1;          // exponent of the leading bit
        int q = Math.max(top, f.emin()) - (p - 1);            // exponent of the result's last bit
        boolean inexact = false;
        if (q > e) {
            BigInteger r = roundAt(m, q - e, neg, rm);
            inexact = m.getLowestSetBit() < q - e;
            boolean tiny = top < f.emin() - 1
                || top == f.emin() - 1 && roundAt(m, top - (p - 1) - e, neg, rm).bitLength() <= p;
            if (inexact) h.fflags |= Hart.FFLAG_NX | (tiny ? Hart.FFLAG_UF : 0);
            m = r;
            e = q;
        } else {
            m = m.shiftLeft(e - q);
            e = q;
        }
        if (m.bitLength() > p) { m = m.shiftRight(1); e++; }  // rounding carried into a new bit
        boolean normal = m.bitLength() == p;
        if (normal && e + p - 1 > f.emax()) {
            h.fflags |= Hart.FFLAG_OF | Hart.FFLAG_NX;
            boolean toInf = rm == RNE || rm == RMM || rm == RUP && !neg || rm == RDN && neg;
            return toInf ? inf(f, neg) : zero(f, neg) | (f.expAllOnes() - 1) << (p - 1) | f.fracMask();
        }
        long exp = normal ? e + p - 1 + f.bias() : 0;
        return zero(f, neg) | exp << (p - 1) | m.longValue() & f.fracMask();
    }

    /** m / 2^shift rounded to an integer in mode rm (shift >= 1; shift <= 0 means exact). */
    private static BigInteger roundAt(BigInteger m, int shift, boolean neg, int rm) {
        if (shift <= 0) return m.shiftLeft(-shift);
        BigInteger kept = m.shiftRight(shift);
        BigInteger rem = m.subtract(kept.shiftLeft(shift));
        if (rem.signum() == 0) return kept;
        boolean up = roundUp(rm, neg, kept.testBit(0), rem.compareTo(BigInteger.ONE.shiftLeft(shift - 1)));
        return up ? kept.add(BigInteger.ONE) : kept;
    }

    /** Whether an inexact magnitude rounds up (away from zero); {@code half} compares the discarded part with half an ulp. */
    private static boolean roundUp(int rm, boolean neg, boolean odd, int half) {
        return switch (rm) {
            case RNE -> half > 0 || half == 0 && odd;
            case RTZ -> false;
            case RDN -> neg;
            case RUP -> !neg;
            default -> half >= 0;
        };
    }
}
