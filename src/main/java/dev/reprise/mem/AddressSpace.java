package dev.reprise.mem;

import java.lang.foreign.MemorySegment;

/**
 * The guest's virtual address space, shared by all vCPUs of a process.
 *
 * <p>One large host reservation backs the whole guest range, so guest address {@code a} lives at
 * host offset {@code a} of {@link #memory()}. Host memory is reserved with MAP_NORESERVE and is
 * always readable and writable, so that a stale TLB entry in another vCPU can never crash the
 * JVM: guest permissions are enforced in software, per 4 KiB page, by this page table and the
 * per-vCPU {@link Mmu}.
 *
 * <p>Threading: the page table (protection bytes) is written only under this object's monitor
 * (map, unmap, protect) and read without a lock by the Mmu slow path (a racy but harmless read:
 * a vCPU that races with munmap of the page it touches sees either state, as on hardware).
 * After reducing rights, the caller flushes its own Mmu and asks the other vCPUs to flush theirs.
 */
public final class AddressSpace implements AutoCloseable {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** Guest addresses are below this (a 39-bit user space, as riscv64 Sv39 Linux). */
    public static final long LIMIT = 1L << 39;

    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

    public AddressSpace() {
        throw new UnsupportedOperationException("mem");
    }

    /** The host segment that holds the whole guest range; offset = guest address. */
    public MemorySegment memory() {
        throw new UnsupportedOperationException("mem");
    }

    /** Host address of guest address 0 (for passing guest buffers to host system calls). */
    public long hostBase() {
        throw new UnsupportedOperationException("mem");
    }

    /** Rights of the page that holds {@code address} (PROT_* bits), 0 when unmapped. */
    public int protection(long address) {
        throw new UnsupportedOperationException("mem");
    }

    /** True if every page of [address, address+length) is mapped with at least {@code prot}. */
    public boolean isAccessible(long address, long length, int prot) {
        throw new UnsupportedOperationException("mem");
    }

    /** True if no page of [address, address+length) is mapped. */
    public boolean isFree(long address, long length) {
        throw new UnsupportedOperationException("mem");
    }

    /** Maps zero-filled pages at page-aligned [address, address+length) with {@code prot}, replacing what was there. */
    public void map(long address, long length, int prot) {
        throw new UnsupportedOperationException("mem");
    }

    /** Unmaps the pages (their contents are dropped: a later map sees zeros). */
    public void unmap(long address, long length) {
        throw new UnsupportedOperationException("mem");
    }

    /** Changes the rights of mapped pages; false (and no change) if part of the range is unmapped. */
    public boolean protect(long address, long length, int prot) {
        throw new UnsupportedOperationException("mem");
    }

    /** Copies bytes into guest memory, ignoring guest rights (loader, kernel writes). */
    public void write(long address, byte[] data, int offset, int length) {
        throw new UnsupportedOperationException("mem");
    }

    /** Copies bytes out of guest memory, ignoring guest rights. */
    public void read(long address, byte[] data, int offset, int length) {
        throw new UnsupportedOperationException("mem");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("mem");
    }
}
