package dev.reprise.replay;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.ArrayList;
import java.util.List;

/**
 * One vCPU's event log while recording: appends to that vCPU's own queue, so vCPUs never contend.
 *
 * <p>Threading: only the vCPU's own thread calls {@link #append} and {@link #close} (the Chronicle
 * appender is created on the first append and belongs to that thread). {@link RecordingWriter}
 * reads {@link #appended()} after the vCPU's thread has closed the log (the volatile {@code closed}
 * publishes the count) or has ended and been joined; it closes logs whose threads died.
 * {@link #excerptsBefore} may be called from any thread (a checkpoint's writer): the marks it
 * reads are guarded by their list's monitor.
 */
public final class VcpuLog implements AutoCloseable {
    public final int vcpu;
    private final SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private long appended;
    /** DATA excerpts appended so far (own thread). */
    private long dataExcerpts;
    /**
     * One mark per event that came with DATA excerpts: {event index, DATA excerpts before the
     * next event}. Big system calls are rare, so the list is short. Guarded by its own monitor:
     * the vCPU's thread adds, a checkpoint's writer reads.
     */
    private final List<long[]> dataMarks = new ArrayList<>();
    /** Written last by close (volatile): whoever sees it true also sees the final {@link #appended}. */
    private volatile boolean closed;

    VcpuLog(int vcpu, SingleChronicleQueue queue) {
        this.vcpu = vcpu;
        this.queue = queue;
    }

    /** Appends one event; it is complete in the log (a reader sees all of it or none) when this returns. */
    public void append(Event e) {
        if (closed) throw new IllegalStateException("vCPU " + vcpu + "'s log is closed");
        if (appender == null) appender = queue.createAppender();
        if (e instanceof Event.Syscall s && EventCodec.writtenBytes(s) > EventCodec.MAX_INLINE) {
            // Too big for one excerpt: the writes go ahead in pieces, the event follows without them.
            for (Event.MemoryWrite w : s.writes()) {
                byte[] bytes = w.bytes();
                int off = 0;
                do {
                    int n = Math.min(EventCodec.CHUNK, bytes.length - off);
                    try (DocumentContext dc = appender.writingDocument()) {
                        EventCodec.writeData(w.address() + off, bytes, off, n, off > 0, dc.wire().bytes());
                    }
                    off += n;
                    dataExcerpts++;
                } while (off < bytes.length);
            }
            e = new Event.Syscall(s.icount(), s.pc(), s.digest(), s.number(), s.result(), List.of());
            synchronized (dataMarks) {
                dataMarks.add(new long[] {appended, dataExcerpts});
            }
        }
        try (DocumentContext dc = appender.writingDocument()) {
            EventCodec.write(e, dc.wire().bytes());
        }
        appended++;
    }

    /** Events appended so far. */
    public long appended() {
        return appended;
    }

    /**
     * How many excerpts the queue holds before event {@code events} (the first {@code events}
     * events and the DATA pieces of those among them that were split): where a reader that starts
     * at that event moves its tailer (Chronicle indexes excerpts, not events).
     */
    long excerptsBefore(long events) {
        long data = 0;
        synchronized (dataMarks) {
            for (long[] m : dataMarks) {
                if (m[0] >= events) break;
                data = m[1];
            }
        }
        return events + data;
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends this vCPU's log (its thread ended). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        if (appender != null) {
            appender.singleThreadedCheckReset();   // the writer may close for a vCPU thread that died
            appender.close();
        }
        queue.close();
        closed = true;
    }
}
