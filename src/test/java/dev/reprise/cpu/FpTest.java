package dev.reprise.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FpTest {
    static final int NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1;
    static final long NAN_S = 0xffffffff7fc00000L, NAN_D = 0x7ff8000000000000L;

    // ---- running one instruction --------------------------------------------------------------

    static final Map<Op, MethodHandle> HANDLERS = new EnumMap<>(Op.class);

    static {
        for (Op op : Op.values()) {
            if (!op.isFloat() || op == Op.FLW || op == Op.FSW || op == Op.FLD || op == Op.FSD) continue;
            try {
                HANDLERS.put(op, MethodHandles.publicLookup().findStatic(Fp.class, methodName(op),
                        MethodType.methodType(void.class, Hart.class, Insn.class)));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("no Fp." + methodName(op) + " for " + op, e);
            }
        }
    }

    static String methodName(Op op) {
        String[] parts = op.name().split("_");
        StringBuilder sb = new StringBuilder(parts[0].toLowerCase());
        for (int k = 1; k < parts.length; k++)
            sb.append(parts[k].charAt(0)).append(parts[k].substring(1).toLowerCase());
        return sb.toString();
    }

    static boolean intDest(Op op) { return op.operands.startsWith("d,"); }
    static boolean intSource(Op op) { return op.operands.startsWith("D,s"); }

    record Result(long bits, int flags) {
        @Override public String toString() { return String.format("%016x flags %02x", bits, flags); }
    }

    /** Runs op with rd = 10, rs1..rs3 = 1..3 holding a, b, c (in x1 for integer sources). */
    static Result run(Op op, int rm, long a, long b, long c) {
        Hart h = new Hart(null, null);
        h.f[1] = a; h.f[2] = b; h.f[3] = c; h.x[1] = a;
        h.f[10] = 0x1234; h.x[10] = 0x1234;
        h.frm = rm;
        Insn i = new Insn(op, 10, 1, 2, 3, 0, 7, 0, 4, op.match | 7 << 12, null);
        try {
            HANDLERS.get(op).invokeExact(h, i);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return new Result(intDest(op) ? h.x[10] : h.f[10], h.fflags);
    }

    static Result d(Op op, int rm, double a, double b, double c) {
        return run(op, rm, Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b), Double.doubleToRawLongBits(c));
    }

    static Result s(Op op, int rm, float a, float b, float c) {
        return run(op, rm, box(Float.floatToRawIntBits(a)), box(Float.floatToRawIntBits(b)), box(Float.floatToRawIntBits(c)));
    }

    static long box(int bits) { return 0xffffffff00000000L | bits & 0xffffffffL; }
    static long bd(double v) { return Double.doubleToRawLongBits(v); }
    static long bs(float v) { return box(Float.floatToRawIntBits(v)); }

    // ---- known cases ------------------------------------------------------------------------------

    @Test
    void everyFloatOperationHasAMethod() {
        assertThat(HANDLERS).hasSize(58);
        assertThat(methodName(Op.FCVT_S_LU)).isEqualTo("fcvtSLu");
        assertThat(methodName(Op.FCVT_LU_D)).isEqualTo("fcvtLuD");
    }

    @Test
    void nanBoxing() {
        assertThat(Fp.boxSingle(0x3f800000)).isEqualTo(0xffffffff3f800000L);
        assertThat(Fp.unboxSingle(0xffffffff3f800000L)).isEqualTo(0x3f800000);
        assertThat(Fp.unboxSingle(0x000000003f800000L)).isEqualTo(0x7fc00000);
        assertThat(Fp.unboxSingle(0xfffffffe3f800000L)).isEqualTo(0x7fc00000);
        // an unboxed operand reads as the canonical NaN: 1 + NaN = NaN, no NV (quiet)
        assertThat(run(Op.FADD_S, 0, 0x3f800000L, bs(1f), 0)).isEqualTo(new Result(NAN_S, 0));
        // fsgnj works on the unboxed value; fmv.x.w ignores boxing and sign-extends
        assertThat(run(Op.FSGNJ_S, 0, 0x3f800000L, bs(-1f), 0).bits()).isEqualTo(0xffffffffffc00000L);
        assertThat(run(Op.FMV_X_W, 0, 0x12345678_80000001L, 0, 0).bits()).isEqualTo(0xffffffff80000001L);
        assertThat(run(Op.FMV_W_X, 0, 0x12345678_00000001L, 0, 0).bits()).isEqualTo(0xffffffff00000001L);
        assertThat(run(Op.FCLASS_S, 0, 0x3f800000L, 0, 0).bits()).isEqualTo(1 << 9);
    }

    @Test
    void reservedRoundingModesAreIllegalBeforeAnyStateChanges() {
        for (int frm : new int[] {5, 6, 7}) {
            Hart h = new Hart(null, null);
            h.frm = frm;
            h.pc = 0x1000;
            h.f[1] = bd(1); h.f[2] = bd(0x1p-60);
            Insn i = new Insn(Op.FADD_D, 10, 1, 2, 0, 0, 7, 0, 4, Op.FADD_D.match | 7 << 12, null);
            assertThatThrownBy(() -> Fp.faddD(h, i)).isInstanceOf(Trap.class)
                    .satisfies(t -> assertThat(((Trap) t).cause).isEqualTo(Trap.Cause.ILLEGAL_INSTRUCTION));
            assertThat(h.f[10]).isZero();
            assertThat(h.fflags).isZero();
        }
        for (int rm : new int[] {5, 6}) {
            Hart h = new Hart(null, null);
            Insn i = new Insn(Op.FCVT_D_S, 10, 1, 0, 0, 0, rm, 0, 4, Op.FCVT_D_S.match | rm << 12, null);
            assertThatThrownBy(() -> Fp.fcvtDS(h, i)).isInstanceOf(Trap.class);
            Insn w = new Insn(Op.FCVT_D_W, 10, 1, 0, 0, 0, rm, 0, 4, Op.FCVT_D_W.match | rm << 12, null);
            assertThatThrownBy(() -> Fp.fcvtDW(h, w)).isInstanceOf(Trap.class);
        }
        // static rm overrides frm; ops without rounding ignore frm
        Hart h = new Hart(null, null);
        h.frm = 6;
        h.f[1] = bd(1); h.f[2] = bd(0x1p-60);
        Fp.faddD(h, new Insn(Op.FADD_D, 10, 1, 2, 0, 0, 3, 0, 4, 0, null));
        assertThat(h.f[10]).isEqualTo(bd(Math.nextUp(1.0)));
        assertThat(h.fflags).isEqualTo(NX);
        Fp.fminD(h, new Insn(Op.FMIN_D, 11, 1, 2, 0, 0, 0, 0, 4, 0, null));
        assertThat(h.f[11]).isEqualTo(bd(0x1p-60));
    }

    /** Every operation with a rounding-mode field (",m" in the table) checks it; the others ignore frm. */
    @Test
    void everyRoundingOperationChecksItsRoundingMode() {
        for (Op op : HANDLERS.keySet()) {
            boolean rounds = (op.mask & 7 << 12) == 0; // an rm field in the encoding: QEMU checks it even where exact
            for (int[] mode : new int[][] {{7, 5}, {7, 6}, {7, 7}, {5, 0}, {6, 0}}) {
                Hart h = new Hart(null, null);
                h.frm = mode[1];
                h.pc = 0x4000;
                h.f[1] = bd(1.5); h.f[2] = 0x7ff0000000000001L; h.f[3] = bs(2.5f); h.x[1] = 3;
                long[] f = h.f.clone(), x = h.x.clone();
                Insn i = new Insn(op, 10, 1, 2, 3, 0, mode[0], 0, 4, op.match | mode[0] << 12, null);
                if (rounds) {
                    assertThatThrownBy(() -> HANDLERS.get(op).invoke(h, i)).as("%s rm=%d frm=%d", op, mode[0], mode[1])
                            .isInstanceOfSatisfying(Trap.class, t -> {
                                assertThat(t.cause).isEqualTo(Trap.Cause.ILLEGAL_INSTRUCTION);
                                assertThat(t.pc).isEqualTo(0x4000);
                                assertThat(t.value).isEqualTo(i.raw() & 0xffffffffL);
                            });
                    assertThat(h.f).isEqualTo(f);
                    assertThat(h.x).isEqualTo(x);
                    assertThat(h.fflags).isZero();
                } else if (mode[0] == 7) {
                    run(op, mode[1], h.f[1], h.f[2], h.f[3]);          // frm is ignored: no trap
                }
            }
        }
    }

    @Test
    void arithmeticSpecialCases() {
        double inf = Double.POSITIVE_INFINITY;
        long snanD = 0x7ff0000000000001L;
        assertThat(d(Op.FADD_D, 0, 1, 2, 0)).isEqualTo(new Result(bd(3), 0));
        assertThat(d(Op.FADD_D, 0, 1, 0x1p-60, 0)).isEqualTo(new Result(bd(1), NX));
        assertThat(d(Op.FADD_D, 3, 1, 0x1p-60, 0)).isEqualTo(new Result(bd(Math.nextUp(1.0)), NX));
        assertThat(d(Op.FSUB_D, 0, 1, 1, 0)).isEqualTo(new Result(bd(0), 0));
        assertThat(d(Op.FSUB_D, 2, 1, 1, 0)).isEqualTo(new Result(bd(-0.0), 0));
        assertThat(d(Op.FADD_D, 0, -0.0, -0.0, 0)).isEqualTo(new Result(bd(-0.0), 0));
        assertThat(d(Op.FADD_D, 0, inf, -inf, 0)).isEqualTo(new Result(NAN_D, NV));
        assertThat(run(Op.FADD_D, 0, snanD, bd(1), 0)).isEqualTo(new Result(NAN_D, NV));
        assertThat(run(Op.FADD_D, 0, 0x7ff8dead00000000L, bd(1), 0)).isEqualTo(new Result(NAN_D, 0));
        assertThat(d(Op.FMUL_D, 0, inf, 0, 0)).isEqualTo(new Result(NAN_D, NV));
        assertThat(d(Op.FMUL_D, 0, Double.MAX_VALUE, 2, 0)).isEqualTo(new Result(bd(inf), OF | NX));
        assertThat(d(Op.FMUL_D, 1, Double.MAX_VALUE, 2, 0)).isEqualTo(new Result(bd(Double.MAX_VALUE), OF | NX));
        assertThat(d(Op.FMUL_D, 2, -Double.MAX_VALUE, 2, 0)).isEqualTo(new Result(bd(-inf), OF | NX));
        assertThat(d(Op.FMUL_D, 3, -Double.MAX_VALUE, 2, 0)).isEqualTo(new Result(bd(-Double.MAX_VALUE), OF | NX));
        assertThat(d(Op.FMUL_D, 0, 0x1p-1000, 0x1p-74, 0)).isEqualTo(new Result(bd(0x1p-1074), 0));
        assertThat(d(Op.FMUL_D, 0, 0x1p-1000, 0x1p-80, 0)).isEqualTo(new Result(bd(0), UF | NX));
        assertThat(d(Op.FMUL_D, 3, 0x1p-1000, 0x1p-80, 0)).isEqualTo(new Result(bd(0x1p-1074), UF | NX));
        assertThat(d(Op.FMUL_D, 0, 3 * 0x1p-1000, 0x1p-75, 0)).isEqualTo(new Result(bd(0x1p-1073), UF | NX));
        // tininess after rounding: (2^-1022)(1 - 2^-54) rounds to 2^-1022 with unbounded exponent: no UF
        assertThat(d(Op.FMUL_D, 0, Math.nextDown(1.0), 0x1p-1022 * (1 + 0x1p-52), 0))
                .isEqualTo(new Result(bd(0x1p-1022), NX));
        assertThat(d(Op.FMUL_D, 0, Math.nextDown(1.0), 0x1p-1022, 0)).isEqualTo(new Result(bd(0x1p-1022), UF | NX));
        assertThat(d(Op.FDIV_D, 0, 1, 0, 0)).isEqualTo(new Result(bd(inf), DZ));
        assertThat(d(Op.FDIV_D, 0, -1, 0, 0)).isEqualTo(new Result(bd(-inf), DZ));
        assertThat(d(Op.FDIV_D, 0, 0, 0, 0)).isEqualTo(new Result(NAN_D, NV));
        assertThat(d(Op.FDIV_D, 0, inf, 0, 0)).isEqualTo(new Result(bd(inf), 0));
        assertThat(d(Op.FDIV_D, 0, 1, 3, 0)).isEqualTo(new Result(bd(1.0 / 3), NX));
        assertThat(d(Op.FDIV_D, 1, 2, 3, 0)).isEqualTo(new Result(bd(2.0 / 3), NX));
        assertThat(d(Op.FDIV_D, 3, 1, 3, 0)).isEqualTo(new Result(bd(Math.nextUp(1.0 / 3)), NX));
        assertThat(d(Op.FSQRT_D, 0, -1, 0, 0)).isEqualTo(new Result(NAN_D, NV));
        assertThat(d(Op.FSQRT_D, 0, -0.0, 0, 0)).isEqualTo(new Result(bd(-0.0), 0));
        assertThat(d(Op.FSQRT_D, 0, 2, 0, 0)).isEqualTo(new Result(bd(Math.sqrt(2)), NX));
        assertThat(d(Op.FSQRT_D, 1, 2, 0, 0)).isEqualTo(new Result(bd(Math.nextDown(Math.sqrt(2))), NX));   // RNE rounded up
        assertThat(s(Op.FADD_S, 0, 0x1p100f, 0x1p-100f, 0)).isEqualTo(new Result(bs(0x1p100f), NX));
        assertThat(s(Op.FMUL_S, 4, 0x1p-140f, 1.5f, 0)).isEqualTo(new Result(bs(0x1p-149f * 0x1p9f * 1.5f), 0));
        assertThat(s(Op.FSQRT_S, 0, 4f, 0, 0)).isEqualTo(new Result(bs(2f), 0));
        assertThat(s(Op.FDIV_S, 0, 1f, 3f, 0)).isEqualTo(new Result(bs(1f / 3), NX));
    }

    @Test
    void fusedMultiplyAdd() {
        double inf = Double.POSITIVE_INFINITY;
        // single rounding: (1 + 2^-30)^2 - 1 keeps the 2^-60 term a separate multiply would lose
        double x = 1 + 0x1p-30;
        assertThat(d(Op.FMADD_D, 0, x, x, -1)).isEqualTo(new Result(bd(0x1p-29 + 0x1p-60), 0));
        assertThat(d(Op.FMSUB_D, 0, x, x, 1)).isEqualTo(new Result(bd(0x1p-29 + 0x1p-60), 0));
        assertThat(d(Op.FNMSUB_D, 0, x, x, 1)).isEqualTo(new Result(bd(-0x1p-29 - 0x1p-60), 0));
        assertThat(d(Op.FNMADD_D, 0, x, x, -1)).isEqualTo(new Result(bd(-0x1p-29 - 0x1p-60), 0));
        double z = 1 + 0x1p-52;     // z^2 - 1 = 2^-51 + 2^-104 needs 54 bits
        assertThat(d(Op.FMADD_D, 0, z, z, -1)).isEqualTo(new Result(bd(0x1p-51), NX));
        assertThat(d(Op.FMADD_D, 3, z, z, -1)).isEqualTo(new Result(bd(0x1p-51 + 0x1p-103), NX));
        assertThat(d(Op.FMADD_D, 0, 2, 3, 1)).isEqualTo(new Result(bd(7), 0));
        assertThat(d(Op.FNMADD_D, 0, 2, 3, 1)).isEqualTo(new Result(bd(-7), 0));
        assertThat(d(Op.FNMSUB_D, 0, 2, 3, 1)).isEqualTo(new Result(bd(-5), 0));
        assertThat(d(Op.FMSUB_D, 0, 2, 3, 1)).isEqualTo(new Result(bd(5), 0));
        // signs of exact zeros: -(+0) - (+0) = -0; 1*1 - 1 = +0 (RNE) / -0 (RDN)
        assertThat(d(Op.FNMADD_D, 0, 0, 1, 0)).isEqualTo(new Result(bd(-0.0), 0));
        assertThat(d(Op.FMSUB_D, 0, 1, 1, 1)).isEqualTo(new Result(bd(0), 0));
        assertThat(d(Op.FMSUB_D, 2, 1, 1, 1)).isEqualTo(new Result(bd(-0.0), 0));
        // inf * 0 is invalid even with a quiet NaN addend
        assertThat(run(Op.FMADD_D, 0, bd(inf), bd(0), NAN_D)).isEqualTo(new Result(NAN_D, NV));
        assertThat(run(Op.FMADD_D, 0, bd(1), bd(2), NAN_D)).isEqualTo(new Result(NAN_D, 0));
        assertThat(d(Op.FMADD_D, 0, inf, 1, -inf)).isEqualTo(new Result(NAN_D, NV));
        // single precision, one rounding: (1 + 2^-12)^2 - 1 is exact
        float u = 1 + 0x1p-12f;
        assertThat(s(Op.FMADD_S, 0, u, u, -1f)).isEqualTo(new Result(bs(0x1p-11f + 0x1p-24f), 0));
        // the double-rounding trap: a*b + c = 1 + 2^-24 + 2^-54 lies just above a tie for float, but
        // rounding to double first lands on the tie, which then rounds to even (1)
        float a = -0x1p-12f * (1 + 0x1p-15f), b = 0x1p-12f * (1 - 0x1p-15f);
        assertThat(s(Op.FMADD_S, 0, a, b, 1 + 0x1p-23f)).isEqualTo(new Result(bs(1 + 0x1p-23f), NX));
    }

    @Test
    void minMaxCompareClassify() {
        long snan = 0x7ff4000000000000L;
        assertThat(d(Op.FMIN_D, 0, -0.0, 0.0, 0).bits()).isEqualTo(bd(-0.0));
        assertThat(d(Op.FMIN_D, 0, 0.0, -0.0, 0).bits()).isEqualTo(bd(-0.0));
        assertThat(d(Op.FMAX_D, 0, -0.0, 0.0, 0).bits()).isEqualTo(bd(0.0));
        assertThat(run(Op.FMAX_D, 0, NAN_D, bd(-3), 0)).isEqualTo(new Result(bd(-3), 0));
        assertThat(run(Op.FMAX_D, 0, snan, bd(-3), 0)).isEqualTo(new Result(bd(-3), NV));
        assertThat(run(Op.FMIN_D, 0, 0x7ff8000000000123L, 0xfff8000000000000L, 0)).isEqualTo(new Result(NAN_D, 0));
        assertThat(run(Op.FMIN_S, 0, bs(2f), box(0x7f800001), 0)).isEqualTo(new Result(bs(2f), NV));
        assertThat(run(Op.FEQ_D, 0, NAN_D, NAN_D, 0)).isEqualTo(new Result(0, 0));
        assertThat(run(Op.FEQ_D, 0, snan, bd(1), 0)).isEqualTo(new Result(0, NV));
        assertThat(run(Op.FLT_D, 0, NAN_D, bd(1), 0)).isEqualTo(new Result(0, NV));
        assertThat(run(Op.FLE_D, 0, bd(1), NAN_D, 0)).isEqualTo(new Result(0, NV));
        assertThat(d(Op.FEQ_D, 0, -0.0, 0.0, 0)).isEqualTo(new Result(1, 0));
        assertThat(d(Op.FLT_D, 0, -0.0, 0.0, 0)).isEqualTo(new Result(0, 0));
        assertThat(d(Op.FLE_D, 0, -0.0, 0.0, 0)).isEqualTo(new Result(1, 0));
        assertThat(s(Op.FLT_S, 0, 1f, 2f, 0)).isEqualTo(new Result(1, 0));
        int[] classes = {
            (int) run(Op.FCLASS_D, 0, bd(Double.NEGATIVE_INFINITY), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(-1), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(-Double.MIN_VALUE), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(-0.0), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(0.0), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(Double.MIN_VALUE), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(1), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, bd(Double.POSITIVE_INFINITY), 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, snan, 0, 0).bits(),
            (int) run(Op.FCLASS_D, 0, NAN_D, 0, 0).bits(),
        };
        for (int k = 0; k < 10; k++) assertThat(classes[k]).isEqualTo(1 << k);
        assertThat(run(Op.FSGNJN_D, 0, bd(2), bd(3), 0).bits()).isEqualTo(bd(-2));
        assertThat(run(Op.FSGNJX_D, 0, bd(-2), bd(-3), 0).bits()).isEqualTo(bd(2));
        assertThat(run(Op.FSGNJ_D, 0, NAN_D, bd(-3), 0)).isEqualTo(new Result(0xfff8000000000000L, 0));
    }

    @Test
    void conversions() {
        double inf = Double.POSITIVE_INFINITY;
        assertThat(d(Op.FCVT_W_D, 1, -2.7, 0, 0)).isEqualTo(new Result(-2, NX));
        assertThat(d(Op.FCVT_W_D, 2, -2.5, 0, 0)).isEqualTo(new Result(-3, NX));
        assertThat(d(Op.FCVT_W_D, 0, 2.5, 0, 0)).isEqualTo(new Result(2, NX));
        assertThat(d(Op.FCVT_W_D, 4, 2.5, 0, 0)).isEqualTo(new Result(3, NX));
        assertThat(d(Op.FCVT_W_D, 4, -2.5, 0, 0)).isEqualTo(new Result(-3, NX));
        assertThat(d(Op.FCVT_W_D, 4, 0.49999999999999994, 0, 0)).isEqualTo(new Result(0, NX));
        assertThat(d(Op.FCVT_W_D, 3, 0.1, 0, 0)).isEqualTo(new Result(1, NX));
        assertThat(d(Op.FCVT_W_D, 0, 3e9, 0, 0)).isEqualTo(new Result(Integer.MAX_VALUE, NV));
        assertThat(d(Op.FCVT_W_D, 0, -3e9, 0, 0)).isEqualTo(new Result(Integer.MIN_VALUE, NV));
        assertThat(run(Op.FCVT_W_D, 0, NAN_D, 0, 0)).isEqualTo(new Result(Integer.MAX_VALUE, NV));
        assertThat(d(Op.FCVT_W_D, 0, -inf, 0, 0)).isEqualTo(new Result(Integer.MIN_VALUE, NV));
        assertThat(d(Op.FCVT_WU_D, 0, 4294967295.0, 0, 0)).isEqualTo(new Result(-1, 0));
        assertThat(d(Op.FCVT_WU_D, 0, 2147483648.0, 0, 0)).isEqualTo(new Result(0xffffffff80000000L, 0));
        assertThat(d(Op.FCVT_WU_D, 0, -1, 0, 0)).isEqualTo(new Result(0, NV));
        assertThat(d(Op.FCVT_WU_D, 1, -0.9, 0, 0)).isEqualTo(new Result(0, NX));
        assertThat(run(Op.FCVT_WU_D, 0, NAN_D, 0, 0)).isEqualTo(new Result(-1, NV));
        assertThat(d(Op.FCVT_L_D, 0, 0x1p63, 0, 0)).isEqualTo(new Result(Long.MAX_VALUE, NV));
        assertThat(d(Op.FCVT_L_D, 0, -0x1p63, 0, 0)).isEqualTo(new Result(Long.MIN_VALUE, 0));
        assertThat(d(Op.FCVT_LU_D, 0, 0x1p63, 0, 0)).isEqualTo(new Result(Long.MIN_VALUE, 0));
        assertThat(d(Op.FCVT_LU_D, 0, 0x1p64, 0, 0)).isEqualTo(new Result(-1, NV));
        assertThat(s(Op.FCVT_L_S, 0, -1.5f, 0, 0)).isEqualTo(new Result(-2, NX));
        assertThat(run(Op.FCVT_D_L, 0, Long.MAX_VALUE, 0, 0)).isEqualTo(new Result(bd(0x1p63), NX));
        assertThat(run(Op.FCVT_D_L, 1, Long.MAX_VALUE, 0, 0)).isEqualTo(new Result(bd(Math.nextDown(0x1p63)), NX));
        assertThat(run(Op.FCVT_D_L, 0, Long.MIN_VALUE, 0, 0)).isEqualTo(new Result(bd(-0x1p63), 0));
        assertThat(run(Op.FCVT_D_LU, 0, -1, 0, 0)).isEqualTo(new Result(bd(0x1p64), NX));
        assertThat(run(Op.FCVT_D_W, 0, 0xffffffff_80000000L, 0, 0)).isEqualTo(new Result(bd(-0x1p31), 0));
        assertThat(run(Op.FCVT_D_W, 0, 0x12345678_00000005L, 0, 0)).isEqualTo(new Result(bd(5), 0));
        assertThat(run(Op.FCVT_D_WU, 0, 0x12345678_ffffffffL, 0, 0)).isEqualTo(new Result(bd(4294967295.0), 0));
        assertThat(run(Op.FCVT_S_W, 0, 16777217, 0, 0)).isEqualTo(new Result(bs(16777216f), NX));
        assertThat(run(Op.FCVT_S_W, 3, 16777217, 0, 0)).isEqualTo(new Result(bs(16777218f), NX));
        assertThat(run(Op.FCVT_S_LU, 0, -1, 0, 0)).isEqualTo(new Result(bs(0x1p64f), NX));
        assertThat(d(Op.FCVT_S_D, 0, 1e300, 0, 0)).isEqualTo(new Result(bs(Float.POSITIVE_INFINITY), OF | NX));
        assertThat(d(Op.FCVT_S_D, 1, 1e300, 0, 0)).isEqualTo(new Result(bs(Float.MAX_VALUE), OF | NX));
        assertThat(d(Op.FCVT_S_D, 0, 1e-300, 0, 0)).isEqualTo(new Result(bs(0f), UF | NX));
        assertThat(d(Op.FCVT_S_D, 0, 0.1, 0, 0)).isEqualTo(new Result(bs(0.1f), NX));
        assertThat(run(Op.FCVT_S_D, 0, 0x7ff0000000000001L, 0, 0)).isEqualTo(new Result(NAN_S, NV));
        assertThat(run(Op.FCVT_D_S, 0, box(0x7f800001), 0, 0)).isEqualTo(new Result(NAN_D, NV));
        assertThat(s(Op.FCVT_D_S, 0, 0.1f, 0, 0)).isEqualTo(new Result(bd(0.1f), 0));
        assertThat(run(Op.FCVT_D_S, 0, box(1), 0, 0)).isEqualTo(new Result(bd(Float.MIN_VALUE), 0));
    }

    /** A case per remaining operation: {op, rm, a, b, c, expected bits, expected flags}. */
    @Test
    void singlePrecisionAndMovesOneByOne() {
        float inf = Float.POSITIVE_INFINITY;
        long snanS = box(0x7f800001);
        Object[][] cases = {
            {Op.FSUB_S, 0, bs(1f), bs(0x1p-30f), 0L, bs(1f), NX},
            {Op.FSUB_S, 2, bs(1f), bs(0x1p-30f), 0L, bs(Math.nextDown(1f)), NX},
            {Op.FSUB_S, 2, bs(3f), bs(3f), 0L, bs(-0f), 0},
            {Op.FMUL_S, 0, bs(Float.MAX_VALUE), bs(2f), 0L, bs(inf), OF | NX},
            {Op.FDIV_S, 0, bs(-1f), bs(0f), 0L, bs(-inf), DZ},
            {Op.FSQRT_S, 0, bs(-0x1p-149f), 0L, 0L, NAN_S, NV},
            {Op.FMSUB_S, 0, bs(2f), bs(3f), bs(1f), bs(5f), 0},
            {Op.FNMSUB_S, 0, bs(2f), bs(3f), bs(1f), bs(-5f), 0},
            {Op.FNMADD_S, 0, bs(2f), bs(3f), bs(1f), bs(-7f), 0},
            {Op.FNMADD_S, 0, bs(inf), bs(0f), box(0x7fc00000), NAN_S, NV},
            {Op.FSGNJN_S, 0, bs(2f), bs(3f), 0L, bs(-2f), 0},
            {Op.FSGNJX_S, 0, bs(-2f), bs(-3f), 0L, bs(2f), 0},
            {Op.FMAX_S, 0, bs(-0f), bs(0f), 0L, bs(0f), 0},
            {Op.FMAX_S, 0, snanS, snanS, 0L, NAN_S, NV},
            {Op.FEQ_S, 0, bs(1f), bs(1f), 0L, 1L, 0},
            {Op.FEQ_S, 0, snanS, bs(1f), 0L, 0L, NV},
            {Op.FLE_S, 0, bs(2f), bs(1f), 0L, 0L, 0},
            {Op.FLE_S, 0, box(0x7fc00000), bs(1f), 0L, 0L, NV},
            {Op.FCLASS_S, 0, bs(-0x1p-149f), 0L, 0L, 1L << 2, 0},
            {Op.FCLASS_S, 0, snanS, 0L, 0L, 1L << 8, 0},
            {Op.FCVT_W_S, 1, bs(-0x1p31f), 0L, 0L, (long) Integer.MIN_VALUE, 0},
            {Op.FCVT_W_S, 0, bs(0x1p31f), 0L, 0L, (long) Integer.MAX_VALUE, NV},
            {Op.FCVT_WU_S, 3, bs(0.25f), 0L, 0L, 1L, NX},
            {Op.FCVT_WU_S, 0, bs(-inf), 0L, 0L, 0L, NV},
            {Op.FCVT_L_S, 0, snanS, 0L, 0L, Long.MAX_VALUE, NV},
            {Op.FCVT_LU_S, 4, bs(2.5f), 0L, 0L, 3L, NX},
            {Op.FCVT_LU_S, 0, bs(0x1p63f), 0L, 0L, Long.MIN_VALUE, 0},
            {Op.FCVT_S_WU, 0, 0xffffffffL, 0L, 0L, bs(0x1p32f), NX},
            {Op.FCVT_S_WU, 1, 0xffffffffL, 0L, 0L, bs(Math.nextDown(0x1p32f)), NX},
            {Op.FCVT_S_L, 2, -16777217L, 0L, 0L, bs(-16777218f), NX},
            {Op.FCVT_S_L, 4, 16777217L, 0L, 0L, bs(16777218f), NX},
            {Op.FMV_X_D, 0, 0x7ff0000000000001L, 0L, 0L, 0x7ff0000000000001L, 0},
            {Op.FMV_D_X, 0, 0x0123456789abcdefL, 0L, 0L, 0x0123456789abcdefL, 0},
            {Op.FCVT_L_D, 2, bd(-0.5), 0L, 0L, -1L, NX},
            {Op.FCVT_L_D, 0, bd(-0x1p63 - 0x1p11), 0L, 0L, Long.MIN_VALUE, NV},
            {Op.FCVT_LU_D, 1, bd(-0.5), 0L, 0L, 0L, NX},
            {Op.FCVT_LU_D, 2, bd(-0.5), 0L, 0L, 0L, NV},
            {Op.FCVT_D_WU, 0, -1L, 0L, 0L, bd(4294967295.0), 0},
            {Op.FCVT_D_LU, 1, -1L, 0L, 0L, bd(Math.nextDown(0x1p64)), NX},
        };
        for (Object[] c : cases) {
            Op op = (Op) c[0];
            Result got = run(op, (int) c[1], (long) c[2], (long) c[3], (long) c[4]);
            assertThat(got).as("%s rm=%d", op, c[1]).isEqualTo(new Result((long) c[5], (int) c[6]));
        }
    }

    // ---- differential check against qemu-riscv64 ---------------------------------------------

    /**
     * Runs every F/D operation in every rounding mode on random and boundary operands under
     * qemu-riscv64 (fpdiff.c, built here with the cross compiler) and compares result bits and
     * fflags with Fp. Skipped only when the cross compiler or qemu-riscv64 is missing.
     */
    @Test
    void agreesWithQemu() throws Exception {
        Path gcc = onPath("riscv64-linux-gnu-gcc"), qemu = onPath("qemu-riscv64");
        assumeThat(gcc).as("riscv64-linux-gnu-gcc on PATH").isNotNull();
        assumeThat(qemu).as("qemu-riscv64 on PATH").isNotNull();
        Path dir = Files.createDirectories(Path.of(System.getProperty("reprise.root", "."), "target", "fpdiff"));
        String source;
        try (InputStream in = FpTest.class.getResourceAsStream("fpdiff.c")) {
            source = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("fpdiff.c"), source);
        Path exe = dir.resolve("fpdiff");
        exec(List.of(gcc.toString(), "-O1", "-nostdlib", "-static", "-ffreestanding", "-march=rv64gc",
                "-mabi=lp64d", "-Wl,--no-relax", "-o", exe.toString(), dir.resolve("fpdiff.c").toString()), null);

        List<Op> ops = new ArrayList<>();
        Matcher m = Pattern.compile("OP\\((\\w+), \\w+, \"").matcher(source);
        while (m.find()) ops.add(Op.valueOf(m.group(1)));
        assertThat(ops).containsExactlyInAnyOrderElementsOf(HANDLERS.keySet());

        long seed = Long.getLong("fp.seed", System.nanoTime());
        int perOpAndMode = Integer.getInteger("fp.cases", 1000);
        Random rnd = new Random(seed);
        List<long[]> cases = new ArrayList<>();           // {opIndex, rm, a, b, c}
        for (int k = 0; k < ops.size(); k++) {
            Op op = ops.get(k);
            for (int rm = 0; rm <= 4; rm++) {
                for (int n = 0; n < perOpAndMode; n++) {
                    long a = operand(rnd, op, 0), b = operand(rnd, op, 1), c = operand(rnd, op, 2);
                    if (op.format == dev.reprise.isa.Format.R4 && rnd.nextBoolean()) c = nearProduct(rnd, operandKind(op, 0) == 'S', a, b);
                    cases.add(new long[] {k, rm, a, b, c});
                }
                long[] a = specials(operandKind(op, 0)), b = specials(operandKind(op, 1)), c = specials(operandKind(op, 2));
                boolean three = op.format == dev.reprise.isa.Format.R4, two = three || op.operands.contains("T");
                for (long x : a)                                   // every combination of special operands
                    for (long y : two ? b : new long[] {0})
                        for (long z : three ? c : new long[] {0}) cases.add(new long[] {k, rm, x, y, z});
            }
        }
        ByteBuffer in = ByteBuffer.allocate(cases.size() * 32).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] c : cases) in.putInt((int) c[0]).putInt((int) c[1]).putLong(c[2]).putLong(c[3]).putLong(c[4]);
        Path input = dir.resolve("cases.bin");
        Files.write(input, in.array());
        ByteBuffer out = ByteBuffer.wrap(exec(List.of(qemu.toString(), exe.toString()), input))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.capacity()).isEqualTo(cases.size() * 16);

        List<String> mismatches = new ArrayList<>();
        int count = 0;
        for (long[] c : cases) {
            Op op = ops.get((int) c[0]);
            Result want = new Result(out.getLong(), (int) out.getLong());
            Result got = run(op, (int) c[1], c[2], c[3], c[4]);
            if (!got.equals(want) && ++count <= 40)
                mismatches.add(String.format("%s rm=%d a=%016x b=%016x c=%016x: qemu %s, Fp %s",
                        op, c[1], c[2], c[3], c[4], want, got));
        }
        assertThat(mismatches).as("%d of %d cases differ from qemu (seed %d, -Dfp.seed=%d to repeat)",
                count, cases.size(), seed, seed).isEmpty();
    }

    /** The format of operand {@code k} of an FP operation: 'S', 'D' or 'X' (integer). */
    static char operandKind(Op op, int k) {
        if (intSource(op)) return 'X';
        if (op == Op.FCVT_D_S) return 'S';
        if (op == Op.FCVT_S_D) return 'D';
        return op.name().endsWith("_S") || op == Op.FMV_X_W ? 'S' : 'D';
    }

    static long operand(Random rnd, Op op, int k) {
        return switch (operandKind(op, k)) {
            case 'X' -> intOperand(rnd);
            case 'S' -> rnd.nextInt(40) == 0 ? (rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt() & 0xffffffffL)
                                              : box((int) fpOperand(rnd, 24, 8));
            default -> fpOperand(rnd, 53, 11);
        };
    }

    /** An addend that nearly cancels (or doubles) a*b: the rounded product, its sign random, moved a few ulps. */
    static long nearProduct(Random rnd, boolean single, long a, long b) {
        int steps = rnd.nextInt(7) - 3;
        if (single) {
            float p = Float.intBitsToFloat((int) a) * Float.intBitsToFloat((int) b) * (rnd.nextBoolean() ? 1 : -1);
            for (int k = 0; k < Math.abs(steps); k++) p = steps > 0 ? Math.nextUp(p) : Math.nextDown(p);
            return box(Float.floatToRawIntBits(p));
        }
        double p = Double.longBitsToDouble(a) * Double.longBitsToDouble(b) * (rnd.nextBoolean() ? 1 : -1);
        for (int k = 0; k < Math.abs(steps); k++) p = steps > 0 ? Math.nextUp(p) : Math.nextDown(p);
        return Double.doubleToRawLongBits(p);
    }

    static long[] specials(char kind) {
        return switch (kind) {
            case 'X' -> new long[] {0, 1, -1, 3, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE,
                    0xffffffffL, 0x80000000L, (1L << 24) + 1, (1L << 53) + 1};
            case 'S' -> java.util.Arrays.stream(new int[] {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                    0x7f800001, 0xffa00000, 0x3f800000, 0xbfc00000, 1, 0x807fffff, 0x00800000, 0x7f7fffff,
                    0x4f000000, 0xcf000000, 0x5f800000, 0x3f000000}).mapToLong(FpTest::box).toArray();
            default -> new long[] {0, Long.MIN_VALUE, 0x7ff0000000000000L, 0xfff0000000000000L, NAN_D,
                    0x7ff0000000000001L, 0xfff4000000000000L, bd(1), bd(-1.5), 1, 0x800fffffffffffffL,
                    0x0010000000000000L, 0x7fefffffffffffffL, bd(0x1p31), bd(-0x1p63), bd(0x1p64), bd(0.5)};
        };
    }

    /** Boundary-heavy values of a binary format: specials, subnormals, near-integers, near-ties. */
    static long fpOperand(Random rnd, int p, int expBits) {
        int bias = (1 << expBits - 1) - 1, maxExp = (1 << expBits) - 1;
        long sign = rnd.nextBoolean() ? 1L << (p + expBits - 1) : 0, fracMask = (1L << p - 1) - 1;
        long exp = switch (rnd.nextInt(10)) {
            case 0 -> 0;                                              // zero / subnormal
            case 1 -> maxExp;                                         // inf / NaN
            case 2 -> rnd.nextInt(maxExp + 1);                        // anywhere
            case 3 -> 1 + rnd.nextInt(3);                             // just normal
            case 4 -> maxExp - 1 - rnd.nextInt(3);                    // near overflow
            case 5 -> bias + new int[] {31, 32, 63, 64, 30, 62, 23, 52}[rnd.nextInt(8)] - rnd.nextInt(2);
            default -> bias - 4 + rnd.nextInt(9);                     // near 1: operands interact
        };
        long frac = switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> fracMask;
            case 2 -> rnd.nextLong() & fracMask & ~(-1L << rnd.nextInt(p));   // few low bits
            case 3 -> rnd.nextLong() & fracMask & (-1L << rnd.nextInt(p));    // few high bits
            case 4 -> 1L << rnd.nextInt(p - 1);
            default -> rnd.nextLong() & fracMask;
        };
        return sign | exp << (p - 1) | frac;
    }

    static long intOperand(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE,
                    0xffffffffL, 1L << 24, (1L << 24) + 1, (1L << 53) + 1, -(1L << 53) - 1}[rnd.nextInt(12)];
            case 1 -> rnd.nextLong() >> rnd.nextInt(64);
            case 2 -> rnd.nextLong() >>> rnd.nextInt(64);
            case 3 -> (rnd.nextLong() >> rnd.nextInt(64)) << rnd.nextInt(40);
            default -> rnd.nextLong();
        };
    }

    static Path onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    static byte[] exec(List<String> command, Path stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (stdin != null) pb.redirectInput(stdin.toFile());
        Process proc = pb.start();
        byte[] out = proc.getInputStream().readAllBytes();
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).as("%s finishes", command).isTrue();
        assertThat(proc.exitValue()).as("exit status of %s", command).isZero();
        return out;
    }

    // ---- randomized cross-check against an independent exact reference (BigDecimal) ----------

    /** A binary format for the reference: precision, exponent range. */
    record RefFmt(int p, int emin, int emax) {}

    static final RefFmt RS = new RefFmt(24, -126, 127), RD = new RefFmt(53, -1022, 1023);

    /** sign(|true result| - x) for x >= 0: the only access the reference has to an inexact quotient or root. */
    interface Oracle { int cmpAbs(BigDecimal x); }

    static final Map<Integer, BigDecimal> POW2 = new java.util.concurrent.ConcurrentHashMap<>();

    static BigDecimal pow2(int k) {
        return POW2.computeIfAbsent(k, j -> {
            BigDecimal t = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(j)));
            return j >= 0 ? t : BigDecimal.ONE.divide(t);     // exact: 2^-j terminates in decimal
        });
    }

    static BigDecimal exactValue(RefFmt f, long bits) {
        return new BigDecimal(f == RS ? (double) Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits));
    }

    static boolean negative(RefFmt f, long bits) { return f == RS ? (int) bits < 0 : bits < 0; }

    static long encode(RefFmt f, boolean neg, BigDecimal magnitude) {
        if (f == RS) {
            float v = magnitude.floatValue();
            return box(Float.floatToRawIntBits(neg ? -v : v));
        }
        double v = magnitude.doubleValue();
        return Double.doubleToRawLongBits(neg ? -v : v);
    }

    /** Rounds the true value (sign, oracle, an approximation of its magnitude) as IEEE 754 with RISC-V's tininess rule. */
    static Result refRound(RefFmt f, int rm, boolean neg, Oracle o, BigDecimal approx) {
        int e = (int) Math.floor((approx.precision() - approx.scale() - 1) * 3.3219280948873626);
        while (o.cmpAbs(pow2(e)) < 0) e--;
        while (o.cmpAbs(pow2(e + 1)) >= 0) e++;                   // 2^e <= |true| < 2^(e+1)
        BigDecimal bounded = refRoundAt(rm, neg, o, approx, Math.max(e, f.emin()) - (f.p() - 1));
        BigDecimal unbounded = refRoundAt(rm, neg, o, approx, e - (f.p() - 1));
        boolean inexact = o.cmpAbs(bounded) != 0;
        int flags = inexact ? NX : 0;
        if (inexact && unbounded.compareTo(pow2(f.emin())) < 0) flags |= UF;
        BigDecimal max = pow2(f.emax() + 1).subtract(pow2(f.emax() + 1 - f.p()));
        if (unbounded.compareTo(max) > 0) {
            boolean toInf = rm == 0 || rm == 4 || rm == 3 && !neg || rm == 2 && neg;
            return new Result(toInf ? infBits(f, neg) : encode(f, neg, max), OF | NX);
        }
        return new Result(encode(f, neg, bounded), flags);
    }

    static long infBits(RefFmt f, boolean neg) {
        return f == RS ? box(Float.floatToRawIntBits(neg ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY))
                       : Double.doubleToRawLongBits(neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }

    /** The magnitude rounded to a multiple of 2^q. */
    static BigDecimal refRoundAt(int rm, boolean neg, Oracle o, BigDecimal approx, int q) {
        BigDecimal quantum = pow2(q);
        BigInteger n = approx.multiply(pow2(-q)).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        while (o.cmpAbs(quantum.multiply(new BigDecimal(n))) < 0) n = n.subtract(BigInteger.ONE);
        while (o.cmpAbs(quantum.multiply(new BigDecimal(n.add(BigInteger.ONE)))) >= 0) n = n.add(BigInteger.ONE);
        int below = o.cmpAbs(quantum.multiply(new BigDecimal(n)));                       // 0: exact
        int mid = o.cmpAbs(pow2(q - 1).multiply(new BigDecimal(n.shiftLeft(1).add(BigInteger.ONE))));
        boolean up = below != 0 && switch (rm) {
            case 0 -> mid > 0 || mid == 0 && n.testBit(0);
            case 1 -> false;
            case 2 -> neg;
            case 3 -> !neg;
            default -> mid >= 0;
        };
        return quantum.multiply(new BigDecimal(up ? n.add(BigInteger.ONE) : n));
    }

    static Result refExact(RefFmt f, int rm, BigDecimal t, boolean zeroNeg) {
        if (t.signum() == 0) return new Result(encode(f, zeroNeg, BigDecimal.ZERO), 0);
        BigDecimal abs = t.abs();
        return refRound(f, rm, t.signum() < 0, x -> abs.compareTo(x), abs);
    }

    /** The reference result of an arithmetic or conversion op on finite operands. */
    static Result reference(Op op, int rm, long a, long b, long c) {
        String n = op.name();
        RefFmt f = n.startsWith("FCVT_S_") ? RS : n.startsWith("FCVT_D_") ? RD : n.endsWith("_S") ? RS : RD;  // result
        RefFmt src = n.endsWith("_S") ? RS : RD;                                                             // operands
        if (n.startsWith("FCVT_W") || n.startsWith("FCVT_L")) return refToInt(n, rm, exactValue(src, a));
        if (intSource(op)) {
            BigInteger v = switch (n.substring(n.lastIndexOf('_') + 1)) {
                case "W" -> BigInteger.valueOf((int) a);
                case "WU" -> BigInteger.valueOf(a & 0xffffffffL);
                case "L" -> BigInteger.valueOf(a);
                default -> new BigInteger(Long.toUnsignedString(a));
            };
            return refExact(f, rm, new BigDecimal(v), false);
        }
        BigDecimal x = exactValue(src, a), y = exactValue(f, b), z = exactValue(f, c);
        boolean sa = negative(src, a), sb = negative(f, b), sc = negative(f, c);
        return switch (op) {
            case FCVT_S_D, FCVT_D_S -> refExact(f, rm, x, sa);
            case FADD_S, FADD_D -> refExact(f, rm, x.add(y), sa == sb ? sa : rm == 2);
            case FSUB_S, FSUB_D -> refExact(f, rm, x.subtract(y), sa == !sb ? sa : rm == 2);
            case FMUL_S, FMUL_D -> refExact(f, rm, x.multiply(y), sa != sb);
            case FMADD_S, FMADD_D, FMSUB_S, FMSUB_D, FNMADD_S, FNMADD_D, FNMSUB_S, FNMSUB_D -> {
                boolean negProd = n.startsWith("FN"), negC = n.startsWith("FMSUB") || n.startsWith("FNMADD");
                BigDecimal prod = negProd ? x.multiply(y).negate() : x.multiply(y), add = negC ? z.negate() : z;
                boolean sp = sa != sb != negProd, sz = sc != negC;
                yield refExact(f, rm, prod.add(add), sp == sz ? sp : rm == 2);
            }
            case FDIV_S, FDIV_D -> {
                if (x.signum() == 0) yield new Result(encode(f, sa != sb, BigDecimal.ZERO), 0);
                BigDecimal ax = x.abs(), ay = y.abs();
                yield refRound(f, rm, sa != sb, q -> ax.compareTo(q.multiply(ay)), ax.divide(ay, new MathContext(40)));
            }
            case FSQRT_S, FSQRT_D -> {
                if (x.signum() == 0) yield new Result(encode(f, sa, BigDecimal.ZERO), 0);
                yield refRound(f, rm, false, q -> x.compareTo(q.multiply(q)), x.sqrt(new MathContext(40)));
            }
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    static Result refToInt(String name, int rm, BigDecimal v) {
        RoundingMode mode = new RoundingMode[] {RoundingMode.HALF_EVEN, RoundingMode.DOWN, RoundingMode.FLOOR,
                RoundingMode.CEILING, RoundingMode.HALF_UP}[rm];
        BigInteger r = v.setScale(0, mode).toBigIntegerExact();
        String kind = name.substring(5, name.lastIndexOf('_'));               // W, WU, L, LU
        BigInteger lo = kind.endsWith("U") ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(kind.startsWith("W") ? 31 : 63).negate();
        BigInteger hi = BigInteger.ONE.shiftLeft((kind.startsWith("W") ? 32 : 64) - (kind.endsWith("U") ? 0 : 1))
                .subtract(BigInteger.ONE);
        if (r.compareTo(lo) < 0 || r.compareTo(hi) > 0) r = r.signum() < 0 ? lo : hi;
        else return new Result(extend(kind, r), v.compareTo(new BigDecimal(r)) != 0 ? NX : 0);
        return new Result(extend(kind, r), NV);
    }

    static long extend(String kind, BigInteger r) {
        return kind.startsWith("W") ? (long) r.intValue() : r.longValue();
    }

    @Test
    void agreesWithExactReference() {
        long seed = Long.getLong("fp.seed", System.nanoTime());
        int perOpAndMode = Integer.getInteger("fp.refCases", 300);
        Random rnd = new Random(seed);
        List<String> mismatches = new ArrayList<>();
        int count = 0, total = 0;
        for (Op op : HANDLERS.keySet()) {
            String n = op.name();
            boolean arithmetic = n.matches("F(N?MADD|N?MSUB|ADD|SUB|MUL|DIV|SQRT)_[SD]") || n.startsWith("FCVT");
            if (!arithmetic) continue;
            for (int rm = 0; rm <= 4; rm++) {
                for (int k = 0; k < perOpAndMode; k++) {
                    long a = finiteOperand(rnd, op, 0), b = finiteOperand(rnd, op, 1), c = finiteOperand(rnd, op, 2);
                    if (!op.operands.contains("T")) b = 0;
                    if (op.format != dev.reprise.isa.Format.R4) c = 0;
                    if (n.startsWith("FSQRT") && (n.endsWith("S") ? (int) a < 0 : a < 0)) a &= n.endsWith("S") ? ~0x80000000L : Long.MAX_VALUE;
                    if (n.startsWith("FDIV") && (n.endsWith("S") ? (b & 0x7fffffff) == 0 : (b & Long.MAX_VALUE) == 0)) b |= 1;
                    Result want = reference(op, rm, a, b, c), got = run(op, rm, a, b, c);
                    total++;
                    if (!got.equals(want) && ++count <= 40)
                        mismatches.add(String.format("%s rm=%d a=%016x b=%016x c=%016x: reference %s, Fp %s",
                                op, rm, a, b, c, want, got));
                }
            }
        }
        assertThat(mismatches).as("%d of %d cases differ from the reference (seed %d, -Dfp.seed=%d to repeat)",
                count, total, seed, seed).isEmpty();
    }

    static long finiteOperand(Random rnd, Op op, int k) {
        for (;;) {
            long v = operand(rnd, op, k);
            char kind = operandKind(op, k);
            if (kind == 'X') return v;
            if (kind == 'S' && ((v & 0xffffffff00000000L) != 0xffffffff00000000L || (v & 0x7f800000) == 0x7f800000)) continue;
            if (kind == 'D' && (v & 0x7ff0000000000000L) == 0x7ff0000000000000L) continue;
            return v;
        }
    }

    // ---- the round-to-nearest fast paths against Fp's own exact path -------------------------

    /** Many cheap samples in every rounding mode: the fast paths (error-free transformations) must match the exact path. */
    @Test
    void fastPathsAgreeWithExactPath() {
        long seed = Long.getLong("fp.seed", System.nanoTime());
        Random rnd = new Random(seed);
        List<String> mismatches = new ArrayList<>();
        int samples = Integer.getInteger("fp.fastCases", 150_000);
        for (int n = 0; n < samples && mismatches.size() < 20; n++) {
            long a = fpOperand(rnd, 53, 11), b = fpOperand(rnd, 53, 11);
            long c = rnd.nextBoolean() ? fpOperand(rnd, 53, 11) : nearProduct(rnd, false, a, b);
            int sa = (int) fpOperand(rnd, 24, 8), sb = (int) fpOperand(rnd, 24, 8);
            int sc = (int) (rnd.nextBoolean() ? fpOperand(rnd, 24, 8) : nearProduct(rnd, true, sa, sb));
            boolean np = rnd.nextBoolean(), nc = rnd.nextBoolean();
            int rm = rnd.nextInt(5);
            // Half the samples start with NX already set (and other flags at random): fast paths may skip work then.
            accrued = rnd.nextBoolean() ? 0 : NX | rnd.nextInt(32);
            check(mismatches, "fmaD", a, b, c, h -> Fp.fmaD(h, a, b, c, np, nc, rm), h -> Fp.fma(h, Fp.D, a, b, c, np, nc, rm));
            check(mismatches, "fmaS", sa, sb, sc, h -> Fp.fmaS(h, sa, sb, sc, np, nc, rm),
                    h -> Fp.fma(h, Fp.S, sa & 0xffffffffL, sb & 0xffffffffL, sc & 0xffffffffL, np, nc, rm));
            check(mismatches, "addD", a, b, 0, h -> Fp.addD(h, a, b, rm), h -> Fp.add(h, Fp.D, a, b, rm));
            check(mismatches, "mulD", a, b, 0, h -> Fp.mulD(h, a, b, rm), h -> Fp.mul(h, Fp.D, a, b, rm));
            check(mismatches, "divD", a, b, 0, h -> Fp.divD(h, a, b, rm), h -> Fp.div(h, Fp.D, a, b, rm));
            check(mismatches, "sqrtD", a, 0, 0, h -> Fp.sqrtD(h, a, rm), h -> Fp.sqrt(h, Fp.D, a, rm));
            check(mismatches, "addS", sa, sb, 0, h -> Fp.addS(h, sa, sb, rm), h -> Fp.add(h, Fp.S, sa & 0xffffffffL, sb & 0xffffffffL, rm));
            check(mismatches, "mulS", sa, sb, 0, h -> Fp.mulS(h, sa, sb, rm), h -> Fp.mul(h, Fp.S, sa & 0xffffffffL, sb & 0xffffffffL, rm));
            check(mismatches, "divS", sa, sb, 0, h -> Fp.divS(h, sa, sb, rm), h -> Fp.div(h, Fp.S, sa & 0xffffffffL, sb & 0xffffffffL, rm));
            check(mismatches, "sqrtS", sa, 0, 0, h -> Fp.sqrtS(h, sa, rm), h -> Fp.sqrt(h, Fp.S, sa & 0xffffffffL, rm));
            check(mismatches, "cvtSD", a, 0, 0, h -> Fp.cvtSD(h, a, rm), h -> Fp.convert(h, Fp.D, Fp.S, a, rm));
        }
        assertThat(mismatches).as("fast path against exact path (seed %d, -Dfp.seed=%d to repeat)", seed, seed).isEmpty();
    }

    /** The fflags both harts of {@link #check} start with. */
    static int accrued;

    static void check(List<String> mismatches, String name, long a, long b, long c,
                      java.util.function.ToLongFunction<Hart> fast, java.util.function.ToLongFunction<Hart> exact) {
        Hart h1 = new Hart(null, null), h2 = new Hart(null, null);
        h1.fflags = h2.fflags = accrued;
        long r1 = fast.applyAsLong(h1), r2 = exact.applyAsLong(h2);
        if (name.endsWith("S") || name.equals("cvtSD")) { r1 &= 0xffffffffL; r2 &= 0xffffffffL; }
        if (r1 != r2 || h1.fflags != h2.fflags)
            mismatches.add(String.format("%s a=%x b=%x c=%x: fast %x flags %02x, exact %x flags %02x",
                    name, a, b, c, r1, h1.fflags, r2, h2.fflags));
    }
}
