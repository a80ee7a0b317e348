package dev.reprise.replay;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.posix.PosixAPI;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The names inside a recording directory and the few file operations writer and reader share (docs/log-format.md). */
final class Layout {
    private Layout() {}

    /** slf4j-simple's level for the affinity library's loggers. */
    private static final String AFFINITY_LOG_LEVEL = "org.slf4j.simpleLogger.log.net.openhft.affinity";

    static {
        // Before the first Chronicle class initializes: never phone home (also set by the launcher),
        // no release-notes banner, no disk-space polling thread.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.setProperty("chronicle.disk.monitor.disable", "true");
        // Chronicle's Jvm class otherwise loads its native POSIX layer at once (jnr-ffi, some 330
        // classes: ~0.3 s of CPU at every record and replay, docs/performance.md). Queues need it
        // only for sync modes (msync), pretouching and affinity, which Reprise does not use; the
        // no-op layer is the library's own opt-out (OpenHFT/Posix issue 24).
        PosixAPI.useNoOpPosixApi();
        // The same class also loads net.openhft.affinity.Affinity, which looks for JNA (not in the
        // jar: pom.xml) and, finding none, says at WARN and INFO that it uses no thread affinity:
        // Reprise pins no threads, so it is not worth a line on the user's terminal.
        if (System.getProperty(AFFINITY_LOG_LEVEL) == null) System.setProperty(AFFINITY_LOG_LEVEL, "error");
    }

    static final String HEADER = "header";
    static final String COMPLETE = "complete";
    static final String CHECKPOINTS = "checkpoints";
    private static final Pattern VCPU_DIR = Pattern.compile("vcpu-(0|[1-9][0-9]{0,5})");

    static Path vcpuDir(Path recording, int vcpu) {
        return recording.resolve("vcpu-" + vcpu);
    }

    /** The vCPU id of a queue directory's name, or -1 if it is not one. */
    static int vcpuOf(Path dir) {
        Matcher m = VCPU_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * One vCPU's queue. Large daily cycles: a recording normally stays in one file per vCPU, with
     * room for 2^32 events a day. Blocks of {@link #BLOCK_SIZE}: a queue file is preallocated
     * in blocks (sparse, but a copy or a git checkout writes every byte), and a small recording
     * should be small (Chronicle's default, 64 MiB, made 80 MB files).
     */
    static SingleChronicleQueue queue(Path dir, boolean readOnly) {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(LargeRollCycles.LARGE_DAILY).blockSize(BLOCK_SIZE)
                .readOnly(readOnly).build();
    }

    /** Chronicle's block (the file grows by blocks; one excerpt is at most a quarter of one). */
    static final long BLOCK_SIZE = 1 << 20;

    /**
     * Writes {@code bytes} to {@code target} so that a reader sees the old file or the whole new one,
     * never a part: a temporary file beside it, forced to disk, then renamed over it.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
