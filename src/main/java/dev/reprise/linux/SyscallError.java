package dev.reprise.linux;

/**
 * Thrown by a system call handler to return {@code -errno} to the guest (EFAULT for a bad user
 * pointer, EINVAL, ...). Cheap: no stack trace.
 */
public final class SyscallError extends RuntimeException {
    public final int errno;

    public SyscallError(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }
}
