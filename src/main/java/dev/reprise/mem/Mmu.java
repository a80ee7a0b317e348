package dev.reprise.mem;

/**
 * One vCPU's view of guest memory: a software TLB in front of the {@link AddressSpace}, and every
 * guest access of every width with the memory-model mapping of docs/memory-model.md.
 *
 * <p>Threading: owned by one vCPU thread; only that thread calls its methods. Other threads may
 * only call {@link #requestFlush()}; the owner serves it in {@link #serviceFlush()} at its next
 * block boundary.
 *
 * <p>Loads return the value sign- or zero-extended to 64 bits as the instruction says. Aligned
 * accesses are single opaque accesses of native width; misaligned and page-crossing ones take a
 * slow path (legal in user mode). Faults throw {@link MemoryFault}.
 */
public final class Mmu {
    public Mmu(AddressSpace space) {
        throw new UnsupportedOperationException("mem");
    }

    public AddressSpace space() {
        throw new UnsupportedOperationException("mem");
    }

    public long lb(long a) { throw new UnsupportedOperationException("mem"); }
    public long lbu(long a) { throw new UnsupportedOperationException("mem"); }
    public long lh(long a) { throw new UnsupportedOperationException("mem"); }
    public long lhu(long a) { throw new UnsupportedOperationException("mem"); }
    public long lw(long a) { throw new UnsupportedOperationException("mem"); }
    public long lwu(long a) { throw new UnsupportedOperationException("mem"); }
    public long ld(long a) { throw new UnsupportedOperationException("mem"); }
    public void sb(long a, long v) { throw new UnsupportedOperationException("mem"); }
    public void sh(long a, long v) { throw new UnsupportedOperationException("mem"); }
    public void sw(long a, long v) { throw new UnsupportedOperationException("mem"); }
    public void sd(long a, long v) { throw new UnsupportedOperationException("mem"); }

    /** Fetches a 16-bit parcel for execution (needs PROT_EXEC), zero-extended. */
    public int fetch16(long pc) { throw new UnsupportedOperationException("mem"); }

    /**
     * An AMO (not LR/SC): atomically applies {@code op} (one of the AMO* operations) to the word
     * or doubleword at {@code a} with {@code src}, returns the old value sign-extended. Ordering:
     * aq and rl as given (a volatile atomic satisfies both).
     */
    public long amo(dev.reprise.isa.Op op, long a, long src, boolean aq, boolean rl) {
        throw new UnsupportedOperationException("mem");
    }

    /** LR.W / LR.D: loads (sign-extended) and sets this vCPU's reservation. */
    public long loadReserved(long a, boolean doubleword, boolean aq) { throw new UnsupportedOperationException("mem"); }

    /** SC.W / SC.D: stores if the reservation still holds (compare-and-set); returns true on success. Always clears the reservation. */
    public boolean storeConditional(long a, long v, boolean doubleword, boolean rl) { throw new UnsupportedOperationException("mem"); }

    /** FENCE with its pred/succ bits (imm bits 7..4 pred, 3..0 succ; fm in 11..8). */
    public void fence(int bits) { throw new UnsupportedOperationException("mem"); }

    /** Drops every cached translation (own thread). */
    public void flush() { throw new UnsupportedOperationException("mem"); }

    /** Asks the owner to flush at its next block boundary (any thread). */
    public void requestFlush() { throw new UnsupportedOperationException("mem"); }

    /** Serves a pending flush request; called by the owner at block boundaries. */
    public void serviceFlush() { throw new UnsupportedOperationException("mem"); }
}
