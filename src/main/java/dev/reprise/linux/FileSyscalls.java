package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static dev.reprise.mem.AddressSpace.PROT_READ;
import static dev.reprise.mem.AddressSpace.PROT_WRITE;

/**
 * File and directory system calls: open, read, write, stat, directories, pipes, ioctl.
 *
 * <p>Each guest fd is translated through the process's {@link FileTable} (pinned for the call, so a
 * concurrent close cannot recycle the host fd under it) and the call goes to the host with guest
 * buffers passed in place ({@link UserMemory}). Paths go through {@link #resolve}: the sysroot
 * for absolute paths that exist there, the guest program for /proc/self/exe, and the host fd
 * behind a guest fd for /proc/self/fd/N.
 *
 * <p>/proc/self/maps is made from the guest's address space when opened (an anonymous host
 * file). Not emulated: /proc/self/auxv, the /proc/self/fd directory listing and the other
 * /proc/self files show the host's (the JVM's).
 */
final class FileSyscalls {
    private FileSyscalls() {}

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200,
            AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000;
    static final int O_NONBLOCK = 04000, O_DIRECT = 040000, O_CLOEXEC = FileTable.O_CLOEXEC;
    /** UIO_MAXIOV: most iovecs one readv/writev takes. */
    static final int IOV_MAX = 1024;

    static void register() {
        Syscalls.define(17, "getcwd", "xd", FileSyscalls::getcwd);
        Syscalls.define(23, "dup", "d", (t, fd, a1, a2, a3, a4, a5) -> t.process.files.dup(fd, 0, false));
        Syscalls.define(24, "dup3", "ddx", (t, fd, nfd, flags, a3, a4, a5) -> t.process.files.dup3(fd, nfd, (int) flags));
        Syscalls.define(25, "fcntl", "dFx", FileSyscalls::fcntl);
        Syscalls.define(29, "ioctl", "dIx", FileSyscalls::ioctl);
        Syscalls.define(34, "mkdirat", "fso", FileSyscalls::mkdirat);
        Syscalls.define(35, "unlinkat", "fsx", FileSyscalls::unlinkat);
        Syscalls.define(38, "renameat", "fsfs", (t, od, op, nd, np, a4, a5) -> renameat2(t, od, op, nd, np, 0, 0));
        Syscalls.define(46, "ftruncate", "dd", FileSyscalls::ftruncate);
        Syscalls.define(48, "faccessat", "fsa", (t, d, p, mode, a3, a4, a5) -> faccessat2(t, d, p, mode, 0, 0, 0));
        Syscalls.define(49, "chdir", "s", FileSyscalls::chdir);
        Syscalls.define(50, "fchdir", "d", FileSyscalls::fchdir);
        Syscalls.define(56, "openat", "fsOm", FileSyscalls::openat);
        Syscalls.define(57, "close", "d", (t, fd, a1, a2, a3, a4, a5) -> t.process.files.close(fd));
        Syscalls.define(59, "pipe2", "px", FileSyscalls::pipe2);
        Syscalls.define(61, "getdents64", "dxd", FileSyscalls::getdents64);
        Syscalls.define(62, "lseek", "ddw", FileSyscalls::lseek);
        Syscalls.define(63, "read", "dxd", FileSyscalls::read);
        Syscalls.define(64, "write", "dxd", FileSyscalls::write);
        Syscalls.define(65, "readv", "dxd", (t, fd, iov, n, a3, a4, a5) -> vectored(t, fd, iov, n, true));
        Syscalls.define(66, "writev", "dxd", (t, fd, iov, n, a3, a4, a5) -> vectored(t, fd, iov, n, false));
        Syscalls.define(67, "pread64", "dxdd", FileSyscalls::pread64);
        Syscalls.define(68, "pwrite64", "dxdd", FileSyscalls::pwrite64);
        Syscalls.define(78, "readlinkat", "fspd", FileSyscalls::readlinkat);
        Syscalls.define(79, "newfstatat", "fspx", FileSyscalls::newfstatat);
        Syscalls.define(80, "fstat", "dp", FileSyscalls::fstat);
        Syscalls.define(82, "fsync", "d", FileSyscalls::fsync);
        Syscalls.define(166, "umask", "o", (t, mask, a1, a2, a3, a4, a5) -> Host.umask((int) mask & 0777));
        Syscalls.define(276, "renameat2", "fsfsx", FileSyscalls::renameat2);
        Syscalls.define(291, "statx", "fsxxp", FileSyscalls::statx);
        Syscalls.define(439, "faccessat2", "fsax", FileSyscalls::faccessat2);

        // less frequent calls, each a direct translation
        Syscalls.define(36, "symlinkat", "sfs", (t, target, d, path, a3, a4, a5) -> {
            Process p = t.process;
            String to = UserMemory.path(p.space, target);   // stored as written, never resolved here
            return at(p, d, UserMemory.path(p.space, path), (hd, hp) -> Host.symlinkat(to, hd, hp));
        });
        Syscalls.define(37, "linkat", "fsfsx", (t, od, op, nd, np, flags, a5) -> {
            Process p = t.process;
            String oldPath = UserMemory.path(p.space, op), newPath = UserMemory.path(p.space, np);
            return at(p, od, oldPath, (ohd, ohp) -> at(p, nd, newPath, (nhd, nhp) -> Host.linkat(ohd, ohp, nhd, nhp, (int) flags)));
        });
        Syscalls.define(43, "statfs", "sp", (t, path, buf, a2, a3, a4, a5) -> {
            Process p = t.process;
            long host = UserMemory.buffer(p.space, buf, STATFS_SIZE, PROT_WRITE);
            return Host.statfs(resolve(p, UserMemory.path(p.space, path)), host);
        });
        Syscalls.define(44, "fstatfs", "dp", (t, fd, buf, a2, a3, a4, a5) ->
                onFd(t.process, fd, h -> Host.fstatfs(h, UserMemory.buffer(t.process.space, buf, STATFS_SIZE, PROT_WRITE))));
        Syscalls.define(45, "truncate", "sd", (t, path, length, a2, a3, a4, a5) ->
                Host.truncate(resolve(t.process, UserMemory.path(t.process.space, path)), length));
        Syscalls.define(52, "fchmod", "do", (t, fd, mode, a2, a3, a4, a5) -> onFd(t.process, fd, h -> Host.fchmod(h, (int) mode)));
        Syscalls.define(53, "fchmodat", "fso", (t, d, path, mode, a3, a4, a5) ->
                at(t.process, d, UserMemory.path(t.process.space, path), (hd, hp) -> Host.fchmodat(hd, hp, (int) mode, 0)));
        Syscalls.define(54, "fchownat", "fsddx", (t, d, path, uid, gid, flags, a5) -> {
            if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            return at(t.process, d, UserMemory.path(t.process.space, path),
                    (hd, hp) -> Host.fchownat(hd, hp, (int) uid, (int) gid, (int) flags));
        });
        Syscalls.define(55, "fchown", "ddd", (t, fd, uid, gid, a3, a4, a5) -> onFd(t.process, fd, h -> Host.fchown(h, (int) uid, (int) gid)));
        Syscalls.define(83, "fdatasync", "d", (t, fd, a1, a2, a3, a4, a5) -> onFd(t.process, fd, Host::fdatasync));
        Syscalls.define(88, "utimensat", "fspx", FileSyscalls::utimensat);
        Syscalls.define(223, "fadvise64", "dddd", (t, fd, offset, length, advice, a4, a5) ->
                onFd(t.process, fd, h -> Host.fadvise(h, offset, length, (int) advice)));
    }

    /** sizeof(struct statfs): the same on riscv64 and the LP64 hosts. */
    static final int STATFS_SIZE = 120;

    /** Runs {@code call} on the host fd of a guest fd, pinned for the call. */
    private static long onFd(Process p, long fd, java.util.function.IntToLongFunction call) {
        FileTable.OpenFile f = p.files.acquire(fd);
        try {
            return call.applyAsLong(f.hostFd);
        } finally {
            p.files.release(f);
        }
    }

    /** utimensat: a NULL path means the fd itself (futimens); NULL times means now. */
    static long utimensat(Task t, long dirfd, long pathAddr, long times, long flags, long a4, long a5) {
        Process p = t.process;
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        long hostTimes = times == 0 ? 0 : UserMemory.buffer(p.space, times, 32, PROT_READ);
        if (pathAddr == 0) return onFd(p, dirfd, h -> Host.futimens(h, hostTimes));
        return at(p, dirfd, UserMemory.path(p.space, pathAddr), (hd, hp) -> Host.utimensat(hd, hp, hostTimes, (int) flags));
    }

    // ---- paths ------------------------------------------------------------------------------

    /**
     * The host path for a guest path. With a sysroot (qemu's -L), an absolute path that exists
     * under it is taken from there (that is how the dynamic loader finds libc); anything else is
     * the host's own path. /proc/self/exe is the guest program, not the JVM. Paths are byte
     * strings (see {@link Host}).
     */
    static String hostPath(Options options, int pid, String path) {
        if (isSelfExe(path, pid)) return Host.bytes(exe(options));
        Path root = options.sysroot();
        if (root != null && path.length() > 1 && path.charAt(0) == '/') {
            Path inRoot = Path.of(root.toString(), Host.text(path));
            if (Files.exists(inRoot, LinkOption.NOFOLLOW_LINKS)) return Host.bytes(inRoot.toString());
        }
        return path;
    }

    /**
     * {@link #hostPath}, and /proc/self/fd/N (the link to guest fd N, used by ttyname and
     * /dev/fd) turned into the link of the host fd behind it. @throws SyscallError ENOENT for an
     * fd the guest has not open
     */
    static String resolve(Process p, String path) {
        int prefix = selfFdPrefix(path, p.pid);
        if (prefix < 0) return hostPath(p.options, p.pid, path);
        int end = prefix;
        while (end < path.length() && Character.isDigit(path.charAt(end))) end++;
        if (end == prefix || end - prefix > 9 || (end < path.length() && path.charAt(end) != '/')) {
            throw new SyscallError(Errno.ENOENT);
        }
        FileTable.OpenFile f = p.files.tryAcquire(Integer.parseInt(path.substring(prefix, end)));
        if (f == null) throw new SyscallError(Errno.ENOENT);
        try {
            return "/proc/self/fd/" + f.hostFd + path.substring(end);
        } finally {
            p.files.release(f);
        }
    }

    /** The length of "/proc/self/fd/" (or /proc/PID/fd/, /proc/thread-self/fd/) at the start of {@code path}, or -1. */
    private static int selfFdPrefix(String path, int pid) {
        for (String who : new String[] {"self", "thread-self", Integer.toString(pid)}) {
            String prefix = "/proc/" + who + "/fd/";
            if (path.startsWith(prefix)) return prefix.length();
        }
        return -1;
    }

    /** The guest program's canonical path, as Linux shows it in /proc/self/exe (qemu: realpath). */
    static String exe(Options options) {
        Path program = options.program().toAbsolutePath().normalize();
        try {
            return program.toRealPath().toString();
        } catch (java.io.IOException e) {
            return program.toString();   // gone since it was loaded: the name it had
        }
    }

    private static boolean isSelfExe(String path, int pid) {
        return isSelf(path, pid, "exe");
    }

    /** True for /proc/self/NAME, /proc/PID/NAME and /proc/thread-self/NAME of this process. */
    private static boolean isSelf(String path, int pid, String name) {
        if (!path.startsWith("/proc/") || !path.endsWith("/" + name) || path.length() <= 7 + name.length()) return false;
        String who = path.substring(6, path.length() - name.length() - 1);
        return who.equals("self") || who.equals("thread-self") || who.equals(Integer.toString(pid));
    }

    /**
     * The guest's /proc/self/maps: one line per run of pages with the same rights, as Linux
     * prints an anonymous mapping (the address space keeps no file names).
     */
    static String maps(AddressSpace space) {
        StringBuilder b = new StringBuilder();
        for (AddressSpace.Mapping m : space.mappings()) {
            b.append(String.format("%08x-%08x %c%c%cp 00000000 00:00 0 \n", m.start(), m.end(),
                    (m.prot() & PROT_READ) != 0 ? 'r' : '-', (m.prot() & PROT_WRITE) != 0 ? 'w' : '-',
                    (m.prot() & AddressSpace.PROT_EXEC) != 0 ? 'x' : '-'));
        }
        return b.toString();
    }

    /** A host call on a (host dirfd, host path) pair. */
    @FunctionalInterface
    private interface AtCall {
        long call(int hostDirfd, String hostPath);
    }

    /**
     * Runs {@code call} with the guest's dirfd and path translated: absolute paths ignore the
     * dirfd (as Linux does); a relative one is looked up in the directory of the guest fd, pinned
     * for the call.
     */
    private static long at(Process p, long dirfd, String path, AtCall call) {
        if (path.startsWith("/") || (int) dirfd == AT_FDCWD) return call.call(AT_FDCWD, resolve(p, path));
        FileTable.OpenFile dir = p.files.acquire((int) dirfd);
        try {
            return call.call(dir.hostFd, path);
        } finally {
            p.files.release(dir);
        }
    }

    // ---- open, close, pipes -----------------------------------------------------------------

    static long openat(Task t, long dirfd, long pathAddr, long flags, long mode, long a4, long a5) {
        Process p = t.process;
        String path = UserMemory.path(p.space, pathAddr);
        int hostFlags = Host.openFlags((int) flags) | O_CLOEXEC;   // the host fd never leaks into a host exec
        boolean maps = path.startsWith("/") && isSelf(path, p.pid, "maps");
        if (maps && (flags & 3) != 0) return -Errno.EACCES;   // read-only, as on Linux
        long fd = maps
                ? Host.memfile("maps", maps(p.space).getBytes(StandardCharsets.US_ASCII))
                : at(p, dirfd, path, (d, hp) -> Host.openat(d, hp, hostFlags, (int) mode & 07777));
        return fd < 0 ? fd : p.files.install((int) fd, ((int) flags & O_CLOEXEC) != 0);
    }

    static long pipe2(Task t, long fds, long flags, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) != 0) return -Errno.EINVAL;
        UserMemory.buffer(p.space, fds, 8, PROT_WRITE);
        MemorySegment pair = Host.scratch();
        int r = Host.pipe2(pair.address(), Host.openFlags((int) flags) | O_CLOEXEC);
        if (r < 0) return r;
        boolean cloexec = (flags & O_CLOEXEC) != 0;
        int read = p.files.install(pair.get(ValueLayout.JAVA_INT, 0), cloexec);
        if (read < 0) {
            Host.close(pair.get(ValueLayout.JAVA_INT, 4));
            return read;
        }
        int write = p.files.install(pair.get(ValueLayout.JAVA_INT, 4), cloexec);
        if (write < 0) {
            p.files.close(read);
            return write;
        }
        UserMemory.putInt(p.space, fds, read);
        UserMemory.putInt(p.space, fds + 4, write);
        return 0;
    }

    // ---- read and write ---------------------------------------------------------------------

    static long read(Task t, long fd, long buf, long count, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> {
            long n = UserMemory.accessiblePrefix(p.space, buf, count, PROT_WRITE);
            return Host.read(hostFd, p.space.hostBase() + buf, n);
        });
    }

    static long write(Task t, long fd, long buf, long count, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> {
            long n = UserMemory.accessiblePrefix(p.space, buf, count, PROT_READ);
            return Host.write(hostFd, p.space.hostBase() + buf, n);
        });
    }

    static long pread64(Task t, long fd, long buf, long count, long offset, long a4, long a5) {
        Process p = t.process;
        if (offset < 0) return -Errno.EINVAL;
        return onFd(p, fd, hostFd -> {
            long n = UserMemory.accessiblePrefix(p.space, buf, count, PROT_WRITE);
            return Host.pread(hostFd, p.space.hostBase() + buf, n, offset);
        });
    }

    static long pwrite64(Task t, long fd, long buf, long count, long offset, long a4, long a5) {
        Process p = t.process;
        if (offset < 0) return -Errno.EINVAL;
        return onFd(p, fd, hostFd -> {
            long n = UserMemory.accessiblePrefix(p.space, buf, count, PROT_READ);
            return Host.pwrite(hostFd, p.space.hostBase() + buf, n, offset);
        });
    }

    /**
     * readv/writev: the guest's iovecs ({base, len}, 16 bytes each, as on the host) are rewritten
     * with host addresses into the thread's scratch buffer; every buffer must be accessible.
     */
    static long vectored(Task t, long fd, long iov, long count, boolean read) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> {
            if (count < 0 || count > IOV_MAX) return -Errno.EINVAL;
            int n = (int) count;
            UserMemory.buffer(p.space, iov, 16L * n, PROT_READ);
            MemorySegment guest = p.space.memory(), host = Host.scratch();
            long total = 0;
            for (int i = 0; i < n; i++) {
                long base = guest.get(ValueLayout.JAVA_LONG_UNALIGNED, iov + 16L * i);
                long len = guest.get(ValueLayout.JAVA_LONG_UNALIGNED, iov + 16L * i + 8);
                if (len < 0 || (total += len) < 0) return -Errno.EINVAL;   // the sum must fit ssize_t
                host.set(ValueLayout.JAVA_LONG, 16L * i, UserMemory.buffer(p.space, base, len, read ? PROT_WRITE : PROT_READ));
                host.set(ValueLayout.JAVA_LONG, 16L * i + 8, len);
            }
            return read ? Host.readv(hostFd, host.address(), n) : Host.writev(hostFd, host.address(), n);
        });
    }

    static long lseek(Task t, long fd, long offset, long whence, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> Host.lseek(hostFd, offset, (int) whence));
    }

    static long ftruncate(Task t, long fd, long length, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> Host.ftruncate(hostFd, length));
    }

    static long fsync(Task t, long fd, long a1, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> Host.fsync(hostFd));
    }

    static long getdents64(Task t, long fd, long buf, long count, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> {
            // linux_dirent64 has one layout everywhere: the host fills the guest's buffer in place
            long n = UserMemory.accessiblePrefix(p.space, buf, count, PROT_WRITE);
            return Host.getdents64(hostFd, p.space.hostBase() + buf, n);
        });
    }

    // ---- stat -------------------------------------------------------------------------------

    static long newfstatat(Task t, long dirfd, long pathAddr, long statbuf, long flags, long a4, long a5) {
        Process p = t.process;
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) != 0) return -Errno.EINVAL;
        String path = UserMemory.path(p.space, pathAddr);
        MemorySegment sx = Host.scratch();
        long r = at(p, dirfd, path, (d, hp) ->
                Host.statx(d, hp, (int) flags, StatLayout.STATX_BASIC_STATS, sx.address()));
        if (r < 0) return r;
        return putStat(p.space, statbuf, sx);
    }

    static long fstat(Task t, long fd, long statbuf, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        MemorySegment sx = Host.scratch();
        long r = onFd(p, fd, hostFd -> Host.statx(hostFd, "", AT_EMPTY_PATH, StatLayout.STATX_BASIC_STATS, sx.address()));
        return r < 0 ? r : putStat(p.space, statbuf, sx);
    }

    private static long putStat(AddressSpace space, long statbuf, MemorySegment statx) {
        UserMemory.buffer(space, statbuf, StatLayout.STAT_SIZE, PROT_WRITE);
        StatLayout.toStat(statx, space.memory(), statbuf);
        return 0;
    }

    /** statx: the same struct on guest and host, written by the host straight into guest memory. */
    static long statx(Task t, long dirfd, long pathAddr, long flags, long mask, long buf, long a5) {
        Process p = t.process;
        String path = UserMemory.path(p.space, pathAddr);
        long host = UserMemory.buffer(p.space, buf, StatLayout.STATX_SIZE, PROT_WRITE);
        return at(p, dirfd, path, (d, hp) -> Host.statx(d, hp, (int) flags, (int) mask, host));
    }

    // ---- links, access, directories -----------------------------------------------------------

    static long readlinkat(Task t, long dirfd, long pathAddr, long buf, long size, long a4, long a5) {
        Process p = t.process;
        String path = UserMemory.path(p.space, pathAddr);
        int bufsiz = (int) size;   // an int in the kernel's signature
        if (bufsiz <= 0) return -Errno.EINVAL;
        if (isSelfExe(path, p.pid)) {
            // the guest's own program, not the JVM (glibc finds $ORIGIN and argv[0]-less paths this way)
            byte[] exe = exe(p.options).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(bufsiz, exe.length);
            UserMemory.buffer(p.space, buf, n, PROT_WRITE);
            p.space.write(buf, exe, 0, n);
            return n;
        }
        long n = UserMemory.accessiblePrefix(p.space, buf, bufsiz, PROT_WRITE);
        return at(p, dirfd, path, (d, hp) -> Host.readlinkat(d, hp, p.space.hostBase() + buf, n));
    }

    static long faccessat2(Task t, long dirfd, long pathAddr, long mode, long flags, long a4, long a5) {
        Process p = t.process;
        if ((mode & ~7) != 0 || (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        String path = UserMemory.path(p.space, pathAddr);
        return at(p, dirfd, path, (d, hp) -> Host.faccessat(d, hp, (int) mode, (int) flags));
    }

    static long mkdirat(Task t, long dirfd, long pathAddr, long mode, long a3, long a4, long a5) {
        Process p = t.process;
        String path = UserMemory.path(p.space, pathAddr);
        return at(p, dirfd, path, (d, hp) -> Host.mkdirat(d, hp, (int) mode & 07777));
    }

    static long unlinkat(Task t, long dirfd, long pathAddr, long flags, long a3, long a4, long a5) {
        Process p = t.process;
        if ((flags & ~AT_REMOVEDIR) != 0) return -Errno.EINVAL;
        String path = UserMemory.path(p.space, pathAddr);
        return at(p, dirfd, path, (d, hp) -> Host.unlinkat(d, hp, (int) flags));
    }

    static long renameat2(Task t, long oldDirfd, long oldAddr, long newDirfd, long newAddr, long flags, long a5) {
        Process p = t.process;
        String oldPath = UserMemory.path(p.space, oldAddr), newPath = UserMemory.path(p.space, newAddr);
        return at(p, oldDirfd, oldPath, (od, ohp) ->
                at(p, newDirfd, newPath, (nd, nhp) -> Host.renameat2(od, ohp, nd, nhp, (int) flags)));
    }

    static long getcwd(Task t, long buf, long size, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        MemorySegment cwd = Host.scratch();
        long n = Host.getcwd(cwd.address(), UserMemory.PATH_MAX);
        if (n < 0) return n;
        if (size < n) return -Errno.ERANGE;
        UserMemory.buffer(p.space, buf, n, PROT_WRITE);
        MemorySegment.copy(cwd, 0, p.space.memory(), buf, n);
        return n;
    }

    static long chdir(Task t, long pathAddr, long a1, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        return Host.chdir(resolve(p, UserMemory.path(p.space, pathAddr)));
    }

    static long fchdir(Task t, long fd, long a1, long a2, long a3, long a4, long a5) {
        Process p = t.process;
        return onFd(p, fd, hostFd -> Host.fchdir(hostFd));
    }

    // ---- fcntl and ioctl ----------------------------------------------------------------------

    static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5,
            F_SETLK = 6, F_SETLKW = 7, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38,
            F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
    /** sizeof(struct flock) on riscv64 and the hosts. */
    static final int FLOCK_SIZE = 32;

    static long fcntl(Task t, long fd, long cmd, long arg, long a3, long a4, long a5) {
        Process p = t.process;
        FileTable files = p.files;
        switch ((int) cmd) {
            case F_DUPFD: return files.dup(fd, (int) arg, false);
            case F_DUPFD_CLOEXEC: return files.dup(fd, (int) arg, true);
            case F_GETFD: return files.fdFlags(fd);
            case F_SETFD: return files.setFdFlags(fd, (int) arg);
            default: break;
        }
        FileTable.OpenFile f = files.acquire(fd);
        try {
            switch ((int) cmd) {
                case F_GETFL: {
                    int r = Host.fcntl(f.hostFd, F_GETFL, 0);
                    return r < 0 ? r : Host.openFlags(r);   // the translation is its own inverse
                }
                case F_SETFL: return Host.fcntl(f.hostFd, F_SETFL, Host.openFlags((int) arg));
                case F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW:
                    // struct flock has the same layout on the hosts; a blocking F_SETLKW is not interruptible
                    return Host.fcntl(f.hostFd, (int) cmd, UserMemory.buffer(p.space, arg, FLOCK_SIZE, PROT_READ | PROT_WRITE));
                case F_GETPIPE_SZ, F_SETPIPE_SZ: return Host.fcntl(f.hostFd, (int) cmd, (int) arg);
                default: return -Errno.EINVAL;
            }
        } finally {
            files.release(f);
        }
    }

    static final int TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404,
            TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541b,
            FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451;
    /** sizeof(struct termios) (the kernel's, NCCS 19) and struct winsize: the same on the hosts. */
    static final int TERMIOS_SIZE = 36, WINSIZE_SIZE = 8;

    /**
     * The terminal and fd ioctls whose argument has the same layout on guest and host pass through
     * (the host answers ENOTTY for a file that is not a terminal); others are ENOTTY. TIOCGPGRP and
     * TIOCSPGRP are not passed: the guest's process ids are not the host's.
     */
    static long ioctl(Task t, long fd, long request, long arg, long a3, long a4, long a5) {
        Process p = t.process;
        int req = (int) request;
        switch (req) {
            case FIOCLEX: return p.files.setFdFlags(fd, FileTable.FD_CLOEXEC);
            case FIONCLEX: return p.files.setFdFlags(fd, 0);
            default: break;
        }
        int size, prot;
        switch (req) {
            case TCGETS -> { size = TERMIOS_SIZE; prot = PROT_WRITE; }
            case TCSETS, TCSETSW, TCSETSF -> { size = TERMIOS_SIZE; prot = PROT_READ; }
            case TIOCGWINSZ -> { size = WINSIZE_SIZE; prot = PROT_WRITE; }
            case TIOCSWINSZ -> { size = WINSIZE_SIZE; prot = PROT_READ; }
            case FIONREAD -> { size = 4; prot = PROT_WRITE; }
            case FIONBIO -> { size = 4; prot = PROT_READ; }
            default -> {
                return p.files.isOpen(fd) ? -Errno.ENOTTY : -Errno.EBADF;   // Linux checks the fd first
            }
        }
        return onFd(p, fd, hostFd -> Host.ioctl(hostFd, req, UserMemory.buffer(p.space, arg, size, prot)));
    }
}
