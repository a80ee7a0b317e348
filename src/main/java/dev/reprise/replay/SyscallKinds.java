package dev.reprise.replay;

/**
 * What record and replay do with each system call (docs/log-format.md, "System calls").
 *
 * <ul>
 *   <li><b>Injected</b> (the default): replay does not run the call; it sets a0 to the recorded
 *       result and writes the recorded bytes into guest memory. Files, clocks, random bytes: the
 *       replay needs none of the world.
 *   <li><b>Re-executed</b>: calls that change the emulator's own state (the memory map, signal
 *       dispositions and masks, threads, thread exit): replay runs them again and checks the result.
 *       A file mapping is re-executed as an anonymous one, and its contents injected.
 * </ul>
 */
final class SyscallKinds {
    private SyscallKinds() {}

    static final int READ = 63, READV = 65, PREAD64 = 67, GETDENTS64 = 61, READLINKAT = 78, GETRANDOM = 278,
            WRITE = 64, WRITEV = 66, PWRITE64 = 68,
            BRK = 214, MUNMAP = 215, MREMAP = 216, MMAP = 222, MPROTECT = 226, MADVISE = 233, RISCV_FLUSH_ICACHE = 259,
            RT_SIGACTION = 134, RT_SIGPROCMASK = 135, RT_SIGRETURN = 139, SIGALTSTACK = 132,
            CLONE = 220, EXIT = 93, EXIT_GROUP = 94, SET_TID_ADDRESS = 96, SET_ROBUST_LIST = 99;

    static final int MAP_ANONYMOUS = 0x20, MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10;

    /** Kernel resources (their keys in the granule table are {@code -1 - id}): the memory map, the signal dispositions. */
    static final long MEMORY_MAP = 0, SIGNAL_ACTIONS = 1;

    /** The resource a call takes exclusively before it runs, or -1. */
    static long resource(int nr) {
        return switch (nr) {
            case BRK, MUNMAP, MREMAP, MMAP, MPROTECT, MADVISE -> MEMORY_MAP;
            case RT_SIGACTION -> SIGNAL_ACTIONS;
            default -> -1;
        };
    }

    static boolean reexecuted(int nr) {
        return switch (nr) {
            case BRK, MUNMAP, MREMAP, MMAP, MPROTECT, MADVISE, RISCV_FLUSH_ICACHE, RT_SIGACTION, RT_SIGPROCMASK,
                 RT_SIGRETURN, SIGALTSTACK, CLONE, EXIT, EXIT_GROUP, SET_TID_ADDRESS, SET_ROBUST_LIST -> true;
            default -> false;
        };
    }

    static final int MADV_DONTNEED = 4;

    /** A call that zeroes memory that may be mapped already: madvise(MADV_DONTNEED), mmap(MAP_FIXED). */
    static boolean zeroes(int nr, long a2, long a3) {
        return nr == MADVISE && (int) a2 == MADV_DONTNEED || nr == MMAP && (a3 & MAP_FIXED) != 0;
    }

    /** Calls whose output is as long as their result says (read and friends): recorded from the result, never by copying the buffer first. */
    static boolean sizedByResult(int nr) {
        return switch (nr) {
            case READ, READV, PREAD64, GETDENTS64, READLINKAT, GETRANDOM -> true;
            default -> false;
        };
    }

    /** The guest buffer argument of a call {@link #sizedByResult} (for readv: the iovec array). */
    static int bufferArgument(int nr) {
        return switch (nr) {
            case GETRANDOM -> 0;
            case READLINKAT -> 2;
            default -> 1;
        };
    }

    /** An mmap of a file (not anonymous): replay maps anonymous memory there and injects the contents. */
    static boolean mapsFile(int nr, long flags, long fd) {
        return nr == MMAP && (flags & MAP_ANONYMOUS) == 0 && (int) fd >= 0;
    }
}
