package dev.reprise.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The host C library, reached through FFM downcalls: the file, time and system-information calls
 * the guest's system calls turn into. Every method returns the result or {@code -errno}, like a
 * raw Linux system call, so handlers can hand it straight back to the guest.
 *
 * <p>Pointers are passed as host addresses in a {@code long} (LP64 hosts: x86-64, aarch64), so a
 * guest buffer goes to the host without a copy and without a MemorySegment per call. Paths are
 * byte strings: Java strings with one char per byte (ISO-8859-1), so that any file name a guest
 * passes reaches the host unchanged ({@link #bytes(String)} turns a Java path into one); they are
 * copied into a per-thread scratch buffer as C strings. errno is captured with
 * {@code Linker.Option.captureCallState("errno")} into the same per-thread scratch.
 *
 * <p>Linux errno values, AT_* flags, struct statx, struct timespec, struct utsname, struct sysinfo,
 * struct rlimit, struct termios, struct winsize and linux_dirent64 are the same on riscv64 and on
 * the x86-64 and aarch64 hosts, so they pass through unconverted. Open flags differ on aarch64
 * and are translated ({@link #openFlags}); struct stat differs and is built from statx
 * ({@link StatLayout}).
 *
 * <p>Threading: stateless apart from the per-thread scratch; any thread may call any method.
 */
@SuppressWarnings("restricted")   // this class is the native boundary; Reprise runs with --enable-native-access
public final class Host {
    private Host() {}

    public static final boolean AARCH64 = System.getProperty("os.arch").equals("aarch64");
    /** Largest path the host accepts, with its NUL. */
    public static final int PATH_MAX = 4096;
    /** Size of the per-thread scratch buffer ({@link #scratch()}): 1024 iovecs. */
    public static final int SCRATCH_SIZE = 16384;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Per host thread: captured errno, two C path buffers, and a scratch buffer for structs and iovecs. */
    private record Scratch(MemorySegment state, MemorySegment path0, MemorySegment path1, MemorySegment buf) {
        static Scratch create() {
            Arena arena = Arena.ofAuto();   // freed when the thread (and so its Scratch) is gone
            return new Scratch(arena.allocate(CALL_STATE), arena.allocate(PATH_MAX), arena.allocate(PATH_MAX),
                    arena.allocate(SCRATCH_SIZE, 16));
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::create);

    // Every function is linked as (MemorySegment state, long...) -> long, whatever its C types: C
    // ints are passed in the low half of a 64-bit argument register (x86-64 and aarch64 callees
    // ignore the upper half), and an int result is narrowed at the call site ((int) (long) h.invokeExact),
    // since the upper half of the result register is undefined. And every function is linked with
    // six arguments (fn): so all share one downcall stub (the Linker caches stubs per descriptor)
    // and no adapter handles are spun: each new stub and adapter costs start-up time
    // (docs/performance.md, "start-up").
    // Each is linked on its first call (a holder class per function): a small program calls only a few.
    /** syscall(2): number, then up to five arguments; for the variadic functions (openat, fcntl, ioctl) and sched_getaffinity. */
    private static final class SYSCALL { static final MethodHandle H = fn("syscall", 6); }
    private static final class READ { static final MethodHandle H = fn("read", 3); }
    private static final class WRITE { static final MethodHandle H = fn("write", 3); }
    private static final class PREAD { static final MethodHandle H = fn("pread64", 4); }
    private static final class PWRITE { static final MethodHandle H = fn("pwrite64", 4); }
    private static final class READV { static final MethodHandle H = fn("readv", 3); }
    private static final class WRITEV { static final MethodHandle H = fn("writev", 3); }
    private static final class LSEEK { static final MethodHandle H = fn("lseek", 3); }
    private static final class CLOSE { static final MethodHandle H = fn("close", 1); }
    private static final class STATX { static final MethodHandle H = fn("statx", 5); }
    private static final class GETDENTS64 { static final MethodHandle H = fn("getdents64", 3); }
    private static final class READLINKAT { static final MethodHandle H = fn("readlinkat", 4); }
    private static final class FACCESSAT { static final MethodHandle H = fn("faccessat", 4); }
    private static final class DUP3 { static final MethodHandle H = fn("dup3", 3); }
    private static final class PIPE2 { static final MethodHandle H = fn("pipe2", 2); }
    private static final class UNLINKAT { static final MethodHandle H = fn("unlinkat", 3); }
    private static final class MKDIRAT { static final MethodHandle H = fn("mkdirat", 3); }
    private static final class RENAMEAT2 { static final MethodHandle H = fn("renameat2", 5); }
    private static final class GETCWD { static final MethodHandle H = fn("getcwd", 2); }
    private static final class CHDIR { static final MethodHandle H = fn("chdir", 1); }
    private static final class FCHDIR { static final MethodHandle H = fn("fchdir", 1); }
    private static final class UMASK { static final MethodHandle H = fn("umask", 1); }
    private static final class FTRUNCATE { static final MethodHandle H = fn("ftruncate", 2); }
    private static final class FSYNC { static final MethodHandle H = fn("fsync", 1); }
    private static final class CLOCK_GETTIME { static final MethodHandle H = fn("clock_gettime", 2); }
    private static final class CLOCK_GETRES { static final MethodHandle H = fn("clock_getres", 2); }
    private static final class UNAME { static final MethodHandle H = fn("uname", 1); }
    private static final class SYSINFO { static final MethodHandle H = fn("sysinfo", 1); }
    private static final class PRLIMIT { static final MethodHandle H = fn("prlimit", 4); }
    private static final class TRUNCATE { static final MethodHandle H = fn("truncate", 2); }
    private static final class FDATASYNC { static final MethodHandle H = fn("fdatasync", 1); }
    private static final class FCHMOD { static final MethodHandle H = fn("fchmod", 2); }
    private static final class FCHMODAT { static final MethodHandle H = fn("fchmodat", 4); }
    private static final class FCHOWN { static final MethodHandle H = fn("fchown", 3); }
    private static final class FCHOWNAT { static final MethodHandle H = fn("fchownat", 5); }
    private static final class UTIMENSAT { static final MethodHandle H = fn("utimensat", 4); }
    private static final class FUTIMENS { static final MethodHandle H = fn("futimens", 2); }
    private static final class SYMLINKAT { static final MethodHandle H = fn("symlinkat", 3); }
    private static final class LINKAT { static final MethodHandle H = fn("linkat", 5); }
    private static final class STATFS { static final MethodHandle H = fn("statfs", 2); }
    private static final class FSTATFS { static final MethodHandle H = fn("fstatfs", 2); }
    private static final class GETRESUID { static final MethodHandle H = fn("getresuid", 3); }
    private static final class GETRESGID { static final MethodHandle H = fn("getresgid", 3); }
    private static final class GETGROUPS { static final MethodHandle H = fn("getgroups", 2); }
    private static final class POSIX_FADVISE { static final MethodHandle H = fn("posix_fadvise", 4); }
    private static final class MEMFD_CREATE { static final MethodHandle H = fn("memfd_create", 2); }
    private static final class GETUID { static final MethodHandle H = fn("getuid", 0); }
    private static final class GETEUID { static final MethodHandle H = fn("geteuid", 0); }
    private static final class GETGID { static final MethodHandle H = fn("getgid", 0); }
    private static final class GETEGID { static final MethodHandle H = fn("getegid", 0); }
    private static final class GETPPID { static final MethodHandle H = fn("getppid", 0); }
    private static final class STRERROR { static final MethodHandle H = fn("strerror", 1); }

    /** The host's sched_getaffinity system call number (glibc's wrapper hides the kernel's result). */
    private static final long NR_SCHED_GETAFFINITY = AARCH64 ? 123 : 204;
    /** The host's numbers of the variadic calls, made through syscall(2) (asm-generic on aarch64, as on riscv64). */
    private static final long NR_OPENAT = AARCH64 ? 56 : 257, NR_FCNTL = AARCH64 ? 25 : 72, NR_IOCTL = AARCH64 ? 29 : 16;

    /**
     * A downcall to libc's {@code name}, which takes {@code args} arguments (at most
     * {@value #ARGS}), linked as taking {@value #ARGS} longs: every call passes {@value #ARGS},
     * zeros after its own. So every function shares one downcall stub, also with
     * {@code mem.AddressSpace}'s mmap: each stub shape cost start-up time (about 20 ms of a
     * 0.35 s hello, docs/performance.md), and hello used five. A C callee ignores the argument
     * registers it does not declare (x86-64 and aarch64 pass the first six in registers, and the
     * caller owns them). Variadic functions (openat, fcntl, ioctl) are reached through
     * syscall(2), which is assembly in glibc and reads its arguments as registers.
     */
    private static MethodHandle fn(String name, int args) {
        if (args > ARGS) throw new IllegalArgumentException(name + ": " + args + " arguments");
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("host libc lacks " + name));
        ValueLayout[] longs = new ValueLayout[ARGS];
        Arrays.fill(longs, JAVA_LONG);
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_LONG, longs), CAPTURE_ERRNO);
    }

    /** Arguments of every downcall (see {@link #fn}). */
    private static final int ARGS = 6;

    private static Scratch perThread() {
        return SCRATCH.get();
    }

    /** This thread's scratch buffer ({@value #SCRATCH_SIZE} bytes, 16-aligned): for structs passed to the host. */
    public static MemorySegment scratch() {
        return SCRATCH.get().buf;
    }

    /** {@code r}, or -errno if the call failed ({@code r == failure}). */
    private static long result(Scratch s, long r, long failure) {
        return r == failure ? -s.state.get(ValueLayout.JAVA_INT, ERRNO) : r;
    }

    private static long result(Scratch s, long r) {
        return result(s, r, -1);
    }

    /** A bug in a downcall's types: never the guest's fault. */
    private static AssertionError broken(Throwable e) {
        return new AssertionError("host call failed", e);
    }

    /** A Java (Unicode) path as the byte string the host calls take: its UTF-8 bytes, one char each. */
    public static String bytes(String path) {
        return new String(path.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** A byte string as Java (Unicode) text, decoding it as UTF-8: for messages and java.nio paths. */
    public static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Copies the byte string {@code path} into {@code buf} as a C string; false if it does not fit (ENAMETOOLONG). */
    private static boolean cString(MemorySegment buf, String path) {
        byte[] b = path.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length >= buf.byteSize()) return false;
        MemorySegment.copy(b, 0, buf, ValueLayout.JAVA_BYTE, 0, b.length);
        buf.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return true;
    }

    // ---- files ------------------------------------------------------------------------------

    /** Guest (riscv64, asm-generic) open flags as the host spells them: aarch64 moves four bits. */
    public static int openFlags(int guest) {
        if (!AARCH64) return guest;
        // asm-generic: O_DIRECT 040000, O_LARGEFILE 0100000, O_DIRECTORY 0200000, O_NOFOLLOW 0400000
        // aarch64:     O_DIRECTORY 040000, O_NOFOLLOW 0100000, O_DIRECT 0200000, O_LARGEFILE 0400000
        int moved = guest & ~0740000;
        if ((guest & 040000) != 0) moved |= 0200000;
        if ((guest & 0100000) != 0) moved |= 0400000;
        if ((guest & 0200000) != 0) moved |= 040000;
        if ((guest & 0400000) != 0) moved |= 0100000;
        return moved;
    }

    /** openat(2) with host-spelled flags; the host fd or -errno. */
    public static int openat(int dirfd, String path, int flags, int mode) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) SYSCALL.H.invokeExact(s.state, NR_OPENAT, (long) dirfd, s.path0.address(), (long) flags, (long) mode, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long read(int fd, long buf, long count) {
        Scratch s = perThread();
        try {
            return result(s, (long) READ.H.invokeExact(s.state, (long) fd, buf, count, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long write(int fd, long buf, long count) {
        Scratch s = perThread();
        try {
            return result(s, (long) WRITE.H.invokeExact(s.state, (long) fd, buf, count, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long pread(int fd, long buf, long count, long offset) {
        Scratch s = perThread();
        try {
            return result(s, (long) PREAD.H.invokeExact(s.state, (long) fd, buf, count, offset, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long pwrite(int fd, long buf, long count, long offset) {
        Scratch s = perThread();
        try {
            return result(s, (long) PWRITE.H.invokeExact(s.state, (long) fd, buf, count, offset, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** readv(2) of {@code count} host iovecs at host address {@code iov}. */
    public static long readv(int fd, long iov, int count) {
        Scratch s = perThread();
        try {
            return result(s, (long) READV.H.invokeExact(s.state, (long) fd, iov, (long) count, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long writev(int fd, long iov, int count) {
        Scratch s = perThread();
        try {
            return result(s, (long) WRITEV.H.invokeExact(s.state, (long) fd, iov, (long) count, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        Scratch s = perThread();
        try {
            return result(s, (long) LSEEK.H.invokeExact(s.state, (long) fd, offset, (long) whence, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int close(int fd) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) CLOSE.H.invokeExact(s.state, (long) fd, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** statx(2) into the 256-byte struct statx at host address {@code out}. */
    public static int statx(int dirfd, String path, int flags, int mask, long out) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) STATX.H.invokeExact(s.state, (long) dirfd, s.path0.address(), (long) flags, (long) mask, out, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long getdents64(int fd, long buf, long count) {
        Scratch s = perThread();
        try {
            return result(s, (long) GETDENTS64.H.invokeExact(s.state, (long) fd, buf, count, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static long readlinkat(int dirfd, String path, long buf, long size) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return result(s, (long) READLINKAT.H.invokeExact(s.state, (long) dirfd, s.path0.address(), buf, size, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int faccessat(int dirfd, String path, int mode, int flags) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) FACCESSAT.H.invokeExact(s.state, (long) dirfd, s.path0.address(), (long) mode, (long) flags, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int fcntl(int fd, int cmd, long arg) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) SYSCALL.H.invokeExact(s.state, NR_FCNTL, (long) fd, (long) cmd, arg, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int dup3(int oldFd, int newFd, int flags) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) DUP3.H.invokeExact(s.state, (long) oldFd, (long) newFd, (long) flags, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** pipe2(2) writing the two host fds to host address {@code fds}. */
    public static int pipe2(long fds, int flags) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) PIPE2.H.invokeExact(s.state, fds, (long) flags, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int ioctl(int fd, int request, long arg) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) SYSCALL.H.invokeExact(s.state, NR_IOCTL, (long) fd, Integer.toUnsignedLong(request), arg, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int unlinkat(int dirfd, String path, int flags) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) UNLINKAT.H.invokeExact(s.state, (long) dirfd, s.path0.address(), (long) flags, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int mkdirat(int dirfd, String path, int mode) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) MKDIRAT.H.invokeExact(s.state, (long) dirfd, s.path0.address(), (long) mode, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** renameat2(2); renameat is flags 0. */
    public static int renameat2(int oldDirfd, String oldPath, int newDirfd, String newPath, int flags) {
        Scratch s = perThread();
        if (!cString(s.path0, oldPath) || !cString(s.path1, newPath)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) RENAMEAT2.H.invokeExact(s.state, (long) oldDirfd, s.path0.address(),
                    (long) newDirfd, s.path1.address(), (long) flags, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** getcwd(3) into host memory at {@code buf}: like the system call, the length with the NUL, or -errno. */
    public static long getcwd(long buf, long size) {
        Scratch s = perThread();
        try {
            long r = result(s, (long) GETCWD.H.invokeExact(s.state, buf, size, 0L, 0L, 0L, 0L), 0);
            if (r < 0) return r;
            return MemorySegment.ofAddress(buf).reinterpret(size).getString(0, StandardCharsets.ISO_8859_1).length() + 1;
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int chdir(String path) {
        Scratch s = perThread();
        if (!cString(s.path0, path)) return -Errno.ENAMETOOLONG;
        try {
            return (int) result(s, (int) (long) CHDIR.H.invokeExact(s.state, s.path0.address(), 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int fchdir(int fd) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) FCHDIR.H.invokeExact(s.state, (long) fd, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** umask(2): sets the host process's mask (the JVM's too: there is one per process) and returns the old one. */
    public static int umask(int mask) {
        try {
            return (int) (long) UMASK.H.invokeExact(perThread().state, (long) mask, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int ftruncate(int fd, long length) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) FTRUNCATE.H.invokeExact(s.state, (long) fd, length, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int fsync(int fd) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) FSYNC.H.invokeExact(s.state, (long) fd, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /**
     * A close-on-exec anonymous host file holding {@code content}, positioned at its start (for
     * files Reprise makes up, such as /proc/self/maps). The host fd or -errno.
     */
    public static int memfile(String name, byte[] content) {
        Scratch s = perThread();
        if (!cString(s.path0, name)) return -Errno.ENAMETOOLONG;
        int fd;
        try {
            fd = (int) result(s, (int) (long) MEMFD_CREATE.H.invokeExact(s.state, s.path0.address(), (long) MFD_CLOEXEC, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
        if (fd < 0) return fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(Math.max(content.length, 1));
            MemorySegment.copy(content, 0, bytes, ValueLayout.JAVA_BYTE, 0, content.length);
            for (long done = 0; done < content.length; ) {
                long n = write(fd, bytes.address() + done, content.length - done);
                if (n < 0) {
                    close(fd);
                    return (int) n;
                }
                done += n;
            }
        }
        long r = lseek(fd, 0, 0);
        if (r < 0) {
            close(fd);
            return (int) r;
        }
        return fd;
    }

    private static final int MFD_CLOEXEC = 1;

    // The less frequent calls share these arity helpers, for functions that return a C int; the
    // arguments are the C arguments as longs.

    private static long call(MethodHandle h, long a) {
        Scratch s = perThread();
        try {
            return result(s, (int) (long) h.invokeExact(s.state, a, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    private static long call(MethodHandle h, long a, long b) {
        Scratch s = perThread();
        try {
            return result(s, (int) (long) h.invokeExact(s.state, a, b, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    private static long call(MethodHandle h, long a, long b, long c) {
        Scratch s = perThread();
        try {
            return result(s, (int) (long) h.invokeExact(s.state, a, b, c, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    private static long call(MethodHandle h, long a, long b, long c, long d) {
        Scratch s = perThread();
        try {
            return result(s, (int) (long) h.invokeExact(s.state, a, b, c, d, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    private static long call(MethodHandle h, long a, long b, long c, long d, long e5) {
        Scratch s = perThread();
        try {
            return result(s, (int) (long) h.invokeExact(s.state, a, b, c, d, e5, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** The host address of {@code path} as a C string in this thread's first path buffer, or 0 if too long. */
    private static long path0(String path) {
        MemorySegment buf = perThread().path0;
        return cString(buf, path) ? buf.address() : 0;
    }

    private static long path1(String path) {
        MemorySegment buf = perThread().path1;
        return cString(buf, path) ? buf.address() : 0;
    }

    public static int truncate(String path, long length) {
        long p = path0(path);
        return p == 0 ? -Errno.ENAMETOOLONG : (int) call(TRUNCATE.H, p, length);
    }

    public static int fdatasync(int fd) {
        return (int) call(FDATASYNC.H, fd);
    }

    public static int fchmod(int fd, int mode) {
        return (int) call(FCHMOD.H, fd, mode);
    }

    public static int fchmodat(int dirfd, String path, int mode, int flags) {
        long p = path0(path);
        return p == 0 ? -Errno.ENAMETOOLONG : (int) call(FCHMODAT.H, dirfd, p, mode, flags);
    }

    public static int fchown(int fd, int uid, int gid) {
        return (int) call(FCHOWN.H, fd, uid, gid);
    }

    public static int fchownat(int dirfd, String path, int uid, int gid, int flags) {
        long p = path0(path);
        return p == 0 ? -Errno.ENAMETOOLONG : (int) call(FCHOWNAT.H, dirfd, p, uid, gid, flags);
    }

    /** utimensat(2); {@code times} is a host address of struct timespec[2] or 0 (now). */
    public static int utimensat(int dirfd, String path, long times, int flags) {
        long p = path0(path);
        return p == 0 ? -Errno.ENAMETOOLONG : (int) call(UTIMENSAT.H, dirfd, p, times, flags);
    }

    /** futimens(3): utimensat on the fd itself (the guest's utimensat with a NULL path). */
    public static int futimens(int fd, long times) {
        return (int) call(FUTIMENS.H, fd, times);
    }

    public static int symlinkat(String target, int dirfd, String path) {
        long t = path0(target), p = path1(path);
        return t == 0 || p == 0 ? -Errno.ENAMETOOLONG : (int) call(SYMLINKAT.H, t, dirfd, p);
    }

    public static int linkat(int oldDirfd, String oldPath, int newDirfd, String newPath, int flags) {
        long o = path0(oldPath), n = path1(newPath);
        return o == 0 || n == 0 ? -Errno.ENAMETOOLONG : (int) call(LINKAT.H, oldDirfd, o, newDirfd, n, flags);
    }

    /** statfs(2) into the 120-byte struct statfs at host address {@code buf} (one layout on LP64 Linux). */
    public static int statfs(String path, long buf) {
        long p = path0(path);
        return p == 0 ? -Errno.ENAMETOOLONG : (int) call(STATFS.H, p, buf);
    }

    public static int fstatfs(int fd, long buf) {
        return (int) call(FSTATFS.H, fd, buf);
    }

    /** fadvise64(2) (posix_fadvise returns the error number instead of setting errno). */
    public static int fadvise(int fd, long offset, long length, int advice) {
        try {
            return -(int) (long) POSIX_FADVISE.H.invokeExact(perThread().state, (long) fd, offset, length, (long) advice, 0L, 0L);
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** getresuid(2) into three uids at host addresses {@code ids}, +4, +8. */
    public static int getresuid(long ids) {
        return (int) call(GETRESUID.H, ids, ids + 4, ids + 8);
    }

    public static int getresgid(long ids) {
        return (int) call(GETRESGID.H, ids, ids + 4, ids + 8);
    }

    /** getgroups(2) into {@code size} gids at host address {@code list}; the count or -errno. */
    public static int getgroups(int size, long list) {
        return (int) call(GETGROUPS.H, size, list);
    }

    // ---- time and system --------------------------------------------------------------------

    /** clock_gettime(2) into the struct timespec at host address {@code ts}. */
    public static int clockGettime(int clock, long ts) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) CLOCK_GETTIME.H.invokeExact(s.state, (long) clock, ts, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int clockGetres(int clock, long ts) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) CLOCK_GETRES.H.invokeExact(s.state, (long) clock, ts, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** uname(2) into the 390-byte struct utsname at host address {@code buf}. */
    public static int uname(long buf) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) UNAME.H.invokeExact(s.state, buf, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** sysinfo(2) into the 112-byte struct sysinfo at host address {@code buf}. */
    public static int sysinfo(long buf) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) SYSINFO.H.invokeExact(s.state, buf, 0L, 0L, 0L, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** prlimit(2) on the host process; {@code newLimit}/{@code oldLimit} are host addresses of struct rlimit, or 0. */
    public static int prlimit(int resource, long newLimit, long oldLimit) {
        Scratch s = perThread();
        try {
            return (int) result(s, (int) (long) PRLIMIT.H.invokeExact(s.state, 0L, (long) resource, newLimit, oldLimit, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    /** The kernel's sched_getaffinity for this process: bytes of mask written to host address {@code mask}, or -errno. */
    public static long schedGetaffinity(long size, long mask) {
        Scratch s = perThread();
        try {
            return result(s, (long) SYSCALL.H.invokeExact(s.state, NR_SCHED_GETAFFINITY, 0L, size, mask, 0L, 0L));
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    private static int id(MethodHandle h) {
        try {
            return (int) (long) h.invokeExact(perThread().state, 0L, 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable e) {
            throw broken(e);
        }
    }

    public static int getuid() { return id(GETUID.H); }
    public static int geteuid() { return id(GETEUID.H); }
    public static int getgid() { return id(GETGID.H); }
    public static int getegid() { return id(GETEGID.H); }
    public static int getppid() { return id(GETPPID.H); }

    /** The host's soft RLIMIT_STACK in bytes, or -1 when unlimited or unknown (sizes the guest stack as QEMU does). */
    public static long stackLimit() {
        MemorySegment rlimit = scratch();
        if (prlimit(3 /* RLIMIT_STACK */, 0, rlimit.address()) != 0) return -1;
        long soft = rlimit.get(ValueLayout.JAVA_LONG, 0);
        return soft >= 0 ? soft : -1; // RLIM_INFINITY is ~0
    }

    private static final String[] MESSAGES = new String[134];

    /** The host's text for an errno value ("No such file or directory"), as qemu's -strace shows it. */
    public static String strerror(int errno) {
        if (errno > 0 && errno < MESSAGES.length && MESSAGES[errno] != null) return MESSAGES[errno];
        String m;
        try {
            long p = (long) STRERROR.H.invokeExact(perThread().state, (long) errno, 0L, 0L, 0L, 0L, 0L);
            m = MemorySegment.ofAddress(p).reinterpret(256).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable e) {
            throw broken(e);
        }
        if (errno > 0 && errno < MESSAGES.length) MESSAGES[errno] = m;   // benign race: same string
        return m;
    }
}
