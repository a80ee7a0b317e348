package dev.reprise.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * riscv64's struct stat (include/uapi/asm-generic/stat.h, 128 bytes), built from a host struct
 * statx. statx has one layout on every architecture, so the host side needs no per-host struct
 * stat (x86-64's differs from riscv64's: nlink is 64-bit and comes before mode there).
 */
final class StatLayout {
    private StatLayout() {}

    /** sizeof(struct stat) on riscv64; sizeof(struct statx). */
    static final int STAT_SIZE = 128, STATX_SIZE = 256;

    // asm-generic struct stat
    static final int ST_DEV = 0, ST_INO = 8, ST_MODE = 16, ST_NLINK = 20, ST_UID = 24, ST_GID = 28,
            ST_RDEV = 32, ST_SIZE = 48, ST_BLKSIZE = 56, ST_BLOCKS = 64, ST_ATIME = 72, ST_MTIME = 88,
            ST_CTIME = 104;

    // struct statx (include/uapi/linux/stat.h); a timestamp is {i64 sec, u32 nsec, i32 pad}
    static final int STX_BLKSIZE = 4, STX_NLINK = 16, STX_UID = 20, STX_GID = 24, STX_MODE = 28,
            STX_INO = 32, STX_SIZE = 40, STX_BLOCKS = 48, STX_ATIME = 64, STX_CTIME = 96, STX_MTIME = 112,
            STX_RDEV_MAJOR = 128, STX_RDEV_MINOR = 132, STX_DEV_MAJOR = 136, STX_DEV_MINOR = 140;

    /** statx mask for what stat reports. */
    static final int STATX_BASIC_STATS = 0x7ff;

    /** Writes the struct stat for {@code statx} into {@code out} at {@code offset}. */
    static void toStat(MemorySegment statx, MemorySegment out, long offset) {
        out.asSlice(offset, STAT_SIZE).fill((byte) 0);   // padding and unused fields
        out.set(JAVA_LONG_UNALIGNED, offset + ST_DEV,
                encodeDev(statx.get(JAVA_INT_UNALIGNED, STX_DEV_MAJOR), statx.get(JAVA_INT_UNALIGNED, STX_DEV_MINOR)));
        out.set(JAVA_LONG_UNALIGNED, offset + ST_INO, statx.get(JAVA_LONG_UNALIGNED, STX_INO));
        out.set(JAVA_INT_UNALIGNED, offset + ST_MODE, Short.toUnsignedInt(statx.get(JAVA_SHORT_UNALIGNED, STX_MODE)));
        out.set(JAVA_INT_UNALIGNED, offset + ST_NLINK, statx.get(JAVA_INT_UNALIGNED, STX_NLINK));
        out.set(JAVA_INT_UNALIGNED, offset + ST_UID, statx.get(JAVA_INT_UNALIGNED, STX_UID));
        out.set(JAVA_INT_UNALIGNED, offset + ST_GID, statx.get(JAVA_INT_UNALIGNED, STX_GID));
        out.set(JAVA_LONG_UNALIGNED, offset + ST_RDEV,
                encodeDev(statx.get(JAVA_INT_UNALIGNED, STX_RDEV_MAJOR), statx.get(JAVA_INT_UNALIGNED, STX_RDEV_MINOR)));
        out.set(JAVA_LONG_UNALIGNED, offset + ST_SIZE, statx.get(JAVA_LONG_UNALIGNED, STX_SIZE));
        out.set(JAVA_INT_UNALIGNED, offset + ST_BLKSIZE, statx.get(JAVA_INT_UNALIGNED, STX_BLKSIZE));
        out.set(JAVA_LONG_UNALIGNED, offset + ST_BLOCKS, statx.get(JAVA_LONG_UNALIGNED, STX_BLOCKS));
        time(statx, STX_ATIME, out, offset + ST_ATIME);
        time(statx, STX_MTIME, out, offset + ST_MTIME);
        time(statx, STX_CTIME, out, offset + ST_CTIME);
    }

    private static void time(MemorySegment statx, int from, MemorySegment out, long to) {
        out.set(JAVA_LONG_UNALIGNED, to, statx.get(JAVA_LONG_UNALIGNED, from));
        out.set(JAVA_LONG_UNALIGNED, to + 8, Integer.toUnsignedLong(statx.get(JAVA_INT_UNALIGNED, from + 8)));
    }

    /** The kernel's new_encode_dev, which 64-bit stat uses for st_dev and st_rdev. */
    static long encodeDev(int major, int minor) {
        return Integer.toUnsignedLong((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12));
    }
}
