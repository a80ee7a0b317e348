package dev.reprise.replay;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An opened recording: its header, whether it is complete, and a {@link EventCursor} per vCPU.
 * Opening checks the format version and the header's integrity; events are checked as cursors
 * read them. An incomplete recording (no completion marker: the recorder was killed or crashed)
 * opens too, and its cursors return every complete event.
 *
 * <p>Threading: open and close on one thread; {@link #cursor} may be called from any thread (the
 * queues are opened read-only at open), and each cursor is then used by one thread at a time.
 */
public final class RecordingReader implements AutoCloseable {
    private final Path dir;
    private final RecordingHeader header;
    /** Event counts from the completion marker; null when the recording is incomplete. */
    private final Map<Integer, Long> expected;
    /** Read-only queues by vCPU id; null for a vCPU whose queue holds no file yet. Never changes after open. */
    private final Map<Integer, SingleChronicleQueue> queues;

    /** The final machine digest from the completion marker (empty when incomplete, or when the writer wrote none). */
    private final java.util.OptionalLong finalDigest;

    private RecordingReader(Path dir, RecordingHeader header, Map<Integer, Long> expected, java.util.OptionalLong finalDigest,
                            Map<Integer, SingleChronicleQueue> queues) {
        this.dir = dir;
        this.header = header;
        this.expected = expected;
        this.finalDigest = finalDigest;
        this.queues = queues;
    }

    /**
     * Opens the recording in {@code dir}.
     *
     * @throws RecordingException.Missing         no such directory
     * @throws RecordingException.Foreign         not a Reprise recording
     * @throws RecordingException.VersionMismatch another format version
     * @throws RecordingException.Corrupted       header or marker fail their checks, vCPU queues disagree with them
     * @throws RecordingException.Truncated       the header ends early
     */
    public static RecordingReader open(Path dir) {
        if (!Files.exists(dir)) throw new RecordingException.Missing(dir + ": no such recording");
        if (!Files.isDirectory(dir)) throw new RecordingException.Foreign(dir + ": not a Reprise recording (not a directory)");
        RecordingHeader header = RecordingHeader.decode(read(dir.resolve(Layout.HEADER), dir), dir.resolve(Layout.HEADER));
        Map<Integer, Long> expected = null;
        java.util.OptionalLong digest = java.util.OptionalLong.empty();
        Path marker = dir.resolve(Layout.COMPLETE);
        if (Files.exists(marker)) {
            CompletionMarker.Contents contents = CompletionMarker.parse(read(marker, dir), marker);
            expected = contents.counts();
            digest = contents.digest();
        }

        List<Integer> ids = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            entries.filter(Files::isDirectory).mapToInt(Layout::vcpuOf).filter(id -> id >= 0).sorted().forEach(ids::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (expected != null && (header.vcpus() != expected.size() || !expected.keySet().equals(new java.util.TreeSet<>(ids)))) {
            throw new RecordingException.Corrupted(dir + ": corrupted recording (header says " + header.vcpus() + " vCPUs, marker "
                    + expected.keySet() + ", queues " + ids + ")", null);
        }
        Map<Integer, SingleChronicleQueue> queues = new TreeMap<>();
        try {
            for (int id : ids) queues.put(id, hasQueueFile(Layout.vcpuDir(dir, id)) ? Layout.queue(Layout.vcpuDir(dir, id), true) : null);
        } catch (RuntimeException e) {
            queues.values().forEach(q -> { if (q != null) q.close(); });
            throw new RecordingException.Corrupted(dir + ": corrupted recording (cannot open a vCPU queue: " + e.getMessage() + ")", e);
        }
        return new RecordingReader(dir, header, expected, digest, queues);
    }

    public Path directory() {
        return dir;
    }

    public RecordingHeader header() {
        return header;
    }

    /** True if the recorder finished cleanly (the completion marker is there). */
    public boolean complete() {
        return expected != null;
    }

    /** The digest of the machine at the recorded run's end ({@link MachineDigest}); empty if incomplete. */
    public java.util.OptionalLong finalDigest() {
        return finalDigest;
    }

    /** The vCPU ids that have a log, ascending. */
    public List<Integer> vcpus() {
        return List.copyOf(queues.keySet());
    }

    /** A new cursor at the first event of {@code vcpu}'s log. */
    public EventCursor cursor(int vcpu) {
        if (!queues.containsKey(vcpu)) throw new IllegalArgumentException("no vCPU " + vcpu + " in " + dir);
        return new EventCursor(dir, vcpu, queues.get(vcpu), expected == null ? -1 : expected.get(vcpu));
    }

    /** Bytes of the files beside the queues: header, completion marker, checkpoints. */
    public long metadataBytes() {
        try {
            long n = Files.size(dir.resolve(Layout.HEADER));
            if (complete()) n += Files.size(dir.resolve(Layout.COMPLETE));
            for (Path c : checkpoints()) n += Files.size(c);
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checkpoints written so far, in the order they were taken. */
    public List<Path> checkpoints() {
        return Checkpoints.list(dir);
    }

    @Override
    public void close() {
        for (SingleChronicleQueue q : queues.values()) if (q != null) q.close();
    }

    private static boolean hasQueueFile(Path queueDir) {
        try (var files = Files.list(queueDir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"));
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] read(Path file, Path dir) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RecordingException.Foreign(dir + ": not a Reprise recording (no " + file.getFileName() + " file)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
