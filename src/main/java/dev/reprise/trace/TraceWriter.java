package dev.reprise.trace;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes a trace file: a header, then per vCPU a stream of records, cut into chunks so that every
 * vCPU thread fills its own buffer and takes the file's lock only to append a whole chunk.
 *
 * <p>File layout (all integers LEB128 varints, signed ones zigzag-encoded):
 * <pre>
 *   "reprise-trace\n"  version  engine  program  argc argv...  loadBias      (strings: length, UTF-8)
 *   ( 'C' vcpu length payload )*                                           chunks of records
 *   'Z'                                                                    the trace is complete
 * </pre>
 * Records never straddle chunks. A record starts with a tag byte: kind in bits 0-1
 * ({@link #INSN}, {@link #CHANGE}, {@link #STATE}); for INSN and CHANGE bit 2 says the pc is
 * given (as a delta from the expected one; else it is the fall-through), bit 3 that the icount is
 * given (INSN; else it is the previous + 1), bits 4-7 the number of effects (15: more follow as a
 * varint). Then the icount, the pc, the instruction's 2 or 4 bytes (INSN), and the effects: a byte
 * {@code type << 5 | reg} and the value: x as a zigzag delta from the register's old value, f as
 * the XOR with its old value, fcsr plain, memory as a zigzag delta from the previous address plus
 * (stores) the value. A STATE record holds icount, pc, x1..x31, f0..f31 and fcsr in full.
 */
public final class TraceWriter implements Closeable {
    static final byte[] MAGIC = "reprise-trace\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int INSN = 0, CHANGE = 1, STATE = 2;
    static final int PC_GIVEN = 4, ICOUNT_GIVEN = 8;
    static final byte CHUNK = 'C', END = 'Z';
    /** A vCPU appends its buffer once it holds this much. */
    private static final int CHUNK_SIZE = 1 << 16;

    private final Path file;
    private final OutputStream out;
    private final List<Vcpu> open = new ArrayList<>();
    private boolean closed;
    /** The first write that failed (disk full): the vCPUs run on, and close() reports it. */
    private IOException failure;

    public TraceWriter(Path file, TraceHeader header) throws IOException {
        this.file = file;
        try {
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TraceFileException(file, "cannot write: No such file or directory");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new TraceFileException(file, "cannot write: Permission denied");
        } catch (IOException e) {
            throw new TraceFileException(file, "cannot write: " + e.getMessage());
        }
        Buffer h = new Buffer();
        h.bytes(MAGIC, MAGIC.length);
        h.varint(VERSION);
        h.string(header.engine());
        h.string(header.program());
        h.varint(header.argv().size());
        for (String a : header.argv()) h.string(a);
        h.varint(header.loadBias());
        write(h.data, h.size);
    }

    private void write(byte[] data, int size) {
        if (failure != null) return;
        try {
            out.write(data, 0, size);
        } catch (IOException e) {
            failure = e;
        }
    }

    /** The encoder for vCPU {@code vcpu}'s stream; use it from one thread, and {@link Vcpu#end} it. */
    public synchronized Vcpu vcpu(int vcpu) {
        Vcpu v = new Vcpu(vcpu);
        open.add(v);
        return v;
    }

    private synchronized void append(Vcpu v, boolean last) {
        if (closed) return; // a thread that outlived the close: its tail is dropped, never half-written
        if (v.buffer.size > 0) {
            Buffer frame = new Buffer();
            frame.data[frame.size++] = CHUNK;
            frame.varint(v.id);
            frame.varint(v.buffer.size);
            write(frame.data, frame.size);
            write(v.buffer.data, v.buffer.size);
            v.buffer.size = 0;
        }
        if (last) {
            open.remove(v);
            notifyAll();
        }
    }

    /**
     * Completes the file. Waits (briefly) for vCPUs that have not ended yet; what they did not append
     * by then is left out, so the file never holds half a record. A failed write is reported here,
     * and the file then lacks its end marker: readers call it truncated.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (!open.isEmpty() && System.nanoTime() < deadline) wait(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        write(new byte[] {END}, 1);
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) failure = e;
        }
        if (failure != null) throw new TraceFileException(file, "cannot write: " + failure.getMessage());
    }

    /** One vCPU's record encoder: keeps the state that deltas are taken against. One thread only. */
    public final class Vcpu extends TraceState {
        final int id;
        private final Buffer buffer = new Buffer();
        /** The effects of the record being built, and how many. */
        private final Buffer effects = new Buffer();
        private int effectCount;
        private int kind;
        private long recordIcount, recordPc;
        private int recordBits;

        Vcpu(int id) {
            this.id = id;
        }

        /** A full register state: where the stream starts (or restarts). */
        public void state(long icount, long pc, long[] x, long[] f, int fcsr) {
            buffer.tag(STATE);
            buffer.varint(icount);
            buffer.varint(pc);
            for (int r = 1; r < 32; r++) buffer.varint(x[r]);
            for (int r = 0; r < 32; r++) buffer.varint(f[r]);
            buffer.varint(fcsr);
            this.icount = icount;
            this.pc = pc;
            System.arraycopy(x, 0, this.x, 0, 32);
            this.x[0] = 0;
            System.arraycopy(f, 0, this.f, 0, 32);
            this.fcsr = fcsr;
            flushIfFull();
        }

        /** Starts the record of the instruction {@code bits} at {@code pc} that retired as number {@code icount}. */
        public void instruction(long icount, long pc, int bits) {
            begin(INSN, icount, pc, bits);
        }

        /** Starts the record of a change without an instruction (signal delivery) that leaves pc at {@code pc}. */
        public void change(long pc) {
            begin(CHANGE, icount, pc, 0);
        }

        private void begin(int kind, long icount, long pc, int bits) {
            this.kind = kind;
            recordIcount = icount;
            recordPc = pc;
            recordBits = bits;
            effects.size = 0;
            effectCount = 0;
        }

        public void x(int r, long value) {
            effect(Step.X, r);
            effects.zigzag(value - x[r]);
            x[r] = value;
        }

        public void f(int r, long value) {
            effect(Step.F, r);
            effects.varint(value ^ f[r]);
            f[r] = value;
        }

        public void fcsr(int value) {
            effect(Step.FCSR, 0);
            effects.varint(value);
            fcsr = value;
        }

        /** A store of {@code size} bytes (1, 2, 4, 8) of {@code value} at {@code address}. */
        public void store(int size, long address, long value) {
            effect(Step.STORE, Long.numberOfTrailingZeros(size));
            effects.zigzag(address - lastAddress);
            effects.varint(size == 8 ? value : value & ((1L << 8 * size) - 1));
            lastAddress = address;
        }

        /** A load of {@code size} bytes at {@code address} (the value is the destination register's). */
        public void load(int size, long address) {
            effect(Step.LOAD, Long.numberOfTrailingZeros(size));
            effects.zigzag(address - lastAddress);
            lastAddress = address;
        }

        private void effect(int type, int reg) {
            effects.data(1);
            effects.data[effects.size++] = (byte) (type << 5 | reg);
            effectCount++;
        }

        /** Ends the record started by {@link #instruction} or {@link #change} and adds it to the stream. */
        public void finish() {
            int tag = kind | Math.min(effectCount, 15) << 4;
            boolean pcGiven = recordPc != pc, icountGiven = kind == INSN && recordIcount != icount;
            if (pcGiven) tag |= PC_GIVEN;
            if (icountGiven) tag |= ICOUNT_GIVEN;
            buffer.tag(tag);
            if (effectCount >= 15) buffer.varint(effectCount - 15);
            if (icountGiven) buffer.varint(recordIcount);
            if (pcGiven) buffer.zigzag(recordPc - pc);
            if (kind == INSN) {
                buffer.data(4);
                buffer.data[buffer.size++] = (byte) recordBits;
                buffer.data[buffer.size++] = (byte) (recordBits >>> 8);
                if ((recordBits & 3) == 3) {
                    buffer.data[buffer.size++] = (byte) (recordBits >>> 16);
                    buffer.data[buffer.size++] = (byte) (recordBits >>> 24);
                }
                icount = recordIcount + 1;
                pc = recordPc + ((recordBits & 3) == 3 ? 4 : 2);
            } else {
                pc = recordPc;
            }
            buffer.bytes(effects.data, effects.size);
            flushIfFull();
        }

        private void flushIfFull() {
            if (buffer.size >= CHUNK_SIZE) append(this, false);
        }

        /** The stream is complete (the thread ended or tracing stopped): appends what is buffered. */
        public void end() {
            append(this, true);
        }
    }

    /** A growable byte buffer with the varint encodings. */
    static final class Buffer {
        byte[] data = new byte[CHUNK_SIZE + 1024];
        int size;

        void data(int more) {
            if (size + more > data.length) data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, size + more));
        }

        void tag(int tag) {
            data(1);
            data[size++] = (byte) tag;
        }

        void varint(long v) {
            data(10);
            while ((v & ~0x7FL) != 0) {
                data[size++] = (byte) (v | 0x80);
                v >>>= 7;
            }
            data[size++] = (byte) v;
        }

        void zigzag(long v) {
            varint(v << 1 ^ v >> 63);
        }

        void bytes(byte[] b, int n) {
            data(n);
            System.arraycopy(b, 0, data, size, n);
            size += n;
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            bytes(b, b.length);
        }
    }
}
