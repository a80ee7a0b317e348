package dev.reprise.cpu;

/**
 * F and D semantics: one static method per FP operation of {@link dev.reprise.isa.Op} (loads and
 * stores excepted), named after it in lower camel case (FADD_S is faddS, FCVT_W_S is fcvtWS).
 */
public final class Fp {
    private Fp() {}
}
