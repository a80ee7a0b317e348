package dev.reprise.mem;

/**
 * CREW ownership of memory granules while recording (DESIGN.md, docs/memory-model.md): a vCPU may
 * read a granule while it holds it shared or exclusive, and write it only while it holds it
 * exclusive. One instance per vCPU, called by that vCPU's {@link Mmu} when it refills a TLB entry,
 * so that a TLB hit is always covered by the rights the vCPU holds: the fast path never checks.
 *
 * <p>Threading: called only by the owning vCPU's thread.
 */
public interface Ownership {
    /** {@link #acquire}'s answer: the vCPU holds the granule shared (may read, may not write). */
    int SHARED = 1;
    /** {@link #acquire}'s answer: the vCPU holds the granule exclusive (may read and write). */
    int EXCLUSIVE = 2;
    /** Where {@link #wordRights}' exclusive bits start: longs [0, 8) are any rights, [8, 16) exclusive. */
    int EXCLUSIVE_WORDS = 8;

    /**
     * Makes sure the vCPU holds the granules of the bytes [address, address+size) (within one
     * page) shared (or exclusive if {@code write}) and says what it holds on the whole page, which
     * the TLB may then remember: {@link #EXCLUSIVE}, {@link #SHARED}, or 0: the access may go ahead
     * this once, but the TLB must not remember the page (a read by the kernel, whose result is
     * logged anyway; a page of granules finer than a page that the vCPU does not hold all of). If
     * it needs other vCPUs to give a granule up, either waits for them (in a system call, where the
     * vCPU's state is consistent) or throws a {@link MemoryFault} of kind
     * {@link MemoryFault.Kind#OWNERSHIP} at that granule (in guest code: the vCPU takes the
     * granule at its next boundary and runs the instruction again).
     */
    int acquire(long address, int size, boolean write);

    /**
     * The rights held on {@code page} if it is a page of granules finer than a page, a bit per
     * 8-byte word (bit {@code w & 63} of long {@code w >>> 6} for word {@code w} of the page: any
     * rights; the same from long {@link #EXCLUSIVE_WORDS}: exclusive), else null. The array is
     * live: the ownership changes it as it takes and gives up rights, so a set bit is always a
     * right held (in a system call, as far as the TLB's entries are: rights taken from the vCPU
     * meanwhile are forgotten when the call ends). The Mmu keeps a copy: before clearing bits the
     * ownership gives the rights up through {@link Mmu#dropRights}, which forgets it (set bits it
     * may learn late: the copy is made again when an access finds a word missing). Only after
     * {@link #acquire} answered 0 for the page.
     */
    long[] wordRights(long page);
}
