package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Futex semantics with real threads: each waiter is a task on its own host thread. */
class FutexesTest {
    static final long WORD = 0x20000, WORD2 = 0x20040;

    final Process process = new Process(new Options(Path.of("none"), List.of("none"), List.of(), null, null, 0));
    final ExecutorService pool = Executors.newCachedThreadPool();

    FutexesTest() {
        process.space.map(WORD & ~0xfffL, AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        process.close();
    }

    Task task() {
        return new Task(process, process.allocateTid());
    }

    /** Starts a FUTEX_WAIT on its own thread and returns once it is queued (the word is 0). */
    Future<Long> waiter(long address, int bitset) throws Exception {
        Task t = task();
        int before = process.futexes.waiters(address);
        CountDownLatch started = new CountDownLatch(1);
        Future<Long> f = pool.submit(() -> {
            started.countDown();
            return process.futexes.wait(t, address, 0, bitset, Long.MAX_VALUE);
        });
        started.await();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (process.futexes.waiters(address) == before) {
            assertThat(System.nanoTime()).as("waiter queued").isLessThan(deadline);
            if (f.isDone()) return f;
            Thread.sleep(1);
        }
        return f;
    }

    @RepeatedTest(5)
    void wakeReleasesExactlyTheAskedNumberInArrivalOrder() throws Exception {
        Future<Long> a = waiter(WORD, -1), b = waiter(WORD, -1), c = waiter(WORD, -1);
        assertThat(process.futexes.wake(WORD, 2, -1)).isEqualTo(2);
        assertThat(a.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(b.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(c.isDone()).isFalse();
        assertThat(process.futexes.wake(WORD, Integer.MAX_VALUE, -1)).isEqualTo(1);
        assertThat(c.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void waitReturnsEagainWhenTheValueDiffers() {
        process.space.write(WORD, new byte[] {1}, 0, 1);
        assertThat(process.futexes.wait(task(), WORD, 0, -1, Long.MAX_VALUE)).isEqualTo(-Errno.EAGAIN);
    }

    @Test
    void waitTimesOut() {
        long start = System.nanoTime();
        assertThat(process.futexes.wait(task(), WORD, 0, -1, start + 20_000_000)).isEqualTo(-Errno.ETIMEDOUT);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(20_000_000);
    }

    @Test
    void badAddressesAreRefused() {
        assertThat(process.futexes.wait(task(), WORD + 2, 0, -1, Long.MAX_VALUE)).isEqualTo(-Errno.EINVAL);
        assertThat(process.futexes.wait(task(), 0x900000, 0, -1, Long.MAX_VALUE)).isEqualTo(-Errno.EFAULT);
    }

    @Test
    void bitsetsSelectWhomToWake() throws Exception {
        Future<Long> one = waiter(WORD, 1), two = waiter(WORD, 2);
        assertThat(process.futexes.wake(WORD, 10, 2)).isEqualTo(1);
        assertThat(two.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(one.isDone()).isFalse();
        process.futexes.wake(WORD, 10, -1);
        assertThat(one.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void requeueMovesWaitersToTheSecondWord() throws Exception {
        Future<Long> a = waiter(WORD, -1), b = waiter(WORD, -1), c = waiter(WORD, -1);
        Task t = task();
        assertThat(process.futexes.requeue(t, WORD, WORD2, 1, 10, true, 1)).as("value differs").isEqualTo(-Errno.EAGAIN);
        assertThat(process.futexes.requeue(t, WORD, WORD2, 1, 10, true, 0)).isEqualTo(3);
        assertThat(a.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(process.futexes.waiters(WORD)).isZero();
        assertThat(process.futexes.waiters(WORD2)).isEqualTo(2);
        assertThat(process.futexes.wake(WORD2, 10, -1)).isEqualTo(2);
        assertThat(b.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(c.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void wakeOpUpdatesTheSecondWordAndWakesByItsOldValue() throws Exception {
        Future<Long> first = waiter(WORD, -1), second = waiter(WORD2, -1);
        // FUTEX_OP_ADD 5 to WORD2, wake WORD2's waiters if the old value == 0 (FUTEX_OP_CMP_EQ).
        int encoded = 1 << 28 | 0 << 24 | 5 << 12 | 0;
        assertThat(process.futexes.wakeOp(task(), WORD, WORD2, 1, 1, encoded)).isEqualTo(2);
        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(second.get(10, TimeUnit.SECONDS)).isZero();
        byte[] b = new byte[4];
        process.space.read(WORD2, b, 0, 4);
        assertThat(b[0]).isEqualTo((byte) 5);
    }

    @Test
    void processExitInterruptsWaiters() throws Exception {
        Future<Long> w = waiter(WORD, -1);
        process.exit(0);
        assertThat(w.get(10, TimeUnit.SECONDS)).isEqualTo(-Errno.EINTR);
    }
}
