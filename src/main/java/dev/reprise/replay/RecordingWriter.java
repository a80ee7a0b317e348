package dev.reprise.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Creates a recording directory and writes it: the header first, one {@link VcpuLog} per vCPU,
 * checkpoints, and at a clean end the final header (with the vCPU count) and then the
 * completion marker. A recording whose writer never reached {@link #finish} has no marker and
 * reads as incomplete.
 *
 * <p>Threading: {@link #vcpu}, {@link #writeCheckpoint}, {@link #finish} and {@link #close} may be
 * called from any thread and are serialized on this object's monitor; each {@link VcpuLog} belongs
 * to its vCPU's thread. {@link #finish} must run after every vCPU thread has closed its log or ended.
 */
public final class RecordingWriter implements AutoCloseable {
    private final Path dir;
    private final RecordingHeader header;
    /** Guarded by {@code this}. */
    private final Map<Integer, VcpuLog> logs = new TreeMap<>();
    private boolean finished, closed;

    private RecordingWriter(Path dir, RecordingHeader header) {
        this.dir = dir;
        this.header = header;
    }

    /**
     * Starts a recording in {@code dir}, which must not exist or be empty; writes its header.
     * @throws IOException if the directory cannot be created or is not empty
     */
    public static RecordingWriter create(Path dir, RecordingHeader header) throws IOException {
        if (header.formatVersion() != RecordingHeader.FORMAT_VERSION) throw new IllegalArgumentException("writes only version " + RecordingHeader.FORMAT_VERSION);
        Files.createDirectories(dir);
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) throw new IOException(dir + ": directory is not empty");
        }
        Layout.writeAtomically(dir.resolve(Layout.HEADER), header.withVcpus(0).encode());
        return new RecordingWriter(dir, header);
    }

    public Path directory() {
        return dir;
    }

    /** Opens the log of a new vCPU (once per id; clone calls this before the child runs). */
    public synchronized VcpuLog vcpu(int id) {
        if (closed) throw new IllegalStateException("recording closed");
        if (id < 0 || logs.containsKey(id)) throw new IllegalArgumentException("vCPU " + id + " already has a log");
        VcpuLog log = new VcpuLog(id, Layout.queue(Layout.vcpuDir(dir, id), false));
        logs.put(id, log);
        return log;
    }

    /**
     * Writes {@code checkpoint} atomically to checkpoints/; returns its file. Each log position
     * of a vCPU with a log here gets the excerpt count of its events (Chronicle indexes excerpts:
     * that is where a replay from the checkpoint moves its cursor).
     */
    public synchronized Path writeCheckpoint(Checkpoint checkpoint) throws IOException {
        List<Checkpoint.LogPosition> positions = new ArrayList<>();
        for (Checkpoint.LogPosition p : checkpoint.logs()) {
            VcpuLog log = logs.get(p.vcpu());
            positions.add(log == null ? p : p.withExcerpts(log.excerptsBefore(p.events())));
        }
        Checkpoint c = new Checkpoint(checkpoint.sequence(), checkpoint.vcpus(), checkpoint.kernel(), checkpoint.pages(), positions);
        Files.createDirectories(dir.resolve(Layout.CHECKPOINTS));
        Path file = Checkpoints.file(dir, c);
        Layout.writeAtomically(file, Checkpoints.encode(c));
        return file;
    }

    /**
     * Ends the recording cleanly: closes every vCPU log, rewrites the header with the vCPU count,
     * then writes the completion marker, last, listing each vCPU's event count.
     */
    public synchronized void finish() throws IOException {
        finish(null);
    }

    /** {@link #finish()}, with the final {@link MachineDigest} of the recorded run in the marker. */
    public synchronized void finish(long finalDigest) throws IOException {
        finish(Long.valueOf(finalDigest));
    }

    private void finish(Long finalDigest) throws IOException {
        if (finished) return;
        for (VcpuLog log : logs.values()) log.close();
        Layout.writeAtomically(dir.resolve(Layout.HEADER), header.withVcpus(logs.size()).encode());
        StringBuilder marker = new StringBuilder(CompletionMarker.FIRST_LINE).append('\n');
        marker.append("vcpus ").append(logs.size()).append('\n');
        for (VcpuLog log : logs.values()) marker.append("vcpu ").append(log.vcpu).append(" events ").append(log.appended()).append('\n');
        if (finalDigest != null) marker.append("digest ").append(String.format("%016x", finalDigest)).append('\n');
        Layout.writeAtomically(dir.resolve(Layout.COMPLETE), marker.toString().getBytes(StandardCharsets.US_ASCII));
        finished = true;
    }

    /** Closes every log; without {@link #finish} first, the recording stays incomplete. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (VcpuLog log : logs.values()) log.close();
    }
}
