package dev.reprise.replay;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * One vCPU's event log while recording: appends to that vCPU's own queue, so vCPUs never contend.
 *
 * <p>Threading: only the vCPU's own thread calls {@link #append} and {@link #close} (the Chronicle
 * appender is created on the first append and belongs to that thread). {@link RecordingWriter}
 * reads {@link #appended()} after the vCPU's thread has closed the log or ended.
 */
public final class VcpuLog implements AutoCloseable {
    public final int vcpu;
    private final SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private long appended;
    private boolean closed;

    VcpuLog(int vcpu, SingleChronicleQueue queue) {
        this.vcpu = vcpu;
        this.queue = queue;
    }

    /** Appends one event; it is complete in the log (a reader sees all of it or none) when this returns. */
    public void append(Event e) {
        if (closed) throw new IllegalStateException("vCPU " + vcpu + "'s log is closed");
        if (appender == null) appender = queue.createAppender();
        try (DocumentContext dc = appender.writingDocument()) {
            EventCodec.write(e, dc.wire().bytes());
        }
        appended++;
    }

    /** Events appended so far. */
    public long appended() {
        return appended;
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends this vCPU's log (its thread ended). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (appender != null) {
            appender.singleThreadedCheckReset();   // the writer may close for a vCPU thread that died
            appender.close();
        }
        queue.close();
    }
}
