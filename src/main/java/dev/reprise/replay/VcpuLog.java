package dev.reprise.replay;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.ArrayList;
import java.util.List;

/**
 * One vCPU's event log while recording: appends to that vCPU's own queue, so vCPUs never contend.
 *
 * <p>The queue may not exist yet when the vCPU starts: {@link RecordingWriter#start} builds the
 * first one on a thread of its own (Chronicle's start-up, 0.1-0.3 s) while the guest already runs.
 * Until then events wait in memory, in order ({@link #waiting}); when that thread is done it
 * writes them ({@link #attachWaiting}), so a vCPU blocked in a call does not keep them in memory
 * only, and the vCPU's next append takes the appender over. A log opened after that makes its
 * queue at its first append. An event is in the log once it is in the queue; a recorder killed
 * before that leaves an incomplete recording, as any kill does. If the queue cannot be made, the
 * writer ends the recording ({@link RecordingWriter#onFailure}) and the log drops what it is given.
 *
 * <p>Threading: only the vCPU's own thread calls {@link #append} and {@link #close} (and the
 * writer's, for a vCPU whose thread died). {@link #appender} and the counters are that thread's.
 * The fields of the time before the queue ({@link #waiting}, {@link #attached}, {@link #queue},
 * {@link #failed}) are guarded by the writer's monitor, the one lock of a recording's start.
 * {@link RecordingWriter} reads {@link #appended()} after the vCPU's thread has closed the log (the
 * volatile {@code closed} publishes the count) or has ended and been joined. {@link #excerptsBefore}
 * may be called from any thread (a checkpoint's writer): the marks it reads are guarded by their
 * list's monitor.
 */
public final class VcpuLog implements AutoCloseable {
    public final int vcpu;
    private final RecordingWriter writer;
    /** The appender as this log's thread uses it: null until it took {@link #attached} over. */
    private ExcerptAppender appender;
    /** The queue and its appender, once made (by whichever thread attached them; writer's monitor). */
    private SingleChronicleQueue queue;
    private ExcerptAppender attached;
    /** Events appended before there was a queue, oldest first; null once written (writer's monitor). */
    private List<Event> waiting = new ArrayList<>();
    /** The queue could not be made: the recording is lost, events are dropped (writer's monitor). */
    private boolean failed;
    private long appended;
    /** DATA excerpts appended so far, counting those of waiting events (own thread). */
    private long dataExcerpts;
    /**
     * One mark per event that came with DATA excerpts: {event index, DATA excerpts before the
     * next event}. Big system calls are rare, so the list is short. Guarded by its own monitor:
     * the vCPU's thread adds, a checkpoint's writer reads.
     */
    private final List<long[]> dataMarks = new ArrayList<>();
    /** Written last by close (volatile): whoever sees it true also sees the final {@link #appended}. */
    private volatile boolean closed;

    VcpuLog(int vcpu, RecordingWriter writer) {
        this.vcpu = vcpu;
        this.writer = writer;
    }

    /**
     * Appends one event. It is complete in the log (a reader sees all of it or none) when this
     * returns, unless the recording's start is not done yet: then it waits in memory (above).
     */
    public void append(Event e) {
        if (closed) throw new IllegalStateException("vCPU " + vcpu + "'s log is closed");
        if (e instanceof Event.Syscall s && EventCodec.writtenBytes(s) > EventCodec.MAX_INLINE) {
            // Too big for one excerpt: the writes go ahead in pieces (write), which count as excerpts.
            for (Event.MemoryWrite w : s.writes()) dataExcerpts += Math.max(1, (w.bytes().length + EventCodec.CHUNK - 1) / EventCodec.CHUNK);
            synchronized (dataMarks) {
                dataMarks.add(new long[] {appended, dataExcerpts});
            }
        }
        appended++;
        if (appender == null && !takeAppender(e, false)) return;   // e waits, or is dropped
        write(appender, e);
    }

    /**
     * Until this thread has the appender: takes it over (making it if the start is done, or
     * {@code wait}ing for that) and returns true; else keeps {@code e} (if any) waiting and returns false.
     */
    private boolean takeAppender(Event e, boolean wait) {
        boolean lost;
        synchronized (writer) {
            if (attached == null && !failed && (wait || writer.isOpened())) attach();
            if (attached != null) {
                appender = attached;
                appender.singleThreadedCheckReset();   // the start's thread may have made it: now this one's
            } else if (e != null && !failed) {
                waiting.add(e);
            }
            lost = failed;
        }
        if (lost) writer.actOnFailure();   // ends the guest; out of the monitor
        return appender != null;
    }

    /** The start's thread, when it is done: writes the waiting events, if any (writer's monitor held). */
    void attachWaiting() {
        if (attached == null && !failed && !waiting.isEmpty()) attach();
    }

    /** Makes the queue and appender and writes the waiting events (writer's monitor held; may wait for the start). */
    private void attach() {
        queue = writer.queueOf(vcpu);
        if (queue == null) {
            failed = true;
            waiting = null;
            return;
        }
        attached = queue.createAppender();
        for (Event w : waiting) write(attached, w);
        waiting = null;
    }

    private static void write(ExcerptAppender appender, Event e) {
        if (e instanceof Event.Syscall s && EventCodec.writtenBytes(s) > EventCodec.MAX_INLINE) {
            for (Event.MemoryWrite w : s.writes()) {
                byte[] bytes = w.bytes();
                int off = 0;
                do {
                    int n = Math.min(EventCodec.CHUNK, bytes.length - off);
                    try (DocumentContext dc = appender.writingDocument()) {
                        EventCodec.writeData(w.address() + off, bytes, off, n, off > 0, dc.wire().bytes());
                    }
                    off += n;
                } while (off < bytes.length);
            }
            e = new Event.Syscall(s.icount(), s.pc(), s.digest(), s.number(), s.result(), List.of());
        }
        try (DocumentContext dc = appender.writingDocument()) {
            EventCodec.write(e, dc.wire().bytes());
        }
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

    /** Ends this vCPU's log (its thread ended): waits for the start if need be, so that no event stays in memory. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        if (appender == null) takeAppender(null, true);
        if (appender != null) {
            appender.singleThreadedCheckReset();   // the writer may close for a vCPU thread that died
            appender.close();
        }
        synchronized (writer) {
            if (queue != null) queue.close();
        }
        closed = true;
    }
}
