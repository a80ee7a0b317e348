package dev.reprise.linux;

import dev.reprise.isa.Op;
import dev.reprise.mem.MemoryFault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process's futex wait queues, keyed by guest address (all futexes of one process are
 * private to it, so the PRIVATE flag changes nothing).
 *
 * <p>Threading: one lock, {@link #lock}, guards the queues and every waiter's {@code woken}
 * flag; waiting threads sleep on its monitor. The value check of FUTEX_WAIT happens under the
 * lock, and a waker takes the lock after its own store, so no wake-up is ever lost.
 */
final class Futexes {
    static final int WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, WAIT_BITSET = 9, WAKE_BITSET = 10;
    static final int PRIVATE_FLAG = 128, CLOCK_REALTIME_FLAG = 256;
    static final int BITSET_MATCH_ANY = -1;

    private static final class Waiter {
        long address;
        final int bitset;
        boolean woken;

        Waiter(long address, int bitset) {
            this.address = address;
            this.bitset = bitset;
        }
    }

    private final Object lock = new Object();
    /** Waiters per address, in arrival order (FIFO wake-ups, as Linux does for equal priorities). */
    private final Map<Long, List<Waiter>> queues = new HashMap<>();

    /**
     * FUTEX_WAIT(_BITSET): sleeps while the word at {@code address} equals {@code expected}.
     *
     * @param deadlineNanos System.nanoTime() deadline, or Long.MAX_VALUE for none
     * @return 0 when woken, -EAGAIN if the value differed, -ETIMEDOUT, -EINTR if interrupted
     */
    long wait(Task t, long address, int expected, int bitset, long deadlineNanos) {
        if ((address & 3) != 0) return -Errno.EINVAL;
        if (bitset == 0) return -Errno.EINVAL;
        synchronized (lock) {
            int value;
            try {
                value = (int) t.hart.mmu.lw(address);
            } catch (MemoryFault f) {
                return -Errno.EFAULT;
            }
            if (value != expected) return -Errno.EAGAIN;
            Waiter w = new Waiter(address, bitset);
            queues.computeIfAbsent(address, k -> new ArrayList<>()).add(w);
            try {
                while (!w.woken) {
                    if (t.process.exiting) return -Errno.EINTR;
                    long left = deadlineNanos == Long.MAX_VALUE ? 0 : deadlineNanos - System.nanoTime();
                    if (deadlineNanos != Long.MAX_VALUE && left <= 0) return -Errno.ETIMEDOUT;
                    if (deadlineNanos == Long.MAX_VALUE) lock.wait();
                    else lock.wait(left / 1_000_000, (int) (left % 1_000_000));
                }
                return 0;
            } catch (InterruptedException e) {
                return w.woken ? 0 : -Errno.EINTR;
            } finally {
                if (!w.woken) remove(w);
            }
        }
    }

    /** FUTEX_WAKE(_BITSET): wakes up to {@code count} waiters on {@code address}; returns how many. */
    int wake(long address, int count, int bitset) {
        synchronized (lock) {
            return wakeLocked(address, count, bitset);
        }
    }

    /**
     * FUTEX_(CMP_)REQUEUE: wakes {@code wakeCount} waiters of {@code from}, moves up to
     * {@code requeueCount} others to {@code to}. With {@code check}, first verifies that the word
     * at {@code from} still equals {@code expected} (-EAGAIN otherwise).
     */
    long requeue(Task t, long from, long to, int wakeCount, int requeueCount, boolean check, int expected) {
        synchronized (lock) {
            if (check) {
                try {
                    if ((int) t.hart.mmu.lw(from) != expected) return -Errno.EAGAIN;
                } catch (MemoryFault f) {
                    return -Errno.EFAULT;
                }
            }
            int woken = wakeLocked(from, wakeCount, BITSET_MATCH_ANY);
            List<Waiter> source = queues.get(from);
            int moved = 0;
            while (source != null && !source.isEmpty() && moved < requeueCount) {
                Waiter w = source.removeFirst();
                w.address = to;
                queues.computeIfAbsent(to, k -> new ArrayList<>()).add(w);
                moved++;
            }
            if (source != null && source.isEmpty()) queues.remove(from);
            return woken + moved;
        }
    }

    /**
     * FUTEX_WAKE_OP: atomically applies the operation encoded in {@code encoded} to the word at
     * {@code address2}, wakes up to {@code count} waiters of {@code address}, and if the old value
     * passes the encoded comparison also up to {@code count2} waiters of {@code address2}.
     */
    long wakeOp(Task t, long address, long address2, int count, int count2, int encoded) {
        int op = encoded >>> 28 & 7;
        boolean shift = (encoded >>> 28 & 8) != 0;
        int cmp = encoded >>> 24 & 15;
        int oparg = encoded << 8 >> 20;
        int cmparg = encoded << 20 >> 20;
        if (shift) oparg = 1 << (oparg & 31);
        Op amo = switch (op) {
            case 0 -> Op.AMOSWAP_W;
            case 1 -> Op.AMOADD_W;
            case 2 -> Op.AMOOR_W;
            case 3 -> Op.AMOAND_W; // FUTEX_OP_ANDN: and with the complement
            case 4 -> Op.AMOXOR_W;
            default -> null;
        };
        if (amo == null) return -Errno.ENOSYS;
        if (op == 3) oparg = ~oparg;
        synchronized (lock) {
            long old;
            try {
                UserMemory.noteWrite(t.process.space, address2, 4);
                old = t.hart.mmu.amo(amo, address2, oparg, true, true);
            } catch (MemoryFault f) {
                return -Errno.EFAULT;
            }
            int oldval = (int) old;
            boolean pass = switch (cmp) {
                case 0 -> oldval == cmparg;
                case 1 -> oldval != cmparg;
                case 2 -> oldval < cmparg;
                case 3 -> oldval <= cmparg;
                case 4 -> oldval > cmparg;
                case 5 -> oldval >= cmparg;
                default -> false;
            };
            int woken = wakeLocked(address, count, BITSET_MATCH_ANY);
            if (pass) woken += wakeLocked(address2, count2, BITSET_MATCH_ANY);
            return woken;
        }
    }

    private int wakeLocked(long address, int count, int bitset) {
        List<Waiter> q = queues.get(address);
        if (q == null) return 0;
        int woken = 0;
        for (var it = q.iterator(); it.hasNext() && woken < count; ) {
            Waiter w = it.next();
            if ((w.bitset & bitset) == 0) continue;
            it.remove();
            w.woken = true;
            woken++;
        }
        if (q.isEmpty()) queues.remove(address);
        if (woken > 0) lock.notifyAll();
        return woken;
    }

    private void remove(Waiter w) {
        List<Waiter> q = queues.get(w.address);
        if (q != null) {
            q.remove(w);
            if (q.isEmpty()) queues.remove(w.address);
        }
    }

    /** How many tasks wait on {@code address} (tests and diagnostics). */
    int waiters(long address) {
        synchronized (lock) {
            List<Waiter> q = queues.get(address);
            return q == null ? 0 : q.size();
        }
    }

    /** Wakes every waiter so that it can notice the process is exiting. */
    void interruptAll() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
