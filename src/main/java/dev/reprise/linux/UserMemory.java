package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's side of guest pointers (copy_from_user and friends): checks the guest's rights in
 * software, then hands out the host address of a guest buffer (guest address {@code a} lives at
 * {@code hostBase() + a}), so host calls read and write guest memory directly.
 *
 * <p>Threading: stateless. A check and the host call that follows are not atomic with a munmap
 * by another guest thread; that is harmless, as the host reservation stays mapped and writable
 * (the guest merely loses its data, as with the same race on Linux).
 */
final class UserMemory {
    private UserMemory() {}

    /** Largest path the guest may pass, with its NUL (PATH_MAX). */
    static final int PATH_MAX = 4096;

    /** Host address of the guest buffer [addr, addr+len) if the guest has {@code prot} on all of it. @throws SyscallError EFAULT */
    static long buffer(AddressSpace space, long addr, long len, int prot) {
        if (len != 0 && !space.isAccessible(addr, len, prot)) throw new SyscallError(Errno.EFAULT);
        if ((prot & AddressSpace.PROT_WRITE) != 0) noteWrite(space, addr, len);
        return space.hostBase() + addr;
    }

    /** The kernel is about to write guest memory [addr, addr+len): the recorder captures what changes ({@link KernelWrites}). */
    static void noteWrite(AddressSpace space, long addr, long len) {
        KernelWrites.note(space, addr, len);
    }

    /** Largest single transfer (MAX_RW_COUNT: INT_MAX rounded down to a page). */
    static final long MAX_RW = 0x7ffff000L;

    /**
     * How much of the guest buffer [addr, addr+len) a read or write may use, as the kernel does
     * it: the range must lie in user space (access_ok), the length is capped at {@link #MAX_RW},
     * and the transfer stops at the first page without {@code prot}. @throws SyscallError EFAULT
     * if the range leaves user space or not even its first byte is accessible (len > 0)
     */
    static long accessiblePrefix(AddressSpace space, long addr, long len, int prot) {
        if (len == 0) return 0;
        if (len < 0 || addr < 0 || addr > AddressSpace.LIMIT - len) throw new SyscallError(Errno.EFAULT);
        long end = addr + Math.min(len, MAX_RW);
        long at = addr;
        while (at < end && (readable(space.protection(at)) & prot) == prot) {
            at = (at | (AddressSpace.PAGE_SIZE - 1)) + 1;
        }
        if (at == addr) throw new SyscallError(Errno.EFAULT);
        long n = Math.min(at, end) - addr;
        if ((prot & AddressSpace.PROT_WRITE) != 0) noteWrite(space, addr, n);
        return n;
    }

    /** A path argument: the NUL-terminated byte string at {@code addr} (see {@link Host}). @throws SyscallError EFAULT, ENAMETOOLONG */
    static String path(AddressSpace space, long addr) {
        String s = string(space, addr, PATH_MAX);
        if (s == null) throw new SyscallError(Errno.ENAMETOOLONG);
        return s;
    }

    /**
     * The NUL-terminated string at {@code addr} as a byte string (one char per byte, ISO-8859-1: any
     * bytes survive the trip to the host), or null if there is no NUL within {@code max} bytes. @throws SyscallError EFAULT if a byte before the NUL is not readable
     */
    static String string(AddressSpace space, long addr, int max) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        for (long a = addr; a - addr < max; a++) {
            boolean newPage = a == addr || (a & (AddressSpace.PAGE_SIZE - 1)) == 0;
            if (newPage && (a < 0 || a >= AddressSpace.LIMIT
                    || (readable(space.protection(a)) & AddressSpace.PROT_READ) == 0)) {
                throw new SyscallError(Errno.EFAULT);
            }
            byte b = space.memory().get(ValueLayout.JAVA_BYTE, a);
            if (b == 0) return bytes.toString(StandardCharsets.ISO_8859_1);
            bytes.write(b);
        }
        return null;
    }

    /** Rights as an access sees them: on riscv a writable page is readable too (a W-only PTE is reserved). */
    private static int readable(int prot) {
        return (prot & AddressSpace.PROT_WRITE) != 0 ? prot | AddressSpace.PROT_READ : prot;
    }

    static long getLong(AddressSpace space, long addr) {
        buffer(space, addr, 8, AddressSpace.PROT_READ);
        return space.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, addr);
    }

    static void putLong(AddressSpace space, long addr, long value) {
        buffer(space, addr, 8, AddressSpace.PROT_WRITE);
        space.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, addr, value);
    }

    static void putInt(AddressSpace space, long addr, int value) {
        buffer(space, addr, 4, AddressSpace.PROT_WRITE);
        space.memory().set(ValueLayout.JAVA_INT_UNALIGNED, addr, value);
    }
}
