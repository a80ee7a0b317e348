package dev.reprise.replay;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Creates a recording directory and writes it: the header first, one {@link VcpuLog} per vCPU,
 * checkpoints, and at a clean end the final header (with the vCPU count) and then the
 * completion marker. A recording whose writer never reached {@link #finish} has no marker and
 * reads as incomplete.
 *
 * <p>{@link #start} does the slow part of starting a recording on a thread of its own, while the
 * caller loads the program: the program's digest, the header, and vCPU 0's queue (Chronicle's
 * classes and initialisers: 0.1-0.3 s, docs/performance.md). {@link #vcpu} waits for it, so the
 * order on disk stays header first, then queues; if it failed, {@link #vcpu} says so.
 *
 * <p>Threading: {@link #vcpu}, {@link #writeCheckpoint}, {@link #finish}, {@link #close} and
 * {@link #abandon} may be called from any thread and are serialized on this object's monitor;
 * each {@link VcpuLog} belongs to its vCPU's thread. {@link #finish} must run after every vCPU
 * thread has closed its log or ended.
 */
public final class RecordingWriter implements AutoCloseable {
    private final Path dir;
    /** The header as written first; set once {@link #opening} is done (guarded by {@code this}). */
    private RecordingHeader header;
    /** Guarded by {@code this}. */
    private final Map<Integer, VcpuLog> logs = new TreeMap<>();
    private boolean finished, closed;
    /** {@link #start}'s work: header written, vCPU 0's queue built; null after {@link #create}. */
    private FutureTask<Opened> opening;
    /** vCPU 0's queue built by {@link #opening} and not yet given to its log (guarded by {@code this}). */
    private SingleChronicleQueue firstQueue;
    /** What {@link #opening} failed with, if it did (guarded by {@code this}). */
    private IOException openFailure;
    /** Whether {@link #start} made the directory (so {@link #abandon} removes it). */
    private final boolean madeDirectory;

    /** What {@link #opening} made. */
    private record Opened(RecordingHeader header, SingleChronicleQueue firstQueue) {}

    private RecordingWriter(Path dir, RecordingHeader header, boolean madeDirectory) {
        this.dir = dir;
        this.header = header;
        this.madeDirectory = madeDirectory;
    }

    /**
     * Starts a recording in {@code dir}, which must not exist or be empty; writes its header.
     * @throws IOException if the directory cannot be created or is not empty
     */
    public static RecordingWriter create(Path dir, RecordingHeader header) throws IOException {
        checkVersion(header);
        boolean made = emptyDirectory(dir);
        writeHeader(dir, header);
        return new RecordingWriter(dir, header, made);
    }

    /**
     * Starts a recording in {@code dir} like {@link #create}, but only makes the directory here
     * (which must not exist or be empty): the header (from {@code header}, which may read the
     * program to digest it) and vCPU 0's queue are written on a thread of their own, meanwhile.
     * {@link #vcpu} waits for them and reports their failure; {@link #abandon} undoes it all.
     * @throws IOException if the directory cannot be created or is not empty
     */
    public static RecordingWriter start(Path dir, Callable<RecordingHeader> header) throws IOException {
        boolean made = emptyDirectory(dir);
        RecordingWriter w = new RecordingWriter(dir, null, made);
        w.opening = new FutureTask<>(() -> {
            RecordingHeader h = header.call();
            checkVersion(h);
            writeHeader(dir, h);
            return new Opened(h, Layout.queue(Layout.vcpuDir(dir, 0), false));
        });
        Thread.ofPlatform().name("reprise-recording-start").daemon().start(w.opening);
        return w;
    }

    private static void checkVersion(RecordingHeader header) {
        if (header.formatVersion() != RecordingHeader.FORMAT_VERSION) throw new IllegalArgumentException("writes only version " + RecordingHeader.FORMAT_VERSION);
    }

    /** Creates {@code dir} or checks that it is empty; true if it did not exist. */
    private static boolean emptyDirectory(Path dir) throws IOException {
        boolean existed = Files.isDirectory(dir);
        Files.createDirectories(dir);
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) throw new IOException(dir + ": directory is not empty");
        }
        return !existed;
    }

    private static void writeHeader(Path dir, RecordingHeader header) throws IOException {
        Layout.writeAtomically(dir.resolve(Layout.HEADER), header.withVcpus(0).encode());
    }

    /**
     * Waits for {@link #start}'s work (a no-op after {@link #create}).
     * @throws IOException what it failed with: the header or vCPU 0's queue could not be written
     */
    private void awaitOpened() throws IOException {
        if (openFailure != null) throw new IOException(openFailure.getMessage(), openFailure);
        if (opening == null) return;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    Opened o = opening.get();
                    opening = null;
                    header = o.header();
                    firstQueue = o.firstQueue();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;   // the work is short and must not be left half done
                } catch (ExecutionException e) {
                    opening = null;
                    Throwable cause = e.getCause();
                    openFailure = cause instanceof IOException io ? io
                            : new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
                    throw openFailure;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    public Path directory() {
        return dir;
    }

    /**
     * Opens the log of a new vCPU (once per id; clone calls this before the child runs). After
     * {@link #start}, the first call waits until the header and vCPU 0's queue are written.
     * @throws UncheckedIOException they could not be (the recording cannot be written)
     */
    public synchronized VcpuLog vcpu(int id) {
        if (closed) throw new IllegalStateException("recording closed");
        if (id < 0 || logs.containsKey(id)) throw new IllegalArgumentException("vCPU " + id + " already has a log");
        try {
            awaitOpened();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SingleChronicleQueue queue;
        if (id == 0 && firstQueue != null) {
            queue = firstQueue;
            firstQueue = null;
        } else {
            queue = Layout.queue(Layout.vcpuDir(dir, id), false);
        }
        VcpuLog log = new VcpuLog(id, queue);
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
        awaitOpened();
        closeUnusedQueue();
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
        try {
            awaitOpened();
        } catch (IOException e) {
            // Nothing of it to close; whoever needed it was told.
        }
        closeUnusedQueue();
        for (VcpuLog log : logs.values()) log.close();
    }

    private void closeUnusedQueue() {
        if (firstQueue != null) firstQueue.close();
        firstQueue = null;
    }

    /**
     * Undoes {@link #start} when the recording never began (the program could not be loaded): waits
     * for its work, then deletes what it wrote, and the directory if {@link #start} made it.
     * Best effort: what cannot be deleted stays (a directory without a completion marker).
     */
    public synchronized void abandon() {
        close();
        if (!logs.isEmpty()) throw new IllegalStateException("the recording began");
        try {
            deleteTree(Layout.vcpuDir(dir, 0));
            for (String name : new String[] {Layout.HEADER, Layout.HEADER + ".tmp"}) Files.deleteIfExists(dir.resolve(name));
            if (madeDirectory) Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Best effort (see above).
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
