package dev.reprise.replay;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.NoSuchElementException;

/**
 * Reads one vCPU's events in the order they were recorded: {@link #peek} shows the next one
 * without consuming it (the replayer runs to its icount), {@link #take} consumes it.
 *
 * <p>The end of the log is where the last complete event ends: an event the recorder was killed
 * in the middle of writing is never returned. In a complete recording, ending before the count in
 * the completion marker is an error ({@link RecordingException.Truncated}).
 *
 * <p>Threading: one thread at a time; the Chronicle tailer is created on the first read and
 * belongs to the thread that made it.
 */
public final class EventCursor implements AutoCloseable {
    private final Path dir;
    private final int vcpu;
    private final SingleChronicleQueue queue;
    /** Events the completion marker lists for this vCPU; -1 when the recording is incomplete. */
    private final long expected;
    private ExcerptTailer tailer;
    private Event next;
    private long taken;
    /** Bytes of the events read so far as the queue stores them (4-byte excerpt header included). */
    private long bytes;
    private boolean atEnd;

    EventCursor(Path dir, int vcpu, SingleChronicleQueue queue, long expected) {
        this.dir = dir;
        this.vcpu = vcpu;
        this.queue = queue;
        this.expected = expected;
    }

    public int vcpu() {
        return vcpu;
    }

    /** The next event, or null at the end of the log. */
    public Event peek() {
        if (next == null && !atEnd) next = readNext();
        return next;
    }

    /** Consumes the next event. @throws NoSuchElementException at the end of the log */
    public Event take() {
        Event e = peek();
        if (e == null) throw new NoSuchElementException("vCPU " + vcpu + ": end of log after " + taken + " events");
        next = null;
        taken++;
        return e;
    }

    /** Chronicle's length-and-flags word before each excerpt. */
    private static final int EXCERPT_HEADER = 4;

    /** Bytes the events read so far take in the queue (for log-size statistics). */
    public long bytesRead() {
        return bytes;
    }

    /** Events taken so far (the index of the next one). */
    public long taken() {
        return taken;
    }

    private Event readNext() {
        long index = taken;
        if (queue != null) {
            if (tailer == null) tailer = queue.createTailer();
            try (DocumentContext dc = tailer.readingDocument()) {
                if (dc.isPresent()) {
                    if (expected >= 0 && index >= expected) {
                        throw new RecordingException.Corrupted(dir + ": vCPU " + vcpu + "'s log has more events than the "
                                + expected + " the recording lists", null);
                    }
                    bytes += EXCERPT_HEADER + dc.wire().bytes().readRemaining();
                    try {
                        return EventCodec.read(dc.wire().bytes());
                    } catch (RuntimeException e) {
                        throw new RecordingException.Corrupted(dir + ": corrupted event " + index + " of vCPU " + vcpu + " (" + e.getMessage() + ")", e);
                    }
                }
            }
        }
        atEnd = true;
        if (expected >= 0 && index < expected) {
            throw new RecordingException.Truncated(dir + ": vCPU " + vcpu + "'s log ends after " + index + " events, the recording lists " + expected);
        }
        return null;
    }

    @Override
    public void close() {
        if (tailer != null) {
            tailer.singleThreadedCheckReset();
            tailer.close();
        }
    }
}
