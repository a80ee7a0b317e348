package dev.reprise.cpu;

/**
 * Watches one hart execute, one instruction at a time: the trace writer is one. Whatever runs the
 * hart (the interpreter, the JIT's traced translations, later a replay) calls {@link #before}
 * and {@link #after} around every instruction and around every state change that is no
 * instruction (a signal delivered, a trap entering its handler); the observer works out what
 * changed from the hart itself, so an engine needs no tracing variant of its semantics.
 *
 * <p>An observer watches and does not change registers, pc or icount: translated code keeps the
 * registers in JVM locals across the calls, so such a change would not reach it.
 *
 * <p>Threading: called only on the hart's own thread.
 */
public interface StepObserver {
    /** The hart is about to run the instruction at {@code h.pc} (or to change state without one). */
    void before(Hart h);

    /** The step is done: {@code h.icount} grew by one if an instruction retired, else it stayed. */
    void after(Hart h);

    /** The hart's thread has ended (exit, exit_group, a fatal signal); no more calls follow. */
    void ended(Hart h);

    /** Makes the observer of each vCPU (numbered from 0 in creation order) as its thread starts. */
    interface Factory {
        /** The observer for vCPU {@code vcpu}, or null to leave that vCPU unobserved (full speed). */
        StepObserver start(int vcpu, Hart h);
    }
}
