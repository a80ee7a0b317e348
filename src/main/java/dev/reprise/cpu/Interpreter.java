package dev.reprise.cpu;

/** The reference semantics: executes guest instructions one at a time. */
public final class Interpreter {
    private Interpreter() {}

    /** Runs up to {@code budget} instructions (fewer if an ecall or trap ends the run). */
    public static void run(Hart h, int budget) {
        throw new UnsupportedOperationException("interpreter");
    }
}
