package dev.reprise.trace;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads a trace file written by {@link TraceWriter}: the header, which vCPUs it has, and each
 * vCPU's records as a stream (constant memory: one buffer per open stream). Every problem with
 * the file is a {@link TraceFileException}.
 */
public final class TraceReader implements Closeable {
    private final Path file;
    private final TraceHeader header;
    /** Where the first chunk starts. */
    private final long chunksStart;
    private final List<Closeable> open = new ArrayList<>();

    public TraceReader(Path file) throws IOException {
        this.file = file;
        try (Input in = new Input(file, 0)) {
            byte[] magic = new byte[TraceWriter.MAGIC.length];
            for (int i = 0; i < magic.length; i++) magic[i] = (byte) in.byteOrEof();
            if (!Arrays.equals(magic, TraceWriter.MAGIC)) throw new TraceFileException(file, "not a Reprise trace");
            long version = in.varint();
            if (version != TraceWriter.VERSION) {
                throw new TraceFileException(file, "trace format version " + version + "; this reprise reads version "
                        + TraceWriter.VERSION);
            }
            String engine = in.string(), program = in.string();
            int argc = (int) in.varint();
            if (argc < 0 || argc > 1 << 16) throw in.corrupt();
            List<String> argv = new ArrayList<>();
            for (int i = 0; i < argc; i++) argv.add(in.string());
            header = new TraceHeader(engine, program, argv, in.varint());
            chunksStart = in.position();
        } catch (EOFException e) {
            throw new TraceFileException(file, Files.size(file) < TraceWriter.MAGIC.length
                    ? "not a Reprise trace" : "truncated trace (the header is cut short)");
        }
    }

    /** True if {@code file} starts as a Reprise trace does. */
    public static boolean isTrace(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(TraceWriter.MAGIC.length), TraceWriter.MAGIC);
        }
    }

    public TraceHeader header() {
        return header;
    }

    /** The vCPUs that have records, ascending. Reads the chunk frames (skipping their contents) to the end. */
    public List<Integer> vcpus() throws IOException {
        TreeSet<Integer> ids = new TreeSet<>();
        try (Input in = new Input(file, chunksStart)) {
            while (true) {
                int b = in.byteOrEof();
                if (b == TraceWriter.END) break;
                if (b != TraceWriter.CHUNK) throw in.corrupt();
                ids.add((int) in.varint());
                in.skip(in.varint());
            }
        } catch (EOFException e) {
            throw truncated();
        }
        return List.copyOf(ids);
    }

    /** A new stream over vCPU {@code vcpu}'s records. */
    public Stream stream(int vcpu) throws IOException {
        Stream s = new Stream(vcpu);
        open.add(s.in);
        return s;
    }

    TraceFileException truncated() {
        return new TraceFileException(file, "truncated trace (it ends before its end marker: the run was cut short?)");
    }

    @Override
    public void close() throws IOException {
        for (Closeable c : open) c.close();
    }

    /** One vCPU's records in order; {@link #state()} is the register state before the record last read. */
    public final class Stream {
        private final int vcpu;
        private final Input in;
        /** Bytes of the current chunk not read yet. */
        private long chunkLeft;
        private final TraceState state = new TraceState();
        /** The record last read (its effects are applied at the next call, so that state() is the state before it). */
        private final Step current = new Step();
        private boolean pending;

        Stream(int vcpu) throws IOException {
            this.vcpu = vcpu;
            this.in = new Input(file, chunksStart);
        }

        /** Registers before the instruction last returned by {@link #next} (after a STATE record: that state). */
        public TraceState state() {
            return state;
        }

        /** Reads the next record into {@code step}; false at the end of this vCPU's stream. */
        public boolean next(Step step) throws IOException {
            Step s = next();
            if (s != null) step.copyFrom(s);
            return s != null;
        }

        /** The next record, or null at the end; the stream reuses it, so it is valid until the next call. */
        public Step next() throws IOException {
            if (pending) apply(current);
            pending = false;
            try {
                if (!nextChunk()) return null;
                long before = in.position();
                read(current);
                chunkLeft -= in.position() - before;
                if (chunkLeft < 0) throw in.corrupt();
            } catch (EOFException e) {
                throw truncated();
            }
            current.vcpu = vcpu;
            pending = true;
            return current;
        }

        /** Moves to a chunk of this vCPU with bytes left; false at the end marker. */
        private boolean nextChunk() throws IOException {
            while (chunkLeft == 0) {
                int b = in.byteOrEof();
                if (b == TraceWriter.END) return false;
                if (b != TraceWriter.CHUNK) throw in.corrupt();
                int id = (int) in.varint();
                long length = in.varint();
                if (length <= 0) throw in.corrupt();
                if (id == vcpu) chunkLeft = length;
                else in.skip(length);
            }
            return true;
        }

        private void read(Step s) throws IOException {
            int tag = in.byteOrEof();
            int kind = tag & 3;
            s.clear();
            s.bits = 0;
            if (kind == TraceWriter.STATE) {
                s.kind = Step.Kind.STATE;
                state.icount = s.icount = in.varint();
                state.pc = s.pc = in.varint();
                for (int r = 1; r < 32; r++) state.x[r] = in.varint();
                for (int r = 0; r < 32; r++) state.f[r] = in.varint();
                state.fcsr = (int) in.varint();
                return;
            }
            if (kind != TraceWriter.INSN && kind != TraceWriter.CHANGE) throw in.corrupt();
            int count = tag >>> 4;
            if (count == 15) count += (int) in.varint();
            s.icount = (tag & TraceWriter.ICOUNT_GIVEN) != 0 ? in.varint() : state.icount;
            s.pc = (tag & TraceWriter.PC_GIVEN) != 0 ? state.pc + in.zigzag() : state.pc;
            if (kind == TraceWriter.INSN) {
                s.kind = Step.Kind.INSN;
                int lo = in.byteOrEof() | in.byteOrEof() << 8;
                s.bits = (lo & 3) != 3 ? lo : lo | in.byteOrEof() << 16 | in.byteOrEof() << 24;
            } else {
                s.kind = Step.Kind.CHANGE;
            }
            for (int e = 0; e < count; e++) {
                int b = in.byteOrEof();
                int type = b >>> 5, reg = b & 31;
                switch (type) {
                    case Step.X -> s.add(type, reg, state.x[reg] + in.zigzag(), 0);
                    case Step.F -> s.add(type, reg, state.f[reg] ^ in.varint(), 0);
                    case Step.FCSR -> s.add(type, 0, in.varint(), 0);
                    case Step.STORE, Step.LOAD -> {
                        if (reg > 3) throw in.corrupt();
                        long address = state.lastAddress += in.zigzag();
                        s.add(type, 1 << reg, type == Step.STORE ? in.varint() : 0, address);
                    }
                    default -> throw in.corrupt();
                }
            }
        }

        /** Applies a record's effects to the state: it becomes the state after that record. */
        private void apply(Step s) {
            if (s.kind == Step.Kind.STATE) return;
            for (int e = 0; e < s.count; e++) {
                switch (s.type[e]) {
                    case Step.X -> state.x[s.reg[e]] = s.value[e];
                    case Step.F -> state.f[s.reg[e]] = s.value[e];
                    case Step.FCSR -> state.fcsr = (int) s.value[e];
                    default -> { }
                }
            }
            if (s.kind == Step.Kind.INSN) {
                state.icount = s.icount + 1;
                state.pc = s.pc + ((s.bits & 3) == 3 ? 4 : 2);
            } else {
                state.pc = s.pc;
            }
        }
    }

    /** Buffered sequential reading with skips, over a FileChannel. */
    private final class Input implements Closeable {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        private final byte[] data = buffer.array();
        private int at, limit;
        /** File position of data[0]. */
        private long base;

        Input(Path file, long position) throws IOException {
            try {
                channel = FileChannel.open(file);
            } catch (NoSuchFileException e) {
                throw new TraceFileException(file, "No such file or directory");
            } catch (IOException e) {
                throw new TraceFileException(file, "cannot open: " + e.getMessage());
            }
            channel.position(position);
            base = position;
        }

        long position() {
            return base + at;
        }

        /** The next byte; EOFException at the end of the file. */
        int byteOrEof() throws IOException {
            if (at == limit && !fill()) throw new EOFException();
            return data[at++] & 0xFF;
        }

        private boolean fill() throws IOException {
            base += limit;
            at = limit = 0;
            buffer.clear();
            int n = channel.read(buffer);
            if (n <= 0) return false;
            limit = n;
            return true;
        }

        long varint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = byteOrEof();
                v |= (long) (b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
            throw corrupt();
        }

        long zigzag() throws IOException {
            long v = varint();
            return v >>> 1 ^ -(v & 1);
        }

        String string() throws IOException {
            long n = varint();
            if (n < 0 || n > 1 << 20) throw corrupt();
            byte[] b = new byte[(int) n];
            for (int i = 0; i < n; i++) b[i] = (byte) byteOrEof();
            return new String(b, StandardCharsets.UTF_8);
        }

        void skip(long n) throws IOException {
            if (n < 0) throw corrupt();
            if (n <= limit - at) {
                at += (int) n;
                return;
            }
            if (n > channel.size() - position()) throw new EOFException();
            long target = position() + n;
            channel.position(target);
            base = target;
            at = limit = 0;
        }

        TraceFileException corrupt() {
            return new TraceFileException(file, "corrupt trace (bad record at byte " + position() + ")");
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
