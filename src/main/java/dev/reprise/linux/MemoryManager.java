package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.reprise.mem.AddressSpace.LIMIT;
import static dev.reprise.mem.AddressSpace.PAGE_SIZE;
import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;

/**
 * The process's memory map policy as Linux (and qemu-riscv64 7.2) lays it out: brk, mmap
 * placement, munmap, mprotect, mremap, madvise. See docs/address-space.md.
 *
 * <p>It keeps the process's mappings ("VMAs": runs of pages with equal rights, PROT_NONE
 * reservations included) with what the {@link AddressSpace} page table does not hold — where the
 * contents came from, a name for maps listings — and drives the page table from them; the two
 * always agree on which pages are mapped. Placement follows QEMU 7.2 on a 64-bit host: bottom-up from
 * {@link #MMAP_BASE}, a moving "next start" that never goes back, a hint used when its range is
 * free.
 *
 * <p>Threading: shared by all threads of the process; every method holds this object's monitor,
 * so one system call's changes to the map are atomic with respect to another's. Callers that
 * reduce rights (munmap, mprotect, mremap, MAP_FIXED) must afterwards flush TLBs
 * ({@link MemorySyscalls#afterRightsReduced}).
 */
public final class MemoryManager {
    /** QEMU 7.2's TASK_UNMAPPED_BASE for a 64-bit guest on a 64-bit host: where mmap starts. */
    public static final long MMAP_BASE = 1L << 38;
    /** Lowest address a search may wrap around to (the host's vm.mmap_min_addr, one page). */
    static final long MMAP_MIN = PAGE_SIZE;

    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
    public static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
    public static final int MADV_DONTNEED = 4;
    private static final int PROT_SEM = 8, PROT_VALID = PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM;
    /** Contents are moved through the heap in pieces of this size. */
    private static final long COPY_CHUNK = 1 << 20;

    /**
     * One mapping: [start, end) with rights {@code prot} (0: PROT_NONE, still mapped); {@code file}
     * says its contents came from a file; {@code name} labels it in maps listings (a path,
     * "[stack]", "[heap]"; null for anonymous memory).
     */
    public record Vma(long start, long end, int prot, boolean file, String name) {
        Vma slice(long from, long to) {
            return new Vma(from, to, prot, file, name);
        }
    }

    /** Reads file contents into host memory: {@link FileTable#pread}'s contract. */
    @FunctionalInterface
    public interface FileReader {
        long pread(int fd, long hostAddress, long length, long offset);
    }

    final AddressSpace space;
    /** Mappings by start address; they never overlap. */
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    /** QEMU's mmap_next_start: where the next mmap without a usable hint looks first. */
    private long nextStart = MMAP_BASE;
    /** brk's lowest value (page after the program) and its current value (not page-aligned). */
    private long brkStart, brk;
    /** The page with the rt_sigreturn code signal handlers return through (0: none yet). */
    private long sigreturnTrampoline;

    public MemoryManager(AddressSpace space) {
        this.space = space;
    }

    // ---- loader interface ------------------------------------------------------------------------

    /**
     * Where a new mapping of {@code length} (page-aligned) bytes goes, as QEMU 7.2's mmap_find_vma
     * decides: at {@code hint} (aligned down to a page; 0, or below {@link #MMAP_MIN}, means the
     * next start) when that range is free, else the first free range above the next start, else
     * the first above {@link #MMAP_MIN}. Returns -1 if none. Advances the next start when the
     * search started from it.
     */
    synchronized long place(long hint, long length) {
        long start = hint < MMAP_MIN ? nextStart : hint & -PAGE_SIZE;
        long at;
        if (start <= LIMIT - length && isFree(start, start + length)) {
            at = start;
        } else {
            // QEMU leaves this case to the host kernel, whose answer depends on host ASLR; Reprise
            // takes the first hole at or above the next start instead, so that runs repeat.
            at = findFree(nextStart, length);
            if (at < 0) at = findFree(MMAP_MIN, length);
            if (at < 0) return -1;
        }
        if (start == nextStart && at >= MMAP_BASE) nextStart = at + length;
        return at;
    }

    /** Maps zeroed pages at page-aligned [address, address+length), replacing what was there. */
    synchronized void mapZero(long address, long length, int prot, String name) {
        insert(new Vma(address, address + length, prot, false, name));
        space.map(address, length, prot);
    }

    /** Maps pages holding {@code data} (zero-filled past it), replacing what was there. */
    synchronized void mapData(long address, long length, int prot, byte[] data, int offset, int count, String name) {
        insert(new Vma(address, address + length, prot, true, name));
        space.map(address, length, prot);
        space.write(address, data, offset, count);
    }

    /** Sets where brk starts (the page after the program) and its value. */
    synchronized void startBrk(long address) {
        brkStart = brk = address;
    }

    /** Removes mappings without the checks of munmap (the loader releasing its brk reserve). */
    synchronized void release(long address, long length) {
        remove(address, address + length);
        space.unmap(address, length);
    }

    synchronized void setSigreturnTrampoline(long address) {
        sigreturnTrampoline = address;
    }

    /**
     * Address of {@code li a7, 139; ecall} (rt_sigreturn), in the page the loader maps where QEMU 7.2
     * maps its signal trampoline: signal delivery sets ra to it.
     */
    public synchronized long sigreturnTrampoline() {
        return sigreturnTrampoline;
    }

    /** The current mappings, in address order (for /proc/self/maps and tests). */
    public synchronized List<Vma> mappings() {
        return List.copyOf(vmas.values());
    }

    public synchronized long brkStart() {
        return brkStart;
    }

    /** The map's state as plain data (checkpoints): mappings, brk, the mmap cursor, the signal trampoline page. */
    public record State(List<Vma> vmas, long brkStart, long brk, long nextStart, long sigreturnTrampoline) {
        public State {
            vmas = List.copyOf(vmas);
        }
    }

    public synchronized State state() {
        return new State(mappings(), brkStart, brk, nextStart, sigreturnTrampoline);
    }

    /**
     * Makes a fresh, empty map equal to {@code s}, every mapping zero-filled (a checkpoint's pages
     * are written afterwards). @throws IllegalStateException if something is mapped already
     */
    public synchronized void restore(State s) {
        if (!vmas.isEmpty()) throw new IllegalStateException("restore needs an empty address space");
        for (Vma v : s.vmas()) {
            vmas.put(v.start, v);
            space.map(v.start, v.end - v.start, v.prot);
        }
        brkStart = s.brkStart();
        brk = s.brk();
        nextStart = s.nextStart();
        sigreturnTrampoline = s.sigreturnTrampoline();
    }

    // ---- system calls: each returns a result or -errno -------------------------------------------

    /** brk(2): moves the break; returns the new break, or the current one if it cannot. */
    public synchronized long brk(long address) {
        if (address < brkStart || address > LIMIT) return brk;
        long oldPage = pageUp(brk), newPage = pageUp(address);
        if (newPage > oldPage) {
            if (!isFree(oldPage, newPage)) return brk;
            mapZero(oldPage, newPage - oldPage, PROT_READ | PROT_WRITE, "[heap]");
        } else if (newPage < oldPage) {
            remove(newPage, oldPage);
            space.unmap(newPage, oldPage - newPage);
        }
        // Bytes between the old break and its page end may be left from a larger heap: the grown
        // heap reads zeros there, as on Linux and QEMU.
        if (address > brk && brk < oldPage) zero(brk, Math.min(address, oldPage) - brk);
        brk = address;
        return brk;
    }

    /** mmap(2). File contents are copied in through {@code files} (also for MAP_SHARED: see the docs). */
    public synchronized long mmap(long address, long length, int prot, int flags, int fd, long offset, FileReader files) {
        int type = flags & MAP_TYPE;
        if (length == 0 || (offset & (PAGE_SIZE - 1)) != 0 || (prot & ~PROT_VALID) != 0) return -Errno.EINVAL;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return -Errno.EINVAL;
        if (length < 0 || length > LIMIT) return -Errno.ENOMEM;
        long size = pageUp(length);
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        if (!anonymous) {
            if (offset < 0) return -Errno.EINVAL;
            long probe = files.pread(fd, space.hostAddress(0), 0, offset);  // checks fd before any change
            // Directories and pipes cannot be mapped: Linux says ENODEV where pread says EISDIR or ESPIPE.
            if (probe == -Errno.EISDIR || probe == -Errno.ESPIPE) return -Errno.ENODEV;
            if (probe < 0) return probe;
        }
        prot &= ~PROT_SEM;
        long at;
        if (fixed) {
            if ((address & (PAGE_SIZE - 1)) != 0) return -Errno.EINVAL;
            if (address < 0 || address > LIMIT - size) return -Errno.ENOMEM;
            if (address < MMAP_MIN) return -Errno.EPERM;            // vm.mmap_min_addr
            if ((flags & MAP_FIXED_NOREPLACE) != 0 && !isFree(address, address + size)) return -Errno.EEXIST;
            at = address;
        } else {
            at = place(address < 0 || address > LIMIT - size ? 0 : address, size);
            if (at < 0) return -Errno.ENOMEM;
        }
        if (anonymous) {
            insert(new Vma(at, at + size, prot, false, null));
            space.map(at, size, prot);
            return at;
        }
        insert(new Vma(at, at + size, prot, true, null));
        space.map(at, size, prot);
        // Whole pages come from the file, up to its end (the rest of the last page reads zeros).
        long read = 0;
        for (long n; read < size; read += n) {        // pread may return short counts before EOF
            n = files.pread(fd, space.hostAddress(at + read), size - read, offset + read);
            if (n <= 0) {
                read = n < 0 ? n : read;
                break;
            }
        }
        if (read < 0) {
            // Only a device or a race gets here (the probe passed): undo, as the kernel would.
            remove(at, at + size);
            space.unmap(at, size);
            return read;
        }
        return at;
    }

    /** munmap(2). */
    public synchronized long munmap(long address, long length) {
        if ((address & (PAGE_SIZE - 1)) != 0 || length <= 0 || address < 0 || length > LIMIT || address > LIMIT - pageUp(length)) {
            return -Errno.EINVAL;
        }
        long end = address + pageUp(length);
        remove(address, end);
        space.unmap(address, end - address);
        return 0;
    }

    /** mprotect(2): all or nothing (Linux changes the mapped prefix before failing with ENOMEM). */
    public synchronized long mprotect(long address, long length, int prot) {
        if ((address & (PAGE_SIZE - 1)) != 0 || (prot & ~PROT_VALID) != 0) return -Errno.EINVAL;
        if (length == 0) return 0;
        if (length < 0 || length > LIMIT || address > LIMIT - pageUp(length)) return -Errno.ENOMEM;
        long end = address + pageUp(length);
        if (!covered(address, end)) return -Errno.ENOMEM;
        int rights = prot & ~PROT_SEM;
        for (Vma v : remove(address, end)) {
            space.protect(v.start, v.end - v.start, rights);   // PROT_NONE pages keep their contents
            insert(new Vma(v.start, v.end, rights, v.file, v.name));
        }
        return 0;
    }

    /** mremap(2): shrinks in place, grows in place when the pages after are free, else moves if allowed. */
    public synchronized long mremap(long oldAddress, long oldLength, long newLength, int flags, long newAddress) {
        if ((oldAddress & (PAGE_SIZE - 1)) != 0 || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0) return -Errno.EINVAL;
        if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) return -Errno.EINVAL;
        if (newLength <= 0 || oldLength <= 0) return -Errno.EINVAL;  // old 0 duplicates shared mappings: not supported
        if (oldLength > LIMIT || newLength > LIMIT) return -Errno.ENOMEM;
        long oldSize = pageUp(oldLength), newSize = pageUp(newLength);
        Vma v = vmaAt(oldAddress);
        if (v == null || oldAddress > LIMIT - oldSize || oldAddress + oldSize > v.end) return -Errno.EFAULT;

        if ((flags & MREMAP_FIXED) != 0) {
            if ((newAddress & (PAGE_SIZE - 1)) != 0 || newAddress < 0 || newAddress > LIMIT - newSize) return -Errno.EINVAL;
            if (newAddress < oldAddress + oldSize && oldAddress < newAddress + newSize) return -Errno.EINVAL;
            return move(v, oldAddress, oldSize, newAddress, newSize);
        }
        if (newSize <= oldSize) {
            if (newSize < oldSize) {
                remove(oldAddress + newSize, oldAddress + oldSize);
                space.unmap(oldAddress + newSize, oldSize - newSize);
            }
            return oldAddress;
        }
        long tail = oldAddress + oldSize;
        if (tail == v.end && oldAddress <= LIMIT - newSize && isFree(tail, oldAddress + newSize)) {
            insert(new Vma(tail, oldAddress + newSize, v.prot, v.file, v.name));
            space.map(tail, newSize - oldSize, v.prot);
            return oldAddress;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) return -Errno.ENOMEM;
        long at = place(0, newSize);
        if (at < 0) return -Errno.ENOMEM;
        return move(v, oldAddress, oldSize, at, newSize);
    }

    /** madvise(2): MADV_DONTNEED drops (zeroes) private anonymous pages; other advice is accepted and ignored. */
    public synchronized long madvise(long address, long length, int advice) {
        if ((address & (PAGE_SIZE - 1)) != 0 || length < 0) return -Errno.EINVAL;
        if (length == 0) return 0;
        if (length > LIMIT || address > LIMIT - pageUp(length)) return -Errno.ENOMEM;
        long end = address + pageUp(length);
        if (!covered(address, end)) return -Errno.ENOMEM;
        if (advice == MADV_DONTNEED) {
            // File pages would be read again from the file on Linux; their copies stay as they are.
            for (Vma v : overlapping(address, end)) {
                if (v.file) continue;
                long from = Math.max(v.start, address), to = Math.min(v.end, end);
                space.map(from, to - from, v.prot);
            }
        }
        return 0;
    }

    // ---- the mapping list ------------------------------------------------------------------------

    /** Moves [oldAddress, +oldSize) of {@code v} to a range that does not overlap it. */
    private long move(Vma v, long oldAddress, long oldSize, long at, long newSize) {
        insert(new Vma(at, at + newSize, v.prot, v.file, v.name));
        space.map(at, newSize, v.prot);
        for (long done = 0, n = Math.min(oldSize, newSize); done < n; done += COPY_CHUNK) {
            byte[] bytes = copyOut(oldAddress + done, Math.min(COPY_CHUNK, n - done));
            space.write(at + done, bytes, 0, bytes.length);
        }
        remove(oldAddress, oldAddress + oldSize);
        space.unmap(oldAddress, oldSize);
        return at;
    }

    /** The mapping that holds {@code address}, or null. */
    private Vma vmaAt(long address) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(address);
        return e != null && address < e.getValue().end ? e.getValue() : null;
    }

    private List<Vma> overlapping(long start, long end) {
        List<Vma> out = new ArrayList<>();
        Map.Entry<Long, Vma> first = vmas.floorEntry(start);
        long from = first != null && first.getValue().end > start ? first.getKey() : start;
        for (Vma v : vmas.subMap(from, true, end, false).values()) if (v.end > start) out.add(v);
        return out;
    }

    private boolean isFree(long start, long end) {
        return overlapping(start, end).isEmpty();
    }

    private boolean covered(long start, long end) {
        long at = start;
        for (Vma v : overlapping(start, end)) {
            if (v.start > at) return false;
            at = v.end;
        }
        return at >= end;
    }

    /** The lowest free page-aligned range of {@code length} bytes at or above {@code from}, or -1. */
    private long findFree(long from, long length) {
        long at = pageUp(from);
        Vma holding = vmaAt(at);
        if (holding != null) at = holding.end;
        // Mappings are sorted and disjoint: walk them until one starts far enough above the hole.
        for (Vma v : vmas.tailMap(at, true).values()) {
            if (v.start >= at + length) break;
            at = v.end;
        }
        return at <= LIMIT - length ? at : -1;
    }

    /** Removes [start, end) from the list, splitting mappings at its edges; returns the removed pieces. */
    private List<Vma> remove(long start, long end) {
        List<Vma> removed = new ArrayList<>();
        for (Vma v : overlapping(start, end)) {
            vmas.remove(v.start);
            if (v.start < start) vmas.put(v.start, v.slice(v.start, start));
            if (v.end > end) vmas.put(end, v.slice(end, v.end));
            removed.add(v.slice(Math.max(v.start, start), Math.min(v.end, end)));
        }
        return removed;
    }

    /** Adds a mapping over whatever was there, merging it with equal neighbours. */
    private void insert(Vma v) {
        remove(v.start, v.end);
        Map.Entry<Long, Vma> before = vmas.lowerEntry(v.start);
        if (before != null && mergeable(before.getValue(), v)) {
            vmas.remove(before.getKey());
            v = before.getValue().slice(before.getValue().start, v.end);
        }
        Vma after = vmas.get(v.end);
        if (after != null && mergeable(v, after)) {
            vmas.remove(after.start);
            v = v.slice(v.start, after.end);
        }
        vmas.put(v.start, v);
    }

    private static boolean mergeable(Vma a, Vma b) {
        return a.end == b.start && a.prot == b.prot && a.file == b.file && java.util.Objects.equals(a.name, b.name);
    }

    /** Clears bytes of mapped memory (the part of a page after a segment's file data). */
    synchronized void zero(long address, long length) {
        space.write(address, new byte[(int) length], 0, (int) length);
    }

    private byte[] copyOut(long address, long length) {
        byte[] bytes = new byte[(int) length];
        space.read(address, bytes, 0, bytes.length);
        return bytes;
    }

    static long pageUp(long address) {
        return (address + PAGE_SIZE - 1) & -PAGE_SIZE;
    }
}
