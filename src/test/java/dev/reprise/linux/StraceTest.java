package dev.reprise.linux;

import org.junit.jupiter.api.Test;

import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

class StraceTest {
    private static final LongFunction<String> NO_STRINGS = a -> null;

    private static String call(String name, String letters, long... args) {
        return Strace.call(name, letters, args, a -> a == 0x1000 ? Strace.quote("/etc/ld.so.cache", false) : null);
    }

    @Test
    void argumentsPrintAsTheirLettersSay() {
        assertThat(call("openat", "fsOm", -100, 0x1000, 0100 | 0200 | 2, 0640))
                .isEqualTo("openat(AT_FDCWD,\"/etc/ld.so.cache\",O_RDWR|O_CREAT|O_EXCL,0640)");
        assertThat(call("read", "dxd", 3, 0x7ff178, 6)).isEqualTo("read(3,0x7ff178,6)");
        assertThat(call("newfstatat", "fspx", 1, 0x1000, 0x40007ff1b8L, 0x1000))
                .isEqualTo("newfstatat(1,\"/etc/ld.so.cache\",0x00000040007ff1b8,0x1000)");
        assertThat(call("lseek", "ddw", 3, -2, 1)).isEqualTo("lseek(3,-2,SEEK_CUR)");
        assertThat(call("umask", "o", 022)).isEqualTo("umask(022)");
        assertThat(call("getpid", "")).isEqualTo("getpid()");
        assertThat(call("mmap", "pdPMfd=p", 0, 8192, 3, 0x22, -1, 0))
                .isEqualTo("mmap(NULL,8192,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0)");
        assertThat(call("mprotect", "pdP", 0x72000, 16384, 0)).isEqualTo("mprotect(0x0000000000072000,16384,PROT_NONE)");
        assertThat(call("faccessat", "fsa", -100, 0x1000, 4)).isEqualTo("faccessat(AT_FDCWD,\"/etc/ld.so.cache\",R_OK)");
        assertThat(call("clock_gettime", "cp", 1, 0x2000)).isEqualTo("clock_gettime(CLOCK_MONOTONIC,0x0000000000002000)");
        assertThat(call("skip", "d-d", 1, 2, 3)).isEqualTo("skip(1,3)");
        assertThat(call("fcntl", "dFx", 3, 1030, 3)).isEqualTo("fcntl(3,F_DUPFD_CLOEXEC,0x3)");
        assertThat(call("ioctl", "dIx", 1, 0x5413, 0x7fe0)).isEqualTo("ioctl(1,TIOCGWINSZ,0x7fe0)");
        assertThat(call("ioctl", "dIx", 1, 0x80045430L, 0)).isEqualTo("ioctl(1,0x80045430,0)");
        assertThat(call("newfstatat", "fspx", -100, 0x1000, 0x40007ff1b8L, 0))
                .isEqualTo("newfstatat(AT_FDCWD,\"/etc/ld.so.cache\",0x00000040007ff1b8,0)");
    }

    @Test
    void openFlagsFollowQemusOrderAndShowUnknownBits() {
        assertThat(Strace.openFlags(0200000 | 04000 | 02000000)).isEqualTo("O_RDONLY|O_DIRECTORY|O_NONBLOCK|O_CLOEXEC");
        assertThat(Strace.openFlags(1 | 0100 | 01000)).isEqualTo("O_WRONLY|O_CREAT|O_TRUNC");
        assertThat(Strace.openFlags(0x40000000)).isEqualTo("O_RDONLY|0x40000000");
    }

    @Test
    void badOrNullStringPointersPrintAsPointers() {
        assertThat(Strace.call("chdir", "s", new long[] {0xdead}, NO_STRINGS)).isEqualTo("chdir(0xdead)");
        assertThat(Strace.call("chdir", "s", new long[] {0}, NO_STRINGS)).isEqualTo("chdir(NULL)");
    }

    @Test
    void stringsAreEscapedAndLongOnesCut() {
        assertThat(Strace.quote("a\"b\\c\n\t\001", false)).isEqualTo("\"a\\\"b\\\\c\\n\\t\\001\"");
        assertThat(Strace.quote("abc", true)).isEqualTo("\"abc\"...");
    }

    @Test
    void resultsAreDecimalPointersOrErrors() {
        assertThat(Strace.result(37, "dxd")).isEqualTo("37");
        assertThat(Strace.result(-2, "fsOo")).isEqualTo("-1 errno=2 (No such file or directory)");
        assertThat(Strace.result(-38, "")).isEqualTo("-1 errno=38 (Function not implemented)");
        assertThat(Strace.result(0x7e000, "p=p")).isEqualTo("0x000000000007e000");
        assertThat(Strace.result(-4096, "d")).isEqualTo("-4096");
    }

    @Test
    void onlyExitExitGroupAndSigreturnNeverReturn() {
        Syscalls.Handler h = (t, a0, a1, a2, a3, a4, a5) -> 0;
        assertThat(new Syscalls.Entry(93, "exit", "d", h).noReturn()).isTrue();
        assertThat(new Syscalls.Entry(94, "exit_group", "d", h).noReturn()).isTrue();
        assertThat(new Syscalls.Entry(139, "rt_sigreturn", "", h).noReturn()).isTrue();
        assertThat(new Syscalls.Entry(64, "write", "dxd", h).noReturn()).isFalse();
    }

    @Test
    void dispatchPrintsOneLinePerCallWithTheThreadIdAndGuestStrings() {
        try (GuestFixture g = new GuestFixture()) {
            long path = g.string(GuestFixture.DATA, "/nonexistent/reprise");
            assertThat(g.call(56, -100, path, 0, 0777)).isEqualTo(-Errno.ENOENT);
            assertThat(g.call(172)).isEqualTo(g.process.pid);
            assertThat(g.call(4000, 1, 2)).isEqualTo(-Errno.ENOSYS);
            Syscalls.Entry exit = new Syscalls.Entry(94, "exit_group", "d", (t, a0, a1, a2, a3, a4, a5) -> 0);
            Strace.printCall(g.task, exit, 3, 0, 0, 0, 0, 0);
            int tid = g.task.tid;
            assertThat(g.strace().lines()).containsExactly(
                    tid + " openat(AT_FDCWD,\"/nonexistent/reprise\",O_RDONLY) = -1 errno=2 (No such file or directory)",
                    tid + " getpid() = " + g.process.pid,
                    tid + " Unknown syscall 4000 = -1 errno=38 (Function not implemented)",
                    tid + " exit_group(3)");
        }
    }

    /** The lines qemu-riscv64 7.2 -strace printed for guest-tests/fileio (its pid and buffer addresses aside). */
    @Test
    void fileCallsPrintAsQemuPrintsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        try (GuestFixture g = new GuestFixture()) {
            String dir = tmp + "/reprise-fileio";
            long old = g.call(166, 022);
            g.call(34, -100, g.string(GuestFixture.DATA, dir), 0755);
            g.call(56, -100, g.string(GuestFixture.DATA, dir + "/a.txt"), 0102 | 0200, 0640);
            g.call(62, 3, 10, 0);
            g.call(79, 3, g.string(GuestFixture.DATA, ""), 0x40007ff1b8L & 0, 0x1000);   // NULL statbuf: EFAULT
            g.call(56, -100, g.string(GuestFixture.DATA, dir), 0200000 | 04000 | 02000000);
            long listed = g.call(61, 4, 0x11000, 32768);
            g.call(57, 4);
            g.call(24, 3, 20, 0);
            g.call(56, -100, g.string(GuestFixture.DATA, dir + "/b.bin"), 0);
            g.call(166, old);
            String tid = g.task.tid + " ";
            assertThat(g.strace().lines().toList()).startsWith(
                    tid + "umask(022) = " + old,
                    tid + "mkdirat(AT_FDCWD,\"" + dir + "\",0755) = 0",
                    tid + "openat(AT_FDCWD,\"" + dir + "/a.txt\",O_RDWR|O_CREAT|O_EXCL,0640) = 3",
                    tid + "lseek(3,10,SEEK_SET) = 10",
                    tid + "newfstatat(3,\"\",NULL,0x1000) = -1 errno=14 (Bad address)",
                    tid + "openat(AT_FDCWD,\"" + dir + "\",O_RDONLY|O_DIRECTORY|O_NONBLOCK|O_CLOEXEC) = 4",
                    tid + "getdents64(4,0x11000,32768) = " + listed,
                    tid + "close(4) = 0",
                    tid + "dup3(3,20,0) = 20",
                    tid + "openat(AT_FDCWD,\"" + dir + "/b.bin\",O_RDONLY) = -1 errno=2 (No such file or directory)");
        }
    }

    @Test
    void aGuestStringLongerThanTheLimitIsCut() {
        try (GuestFixture g = new GuestFixture()) {
            long path = g.string(GuestFixture.DATA, "x".repeat(300));
            g.call(49, path);
            assertThat(g.strace()).contains("chdir(\"" + "x".repeat(Strace.MAX_STRING) + "\"...) = -1 errno=");
        }
    }
}
