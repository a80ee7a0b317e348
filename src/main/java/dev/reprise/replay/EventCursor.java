package dev.reprise.replay;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Moves past the first {@code events} events of a fresh cursor, which take the first
     * {@code excerpts} excerpts of the queue (-1: unknown): through Chronicle's index when it
     * can, without reading them, else by reading them one by one. Returns how many events it moved
     * past: fewer than {@code events} only when the log ends first. Events moved past through the
     * index are not counted in {@link #bytesRead}.
     */
    public long skip(long events, long excerpts) {
        if (taken != 0 || next != null || atEnd) throw new IllegalStateException("skip starts a fresh cursor");
        if (events > 0 && excerpts >= events && queue != null && moveTo(excerpts)) {
            taken = events;
            return events;
        }
        for (long n = 0; n < events; n++) {
            if (peek() == null) return n;
            take();
        }
        return events;
    }

    /**
     * Puts the tailer before excerpt number {@code excerpts} of the queue; false when that excerpt
     * is not in the queue's first cycle (a recording that ran past midnight UTC, when the daily
     * cycle rolls) or not there at all: the caller then reads its way there.
     */
    private boolean moveTo(long excerpts) {
        tailer = queue.createTailer();
        int cycle = queue.firstCycle();
        if (cycle == Integer.MAX_VALUE || excerpts >= queue.rollCycle().maxMessagesPerCycle()) return false;
        long index = queue.rollCycle().toIndex(cycle, excerpts);
        if (tailer.moveToIndex(index) && tailer.index() == index) return true;
        tailer.toStart();
        return false;
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
        List<Event.MemoryWrite> data = new ArrayList<>();   // DATA excerpts of the SYSCALL that follows them
        if (queue != null) {
            if (tailer == null) tailer = queue.createTailer();
            try {
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) break;
                        Bytes<?> in = dc.wire().bytes();
                        bytes += EXCERPT_HEADER + in.readRemaining();
                        if (in.peekUnsignedByte() == EventCodec.DATA) {
                            in.readSkip(1);
                            EventCodec.readData(in, data);
                            continue;
                        }
                        if (expected >= 0 && index >= expected) {
                            throw new RecordingException.Corrupted(dir + ": vCPU " + vcpu + "'s log has more events than the "
                                    + expected + " the recording lists", null);
                        }
                        Event e = EventCodec.read(in);
                        if (data.isEmpty()) return e;
                        if (!(e instanceof Event.Syscall s) || !s.writes().isEmpty()) throw new IllegalArgumentException("data before a " + e.kind());
                        return new Event.Syscall(s.icount(), s.pc(), s.digest(), s.number(), s.result(), data);
                    }
                }
            } catch (RecordingException e) {
                throw e;
            } catch (RuntimeException e) {   // undecodable bytes, or Chronicle failing on a damaged queue file
                throw new RecordingException.Corrupted(dir + ": corrupted event " + index + " of vCPU " + vcpu + " (" + e.getMessage() + ")", e);
            }
        }
        // The end of the log. DATA without its SYSCALL is the part of an event a killed recorder did not finish.
        atEnd = true;
        if (expected >= 0 && !data.isEmpty()) {
            throw new RecordingException.Corrupted(dir + ": vCPU " + vcpu + "'s log ends with memory writes of no system call", null);
        }
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
