package dev.reprise.replay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The file {@code complete}, written last at a clean end: ASCII lines
 * {@code reprise recording complete}, {@code vcpus N}, then {@code vcpu ID events COUNT} per vCPU,
 * then {@code digest HEX}: the final {@link MachineDigest} (absent only when the writer had no run to digest).
 * Its presence says the recording is complete; the counts let a reader notice a queue that lost events.
 */
final class CompletionMarker {
    private CompletionMarker() {}

    static final String FIRST_LINE = "reprise recording complete";

    /** What the marker says: event count per vCPU id, and the final machine digest if the recorder wrote one. */
    record Contents(Map<Integer, Long> counts, java.util.OptionalLong digest) {}

    /** @throws RecordingException.Corrupted if the file does not parse */
    static Contents parse(byte[] bytes, Path file) {
        String[] lines = new String(bytes, StandardCharsets.US_ASCII).split("\n", -1);
        try {
            if (!lines[0].equals(FIRST_LINE) || !lines[1].startsWith("vcpus ")) throw new IllegalArgumentException("bad first lines");
            int n = Integer.parseInt(lines[1].substring(6));
            java.util.OptionalLong digest = java.util.OptionalLong.empty();
            if (lines.length == n + 4 && lines[n + 2].startsWith("digest ")) {
                digest = java.util.OptionalLong.of(Long.parseUnsignedLong(lines[n + 2].substring(7), 16));
            } else if (lines.length != n + 3) {
                throw new IllegalArgumentException("expected " + n + " vCPU lines");
            }
            if (!lines[lines.length - 1].isEmpty()) throw new IllegalArgumentException("no newline at the end");
            Map<Integer, Long> counts = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String[] f = lines[i + 2].split(" ");
                if (f.length != 4 || !f[0].equals("vcpu") || !f[2].equals("events")) throw new IllegalArgumentException("bad line " + lines[i + 2]);
                long count = Long.parseLong(f[3]);
                if (count < 0 || counts.put(Integer.parseInt(f[1]), count) != null) throw new IllegalArgumentException("bad line " + lines[i + 2]);
            }
            return new Contents(Collections.unmodifiableMap(counts), digest);
        } catch (RuntimeException e) {
            throw new RecordingException.Corrupted(file + ": corrupted completion marker (" + e.getMessage() + ")", e);
        }
    }
}
