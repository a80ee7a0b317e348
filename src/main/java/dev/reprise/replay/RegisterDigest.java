package dev.reprise.replay;

import dev.reprise.cpu.Hart;

/**
 * The cheap register digest every event carries: one 64-bit mix of pc, x1..x31, f0..f31 and fcsr.
 * Defined here once; recorder and replayer both call {@link #of}, so a change here is a format
 * change (docs/log-format.md). icount is not mixed in: events carry it separately.
 *
 * <p>Not a cryptographic hash: it only has to make an accidental match after a divergence unlikely.
 * Reads the hart without a lock: call it on the vCPU's own thread or while the vCPU is stopped.
 */
public final class RegisterDigest {
    private RegisterDigest() {}

    public static long of(Hart h) {
        long d = mix(0x5265_7072_6973_6531L ^ h.pc);   // "Reprise1"
        for (int r = 1; r < 32; r++) d = mix(d ^ h.x[r]) + r;
        for (int r = 0; r < 32; r++) d = mix(d ^ h.f[r]) + r;
        return mix(d ^ ((long) h.frm << 5 | h.fflags));
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
