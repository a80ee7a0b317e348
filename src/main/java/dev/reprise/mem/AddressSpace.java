package dev.reprise.mem;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The guest's virtual address space, shared by all vCPUs of a process.
 *
 * <p>One large host reservation backs the whole guest range, so guest address {@code a} lives at
 * host offset {@code a} of {@link #memory()}. Host memory is reserved with MAP_NORESERVE and is
 * always readable and writable, so that a stale TLB entry in another vCPU can never crash the
 * JVM: guest permissions are enforced in software, per 4 KiB page, by this page table and the
 * per-vCPU {@link Mmu}.
 *
 * <p>The page table holds one byte per guest page, in two levels: a fixed array
 * of {@value #CHUNK_PAGES}-page chunks (each a {@code byte[]} covering 16 MiB of guest space),
 * allocated when a page in them is first mapped. A lookup is two array loads. The byte is 0 for
 * an unmapped page, else MAPPED | PROT_* bits: a PROT_NONE mapping (guard pages, reserved thread
 * stacks and malloc arenas) is mapped, just without rights.
 *
 * <p>Threading: the page table (entry bytes) is written only under this object's monitor
 * (map, unmap, protect) and read without a lock by the Mmu slow path (a racy but harmless read:
 * a vCPU that races with munmap of the page it touches sees either state, as on hardware).
 * Chunks are published with release/acquire, entries written with release and read opaquely, so
 * a lock-free reader sees a whole chunk and never a value hoisted out of a loop. Queries that
 * look at more than one page (findFree, mappings, isFree, isAccessible, readCString) take the
 * monitor so that they see one consistent state; a caller that must find a hole and map it
 * atomically (mmap without MAP_FIXED) holds the monitor across both ({@code synchronized
 * (space)}) or uses {@link #mapFree}. Guest memory contents are not guarded by any lock.
 * After reducing rights, the caller flushes its own Mmu and asks the other vCPUs to flush theirs
 * ({@link Mmu#requestFlush()}).
 */
public final class AddressSpace implements AutoCloseable {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** Guest addresses are below this (a 39-bit user space, as riscv64 Sv39 Linux). */
    public static final long LIMIT = 1L << 39;

    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

    /** One mapped run of pages with the same rights, [start, end). */
    public record Mapping(long start, long end, int prot) {}

    /** Page-table entry bit: the page is mapped (its PROT_* bits may still be 0). */
    private static final int MAPPED = 8;
    private static final int CHUNK_SHIFT = 12;
    static final int CHUNK_PAGES = 1 << CHUNK_SHIFT;
    private static final int CHUNKS = (int) ((LIMIT >>> PAGE_SHIFT) >>> CHUNK_SHIFT);
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(byte[][].class);
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(byte[].class);

    private final byte[][] chunks = new byte[CHUNKS][];
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final long hostBase;

    /**
     * Reserves the whole guest range of host address space (no memory is committed until touched).
     *
     * @throws HostRefusedException with a one-line explanation if the host refuses the reservation
     */
    public AddressSpace() {
        long base;
        try {
            base = Libc.mmap(LIMIT);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        hostBase = base;
        memory = MemorySegment.ofAddress(base).reinterpret(LIMIT, arena, s -> Libc.munmap(base, LIMIT));
    }

    /** The host segment that holds the whole guest range; offset = guest address. */
    public MemorySegment memory() {
        return memory;
    }

    /** Host address of guest address 0 (for passing guest buffers to host system calls). */
    public long hostBase() {
        return hostBase;
    }

    /** Host address of guest address {@code guest}. @throws IllegalArgumentException outside [0, LIMIT) */
    public long hostAddress(long guest) {
        if (guest < 0 || guest >= LIMIT) throw new IllegalArgumentException("guest address out of range: 0x" + Long.toHexString(guest));
        return hostBase + guest;
    }

    /**
     * Which pages of the page-aligned range [start, end) may hold a byte that is not zero: bit i
     * for the page at {@code start + i * PAGE_SIZE}. Guest memory is one anonymous private host
     * mapping, so a page that the host has neither in memory nor swapped out
     * ({@code /proc/self/pagemap}) was never written, or was discarded, and reads as zeros.
     * Walks of the whole machine (checkpoints, the final digest) skip the others without reading
     * them: most of a guest's 8 MiB thread stacks is never touched. Every bit is set where pagemap
     * cannot be read (not Linux, host pages not of 4 KiB). Any thread; a page written meanwhile
     * may be missed, so call it while no vCPU runs.
     */
    public BitSet pagesWithData(long start, long end) {
        int pages = (int) ((end - start) >>> PAGE_SHIFT);
        BitSet data = new BitSet(pages);
        if (!PAGEMAP_USABLE) {
            data.set(0, pages);
            return data;
        }
        final int PRESENT = 63, SWAPPED = 62, BATCH = 8192;
        ByteBuffer buf = ByteBuffer.allocate(8 * BATCH).order(ByteOrder.nativeOrder());
        try (FileChannel map = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            for (int i = 0; i < pages; ) {
                int n = Math.min(BATCH, pages - i);
                buf.clear().limit(8 * n);
                long at = ((hostBase + start) >>> PAGE_SHIFT) + i << 3;
                while (buf.hasRemaining()) {
                    if (map.read(buf, at + buf.position()) <= 0) throw new IOException("short read");
                }
                for (int k = 0; k < n; k++) {
                    long e = buf.getLong(8 * k);
                    if ((e >>> PRESENT & 1) != 0 || (e >>> SWAPPED & 1) != 0) data.set(i + k);
                }
                i += n;
            }
        } catch (IOException | RuntimeException e) {
            data.set(0, pages);   // cannot tell: every page may hold data
        }
        return data;
    }

    /** Host pages are guest-sized (4 KiB) on x86-64, so pagemap has one entry per guest page. */
    private static final boolean PAGEMAP_USABLE = System.getProperty("os.name", "").equals("Linux")
            && System.getProperty("os.arch", "").matches("amd64|x86_64");

    /** Rights of the page that holds {@code address} (PROT_* bits), 0 when unmapped, PROT_NONE or outside [0, LIMIT). */
    public int protection(long address) {
        return address < 0 || address >= LIMIT ? 0 : entry(address >>> PAGE_SHIFT) & ~MAPPED;
    }

    /** True if the page that holds {@code address} is mapped (possibly PROT_NONE). */
    public boolean isMapped(long address) {
        return address >= 0 && address < LIMIT && entry(address >>> PAGE_SHIFT) != 0;
    }

    /**
     * The rights an access actually has on a page with {@code prot}, as Linux on riscv grants them:
     * PROT_WRITE implies read (a W-only PTE is reserved); PROT_EXEC alone stays execute-only.
     */
    public static int effective(int prot) {
        return (prot & PROT_WRITE) != 0 ? prot | PROT_READ : prot;
    }

    /** True if every page of [address, address+length) is mapped with at least {@code prot} (see {@link #effective}; 0: just mapped). */
    public synchronized boolean isAccessible(long address, long length, int prot) {
        if (length < 0 || address < 0 || address > LIMIT - length) return false;
        if (length == 0) return true;
        for (long p = address >>> PAGE_SHIFT, last = (address + length - 1) >>> PAGE_SHIFT; p <= last; p++) {
            int e = entry(p);
            if (e == 0 || (effective(e & ~MAPPED) & prot) != prot) return false;
        }
        return true;
    }

    /** True if no page of [address, address+length) is mapped. @throws IllegalArgumentException outside [0, LIMIT) */
    public synchronized boolean isFree(long address, long length) {
        checkRange(address & -PAGE_SIZE, length);
        return length == 0 || firstMapped(address >>> PAGE_SHIFT, pageEnd(address + length)) < 0;
    }

    /**
     * Maps zero-filled pages at page-aligned [address, address+length) with {@code prot}, replacing
     * what was there. The length is rounded up to whole pages; 0 maps nothing. {@code prot} 0 is PROT_NONE.
     */
    public synchronized void map(long address, long length, int prot) {
        checkRange(address, length);
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) throw new IllegalArgumentException("bad prot " + prot);
        if (length == 0) return;
        Libc.dontNeed(hostBase + address, pageEnd(address + length) - (address >>> PAGE_SHIFT) << PAGE_SHIFT);
        // Rights only after the zeroing: a vCPU that sees the new rights sees the zeros.
        setEntries(address >>> PAGE_SHIFT, pageEnd(address + length), MAPPED | prot);
        dropCode(address >>> PAGE_SHIFT, pageEnd(address + length));
    }

    /** Unmaps the pages (their contents are dropped: a later map sees zeros). Length rounded up; 0 does nothing. */
    public synchronized void unmap(long address, long length) {
        checkRange(address, length);
        if (length == 0) return;
        // Rights first, so that no vCPU refilling its TLB from now on can reach the dropped contents.
        setEntries(address >>> PAGE_SHIFT, pageEnd(address + length), 0);
        dropCode(address >>> PAGE_SHIFT, pageEnd(address + length));
        Libc.dontNeed(hostBase + address, pageEnd(address + length) - (address >>> PAGE_SHIFT) << PAGE_SHIFT);
    }

    /** Changes the rights of mapped pages; false (and no change) if part of the range is unmapped. */
    public synchronized boolean protect(long address, long length, int prot) {
        checkRange(address, length);
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) throw new IllegalArgumentException("bad prot " + prot);
        long first = address >>> PAGE_SHIFT, end = pageEnd(address + length);
        for (long p = first; p < end; p++) if (entry(p) == 0) return false;
        setEntries(first, end, MAPPED | prot);
        dropCode(first, end);
        return true;
    }

    /**
     * The lowest ({@code topDown} false) or highest page-aligned address {@code h} with
     * [h, h+length) free and inside [from, to), or -1 if there is none. {@code from} is rounded up
     * and {@code to} down to pages, {@code length} up.
     */
    public synchronized long findFree(long from, long to, long length, boolean topDown) {
        if (length <= 0) throw new IllegalArgumentException("length must be positive: " + length);
        long lo = pageEnd(Math.clamp(from, 0, LIMIT)), hi = Math.clamp(to, 0, LIMIT) >>> PAGE_SHIFT;
        long n = pageEnd(Math.min(length, LIMIT));
        if (topDown) {
            for (long end = hi; end - n >= lo; ) {
                long m = lastMapped(end - n, end);
                if (m < 0) return (end - n) << PAGE_SHIFT;
                end = m;
            }
        } else {
            for (long p = lo; p + n <= hi; ) {
                long m = firstMapped(p, p + n);
                if (m < 0) return p << PAGE_SHIFT;
                p = m + 1;
            }
        }
        return -1;
    }

    /**
     * Finds a free hole as {@link #findFree} does and maps it zero-filled with {@code prot}, atomically
     * with respect to other map/unmap calls. Returns its address, or -1 if there is no hole.
     */
    public synchronized long mapFree(long from, long to, long length, int prot, boolean topDown) {
        long at = findFree(from, to, length, topDown);
        if (at >= 0) map(at, length, prot);
        return at;
    }

    /** The mapped pages as maximal runs of equal rights, in address order (for /proc/self/maps; PROT_NONE runs have prot 0). */
    public synchronized List<Mapping> mappings() {
        List<Mapping> runs = new ArrayList<>();
        long start = -1;
        int entry = 0;   // of the current run; 0: none
        for (int c = 0; c < CHUNKS; c++) {
            byte[] chunk = chunks[c];
            for (int i = 0; i < CHUNK_PAGES; i++) {
                int e = chunk == null ? 0 : chunk[i];
                if (e != entry) {
                    long page = ((long) c << CHUNK_SHIFT) + i;
                    if (entry != 0) runs.add(new Mapping(start << PAGE_SHIFT, page << PAGE_SHIFT, entry & ~MAPPED));
                    start = page;
                    entry = e;
                }
                if (chunk == null) break;   // the whole chunk is unmapped
            }
        }
        if (entry != 0) runs.add(new Mapping(start << PAGE_SHIFT, LIMIT, entry & ~MAPPED));
        return runs;
    }

    // ---- translated code ------------------------------------------------------------------------
    //
    // Pages some vCPU translated code from, and an epoch that counts the invalidations of that
    // code. Any thread: the set is concurrent; the epoch is volatile and only grows, so a JIT that
    // sees a new value flushes its translations before it runs another block. Loops of translated
    // code do not read the epoch: each vCPU's JIT is a watcher, told of every change.

    private final Set<Long> codePages = ConcurrentHashMap.newKeySet();
    private volatile long codeEpoch;
    /** The JITs to tell when the epoch changes (weakly: a thread that ended needs no telling). Guarded by {@code this}. */
    private final Set<CodeWatcher> codeWatchers = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

    /** Told, on the invalidating thread, after the code epoch changed. */
    public interface CodeWatcher {
        void codeChanged();
    }

    /** From now on {@code w} is told of every change of the code epoch (any thread). */
    public synchronized void watchCode(CodeWatcher w) {
        codeWatchers.add(w);
    }

    /** Remembers that {@code page} holds translated code: a store into it (see {@link Mmu}) invalidates. */
    public void markCode(long page) {
        codePages.add(page);
    }

    public boolean isCode(long page) {
        return codePages.contains(page);
    }

    /** The current code epoch: it changes whenever translated code may have become stale. */
    public long codeEpoch() {
        return codeEpoch;
    }

    /** Every vCPU must drop its translations (fence.i of another hart, riscv_flush_icache, a store into code). */
    public synchronized void invalidateCode() {
        codeEpoch++;
        for (CodeWatcher w : codeWatchers) w.codeChanged();   // after the epoch: a watcher that hears it reads the new one
    }

    /** A guest store hit {@code page}, which holds translated code. */
    public void codeWritten(long page) {
        if (codePages.remove(page)) invalidateCode();
    }

    /** Mapping changes over pages [first, end) invalidate the code translated from them. */
    private void dropCode(long first, long end) {
        if (!codePages.isEmpty() && codePages.removeIf(p -> p >= first && p < end)) invalidateCode();
    }

    /** Copies bytes into guest memory, ignoring guest rights (loader, kernel writes). */
    public void write(long address, byte[] data, int offset, int length) {
        checkAccess(address, length, MemoryFault.Access.WRITE);
        MemorySegment.copy(data, offset, memory, ValueLayout.JAVA_BYTE, address, length);
    }

    /** Copies bytes out of guest memory, ignoring guest rights. */
    public void read(long address, byte[] data, int offset, int length) {
        checkAccess(address, length, MemoryFault.Access.READ);
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, address, data, offset, length);
    }

    /**
     * Reads the NUL-terminated string at {@code address} (UTF-8; a path, an argument), as the kernel
     * would: every byte up to the NUL must be readable by the guest, else a {@link MemoryFault}
     * (the caller answers EFAULT). Returns null if there is no NUL within {@code max} bytes.
     */
    public synchronized String readCString(long address, int max) {
        long end = address;
        for (long limit = address + max; end < limit; end++) {
            if (end < 0 || end >= LIMIT || (effective(protection(end)) & PROT_READ) == 0) {
                throw new MemoryFault(end, isMapped(end) ? MemoryFault.Kind.PROTECTION : MemoryFault.Kind.UNMAPPED,
                        MemoryFault.Access.READ);
            }
            if (memory.get(ValueLayout.JAVA_BYTE, end) == 0) {
                byte[] bytes = new byte[(int) (end - address)];
                read(address, bytes, 0, bytes.length);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Unmaps the host reservation. No vCPU may touch this space afterwards (they would get IllegalStateException). */
    @Override
    public void close() {
        arena.close();
    }

    // ---- page table -----------------------------------------------------------------------------

    /** The page-table entry of {@code page} (below LIMIT >>> PAGE_SHIFT): 0 or MAPPED | prot. */
    private int entry(long page) {
        byte[] chunk = (byte[]) CHUNK.getAcquire(chunks, (int) (page >>> CHUNK_SHIFT));
        return chunk == null ? 0 : (byte) ENTRY.getOpaque(chunk, (int) page & (CHUNK_PAGES - 1));
    }

    private void setEntries(long first, long end, int entry) {
        for (long p = first; p < end; ) {
            int c = (int) (p >>> CHUNK_SHIFT);
            long chunkEnd = Math.min(end, (long) (c + 1) << CHUNK_SHIFT);
            byte[] chunk = chunks[c];
            if (chunk == null && entry != 0) {
                chunk = new byte[CHUNK_PAGES];
                CHUNK.setRelease(chunks, c, chunk);
            }
            if (chunk != null) {
                for (; p < chunkEnd; p++) ENTRY.setRelease(chunk, (int) p & (CHUNK_PAGES - 1), (byte) entry);
            }
            p = chunkEnd;
        }
    }

    /** The first mapped page in [first, end), or -1. */
    private long firstMapped(long first, long end) {
        for (long p = first; p < end; ) {
            byte[] chunk = chunks[(int) (p >>> CHUNK_SHIFT)];
            if (chunk == null) {
                p = ((p >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
            } else {
                if (chunk[(int) p & (CHUNK_PAGES - 1)] != 0) return p;
                p++;
            }
        }
        return -1;
    }

    /** The last mapped page in [first, end), or -1. */
    private long lastMapped(long first, long end) {
        for (long p = end - 1; p >= first; ) {
            byte[] chunk = chunks[(int) (p >>> CHUNK_SHIFT)];
            if (chunk == null) {
                p = ((p >>> CHUNK_SHIFT) << CHUNK_SHIFT) - 1;
            } else {
                if (chunk[(int) p & (CHUNK_PAGES - 1)] != 0) return p;
                p--;
            }
        }
        return -1;
    }

    /** The page number just past {@code address} rounded up to a page. */
    private static long pageEnd(long address) {
        return (address + PAGE_SIZE - 1) >>> PAGE_SHIFT;
    }

    private static void checkRange(long address, long length) {
        if ((address & (PAGE_SIZE - 1)) != 0 || length < 0 || address < 0 || address > LIMIT - length) {
            throw new IllegalArgumentException("bad guest range 0x" + Long.toHexString(address) + "+0x" + Long.toHexString(length));
        }
    }

    private static void checkAccess(long address, int length, MemoryFault.Access access) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        if (address < 0 || address > LIMIT - length) {
            throw new MemoryFault(address < 0 || address >= LIMIT ? address : LIMIT, MemoryFault.Kind.UNMAPPED, access);
        }
    }

    /**
     * The few libc calls the address space needs, as FFM downcalls. Each handle is linked on its
     * first use (a holder class per function) and called with invokeExact: every program maps,
     * few unmap or drop pages, and linking a handle or invoking it generically spins method-handle
     * classes that cost start-up time (docs/performance.md, "start-up").
     */
    private static final class Libc {
        private static final int PROT_RW = 3, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
        private static final int MADV_DONTNEED = 4;
        private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

        /**
         * Linked as (state, long...) -> long like {@code linux.Host}'s functions, so that they share
         * its downcall stubs of the same arity (the Linker caches stubs per descriptor); int results
         * are narrowed at the call.
         */
        private static MethodHandle link(String name, int args) {
            Linker linker = Linker.nativeLinker();
            ValueLayout[] longs = new ValueLayout[args];
            java.util.Arrays.fill(longs, ValueLayout.JAVA_LONG);
            return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, longs), Linker.Option.captureCallState("errno"));
        }

        private static final class MMAP { static final MethodHandle H = link("mmap", 6); }
        // All three take six arguments, as linux.Host links every function: one downcall stub for all.
        private static final class MUNMAP { static final MethodHandle H = link("munmap", 6); }
        private static final class MADVISE { static final MethodHandle H = link("madvise", 6); }

        /** Reserves {@code length} bytes of zero-filled, read-write, unbacked host memory. */
        static long mmap(long length) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment state = a.allocate(CALL_STATE);
                long result = (long) MMAP.H.invokeExact(state, 0L, length, (long) PROT_RW, (long) (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE), -1L, 0L);
                if (result == -1) {
                    throw new HostRefusedException("cannot reserve " + (length >>> 30) + " GiB of host address space for guest memory (mmap errno "
                            + errno(state) + "); is strict overcommit (vm.overcommit_memory=2) or ulimit -v in force?", null);
                }
                return result;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new HostRefusedException("mmap downcall failed: " + t, t);
            }
        }

        static void munmap(long address, long length) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment state = a.allocate(CALL_STATE);
                check("munmap", (int) (long) MUNMAP.H.invokeExact(state, address, length, 0L, 0L, 0L, 0L), state);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new HostRefusedException("munmap downcall failed: " + t, t);
            }
        }

        /** Drops the pages' contents: private anonymous memory reads as zeros afterwards. */
        static void dontNeed(long address, long length) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment state = a.allocate(CALL_STATE);
                check("madvise", (int) (long) MADVISE.H.invokeExact(state, address, length, (long) MADV_DONTNEED, 0L, 0L, 0L), state);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new HostRefusedException("madvise downcall failed: " + t, t);
            }
        }

        private static void check(String name, int result, MemorySegment state) {
            if (result == -1) throw new HostRefusedException(name + " failed with errno " + errno(state), null);
        }

        private static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }
    }
}
