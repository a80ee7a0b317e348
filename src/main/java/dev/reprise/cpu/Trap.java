package dev.reprise.cpu;

/**
 * A synchronous guest exception raised while executing an instruction: the vCPU loop turns it into
 * a signal (SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP). The faulting instruction is not retired and
 * {@code pc} still points at it. Never seen by the user as a Java exception.
 */
public final class Trap extends RuntimeException {
    public enum Cause { ILLEGAL_INSTRUCTION, BREAKPOINT, MEMORY }

    public final Cause cause;
    /** The instruction's pc. */
    public final long pc;
    /** The faulting address for MEMORY, the instruction bits for ILLEGAL_INSTRUCTION. */
    public final long value;
    /** For MEMORY: the underlying fault (kind and access). */
    public final dev.reprise.mem.MemoryFault fault;

    public Trap(Cause cause, long pc, long value, dev.reprise.mem.MemoryFault fault) {
        super(null, null, false, false);
        this.cause = cause;
        this.pc = pc;
        this.value = value;
        this.fault = fault;
    }

    public static Trap illegal(long pc, long bits) {
        return new Trap(Cause.ILLEGAL_INSTRUCTION, pc, bits, null);
    }

    @Override
    public String getMessage() {
        return cause + " at pc 0x" + Long.toHexString(pc) + " (0x" + Long.toHexString(value) + ")";
    }
}
