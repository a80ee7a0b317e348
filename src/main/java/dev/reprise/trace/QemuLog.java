package dev.reprise.trace;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the per-instruction CPU states that {@code qemu-riscv64 -singlestep -d cpu[,fpu],nochain}
 * writes: one block per executed instruction, the state BEFORE it, as
 * {@code " pc <hex>"} followed by lines of {@code "xN/abi <hex>"} (and {@code "fN/abi <hex>"} with fpu)
 * pairs. Streams, so logs larger than memory work. Lines it does not know (QEMU's own messages, other
 * CSRs) are skipped.
 */
public final class QemuLog implements Closeable {
    /** One CPU state: pc, x0..x31 and, when the log has them, f0..f31 (else null). */
    public record State(long pc, long[] x, long[] f) {}

    private final BufferedReader in;
    private String pending;
    private long line;

    public QemuLog(Path file) throws IOException {
        this.in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
    }

    /** The next state, or null at the end of the log. */
    public State next() throws IOException {
        String l = pending != null ? pending : readLine();
        pending = null;
        while (l != null && !l.startsWith(" pc ")) l = readLine();
        if (l == null) return null;
        long pc = Long.parseUnsignedLong(l.substring(4).trim(), 16);
        long[] x = new long[32];
        long[] f = null;
        while ((l = readLine()) != null && !l.startsWith(" pc ")) {
            String[] tokens = l.trim().split("\\s+");
            for (int i = 0; i + 1 < tokens.length; i += 2) {
                String reg = tokens[i];
                int slash = reg.indexOf('/');
                if (slash < 2) continue;
                char kind = reg.charAt(0);
                if (kind != 'x' && kind != 'f') continue;
                int n;
                try {
                    n = Integer.parseInt(reg.substring(1, slash));
                } catch (NumberFormatException e) {
                    continue;
                }
                long v = Long.parseUnsignedLong(tokens[i + 1], 16);
                if (kind == 'x') {
                    x[n] = v;
                } else {
                    if (f == null) f = new long[32];
                    f[n] = v;
                }
            }
        }
        pending = l;
        return new State(pc, x, f);
    }

    /** The log line number last read (for messages). */
    public long lineNumber() {
        return line;
    }

    private String readLine() throws IOException {
        String l = in.readLine();
        if (l != null) line++;
        return l;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
