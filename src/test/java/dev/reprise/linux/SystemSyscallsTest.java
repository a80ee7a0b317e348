package dev.reprise.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static dev.reprise.linux.GuestFixture.DATA;
import static dev.reprise.linux.GuestFixture.READ_ONLY;
import static dev.reprise.linux.GuestFixture.UNMAPPED;
import static org.assertj.core.api.Assertions.assertThat;

class SystemSyscallsTest {
    static final int NANOSLEEP = 101, CLOCK_GETTIME = 113, CLOCK_GETRES = 114, CLOCK_NANOSLEEP = 115,
            SCHED_GETAFFINITY = 123, UNAME = 160, GETRLIMIT = 163, SETRLIMIT = 164, GETTIMEOFDAY = 169,
            GETPID = 172, GETTID = 178, SYSINFO = 179, PRLIMIT64 = 261, GETRANDOM = 278, GETPGID = 155, SETSID = 157;
    static final long BUF = DATA, BUF2 = DATA + 0x1000;

    private final GuestFixture g = new GuestFixture();

    @AfterEach
    void close() {
        g.close();
    }

    private void timespec(long addr, long sec, long nsec) {
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, addr, sec);
        g.space.memory().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, addr + 8, nsec);
    }

    @Test
    void clocksReadTheHostTime() {
        assertThat(g.call(CLOCK_GETTIME, 0, BUF)).isZero();
        assertThat(g.getLong(BUF)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(2L));
        assertThat(g.getLong(BUF + 8)).isBetween(0L, 999_999_999L);
        assertThat(g.call(CLOCK_GETTIME, 1, READ_ONLY)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(CLOCK_GETTIME, 12345, BUF)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(CLOCK_GETRES, 1, BUF)).isZero();
        assertThat(g.getLong(BUF) * 1_000_000_000L + g.getLong(BUF + 8)).isBetween(1L, 10_000_000L);
        assertThat(g.call(CLOCK_GETRES, 1, 0)).isZero();
        assertThat(g.call(GETTIMEOFDAY, BUF, BUF + 16)).isZero();
        assertThat(g.getLong(BUF)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(2L));
        assertThat(g.getLong(BUF + 8)).isBetween(0L, 999_999L);
        assertThat(g.call(GETTIMEOFDAY, 0, 0)).isZero();
    }

    @Test
    void nanosleepSleepsAndChecksItsArgument() {
        timespec(BUF, 0, 20_000_000);
        long t0 = System.nanoTime();
        assertThat(g.call(NANOSLEEP, BUF, 0)).isZero();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20_000_000L);
        timespec(BUF, 0, 1_000_000_000);
        assertThat(g.call(NANOSLEEP, BUF, 0)).isEqualTo(-Errno.EINVAL);
        timespec(BUF, -1, 0);
        assertThat(g.call(NANOSLEEP, BUF, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(NANOSLEEP, UNMAPPED, 0)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(CLOCK_NANOSLEEP, 3, 0, BUF, 0)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void anInterruptedSleepEndsAtOnceWithEintrAndTheRemainder() throws Exception {
        timespec(BUF, 30, 0);
        AtomicLong result = new AtomicLong(1);
        Thread sleeper = Thread.ofPlatform().start(() -> result.set(g.call(NANOSLEEP, BUF, BUF2)));
        Thread.sleep(100);
        long t0 = System.nanoTime();
        sleeper.interrupt();
        sleeper.join(5000);
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        assertThat(result.get()).isEqualTo(-Errno.EINTR);
        assertThat(g.getLong(BUF2)).isBetween(20L, 29L);
    }

    @Test
    void aSleepWokenBecauseTheProcessExitsEndsTheThread() throws Exception {
        timespec(BUF, 30, 0);
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread sleeper = Thread.ofPlatform().start(() -> {
            try {
                g.call(CLOCK_NANOSLEEP, 1, 0, BUF, 0);
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        Thread.sleep(100);
        g.process.exit(0);
        sleeper.interrupt();   // what Task.wake() does for the process's started tasks
        sleeper.join(5000);
        assertThat(ended.get()).isInstanceOf(TaskExit.class);
    }

    @Test
    void absoluteClockNanosleepWaitsUntilTheDeadline() {
        assertThat(g.call(CLOCK_GETTIME, 1, BUF)).isZero();
        long deadline = g.getLong(BUF) * 1_000_000_000L + g.getLong(BUF + 8) + 30_000_000L;
        timespec(BUF, deadline / 1_000_000_000L, deadline % 1_000_000_000L);
        assertThat(g.call(CLOCK_NANOSLEEP, 1, SystemSyscalls.TIMER_ABSTIME, BUF, 0)).isZero();
        assertThat(g.call(CLOCK_GETTIME, 1, BUF2)).isZero();
        assertThat(g.getLong(BUF2) * 1_000_000_000L + g.getLong(BUF2 + 8)).isGreaterThanOrEqualTo(deadline);
        timespec(BUF, 0, 0);   // a deadline in the past returns at once
        assertThat(g.call(CLOCK_NANOSLEEP, 0, SystemSyscalls.TIMER_ABSTIME, BUF, 0)).isZero();
    }

    private String field(int i) {
        byte[] b = g.bytes(BUF + 65L * i, 65);
        int n = 0;
        while (b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void unameSaysLinuxOnRiscv64WithTheHostsRelease() {
        assertThat(g.call(UNAME, BUF)).isZero();
        assertThat(field(0)).isEqualTo("Linux");
        assertThat(field(2)).isEqualTo(System.getProperty("os.version"));
        assertThat(field(4)).isEqualTo("riscv64");
        assertThat(g.call(UNAME, READ_ONLY)).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void getrandomIsRepeatableForASeed() {
        assertThat(g.call(GETRANDOM, BUF, 5000, 0)).isEqualTo(5000);
        byte[] first = g.bytes(BUF, 5000);
        try (GuestFixture again = new GuestFixture()) {
            assertThat(again.call(GETRANDOM, BUF, 5000, 1)).isEqualTo(5000);
            assertThat(again.bytes(BUF, 5000)).isEqualTo(first);
        }
        assertThat(first).isNotEqualTo(new byte[5000]);
        assertThat(g.call(GETRANDOM, BUF, 8, 8)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(GETRANDOM, READ_ONLY, 8, 0)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(GETRANDOM, READ_ONLY - 3, 8, 0)).isEqualTo(3);
    }

    @Test
    void limitsShowQemusStackAndTheFdTableAndOnlyGoDown() {
        assertThat(g.call(PRLIMIT64, 0, ResourceLimits.RLIMIT_STACK, 0, BUF)).isZero();
        assertThat(g.getLong(BUF)).isEqualTo(8L << 20);
        assertThat(g.call(GETRLIMIT, ResourceLimits.RLIMIT_NOFILE, BUF)).isZero();
        assertThat(g.getLong(BUF)).isEqualTo(FileTable.MAX_FDS);
        assertThat(g.getLong(BUF + 8)).isEqualTo(FileTable.MAX_FDS);
        timespec(BUF, 100, 512);   // {soft 100, hard 512}
        assertThat(g.call(PRLIMIT64, g.process.pid, ResourceLimits.RLIMIT_NOFILE, BUF, BUF2)).isZero();
        assertThat(g.getLong(BUF2)).isEqualTo(FileTable.MAX_FDS);   // the old value
        assertThat(g.call(GETRLIMIT, ResourceLimits.RLIMIT_NOFILE, BUF2)).isZero();
        assertThat(g.getLong(BUF2)).isEqualTo(100);
        assertThat(g.getLong(BUF2 + 8)).isEqualTo(512);
        timespec(BUF, 100, 1000);
        assertThat(g.call(SETRLIMIT, ResourceLimits.RLIMIT_NOFILE, BUF)).isEqualTo(-Errno.EPERM);
        timespec(BUF, 600, 512);
        assertThat(g.call(SETRLIMIT, ResourceLimits.RLIMIT_NOFILE, BUF)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(GETRLIMIT, 16, BUF)).isEqualTo(-Errno.EINVAL);
        assertThat(g.call(PRLIMIT64, 1, 3, 0, BUF)).isEqualTo(-Errno.ESRCH);
    }

    @Test
    void hostStackLimitIsTheSoftLimitOfThisProcess() throws java.io.IOException {
        String line = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max stack size")).findFirst().orElseThrow();
        String soft = line.substring("Max stack size".length()).trim().split("\\s+")[0];
        assertThat(Host.stackLimit()).isEqualTo(soft.equals("unlimited") ? -1 : Long.parseLong(soft));
    }

    @Test
    void idsAreTheProcessAndThread() {
        assertThat(g.call(GETPID)).isEqualTo(g.process.pid);
        assertThat(g.call(GETTID)).isEqualTo(g.task.tid);
        assertThat(g.call(GETPGID, 0)).isEqualTo(g.process.pid);
        assertThat(g.call(GETPGID, 1)).isEqualTo(-Errno.ESRCH);
        assertThat(g.call(SETSID)).isEqualTo(-Errno.EPERM);
        assertThat(g.call(174)).isEqualTo(Host.getuid());
        assertThat(g.call(148, BUF, BUF + 4, BUF + 8)).isZero();
        assertThat(new int[] {g.getInt(BUF), g.getInt(BUF + 4), g.getInt(BUF + 8)}).containsOnly(Host.getuid());
        assertThat(g.call(150, BUF, BUF + 4, READ_ONLY)).isEqualTo(-Errno.EFAULT);
        long groups = g.call(158, 0, 0);
        assertThat(groups).isNotNegative();
        assertThat(g.call(158, groups, BUF)).isEqualTo(groups);
        assertThat(g.call(158, -1, BUF)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void affinityListsTheHostsCpus() {
        long n = g.call(SCHED_GETAFFINITY, 0, 128, BUF);
        assertThat(n).isPositive().isLessThanOrEqualTo(128);
        int cpus = 0;
        for (byte b : g.bytes(BUF, (int) n)) cpus += Integer.bitCount(b & 0xff);
        assertThat(cpus).isPositive();
        assertThat(g.call(SCHED_GETAFFINITY, 0, 128, READ_ONLY)).isEqualTo(-Errno.EFAULT);
        assertThat(g.call(SCHED_GETAFFINITY, 1, 128, BUF)).isEqualTo(-Errno.ESRCH);
    }

    @Test
    void sysinfoFillsTheStruct() {
        assertThat(g.call(SYSINFO, BUF)).isZero();
        assertThat(g.getLong(BUF)).isPositive();                 // uptime
        assertThat(g.getLong(BUF + 32)).isPositive();            // totalram
        assertThat(g.getInt(BUF + 104)).isPositive();            // mem_unit
        assertThat(g.call(SYSINFO, UNMAPPED)).isEqualTo(-Errno.EFAULT);
    }
}
