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
 * CSRs) are skipped; a state without all 32 x registers, or a value that is not hex, is a
 * {@link TraceFileException} (a log cut short, or not a log).
 */
public final class QemuLog implements Closeable {
    /** One CPU state: pc, x0..x31 and, when the log has them, f0..f31 (else null). */
    public record State(long pc, long[] x, long[] f) {}

    private final Path file;
    private final BufferedReader in;
    private String pending;
    private long line;

    public QemuLog(Path file) throws IOException {
        this.file = file;
        try {
            this.in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TraceFileException(file, "No such file or directory");
        }
    }

    /** The next state, or null at the end of the log. */
    public State next() throws IOException {
        String l = pending != null ? pending : readLine();
        pending = null;
        while (l != null && !l.startsWith(" pc ")) l = readLine();
        if (l == null) return null;
        long start = line;
        long pc = hex(l.substring(4).trim());
        long[] x = new long[32];
        long[] f = null;
        int seen = 0, fseen = 0;
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
                if (n < 0 || n > 31) continue;
                if (tokens[i + 1].length() != 16) {
                    throw new TraceFileException(file, "truncated QEMU log (line " + line + ": a value of "
                            + tokens[i + 1].length() + " digits, not 16)");
                }
                long v = hex(tokens[i + 1]);
                if (kind == 'x') {
                    seen |= 1 << n;
                    x[n] = v;
                } else {
                    if (f == null) f = new long[32];
                    fseen |= 1 << n;
                    f[n] = v;
                }
            }
        }
        pending = l;
        if (seen != -1 || f != null && fseen != -1) throw new TraceFileException(file, "truncated QEMU log (the state at line " + start + " lacks registers)");
        return new State(pc, x, f);
    }

    private long hex(String s) throws TraceFileException {
        try {
            return Long.parseUnsignedLong(s, 16);
        } catch (NumberFormatException e) {
            throw new TraceFileException(file, "malformed QEMU log (line " + line + ": '" + s + "' is not hex)");
        }
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
