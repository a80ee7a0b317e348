package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel wrote into guest memory during one system call, for the recorder: every place
 * that writes guest memory on the guest's behalf ({@link UserMemory}) notes the range first; this
 * keeps a copy of the range as it was, and {@link #changes()} returns the bytes that differ after
 * the call. Calls whose output size is their result (read and friends) need no copy: the recorder
 * asks for {@link #range} instead, which also avoids copying a large buffer that the call barely
 * fills.
 *
 * <p>Threading: one instance per system call in progress, reachable only from the thread that
 * makes the call (a thread-local), so nothing is shared.
 */
public final class KernelWrites {
    /** A run of guest bytes the kernel wrote: address and the new bytes. */
    public record Change(long address, byte[] bytes) {}

    private static final ThreadLocal<KernelWrites> CURRENT = new ThreadLocal<>();

    /** Told before the kernel writes guest memory on this thread's behalf (the recorder takes the granules then). */
    public interface Listener {
        void kernelWillWrite(long address, long length);
    }

    private static final ThreadLocal<Listener> LISTENER = new ThreadLocal<>();

    /** Makes {@code l} hear about every kernel write on the calling thread (a vCPU thread, while recording). */
    public static void listen(Listener l) {
        LISTENER.set(l);
    }

    private final AddressSpace space;
    private final boolean snapshots;
    private final List<Long> addresses = new ArrayList<>();
    private final List<byte[]> before = new ArrayList<>();

    private KernelWrites(AddressSpace space, boolean snapshots) {
        this.space = space;
        this.snapshots = snapshots;
    }

    /**
     * Starts watching the calling thread's system call. {@code snapshots} false: the caller will
     * take the output from the result ({@link #range}) and notes are ignored.
     */
    public static KernelWrites begin(AddressSpace space, boolean snapshots) {
        KernelWrites w = new KernelWrites(space, snapshots);
        CURRENT.set(w);
        return w;
    }

    /** Stops watching (always call it, also when the call throws). */
    public void end() {
        CURRENT.remove();
    }

    static void note(AddressSpace space, long addr, long len) {
        if (len <= 0) return;
        Listener l = LISTENER.get();
        if (l != null) l.kernelWillWrite(addr, len);
        KernelWrites w = CURRENT.get();
        if (w == null || !w.snapshots || len <= 0) return;
        w.addresses.add(addr);
        w.before.add(space.memory().asSlice(addr, len).toArray(ValueLayout.JAVA_BYTE));
    }

    /** The runs of bytes that differ now from what the noted ranges held before the call, in the order noted. */
    public List<Change> changes() {
        List<Change> out = new ArrayList<>();
        MemorySegment mem = space.memory();
        for (int r = 0; r < addresses.size(); r++) {
            long base = addresses.get(r);
            byte[] old = before.get(r);
            int i = 0;
            while (i < old.length) {
                if (mem.get(ValueLayout.JAVA_BYTE, base + i) == old[i]) {
                    i++;
                    continue;
                }
                int start = i;
                // A run ends after 16 equal bytes in a row: short gaps cost less inside a run than as a new one.
                int equal = 0;
                while (i < old.length && equal < 16) {
                    equal = mem.get(ValueLayout.JAVA_BYTE, base + i) == old[i] ? equal + 1 : 0;
                    i++;
                }
                int end = i - equal;
                out.add(new Change(base + start, mem.asSlice(base + start, end - start).toArray(ValueLayout.JAVA_BYTE)));
            }
        }
        return out;
    }

    /** The first {@code total} bytes that an iovec array ({@code count} entries at {@code iov}) covers, as they are now. */
    public static List<Change> iovecs(AddressSpace space, long iov, long count, long total) {
        List<Change> out = new ArrayList<>();
        MemorySegment mem = space.memory();
        long left = total;
        for (long i = 0; i < count && left > 0; i++) {
            long base = mem.get(ValueLayout.JAVA_LONG_UNALIGNED, iov + 16 * i);
            long n = Math.min(left, mem.get(ValueLayout.JAVA_LONG_UNALIGNED, iov + 16 * i + 8));
            if (n > 0) out.add(range(space, base, n));
            left -= n;
        }
        return out;
    }

    /** The guest bytes [addr, addr+len) as they are now: the output of a call whose result is its size. */
    public static Change range(AddressSpace space, long addr, long len) {
        return new Change(addr, space.memory().asSlice(addr, len).toArray(ValueLayout.JAVA_BYTE));
    }
}
