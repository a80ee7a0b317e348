package dev.reprise.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileTableTest {
    private final FileTable table = new FileTable();

    /** A fresh host pipe: {read, write} host fds. */
    private static int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            assertThat(Host.pipe2(fds.address(), FileTable.O_CLOEXEC)).isZero();
            return new int[] {fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4)};
        }
    }

    private static String readAll(int hostFd, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(n);
            long r = Host.read(hostFd, buf.address(), n);
            return new String(buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private static void write(int hostFd, String s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(s);
            assertThat(Host.write(hostFd, buf.address(), s.length())).isEqualTo(s.length());
        }
    }

    @Test
    void stdioIsOpenAndNewFdsTakeTheLowestFreeNumber() {
        assertThat(table.isOpen(0) && table.isOpen(1) && table.isOpen(2)).isTrue();
        int[] p = pipe();
        int r = table.install(p[0], false), w = table.install(p[1], false);
        assertThat(r).isEqualTo(3);
        assertThat(w).isEqualTo(4);
        assertThat(table.close(3)).isZero();
        int[] q = pipe();
        assertThat(table.install(q[0], false)).isEqualTo(3);
        assertThat(table.install(q[1], false)).isEqualTo(5);
    }

    @Test
    void guestStdioIsNotTheJvmsOwn() {
        FileTable.OpenFile out = table.acquire(1);
        try {
            assertThat(out.hostFd).isGreaterThan(2);
        } finally {
            table.release(out);
        }
        assertThat(table.close(1)).isZero();
        assertThat(Host.fcntl(1, FileSyscalls.F_GETFD, 0)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void closeOfAnUnknownFdIsEbadf() {
        assertThat(table.close(77)).isEqualTo(-Errno.EBADF);
        assertThat(table.close(-1)).isEqualTo(-Errno.EBADF);
        assertThat(table.close(FileTable.MAX_FDS)).isEqualTo(-Errno.EBADF);
        assertThatThrownBy(() -> table.acquire(77)).isInstanceOf(SyscallError.class)
                .satisfies(e -> assertThat(((SyscallError) e).errno).isEqualTo(Errno.EBADF));
    }

    @Test
    void dupSharesTheOpenFileAndKeepsItsOwnCloexec() {
        int[] p = pipe();
        int r = table.install(p[0], true), w = table.install(p[1], false);
        int w2 = table.dup(w, 0, false);
        assertThat(w2).isEqualTo(5);
        assertThat(table.fdFlags(w2)).isZero();
        assertThat(table.fdFlags(r)).isEqualTo(FileTable.FD_CLOEXEC);
        assertThat(table.dup(w, 10, true)).isEqualTo(10);
        assertThat(table.fdFlags(10)).isEqualTo(FileTable.FD_CLOEXEC);
        assertThat(table.setFdFlags(10, 0)).isZero();
        assertThat(table.fdFlags(10)).isZero();
        table.close(w);
        FileTable.OpenFile f = table.acquire(w2), in = table.acquire(r);
        try {
            write(f.hostFd, "hi");
            assertThat(readAll(in.hostFd, 16)).isEqualTo("hi");
        } finally {
            table.release(f);
            table.release(in);
        }
    }

    @Test
    void dup3ReplacesTheTargetAndChecksItsArguments() {
        int[] p = pipe();
        int r = table.install(p[0], false), w = table.install(p[1], false);
        assertThat(table.dup3(w, w, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(table.dup3(w, 9, 1)).isEqualTo(-Errno.EINVAL);
        assertThat(table.dup3(42, 9, 0)).isEqualTo(-Errno.EBADF);
        assertThat(table.dup3(w, FileTable.MAX_FDS, 0)).isEqualTo(-Errno.EBADF);
        assertThat(table.dup3(w, 9, FileTable.O_CLOEXEC)).isEqualTo(9);
        assertThat(table.fdFlags(9)).isEqualTo(FileTable.FD_CLOEXEC);
        assertThat(table.dup3(w, r, 0)).isEqualTo(r);   // r now writes into the pipe: nothing reads it any more
        FileTable.OpenFile f = table.acquire(r);
        try {
            assertThat(Host.fcntl(f.hostFd, FileSyscalls.F_GETFL, 0) & 3).isEqualTo(1);   // O_WRONLY
        } finally {
            table.release(f);
        }
    }

    @Test
    void execClosesExactlyTheCloexecFds() {
        int[] p = pipe();
        int r = table.install(p[0], true), w = table.install(p[1], false);
        table.setFdFlags(1, FileTable.FD_CLOEXEC);
        table.closeOnExec();
        assertThat(table.isOpen(r)).isFalse();
        assertThat(table.isOpen(1)).isFalse();
        assertThat(table.isOpen(w)).isTrue();
        assertThat(table.isOpen(0)).isTrue();
    }

    @Test
    void closeWhileInUseDefersTheHostClose() {
        int[] p = pipe();
        int w = table.install(p[1], false);
        int r = table.install(p[0], false);
        FileTable.OpenFile f = table.acquire(w);
        assertThat(table.close(w)).isZero();
        assertThat(table.isOpen(w)).isFalse();
        write(f.hostFd, "x");                      // still usable by the running call
        table.release(f);
        assertThat(Host.fcntl(f.hostFd, FileSyscalls.F_GETFD, 0)).isEqualTo(-Errno.EBADF);
        table.close(r);
    }

    @Test
    void tableFullIsEmfile() {
        int[] p = pipe();
        table.install(p[1], false);
        for (int i = 4; i < FileTable.MAX_FDS; i++) assertThat(table.dup(3, 0, false)).isEqualTo(i);
        assertThat(table.dup(3, 0, false)).isEqualTo(-Errno.EMFILE);
        assertThat(table.dup(3, FileTable.MAX_FDS, false)).isEqualTo(-Errno.EINVAL);
        table.closeAll();
        assertThat(table.isOpen(0)).isFalse();
        Host.close(p[0]);
    }

    @Test
    void preadReadsAtAnOffsetWithoutMovingThePosition() {
        int fd = Host.openat(-100, "/proc/self/cmdline", 0 | FileTable.O_CLOEXEC, 0);
        assertThat(fd).isPositive();
        int g = table.install(fd, false);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4);
            assertThat(table.pread(g, buf.address(), 4, 0)).isEqualTo(4);
            assertThat(table.pread(99, buf.address(), 4, 0)).isEqualTo(-Errno.EBADF);
        }
        table.close(g);
    }
}
