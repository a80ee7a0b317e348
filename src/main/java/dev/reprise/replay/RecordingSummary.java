package dev.reprise.replay;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code reprise inspect} shows of a recording, computed by reading every event once.
 *
 * @param logBytes     bytes of the recording's data: every event as its queue stores it, the header, the
 *                     marker and the checkpoints (queue files themselves are sparse and preallocated, so
 *                     their apparent size says little)
 * @param contended    the granules and resources transferred most often, most first
 */
public record RecordingSummary(RecordingHeader header, boolean complete, long logBytes, int checkpoints, List<Vcpu> vcpus,
                               List<Contended> contended) {
    /**
     * One vCPU's log: its events by kind and the icount of its last one.
     *
     * @param instructions the icount of its last event (the instructions it is known to have run)
     * @param bytes        what its events take in the queue
     */
    public record Vcpu(int vcpu, long events, long instructions, long bytes, Map<Event.Kind, Long> eventsByKind) {}

    /** A granule or resource, how many transfers took it, and the pcs that took it most often (with how often), most first. */
    public record Contended(Event.Target target, long id, long transfers, List<Map.Entry<Long, Long>> takenAt) {}

    /** A granule or resource (the key of the counts). */
    private record Target(Event.Target target, long id) {}

    /** How many contended objects a summary lists. */
    static final int TOP = 5;

    /**
     * Reads all events of {@code r}.
     * @throws RecordingException if an event is corrupted or a complete recording lost events
     */
    public static RecordingSummary of(RecordingReader r) {
        List<Vcpu> vcpus = new ArrayList<>();
        Map<Target, Map<Long, Long>> transfers = new HashMap<>();   // granule or resource -> pc -> transfers
        for (int id : r.vcpus()) {
            Map<Event.Kind, Long> byKind = new EnumMap<>(Event.Kind.class);
            for (Event.Kind k : Event.Kind.values()) byKind.put(k, 0L);
            long events = 0, last = 0, bytes;
            try (EventCursor c = r.cursor(id)) {
                for (Event e; (e = c.peek()) != null; c.take()) {
                    events++;
                    last = e.icount();
                    byKind.merge(e.kind(), 1L, Long::sum);
                    if (e instanceof Event.Transfer t) {
                        transfers.computeIfAbsent(new Target(t.target(), t.id()), k -> new HashMap<>()).merge(t.pc(), 1L, Long::sum);
                    }
                }
                bytes = c.bytesRead();
            }
            vcpus.add(new Vcpu(id, events, last, bytes, byKind));
        }
        List<Contended> top = transfers.entrySet().stream()
                .map(e -> new Contended(e.getKey().target(), e.getKey().id(),
                        e.getValue().values().stream().mapToLong(Long::longValue).sum(),
                        e.getValue().entrySet().stream()
                                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry::getKey))
                                .limit(TOP).map(p -> Map.entry(p.getKey(), p.getValue())).toList()))
                .sorted(java.util.Comparator.comparingLong(Contended::transfers).reversed().thenComparingLong(Contended::id))
                .limit(TOP)
                .toList();
        long logBytes = vcpus.stream().mapToLong(Vcpu::bytes).sum() + r.metadataBytes();
        return new RecordingSummary(r.header(), r.complete(), logBytes, r.checkpoints().size(), vcpus, top);
    }

    public long events() {
        return vcpus.stream().mapToLong(Vcpu::events).sum();
    }

}
