package dev.reprise.linux;

/**
 * The process's file descriptor table: guest fd numbers to host files.
 *
 * <p>Every guest fd owns exactly one host fd of its own (dup of a guest fd dups the host fd too), so
 * closing a guest fd closes only that host fd. The guest never names a host fd: its numbers go
 * through this table, and the JVM's own files are not in it. Guest fds 0, 1 and 2 start as host
 * duplicates of the host's 0, 1 and 2 (same open files), so a guest that closes its stdout does
 * not close the JVM's. Host fds are opened close-on-exec; the guest's FD_CLOEXEC bit is kept here,
 * per guest fd, for F_GETFD and a later execve.
 *
 * <p>New fds get the lowest free number, like Linux, below {@link #MAX_FDS} (RLIMIT_NOFILE).
 *
 * <p>Threading: all threads of the process share one table, guarded by its monitor. A blocking
 * call (read on a pipe) must not hold it, so a handler {@link #acquire}s an {@link OpenFile},
 * calls the host without the lock and {@link #release}s it; a close by another thread meanwhile
 * removes the number at once but closes the host fd only when the last user releases it (as
 * Linux's fdget/fdput), so the host fd number cannot be reused under a running call.
 */
public final class FileTable {
    /** Guest fds are below this (the soft and hard RLIMIT_NOFILE the guest sees). */
    public static final int MAX_FDS = 1024;

    /** FD_CLOEXEC, the only fd flag; O_CLOEXEC in open flags. */
    public static final int FD_CLOEXEC = 1, O_CLOEXEC = 02000000;

    /** One guest fd's host file. Fields other than hostFd are guarded by the table's monitor. */
    public static final class OpenFile {
        public final int hostFd;
        private int users;
        private boolean closed;

        private OpenFile(int hostFd) {
            this.hostFd = hostFd;
        }
    }

    private final OpenFile[] files = new OpenFile[MAX_FDS];
    private final boolean[] cloexec = new boolean[MAX_FDS];

    /** A table with guest fds 0, 1, 2 on duplicates of the host's stdin, stdout and stderr (each one that is open). */
    public FileTable() {
        for (int fd = 0; fd < 3; fd++) {
            int host = Host.fcntl(fd, FileSyscalls.F_DUPFD_CLOEXEC, 3);
            if (host >= 0) files[fd] = new OpenFile(host);
        }
    }

    /**
     * Puts a host fd (which this table then owns) at the lowest free guest number >= {@code min}.
     * Returns the guest fd, or -EMFILE (and the host fd is closed).
     */
    public synchronized int install(int hostFd, boolean closeOnExec, int min) {
        for (int fd = Math.max(min, 0); fd < MAX_FDS; fd++) {
            if (files[fd] == null) {
                files[fd] = new OpenFile(hostFd);
                cloexec[fd] = closeOnExec;
                return fd;
            }
        }
        Host.close(hostFd);
        return -Errno.EMFILE;
    }

    /** {@link #install(int, boolean, int)} at the lowest free number. */
    public int install(int hostFd, boolean closeOnExec) {
        return install(hostFd, closeOnExec, 0);
    }

    /** Pins the file of a guest fd for one call; pair with {@link #release}. @throws SyscallError EBADF */
    public OpenFile acquire(long guestFd) {
        OpenFile f = tryAcquire(guestFd);
        if (f == null) throw new SyscallError(Errno.EBADF);
        return f;
    }

    /** {@link #acquire}, or null if the fd is not open. */
    public synchronized OpenFile tryAcquire(long guestFd) {
        OpenFile f = guestFd >= 0 && guestFd < MAX_FDS ? files[(int) guestFd] : null;
        if (f != null) f.users++;
        return f;
    }

    /** Ends a call started with {@link #acquire}; closes the host fd if the guest closed it meanwhile. */
    public void release(OpenFile f) {
        boolean last;
        synchronized (this) {
            last = --f.users == 0 && f.closed;
        }
        if (last) Host.close(f.hostFd);
    }

    /** close(2): 0 or -EBADF. */
    public int close(long guestFd) {
        OpenFile f;
        synchronized (this) {
            f = guestFd >= 0 && guestFd < MAX_FDS ? files[(int) guestFd] : null;
            if (f == null) return -Errno.EBADF;
            files[(int) guestFd] = null;
            f.closed = true;
            if (f.users > 0) return 0;   // the last release closes it
        }
        Host.close(f.hostFd);   // errors of close (EIO on NFS) are ignored, as the fd is gone anyway
        return 0;
    }

    /** dup(2) and fcntl F_DUPFD / F_DUPFD_CLOEXEC: the lowest free fd >= {@code min}, or -errno. */
    public int dup(long guestFd, int min, boolean closeOnExec) {
        if (min < 0 || min >= MAX_FDS) return -Errno.EINVAL;
        OpenFile f = tryAcquire(guestFd);
        if (f == null) return -Errno.EBADF;
        try {
            int host = Host.fcntl(f.hostFd, FileSyscalls.F_DUPFD_CLOEXEC, 3);
            return host < 0 ? host : install(host, closeOnExec, min);
        } finally {
            release(f);
        }
    }

    /** dup3(2) (dup2 is dup3 with the old == new check done by libc): {@code newFd}, or -errno. */
    public int dup3(long oldFd, long newFd, int flags) {
        if ((flags & ~O_CLOEXEC) != 0 || oldFd == newFd) return -Errno.EINVAL;
        if (newFd < 0 || newFd >= MAX_FDS) return -Errno.EBADF;
        OpenFile f = tryAcquire(oldFd);
        if (f == null) return -Errno.EBADF;
        int host;
        try {
            host = Host.fcntl(f.hostFd, FileSyscalls.F_DUPFD_CLOEXEC, 3);
        } finally {
            release(f);
        }
        if (host < 0) return host;
        OpenFile old;
        synchronized (this) {
            old = files[(int) newFd];
            files[(int) newFd] = new OpenFile(host);
            cloexec[(int) newFd] = (flags & O_CLOEXEC) != 0;
            if (old != null) {
                old.closed = true;
                if (old.users > 0) old = null;   // the last release closes it
            }
        }
        if (old != null) Host.close(old.hostFd);
        return (int) newFd;
    }

    /** F_GETFD: FD_CLOEXEC or 0, or -EBADF. */
    public synchronized int fdFlags(long guestFd) {
        if (guestFd < 0 || guestFd >= MAX_FDS || files[(int) guestFd] == null) return -Errno.EBADF;
        return cloexec[(int) guestFd] ? FD_CLOEXEC : 0;
    }

    /** F_SETFD: 0 or -EBADF. */
    public synchronized int setFdFlags(long guestFd, int flags) {
        if (guestFd < 0 || guestFd >= MAX_FDS || files[(int) guestFd] == null) return -Errno.EBADF;
        cloexec[(int) guestFd] = (flags & FD_CLOEXEC) != 0;
        return 0;
    }

    /** True if the guest fd is open. */
    public synchronized boolean isOpen(long guestFd) {
        return guestFd >= 0 && guestFd < MAX_FDS && files[(int) guestFd] != null;
    }

    /**
     * Reads up to {@code length} bytes at file {@code offset} of guest fd {@code guestFd} into host
     * memory at {@code hostAddress} without moving the file position (file-backed mmap).
     * Returns the bytes read, or -errno (EBADF; the host's EISDIR for a directory, ...).
     */
    public long pread(int guestFd, long hostAddress, long length, long offset) {
        OpenFile f = tryAcquire(guestFd);
        if (f == null) return -Errno.EBADF;
        try {
            return Host.pread(f.hostFd, hostAddress, length, offset);
        } finally {
            release(f);
        }
    }

    /** One open guest fd: its host fd (owned by this table: do not close it) and FD_CLOEXEC. */
    public record Entry(int fd, int hostFd, boolean closeOnExec) {}

    /** The open guest fds in ascending order (checkpoints), as one consistent snapshot. */
    public synchronized java.util.List<Entry> entries() {
        java.util.List<Entry> out = new java.util.ArrayList<>();
        for (int fd = 0; fd < MAX_FDS; fd++) if (files[fd] != null) out.add(new Entry(fd, files[fd].hostFd, cloexec[fd]));
        return out;
    }

    /** Closes the fds marked close-on-exec (execve). */
    public void closeOnExec() {
        for (int fd = 0; fd < MAX_FDS; fd++) {
            boolean close;
            synchronized (this) {
                close = files[fd] != null && cloexec[fd];
            }
            if (close) close(fd);
        }
    }

    /** Closes every fd (the process has ended). Calls still running keep their host fds until they release them. */
    public void closeAll() {
        for (int fd = 0; fd < MAX_FDS; fd++) close(fd);
    }
}
