package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.reprise.linux.GuestFixture.DATA;
import static dev.reprise.linux.GuestFixture.READ_ONLY;
import static dev.reprise.linux.GuestFixture.UNMAPPED;
import static org.assertj.core.api.Assertions.assertThat;

class FileSyscallsTest {
    static final int OPENAT = 56, CLOSE = 57, READ = 63, WRITE = 64, READV = 65, WRITEV = 66, PREAD = 67,
            PWRITE = 68, LSEEK = 62, NEWFSTATAT = 79, FSTAT = 80, STATX = 291, GETDENTS64 = 61,
            READLINKAT = 78, FACCESSAT = 48, FCNTL = 25, DUP = 23, DUP3 = 24, PIPE2 = 59, IOCTL = 29,
            UNLINKAT = 35, MKDIRAT = 34, RENAMEAT = 38, GETCWD = 17, FTRUNCATE = 46, UMASK = 166;
    static final int O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000,
            O_APPEND = 02000, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000;
    static final long AT_FDCWD = -100;
    /** Guest addresses of the fixture's data area used here. */
    static final long PATH = DATA, PATH2 = DATA + 0x1000, BUF = DATA + 0x2000, STAT = DATA + 0x4000;

    @TempDir Path dir;
    private GuestFixture g = new GuestFixture();

    @AfterEach
    void close() {
        g.close();
    }

    private long open(String path, int flags, int mode) {
        return g.call(OPENAT, AT_FDCWD, g.string(PATH, path), flags, mode);
    }

    private long put(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        g.space.write(BUF, b, 0, b.length);
        return b.length;
    }

    @Test
    void createWriteSeekReadAndPositionalIo() throws IOException {
        Path file = dir.resolve("a.txt");
        long fd = open(file.toString(), O_CREAT | O_EXCL | O_RDWR, 0640);
        assertThat(fd).isEqualTo(3);
        long n = put("0123456789abcdef");
        assertThat(g.call(WRITE, fd, BUF, n)).isEqualTo(16);
        assertThat(open(file.toString(), O_CREAT | O_EXCL | O_RDWR, 0640)).isEqualTo(-Errno.EEXIST);
        assertThat(g.call(LSEEK, fd, 10, 0)).isEqualTo(10);
        assertThat(g.call(READ, fd, BUF + 100, 4)).isEqualTo(4);
        assertThat(g.text(BUF + 100, 4)).isEqualTo("abcd");
        assertThat(g.call(LSEEK, fd, -2, 1)).isEqualTo(12);
        assertThat(g.call(PREAD, fd, BUF + 200, 3, 1)).isEqualTo(3);
        assertThat(g.text(BUF + 200, 3)).isEqualTo("123");
        put("XY");
        assertThat(g.call(PWRITE, fd, BUF, 2, 20)).isEqualTo(2);
        assertThat(g.call(LSEEK, fd, 0, 1)).isEqualTo(12);   // positional I/O leaves the offset alone
        assertThat(g.call(PREAD, fd, BUF, 1, -1)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(FTRUNCATE, fd, 8)).isZero();
        assertThat(g.call(CLOSE, fd)).isZero();
        assertThat(g.call(CLOSE, fd)).isEqualTo(-Errno.EBADF);
        assertThat(g.call(READ, fd, BUF, 1)).isEqualTo(-Errno.EBADF);
        assertThat(Files.readString(file)).isEqualTo("01234567");
    }

    @Test
    void guestRightsAreCheckedBeforeTheHostTouchesABuffer() throws IOException {
        Path file = dir.resolve("data");
        Files.writeString(file, "x".repeat(100));
        long fd = open(file.toString(), 0, 0);
        assertThat(g.call(READ, fd, READ_ONLY, 10)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(READ, fd, UNMAPPED, 10)).isEqualTo(-Errno.EFAULT);
        // a buffer that runs into a read-only page is cut short there, as the kernel would
        assertThat(g.call(READ, fd, READ_ONLY - 10, 100)).isEqualTo(10);
        assertThat(g.call(OPENAT, AT_FDCWD, UNMAPPED, 0, 0)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(READ, fd, DATA, -1)).isEqualTo(-Errno.EFAULT);             // a size_t beyond user space
        assertThat(g.call(READ, fd, DATA, AddressSpace.LIMIT)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(READ, fd, UNMAPPED, 0)).isZero();                         // nothing to check for 0 bytes
        assertThat(g.call(WRITE, 1, UNMAPPED, 1)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(NEWFSTATAT, AT_FDCWD, g.string(PATH, file.toString()), READ_ONLY, 0)).isEqualTo(-Errno.EFAULT);
        byte[] noNul = "a".repeat(UserMemory.PATH_MAX + 1).getBytes(StandardCharsets.UTF_8);
        g.space.write(BUF, noNul, 0, noNul.length);
        assertThat(g.call(OPENAT, AT_FDCWD, BUF, 0, 0)).isEqualTo(-Errno.ENAMETOOLONG);
    }

    @Test
    void newfstatatAndFstatFillRiscvStructStat() throws IOException {
        Path file = dir.resolve("s");
        Files.write(file, new byte[5000]);
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_123L));
        Map<String, Object> unix = Files.readAttributes(file, "unix:*");
        assertThat(g.call(NEWFSTATAT, AT_FDCWD, g.string(PATH, file.toString()), STAT, 0)).isZero();
        assertThat(g.getLong(STAT + StatLayout.ST_DEV)).isEqualTo(unix.get("dev"));
        assertThat(g.getLong(STAT + StatLayout.ST_INO)).isEqualTo(unix.get("ino"));
        assertThat(g.getInt(STAT + StatLayout.ST_MODE)).isEqualTo(unix.get("mode"));
        assertThat(g.getInt(STAT + StatLayout.ST_NLINK)).isEqualTo(1);
        assertThat(g.getInt(STAT + StatLayout.ST_UID)).isEqualTo(unix.get("uid"));
        assertThat(g.getInt(STAT + StatLayout.ST_GID)).isEqualTo(unix.get("gid"));
        assertThat(g.getLong(STAT + StatLayout.ST_SIZE)).isEqualTo(5000);
        assertThat(g.getInt(STAT + StatLayout.ST_BLKSIZE)).isPositive();
        assertThat(g.getLong(STAT + StatLayout.ST_MTIME)).isEqualTo(1_700_000_000L);
        assertThat(g.getLong(STAT + StatLayout.ST_MTIME + 8)).isEqualTo(123_000_000L);
        assertThat(g.getInt(STAT + 120)).isZero();

        long fd = open(file.toString(), 0, 0);
        assertThat(g.call(FSTAT, fd, STAT + 256)).isZero();
        assertThat(g.bytes(STAT + 256, 128)).isEqualTo(g.bytes(STAT, 128) /* same file, unchanged */);
        assertThat(g.call(FSTAT, 99, STAT)).isEqualTo(-Errno.EBADF);
        assertThat(g.call(NEWFSTATAT, fd, g.string(PATH, ""), STAT + 512, FileSyscalls.AT_EMPTY_PATH)).isZero();
        assertThat(g.getLong(STAT + 512 + StatLayout.ST_SIZE)).isEqualTo(5000);
        assertThat(g.call(NEWFSTATAT, AT_FDCWD, g.string(PATH, dir.resolve("none").toString()), STAT, 0)).isEqualTo(-Errno.ENOENT);
        assertThat(g.call(NEWFSTATAT, AT_FDCWD, PATH, STAT, 0x4)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void relativePathsResolveAgainstTheDirectoryFd() throws IOException {
        Files.writeString(dir.resolve("f"), "hello");
        long dfd = open(dir.toString(), O_DIRECTORY | O_CLOEXEC, 0);
        assertThat(g.call(FCNTL, dfd, FileSyscalls.F_GETFD)).isEqualTo(FileTable.FD_CLOEXEC);
        assertThat(g.call(NEWFSTATAT, dfd, g.string(PATH, "f"), STAT, 0)).isZero();
        assertThat(g.getLong(STAT + StatLayout.ST_SIZE)).isEqualTo(5);
        assertThat(g.call(NEWFSTATAT, 77, g.string(PATH, "f"), STAT, 0)).isEqualTo(-Errno.EBADF);
        // absolute paths ignore the dirfd, even a bad one
        assertThat(g.call(NEWFSTATAT, 77, g.string(PATH, dir.resolve("f").toString()), STAT, 0)).isZero();
        assertThat(g.call(STATX, dfd, g.string(PATH, "f"), 0, 0x7ff, STAT)).isZero();
        assertThat(g.getLong(STAT + StatLayout.STX_SIZE)).isEqualTo(5);
    }

    @Test
    void directoriesCreateListRenameAndRemove() throws IOException {
        long dfd = open(dir.toString(), O_DIRECTORY, 0);
        assertThat(g.call(MKDIRAT, dfd, g.string(PATH, "sub"), 0700)).isZero();
        assertThat(Files.isDirectory(dir.resolve("sub"))).isTrue();
        Files.writeString(dir.resolve("a"), "");
        assertThat(g.call(RENAMEAT, dfd, g.string(PATH, "a"), AT_FDCWD, g.string(PATH2, dir.resolve("b").toString()))).isZero();
        assertThat(Files.exists(dir.resolve("b"))).isTrue();
        assertThat(names(dfd)).containsExactlyInAnyOrder(".", "..", "sub", "b");
        assertThat(g.call(UNLINKAT, dfd, g.string(PATH, "sub"), 0)).isEqualTo(-Errno.EISDIR);
        assertThat(g.call(UNLINKAT, dfd, g.string(PATH, "sub"), FileSyscalls.AT_REMOVEDIR)).isZero();
        assertThat(g.call(UNLINKAT, dfd, g.string(PATH, "b"), 0)).isZero();
        assertThat(g.call(LSEEK, dfd, 0, 0)).isZero();
        assertThat(names(dfd)).containsExactlyInAnyOrder(".", "..");
    }

    /** Reads a whole directory with getdents64 and returns the names. */
    private List<String> names(long dfd) {
        List<String> names = new ArrayList<>();
        long n;
        while ((n = g.call(GETDENTS64, dfd, BUF, 4096)) > 0) {
            for (long at = BUF; at < BUF + n; ) {
                int reclen = Short.toUnsignedInt(g.space.memory().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, at + 16));
                int len = 0;
                while (g.bytes(at + 19 + len, 1)[0] != 0) len++;
                names.add(g.text(at + 19, len));
                at += reclen;
            }
        }
        assertThat(n).isZero();
        return names;
    }

    @Test
    void readlinkOfProcSelfExeIsTheGuestProgram() {
        long n = g.call(READLINKAT, AT_FDCWD, g.string(PATH, "/proc/self/exe"), BUF, 4096);
        assertThat(g.text(BUF, (int) n)).isEqualTo("/opt/guest/bin/prog");
        assertThat(g.call(READLINKAT, AT_FDCWD, g.string(PATH, "/proc/" + g.process.pid + "/exe"), BUF, 4)).isEqualTo(4);
        assertThat(g.text(BUF, 4)).isEqualTo("/opt");
        assertThat(g.call(READLINKAT, AT_FDCWD, PATH, BUF, 0)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void procSelfMapsListsTheGuestsMappings() {
        long fd = open("/proc/self/maps", O_CLOEXEC, 0);
        assertThat(fd).isEqualTo(3);
        long n = g.call(READ, fd, BUF, 4096);
        assertThat(g.text(BUF, (int) n)).isEqualTo(
                "00010000-00020000 rw-p 00000000 00:00 0 \n00020000-00021000 r--p 00000000 00:00 0 \n");
        g.space.map(0x40000000L, 0x3000, 0);                            // a guard region: mapped, no rights
        g.space.map(0x40003000L, 0x1000, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC);
        long again = open("/proc/self/maps", 0, 0);
        n = g.call(READ, again, BUF, 4096);
        assertThat(g.text(BUF, (int) n)).endsWith(
                "40000000-40003000 ---p 00000000 00:00 0 \n40003000-40004000 r-xp 00000000 00:00 0 \n");
        assertThat(g.call(READ, fd, BUF, 4096)).isZero();
        assertThat(open("/proc/" + g.process.pid + "/maps", O_RDWR, 0)).isEqualTo(-Errno.EACCES);
    }

    @Test
    void procSelfFdNamesTheGuestsFdNotTheJvms() throws IOException {
        Path f = dir.resolve("target");
        Files.writeString(f, "");
        long fd = open(f.toString(), 0, 0);
        long n = g.call(READLINKAT, AT_FDCWD, g.string(PATH, "/proc/self/fd/" + fd), BUF, 4096);
        assertThat(g.text(BUF, (int) n)).isEqualTo(f.toString());
        assertThat(g.call(NEWFSTATAT, AT_FDCWD, g.string(PATH, "/proc/" + g.process.pid + "/fd/" + fd), STAT, 0)).isZero();
        assertThat(g.call(READLINKAT, AT_FDCWD, g.string(PATH, "/proc/self/fd/77"), BUF, 4096)).isEqualTo(-Errno.ENOENT);
        assertThat(g.call(READLINKAT, AT_FDCWD, g.string(PATH, "/proc/self/fd/x"), BUF, 4096)).isEqualTo(-Errno.ENOENT);
    }

    @Test
    void procSelfExeIsCanonical() throws IOException {
        Path real = Files.writeString(dir.resolve("prog"), "");
        Files.createSymbolicLink(dir.resolve("link"), real);
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("link"));
        Options o = new Options(Path.of(relative + "/../link"), List.of(), List.of(), null, null, 1);
        assertThat(FileSyscalls.exe(o)).isEqualTo(real.toRealPath().toString());
        Options gone = new Options(Path.of("/no/such/./dir/prog"), List.of(), List.of(), null, null, 1);
        assertThat(FileSyscalls.exe(gone)).isEqualTo("/no/such/dir/prog");
    }

    @Test
    void readlinkOfAnOrdinarySymlink() throws IOException {
        Files.createSymbolicLink(dir.resolve("l"), Path.of("target/x"));
        assertThat(g.call(READLINKAT, AT_FDCWD, g.string(PATH, dir.resolve("l").toString()), BUF, 100)).isEqualTo(8);
        assertThat(g.text(BUF, 8)).isEqualTo("target/x");
        assertThat(g.call(READLINKAT, AT_FDCWD, g.string(PATH, dir.toString()), BUF, 100)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void faccessatChecksModesAndExistence() throws IOException {
        Files.writeString(dir.resolve("f"), "");
        assertThat(g.call(FACCESSAT, AT_FDCWD, g.string(PATH, dir.resolve("f").toString()), 4 | 2)).isZero();
        assertThat(g.call(FACCESSAT, AT_FDCWD, g.string(PATH, dir.resolve("g").toString()), 0)).isEqualTo(-Errno.ENOENT);
        assertThat(g.call(FACCESSAT, AT_FDCWD, PATH, 8)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(439, AT_FDCWD, g.string(PATH, dir.resolve("f").toString()), 0, FileSyscalls.AT_EACCESS)).isZero();
    }

    @Test
    void pipesDupAndVectoredIo() {
        assertThat(g.call(PIPE2, BUF, O_CLOEXEC)).isZero();
        int r = g.getInt(BUF), w = g.getInt(BUF + 4);
        assertThat(r).isEqualTo(3);
        assertThat(w).isEqualTo(4);
        assertThat(g.call(FCNTL, w, FileSyscalls.F_GETFD)).isEqualTo(FileTable.FD_CLOEXEC);
        long w2 = g.call(DUP, w);
        assertThat(w2).isEqualTo(5);
        assertThat(g.call(FCNTL, w2, FileSyscalls.F_GETFD)).isZero();
        assertThat(g.call(DUP3, w, 9, O_CLOEXEC)).isEqualTo(9);
        assertThat(g.call(FCNTL, w, FileSyscalls.F_DUPFD_CLOEXEC, 20)).isEqualTo(20);
        assertThat(g.call(FCNTL, w, FileSyscalls.F_GETFL) & 3).isEqualTo(O_WRONLY);
        // writev of two pieces through the dup, readv into two buffers
        g.string(BUF + 100, "hello ");
        g.string(BUF + 200, "world");
        long iov = BUF + 1000;
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov, BUF + 100);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov + 8, 6);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov + 16, BUF + 200);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov + 24, 5);
        assertThat(g.call(WRITEV, w2, iov, 2)).isEqualTo(11);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov, BUF + 300);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov + 8, 3);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov + 16, BUF + 400);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov + 24, 100);
        assertThat(g.call(READV, r, iov, 2)).isEqualTo(11);
        assertThat(g.text(BUF + 300, 3) + g.text(BUF + 400, 8)).isEqualTo("hello world");
        assertThat(g.call(READV, r, iov, -1)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(READV, r, iov, 1025)).isEqualTo(-Errno.EINVAL);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, iov, READ_ONLY);
        assertThat(g.call(READV, r, iov, 1)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(PIPE2, BUF, 1)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(PIPE2, READ_ONLY, 0)).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void aCloseByAnotherThreadDoesNotPullTheFileFromUnderABlockedRead() throws Exception {
        assertThat(g.call(PIPE2, BUF, 0)).isZero();
        int r = g.getInt(BUF), w = g.getInt(BUF + 4);
        java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong(1);
        Thread reader = Thread.ofPlatform().start(() -> got.set(FileSyscalls.read(g.task, r, BUF + 100, 10, 0, 0, 0)));
        Thread.sleep(100);                              // the reader is blocked in the host's read
        assertThat(g.call(CLOSE, r)).isZero();
        assertThat(g.call(FCNTL, r, FileSyscalls.F_GETFD)).isEqualTo(-Errno.EBADF);
        long other = g.call(DUP, w);                    // takes the number r had; must not get r's host fd
        assertThat(other).isEqualTo(r);
        put("late");
        assertThat(g.call(WRITE, w, BUF, 4)).isEqualTo(4);
        reader.join(5000);
        assertThat(got.get()).isEqualTo(4);
        assertThat(g.text(BUF + 100, 4)).isEqualTo("late");
        assertThat(g.call(FCNTL, other, FileSyscalls.F_GETFL) & 3).isEqualTo(O_WRONLY);
    }

    @Test
    void ioctlPassesTerminalRequestsAndRefusesOthers() {
        assertThat(g.call(PIPE2, BUF, 0)).isZero();
        int r = g.getInt(BUF);
        assertThat(g.call(IOCTL, r, FileSyscalls.TCGETS, BUF + 64)).isEqualTo(-Errno.ENOTTY);   // the host's answer: not a tty
        assertThat(g.call(IOCTL, r, FileSyscalls.FIONREAD, BUF + 64)).isZero();
        assertThat(g.getInt(BUF + 64)).isZero();
        assertThat(g.call(IOCTL, r, 0x12345678, 0)).isEqualTo(-Errno.ENOTTY);
        assertThat(g.call(IOCTL, 77, 0x12345678, 0)).isEqualTo(-Errno.EBADF);
        assertThat(g.call(IOCTL, r, FileSyscalls.TIOCGWINSZ, UNMAPPED)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(IOCTL, r, FileSyscalls.FIOCLEX, 0)).isZero();
        assertThat(g.call(FCNTL, r, FileSyscalls.F_GETFD)).isEqualTo(FileTable.FD_CLOEXEC);
    }

    @Test
    void appendFlagIsVisibleThroughFcntl() {
        long fd = open(dir.resolve("ap").toString(), O_CREAT | O_WRONLY | O_APPEND | O_TRUNC, 0600);
        assertThat(g.call(FCNTL, fd, FileSyscalls.F_GETFL) & (O_APPEND | 3)).isEqualTo(O_APPEND | O_WRONLY);
        assertThat(g.call(FCNTL, fd, 9999)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void getcwdReportsTheHostDirectoryAndItsLength() {
        String cwd = Path.of("").toAbsolutePath().toString();
        long n = g.call(GETCWD, BUF, 4096);
        assertThat(n).isEqualTo(cwd.length() + 1);
        assertThat(g.text(BUF, (int) n - 1)).isEqualTo(cwd);
        assertThat(g.call(GETCWD, BUF, 2)).isEqualTo(-Errno.ERANGE);
        assertThat(g.call(GETCWD, READ_ONLY, 4096)).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void fileNamesThatAreNotUtf8ReachTheHostUnchanged() throws IOException {
        byte[] name = (dir + "/caf\u00e9-\u00ff").getBytes(StandardCharsets.ISO_8859_1);   // Latin-1 bytes: not UTF-8
        byte[] cName = java.util.Arrays.copyOf(name, name.length + 1);
        g.space.write(PATH, cName, 0, cName.length);
        long fd = g.call(OPENAT, AT_FDCWD, PATH, O_CREAT | O_WRONLY, 0600);
        assertThat(fd).isEqualTo(3);
        assertThat(g.call(NEWFSTATAT, AT_FDCWD, PATH, STAT, 0)).isZero();
        assertThat(g.call(GETDENTS64, open(dir.toString(), O_DIRECTORY, 0), BUF, 4096)).isPositive();
        byte[] listed = g.bytes(BUF, 4096);
        assertThat(new String(listed, StandardCharsets.ISO_8859_1)).contains("caf\u00e9-\u00ff\0");
        g.space.write(PATH, cName, 0, cName.length);   // open() above put the directory's name there
        assertThat(g.call(UNLINKAT, AT_FDCWD, PATH, 0)).isZero();
    }

    @Test
    void linksModesOwnersTimesAndSizes() throws IOException {
        Path f = dir.resolve("f");
        Files.writeString(f, "0123456789");
        long dfd = open(dir.toString(), O_DIRECTORY, 0);
        assertThat(g.call(36, g.string(PATH, "f"), dfd, g.string(PATH2, "sym"))).isZero();
        assertThat(Files.readSymbolicLink(dir.resolve("sym"))).isEqualTo(Path.of("f"));
        assertThat(g.call(37, dfd, g.string(PATH, "f"), dfd, g.string(PATH2, "hard"), 0)).isZero();
        assertThat(g.call(NEWFSTATAT, dfd, g.string(PATH, "hard"), STAT, 0)).isZero();
        assertThat(g.getInt(STAT + StatLayout.ST_NLINK)).isEqualTo(2);
        assertThat(g.call(45, g.string(PATH, f.toString()), 4)).isZero();
        assertThat(Files.size(f)).isEqualTo(4);
        assertThat(g.call(53, dfd, g.string(PATH, "f"), 0604)).isZero();
        assertThat(Files.getAttribute(f, "unix:mode")).isEqualTo(0100604);
        long fd = open(f.toString(), O_RDWR, 0);
        assertThat(g.call(52, fd, 0640)).isZero();
        assertThat(Files.getAttribute(f, "unix:mode")).isEqualTo(0100640);
        assertThat(g.call(55, fd, -1, -1)).isZero();                   // -1: leave unchanged
        assertThat(g.call(54, dfd, g.string(PATH, "f"), -1, -1, 0)).isZero();
        assertThat(g.call(83, fd)).isZero();
        assertThat(g.call(223, fd, 0, 0, 2)).isZero();                  // POSIX_FADV_SEQUENTIAL
        assertThat(g.call(223, fd, 0, 0, 99)).isEqualTo(-Errno.EINVAL);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, BUF, 1_600_000_000L);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, BUF + 8, 0);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, BUF + 16, 1_600_000_001L);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, BUF + 24, 0);
        assertThat(g.call(88, dfd, g.string(PATH, "f"), BUF, 0)).isZero();
        assertThat(Files.getLastModifiedTime(f).toMillis()).isEqualTo(1_600_000_001_000L);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, BUF + 16, 1_600_000_002L);
        assertThat(g.call(88, fd, 0, BUF, 0)).isZero();                // NULL path: the fd itself
        assertThat(Files.getLastModifiedTime(f).toMillis()).isEqualTo(1_600_000_002_000L);
        assertThat(g.call(43, g.string(PATH, dir.toString()), STAT)).isZero();
        assertThat(g.getLong(STAT + 8)).isPositive();                 // f_bsize
        assertThat(g.call(44, fd, STAT + 256)).isZero();
        assertThat(g.getLong(STAT + 256)).isEqualTo(g.getLong(STAT));   // f_type: same file system
        assertThat(g.call(44, 99, STAT)).isEqualTo(-Errno.EBADF);
    }

    @Test
    void umaskReturnsTheOldMask() {
        long old = g.call(UMASK, 027);
        try {
            assertThat(g.call(UMASK, 022)).isEqualTo(027);
        } finally {
            g.call(UMASK, old);
        }
    }

    @Test
    void aSysrootHoldsAbsolutePathsThatExistInIt(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("lib"));
        Files.writeString(root.resolve("lib/libc.so.6"), "guest libc");
        Options o = new Options(Path.of("/opt/prog"), List.of(), List.of(), root, null, 1);
        assertThat(FileSyscalls.hostPath(o, 1000, "/lib/libc.so.6")).isEqualTo(root.resolve("lib/libc.so.6").toString());
        assertThat(FileSyscalls.hostPath(o, 1000, "/lib/missing")).isEqualTo("/lib/missing");
        assertThat(FileSyscalls.hostPath(o, 1000, "lib/libc.so.6")).isEqualTo("lib/libc.so.6");
        assertThat(FileSyscalls.hostPath(o, 1000, "/")).isEqualTo("/");
        assertThat(FileSyscalls.hostPath(o, 1000, "/proc/self/exe")).isEqualTo("/opt/prog");
        assertThat(FileSyscalls.hostPath(o, 1000, "/proc/1000/exe")).isEqualTo("/opt/prog");
        assertThat(FileSyscalls.hostPath(o, 1000, "/proc/thread-self/exe")).isEqualTo("/opt/prog");
        assertThat(FileSyscalls.hostPath(o, 1000, "/proc/1/exe")).isEqualTo("/proc/1/exe");
        assertThat(FileSyscalls.hostPath(o, 1000, "/proc/exe")).isEqualTo("/proc/exe");
        Options none = new Options(Path.of("/opt/prog"), List.of(), List.of(), null, null, 1);
        assertThat(FileSyscalls.hostPath(none, 1000, "/lib/libc.so.6")).isEqualTo("/lib/libc.so.6");

        g.close();
        g = new GuestFixture(Path.of("/opt/prog"), root);
        long fd = open("/lib/libc.so.6", 0, 0);
        assertThat(g.call(READ, fd, BUF, 100)).isEqualTo(10);
        assertThat(g.text(BUF, 10)).isEqualTo("guest libc");
    }

    @Test
    void statConversionPutsEveryFieldAtItsAsmGenericOffset() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var sx = arena.allocate(StatLayout.STATX_SIZE);
            var st = arena.allocate(StatLayout.STAT_SIZE + 8);
            st.fill((byte) 0x55);
            var L = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
            var I = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
            sx.set(I, StatLayout.STX_BLKSIZE, 4096);
            sx.set(I, StatLayout.STX_NLINK, 3);
            sx.set(I, StatLayout.STX_UID, 1001);
            sx.set(I, StatLayout.STX_GID, 1002);
            sx.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, StatLayout.STX_MODE, (short) 0100644);
            sx.set(L, StatLayout.STX_INO, 0x1122334455L);
            sx.set(L, StatLayout.STX_SIZE, 1L << 40);
            sx.set(L, StatLayout.STX_BLOCKS, 16);
            sx.set(L, StatLayout.STX_ATIME, 11);
            sx.set(I, StatLayout.STX_ATIME + 8, 12);
            sx.set(L, StatLayout.STX_MTIME, 21);
            sx.set(I, StatLayout.STX_MTIME + 8, 22);
            sx.set(L, StatLayout.STX_CTIME, 31);
            sx.set(I, StatLayout.STX_CTIME + 8, 32);
            sx.set(I, StatLayout.STX_DEV_MAJOR, 259);
            sx.set(I, StatLayout.STX_DEV_MINOR, 0x1234);
            sx.set(I, StatLayout.STX_RDEV_MAJOR, 4);
            sx.set(I, StatLayout.STX_RDEV_MINOR, 1);
            StatLayout.toStat(sx, st, 4);
            assertThat(st.get(L, 4 + 0)).isEqualTo(0x34 | (259 << 8) | (0x1200L << 12));
            assertThat(st.get(L, 4 + 8)).isEqualTo(0x1122334455L);
            assertThat(st.get(I, 4 + 16)).isEqualTo(0100644);
            assertThat(st.get(I, 4 + 20)).isEqualTo(3);
            assertThat(st.get(I, 4 + 24)).isEqualTo(1001);
            assertThat(st.get(I, 4 + 28)).isEqualTo(1002);
            assertThat(st.get(L, 4 + 32)).isEqualTo(0x401);
            assertThat(st.get(L, 4 + 40)).isZero();
            assertThat(st.get(L, 4 + 48)).isEqualTo(1L << 40);
            assertThat(st.get(I, 4 + 56)).isEqualTo(4096);
            assertThat(st.get(I, 4 + 60)).isZero();
            assertThat(st.get(L, 4 + 64)).isEqualTo(16);
            assertThat(new long[] {st.get(L, 4 + 72), st.get(L, 4 + 80), st.get(L, 4 + 88), st.get(L, 4 + 96),
                    st.get(L, 4 + 104), st.get(L, 4 + 112)}).containsExactly(11, 12, 21, 22, 31, 32);
            assertThat(st.get(L, 4 + 120)).isZero();
            assertThat(st.get(I, 0)).isEqualTo(0x55555555);                       // nothing before
            assertThat(st.get(I, 4 + 128)).isEqualTo(0x55555555);                 // nor after
        }
    }
}
