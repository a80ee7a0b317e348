package dev.reprise.mem;

import static dev.reprise.mem.AddressSpace.PAGE_SHIFT;
import static dev.reprise.mem.AddressSpace.PAGE_SIZE;
import static dev.reprise.mem.AddressSpace.PROT_EXEC;
import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;

import dev.reprise.isa.Op;
import dev.reprise.mem.MemoryFault.Access;
import dev.reprise.mem.MemoryFault.Kind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

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
 *
 * <p>The TLB is direct-mapped, {@value #TLB_SIZE} entries indexed by the low bits of the guest
 * page number, with a tag per right: {@code tags[entry(page, READ)] == page << PAGE_SHIFT} (the
 * page's first address) means this vCPU may read {@code page} without asking the page table
 * (likewise {@code WRITE}; execute rights in an array of their own, of page numbers). An access
 * compares the tag with its address ANDed with a constant of its size ({@link #tlbKey}), which
 * keeps the page and the bits that make it misaligned: one compare checks both. Read and write
 * tags share one array so that translated code keeps one array live in its loops, not two
 * (docs/performance.md, 2026-11-28 05:00–06:30). A miss, or any right the page lacks, takes the
 * slow path, which looks the page up, raises the fault or refills the entry.
 * Tags only ever hold pages below {@link AddressSpace#LIMIT}, so a tag hit also proves the access is
 * inside the host reservation. The fast path guard is "aligned and tag hit"; everything else falls
 * back to the slow path.
 *
 * <p>LR/SC: the reservation is (address, width, value loaded); SC is a compare-and-set against that
 * value. Like QEMU's, it cannot see ABA: if other harts change the word and change it back between
 * LR and SC, or store the value it already holds, SC still succeeds, where hardware would fail it.
 * Constrained LR/SC loops (locks, counters, compare-and-swap as compilers emit them) cannot tell the
 * difference; only an algorithm that relies on SC failing after an intervening same-value store
 * (an LL/SC-based ABA defence) could.
 */
public final class Mmu {
    static final int TLB_SIZE = 1024;
    /** Index of a page's TLB entry: {@code (int) page & TLB_MASK}. */
    public static final int TLB_MASK = TLB_SIZE - 1;
    private static final long NO_PAGE = -1;

    /**
     * The opaque accesses of every width (coordinates: the guest memory segment and the guest
     * address). Public for the JIT, whose generated code repeats the fast path of {@link #lb} ...
     * {@link #sd} inline: same tag check, same access, this class's method on a miss.
     */
    public static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    public static final VarHandle SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    public static final VarHandle INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    public static final VarHandle LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final AddressSpace space;
    private final MemorySegment mem;
    /** Which of an entry's two tags in {@link #tags()}: see {@link #entry}. */
    public static final int READ = 0, WRITE = 1;
    /**
     * While recording, the tag array goes on past the TLB's entries with the split page: the last
     * page of granules finer than a page that the TLB could not cache (this vCPU holds only part of
     * it: a split page that two threads share, or one of {@code --granule} granules). At {@code
     * FINE_KEY + READ} and {@code FINE_KEY + WRITE} its tag (NO_PAGE when none; none for
     * writes once the page holds code: stores into code must reach the slow path), from {@code
     * FINE_BITS + 8 * READ} and {@code FINE_BITS + 8 * WRITE} a copy of the rights held there, a
     * bit per 8-byte word ({@link Ownership#wordRights}): any rights for reads, exclusive ones for
     * writes. An aligned access to a word held is answered from them ({@link #fineRead}, {@link
     * #fineWrite}, and inline by the JIT's miss branch, from the tag array its loop holds anyway:
     * asking this object instead kept it live in every loop of a recording, and C2 spilled more of
     * the loop for it; docs/performance.md, 2026-11-28), without asking the page table or the
     * ownership. Own thread only, like the TLB tags: the rights change only when this thread takes
     * or gives them up. The copy may lack words taken since (their access comes to the slow path,
     * which copies again) but never keeps a word given up: giving up rights ({@link #dropRights})
     * forgets the page, as a flush does.
     */
    public static final int FINE_KEY = 2 * TLB_SIZE, FINE_BITS = FINE_KEY + 2;
    private final long[] tags = new long[FINE_BITS + 16];
    private final long[] execTag = new long[TLB_SIZE];

    /** While recording: the rights this vCPU holds on granules (a TLB entry never grants more); null otherwise. Own thread. */
    private Ownership ownership;


    /** Set by any thread, cleared by the owner: volatile, so the owner that sees it also sees the page-table change before it. */
    private volatile boolean flushRequested;

    /** The LR reservation: address (NO_PAGE when none), width in bytes, the value loaded (sign-extended). */
    private long reservedAddress = NO_PAGE;
    private int reservedSize;
    private long reservedValue;

    public Mmu(AddressSpace space) {
        this.space = space;
        this.mem = space.memory();
        flush();
    }

    public AddressSpace space() {
        return space;
    }

    // ---- for the JIT's inline fast path (read only; the arrays never change identity) -------------

    /** Guest memory: guest address = offset. */
    public MemorySegment memory() {
        return mem;
    }

    /**
     * The read and write tags: {@code tags()[((int) page & TLB_MASK) * 2 + READ] == page << PAGE_SHIFT} means this
     * vCPU may read {@code page} directly (likewise {@code WRITE}: never on a code page, nor beyond
     * the rights held while recording). Only the owning thread changes them (slow paths, flushes,
     * rights given up while recording), never during generated code's fast path; generated code only reads.
     */
    public long[] tags() {
        return tags;
    }

    /**
     * Where the tag for {@code right} ({@link #READ}, {@link #WRITE}) of {@code page}'s TLB entry is
     * in {@link #tags()}. The fast paths below write it out: they run in HotSpot's bytecode
     * interpreter during start-up, where a call per access cost hello ~7 ms (tools/ab 15).
     */
    private static int entry(long page, int right) {
        return ((int) page & TLB_MASK) << 1 | right;
    }

    // ---- loads and stores: fast path = aligned + tag hit, one opaque access ----------------------

    public long lb(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & -PAGE_SIZE)) return (byte) BYTE.getOpaque(mem, a);
        return (byte) loadSlow(a, 1);
    }

    public long lbu(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & -PAGE_SIZE)) return (byte) BYTE.getOpaque(mem, a) & 0xFFL;
        return loadSlow(a, 1);
    }

    public long lh(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & (-PAGE_SIZE | 1))) return (short) SHORT.getOpaque(mem, a);
        return (short) loadSlow(a, 2);
    }

    public long lhu(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & (-PAGE_SIZE | 1))) return (short) SHORT.getOpaque(mem, a) & 0xFFFFL;
        return loadSlow(a, 2);
    }

    public long lw(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & (-PAGE_SIZE | 3))) return (int) INT.getOpaque(mem, a);
        return (int) loadSlow(a, 4);
    }

    public long lwu(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & (-PAGE_SIZE | 3))) return (int) INT.getOpaque(mem, a) & 0xFFFF_FFFFL;
        return loadSlow(a, 4);
    }

    public long ld(long a) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1] == (a & (-PAGE_SIZE | 7))) return (long) LONG.getOpaque(mem, a);
        return loadSlow(a, 8);
    }

    public void sb(long a, long v) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1 | WRITE] == (a & -PAGE_SIZE)) BYTE.setOpaque(mem, a, (byte) v);
        else storeSlow(a, v, 1);
    }

    public void sh(long a, long v) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1 | WRITE] == (a & (-PAGE_SIZE | 1))) SHORT.setOpaque(mem, a, (short) v);
        else storeSlow(a, v, 2);
    }

    public void sw(long a, long v) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1 | WRITE] == (a & (-PAGE_SIZE | 3))) INT.setOpaque(mem, a, (int) v);
        else storeSlow(a, v, 4);
    }

    public void sd(long a, long v) {
        if (tags[((int) (a >>> PAGE_SHIFT) & TLB_MASK) << 1 | WRITE] == (a & (-PAGE_SIZE | 7))) LONG.setOpaque(mem, a, v);
        else storeSlow(a, v, 8);
    }

    /** Fetches a 16-bit parcel for execution (needs PROT_EXEC), zero-extended. */
    public int fetch16(long pc) {
        long page = pc >>> PAGE_SHIFT;
        if ((pc & 1) == 0 && execTag[(int) page & TLB_MASK] == page) return (short) SHORT.getOpaque(mem, pc) & 0xFFFF;
        check(pc, 2, Access.EXECUTE);
        return (int) composeLoad(pc, 2);
    }

    // ---- slow paths --------------------------------------------------------------------------------

    /** A load the fast path did not take: checks every page it touches, then reads (zero-extended). */
    private long loadSlow(long a, int size) {
        if ((fineRead(tlbKey(a, size), a) & 1) != 0) return alignedLoad(a, size);
        check(a, size, Access.READ);
        return (a & (size - 1)) == 0 ? alignedLoad(a, size) : composeLoad(a, size);
    }

    private void storeSlow(long a, long v, int size) {
        boolean aligned = (a & (size - 1)) == 0;
        if ((fineWrite(tlbKey(a, size), a) & 1) == 0) check(a, size, Access.WRITE);   // both pages before any byte: a faulting store writes nothing
        if (aligned) {
            switch (size) {
                case 1 -> BYTE.setOpaque(mem, a, (byte) v);
                case 2 -> SHORT.setOpaque(mem, a, (short) v);
                case 4 -> INT.setOpaque(mem, a, (int) v);
                default -> LONG.setOpaque(mem, a, v);
            }
        } else {
            // Misaligned: byte by byte, little-endian (RVWMO makes no atomicity promise for these).
            for (int i = 0; i < size; i++) BYTE.setOpaque(mem, a + i, (byte) (v >>> (8 * i)));
        }
    }

    /**
     * What the TLB's tags are compared with for an access of {@code size} at {@code a}: the address
     * with its offset in the page cleared but for the bits that must be 0 when the access is
     * aligned, so that it equals the page's tag ({@link #tagOf}) only when aligned. One AND with a
     * constant, as the fast paths above and the JIT's code compute it.
     */
    private static long tlbKey(long a, int size) {
        return a & (-PAGE_SIZE | (size - 1));
    }

    /** A TLB tag: the first address of {@code page} (no key of a misaligned access has its low bits all 0). */
    private static long tagOf(long page) {
        return page << PAGE_SHIFT;
    }

    /**
     * Bit 0 is 1 if an access with TLB key {@code key} ({@link #tlbKey}: aligned) at {@code a} may
     * read on the copy of the split page's word bits in the read tags ({@link #FINE_KEY}): its
     * 8-byte word held. The JIT's TLB-miss branch computes the same inline from the tag array.
     */
    public long fineRead(long key, long a) {
        return fine(READ, key, a);
    }

    /** As {@link #fineRead}, for a store: the word held exclusive (the copy in the write tags), the page not code. */
    public long fineWrite(long key, long a) {
        return fine(WRITE, key, a);
    }

    private long fine(int right, long key, long a) {
        return tags[FINE_KEY + right] == key ? tags[FINE_BITS + 8 * right + ((int) a >>> 9 & 7)] >>> ((int) a >>> 3) : 0;   // word (a & 4095) >>> 3: long w >>> 6, bit w & 63
    }

    /** Makes {@code page}, with the rights {@code words} says are held there, the split page (see {@link #FINE_KEY}). Own thread. */
    private void setSplitPage(long page, long[] words) {
        tags[FINE_KEY + READ] = tagOf(page);
        tags[FINE_KEY + WRITE] = space.isCode(page) ? NO_PAGE : tagOf(page);
        for (int i = 0; i < 8; i++) {
            tags[FINE_BITS + 8 * READ + i] = words[i];
            tags[FINE_BITS + 8 * WRITE + i] = words[i | Ownership.EXCLUSIVE_WORDS];
        }
    }

    private long alignedLoad(long a, int size) {
        return switch (size) {
            case 1 -> (byte) BYTE.getOpaque(mem, a) & 0xFFL;
            case 2 -> (short) SHORT.getOpaque(mem, a) & 0xFFFFL;
            case 4 -> (int) INT.getOpaque(mem, a) & 0xFFFF_FFFFL;
            default -> (long) LONG.getOpaque(mem, a);
        };
    }

    /** Little-endian composition of {@code size} bytes, each an opaque byte load (rights already checked). */
    private long composeLoad(long a, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= ((byte) BYTE.getOpaque(mem, a + i) & 0xFFL) << (8 * i);
        return v;
    }

    /**
     * Makes sure this vCPU holds {@code access} rights on every page of [a, a+size) (one or two
     * pages), refilling TLB entries from the page table; throws the fault otherwise. The fault
     * address is {@code a} for the first page and the start of the second page for the second.
     */
    private void check(long a, int size, Access access) {
        long last = a + size - 1;
        if ((last >>> PAGE_SHIFT) == (a >>> PAGE_SHIFT)) {
            checkPage(a, size, access);
        } else {
            long second = last & -PAGE_SIZE;
            checkPage(a, (int) (second - a), access);
            checkPage(second, (int) (last + 1 - second), access);
        }
    }

    /** Checks the bytes [a, a+size) of one page. */
    private void checkPage(long a, int size, Access access) {
        long page = a >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        boolean hit = switch (access) {
            case READ -> tags[entry(page, READ)] == tagOf(page);
            case WRITE -> tags[entry(page, WRITE)] == tagOf(page);
            case EXECUTE -> execTag[i] == page;
        };
        if (hit) return;
        int rights = AddressSpace.effective(space.protection(a));   // 0 outside [0, LIMIT)
        if (rights == 0 && !space.isMapped(a)) throw new MemoryFault(a, Kind.UNMAPPED, access);
        int needed = switch (access) {
            case READ -> PROT_READ;
            case WRITE -> PROT_WRITE;
            case EXECUTE -> PROT_EXEC;
        };
        if ((rights & needed) == 0) throw new MemoryFault(a, Kind.PROTECTION, access);
        int held = ownership == null ? Ownership.EXCLUSIVE : ownership.acquire(a, size, access == Access.WRITE);
        // A write into translated code invalidates it; the page then loses its code mark, so only
        // the first store after each translation pays.
        if (access == Access.WRITE && space.isCode(page)) space.codeWritten(page);
        if (held == 0) {   // allowed this once (a kernel read, a page of finer granules), nothing in the TLB
            long[] words = ownership.wordRights(page);
            if (words != null) setSplitPage(page, words);
            return;
        }
        if (held == Ownership.SHARED) rights &= ~PROT_WRITE;   // the first store comes back here for exclusive rights
        // Refill the whole entry for this page (it may evict another page from all three tags);
        // a code page gets no write tag, so that stores into it reach this slow path.
        tags[entry(page, READ)] = (rights & PROT_READ) != 0 ? tagOf(page) : NO_PAGE;
        tags[entry(page, WRITE)] = (rights & PROT_WRITE) != 0 && !space.isCode(page) ? tagOf(page) : NO_PAGE;
        execTag[i] = (rights & PROT_EXEC) != 0 ? page : NO_PAGE;
    }

    /** Checks an atomic access: natural alignment first (SIGBUS), then rights. */
    private void checkAtomic(long a, int size, Access access) {
        if ((a & (size - 1)) != 0) throw new MemoryFault(a, Kind.MISALIGNED, access);
        checkPage(a, size, access);
    }

    // ---- atomics -------------------------------------------------------------------------------------

    /**
     * An AMO (not LR/SC): atomically applies {@code op} (one of the AMO* operations) to the word
     * or doubleword at {@code a} with {@code src}, returns the old value sign-extended. Ordering:
     * aq and rl as given (a volatile atomic satisfies both).
     *
     * @throws MemoryFault MISALIGNED (WRITE) unless naturally aligned; UNMAPPED or PROTECTION
     *         (WRITE) unless this vCPU may write the page
     * @throws IllegalArgumentException if {@code op} is not an AMO
     */
    public long amo(Op op, long a, long src, boolean aq, boolean rl) {
        boolean word = switch (op) {
            case AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W -> true;
            case AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D -> false;
            default -> throw new IllegalArgumentException("not an AMO: " + op);
        };
        checkAtomic(a, word ? 4 : 8, Access.WRITE);
        return word ? amoWord(op, a, (int) src) : amoDouble(op, a, src);
    }

    private long amoWord(Op op, long a, int s) {
        return switch (op) {
            case AMOSWAP_W -> (int) INT.getAndSet(mem, a, s);
            case AMOADD_W -> (int) INT.getAndAdd(mem, a, s);
            case AMOXOR_W -> (int) INT.getAndBitwiseXor(mem, a, s);
            case AMOAND_W -> (int) INT.getAndBitwiseAnd(mem, a, s);
            case AMOOR_W -> (int) INT.getAndBitwiseOr(mem, a, s);
            default -> {
                int old = (int) INT.getVolatile(mem, a);
                while (true) {
                    int v = switch (op) {
                        case AMOMIN_W -> Math.min(old, s);
                        case AMOMAX_W -> Math.max(old, s);
                        case AMOMINU_W -> Integer.compareUnsigned(old, s) <= 0 ? old : s;
                        default -> Integer.compareUnsigned(old, s) >= 0 ? old : s;   // AMOMAXU_W
                    };
                    int witness = (int) INT.compareAndExchange(mem, a, old, v);
                    if (witness == old) yield old;
                    old = witness;
                }
            }
        };
    }

    private long amoDouble(Op op, long a, long s) {
        return switch (op) {
            case AMOSWAP_D -> (long) LONG.getAndSet(mem, a, s);
            case AMOADD_D -> (long) LONG.getAndAdd(mem, a, s);
            case AMOXOR_D -> (long) LONG.getAndBitwiseXor(mem, a, s);
            case AMOAND_D -> (long) LONG.getAndBitwiseAnd(mem, a, s);
            case AMOOR_D -> (long) LONG.getAndBitwiseOr(mem, a, s);
            default -> {
                long old = (long) LONG.getVolatile(mem, a);
                while (true) {
                    long v = switch (op) {
                        case AMOMIN_D -> Math.min(old, s);
                        case AMOMAX_D -> Math.max(old, s);
                        case AMOMINU_D -> Long.compareUnsigned(old, s) <= 0 ? old : s;
                        default -> Long.compareUnsigned(old, s) >= 0 ? old : s;   // AMOMAXU_D
                    };
                    long witness = (long) LONG.compareAndExchange(mem, a, old, v);
                    if (witness == old) yield old;
                    old = witness;
                }
            }
        };
    }

    /**
     * LR.W / LR.D: loads (sign-extended, a volatile load: any aq/rl) and sets this vCPU's reservation.
     *
     * @throws MemoryFault MISALIGNED (READ) unless naturally aligned; UNMAPPED or PROTECTION (READ)
     */
    public long loadReserved(long a, boolean doubleword, boolean aq) {
        int size = doubleword ? 8 : 4;
        checkAtomic(a, size, Access.READ);
        long v = doubleword ? (long) LONG.getVolatile(mem, a) : (int) INT.getVolatile(mem, a);
        reservedAddress = a;
        reservedSize = size;
        reservedValue = v;
        return v;
    }

    /**
     * SC.W / SC.D: stores if the reservation still holds (compare-and-set); returns true on success. Always clears the reservation.
     * Rights are checked before the reservation (as Spike does): SC to a page this vCPU may not write faults even without one
     * (and a fault leaves the reservation as it was).
     *
     * @throws MemoryFault MISALIGNED (WRITE) unless naturally aligned; UNMAPPED or PROTECTION (WRITE)
     */
    public boolean storeConditional(long a, long v, boolean doubleword, boolean rl) {
        int size = doubleword ? 8 : 4;
        // Rights first: an SC that stops for ownership (recording) runs again with its reservation intact.
        checkAtomic(a, size, Access.WRITE);
        boolean reserved = reservedAddress == a && reservedSize == size;
        reservedAddress = NO_PAGE;
        if (!reserved) return false;
        return doubleword ? LONG.compareAndSet(mem, a, reservedValue, v) : INT.compareAndSet(mem, a, (int) reservedValue, (int) v);
    }

    /** Drops this vCPU's LR reservation (Linux does it on every return to user mode: syscalls, signals). */
    public void clearReservation() {
        reservedAddress = NO_PAGE;
    }

    /** An LR reservation as plain data (checkpoints): address, width in bytes, the value loaded. */
    public record Reservation(long address, int size, long value) {}

    /** This vCPU's reservation, or null when it has none (own thread, or while the vCPU is stopped). */
    public Reservation reservation() {
        return reservedAddress == NO_PAGE ? null : new Reservation(reservedAddress, reservedSize, reservedValue);
    }

    /** Sets the reservation to {@code r} (null: none); restoring a checkpoint into a stopped vCPU. */
    public void restoreReservation(Reservation r) {
        reservedAddress = r == null ? NO_PAGE : r.address();
        reservedSize = r == null ? 0 : r.size();
        reservedValue = r == null ? 0 : r.value();
    }

    // ---- fences ----------------------------------------------------------------------------------------

    private static final int FENCE_R = 0b0010 | 0b1000, FENCE_W = 0b0001 | 0b0100;   // R with I, W with O
    private static final int FM_TSO = 0b1000, FENCE_RW = 0b0011;

    /**
     * FENCE with its pred/succ bits (imm bits 7..4 pred, 3..0 succ; fm in 11..8). Device input
     * counts as a read and output as a write. The mapping (docs/memory-model.md): any W->R
     * ordering needs fullFence; R->R or R->W acquireFence; W->W releaseFence; fence.tso (fm=1000,
     * rw,rw) both but no fullFence; PAUSE (fence w,0) is a spin-wait hint.
     */
    public void fence(int bits) {
        int fm = (bits >>> 8) & 0xF, pred = (bits >>> 4) & 0xF, succ = bits & 0xF;
        boolean predR = (pred & FENCE_R) != 0, predW = (pred & FENCE_W) != 0;
        boolean succR = (succ & FENCE_R) != 0, succW = (succ & FENCE_W) != 0;
        boolean tso = fm == FM_TSO && pred == FENCE_RW && succ == FENCE_RW;
        if (predW && succR && !tso) {
            VarHandle.fullFence();
            return;
        }
        if (predR && (succR || succW)) VarHandle.acquireFence();
        if (predW && succW) VarHandle.releaseFence();
        if (pred == 0b0001 && succ == 0 && fm == 0) Thread.onSpinWait();   // PAUSE (Zihintpause)
    }

    // ---- TLB maintenance ---------------------------------------------------------------------------------

    /** Drops every cached translation (own thread). */
    public void flush() {
        Arrays.fill(tags, NO_PAGE);   // the split page too (FINE_KEY)
        Arrays.fill(execTag, NO_PAGE);
    }

    /**
     * The JIT translated code from {@code page}: from now on a store into it by this vCPU takes the
     * slow path and invalidates. Another vCPU whose TLB already holds write rights on the page
     * only notices when it refills them; RISC-V asks the executing hart for fence.i (or
     * riscv_flush_icache) after such a cross-hart write anyway, and those invalidate too.
     */
    public void markCode(long page) {
        space.markCode(page);
        if (tags[entry(page, WRITE)] == tagOf(page)) tags[entry(page, WRITE)] = NO_PAGE;
        if (tags[FINE_KEY + WRITE] == tagOf(page)) tags[FINE_KEY + WRITE] = NO_PAGE;
    }

    /** Whether this vCPU checks granule ownership (it is being recorded): only then are pages split. Own thread. */
    public boolean checksOwnership() {
        return ownership != null;
    }

    /** Starts checking granule ownership on every TLB refill (recording); drops what the TLB holds. Own thread. */
    public void attach(Ownership ownership) {
        this.ownership = ownership;
        flush();
    }

    /**
     * Forgets the TLB's rights on the pages [first, first+count) after this vCPU gave them up
     * (recording): all of them, or only the write rights when it keeps the pages shared. Own thread.
     */
    public void dropRights(long first, long count, boolean keepRead) {
        long split = tags[FINE_KEY + READ] >> PAGE_SHIFT;   // NO_PAGE stays -1
        if (split - first >= 0 && split - first < count) tags[FINE_KEY + READ] = tags[FINE_KEY + WRITE] = NO_PAGE;   // copied again when next needed
        for (long page = first; page < first + count; page++) {
            int i = (int) page & TLB_MASK;
            if (tags[entry(page, WRITE)] == tagOf(page)) tags[entry(page, WRITE)] = NO_PAGE;
            if (!keepRead) {
                if (tags[entry(page, READ)] == tagOf(page)) tags[entry(page, READ)] = NO_PAGE;
                if (execTag[i] == page) execTag[i] = NO_PAGE;
            }
        }
    }

    /** Asks the owner to flush at its next block boundary (any thread). */
    public void requestFlush() {
        flushRequested = true;
    }

    /** Serves a pending flush request; called by the owner at block boundaries (one volatile read when none is pending). */
    public void serviceFlush() {
        if (flushRequested) {
            flushRequested = false;   // before flushing: a request that arrives meanwhile is served next time, not lost
            flush();
        }
    }
}
