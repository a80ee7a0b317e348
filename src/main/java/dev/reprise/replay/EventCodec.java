package dev.reprise.replay;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesOut;

import java.util.ArrayList;
import java.util.List;

/**
 * The binary encoding of one {@link Event} inside a queue excerpt (docs/log-format.md):
 * tag byte, icount, pc, digest (8 bytes little-endian), then the kind's fields. Unsigned numbers
 * are stop-bit varints (7 bits a byte, high bit = more follows); signed ones are zigzag-mapped
 * first so that small negatives (-errno) stay short.
 *
 * <p>A system call whose memory writes exceed {@link #MAX_INLINE} bytes (a big read, a file
 * mapped in) would not fit one excerpt: its writes go first, in {@link #DATA} excerpts of at most
 * {@link #CHUNK} bytes each, and the SYSCALL excerpt follows with no writes of its own.
 */
final class EventCodec {
    private EventCodec() {}

    /** The tag of a piece of the next SYSCALL's memory writes (not an event of its own). */
    static final int DATA = 7;
    /** Memory-write bytes above which a SYSCALL's writes go in DATA excerpts (Chronicle caps an excerpt at a quarter of its block, {@link Layout#BLOCK_SIZE}). */
    static final int MAX_INLINE = 128 << 10;
    static final int CHUNK = 128 << 10;

    /** Bytes of memory writes in {@code s}. */
    static long writtenBytes(Event.Syscall s) {
        long n = 0;
        for (Event.MemoryWrite w : s.writes()) n += w.length();
        return n;
    }

    /** A DATA excerpt: {@code length} bytes at {@code address}; {@code continues}: the same write as the previous DATA. */
    static void writeData(long address, byte[] bytes, int offset, int length, boolean continues, BytesOut<?> out) {
        out.writeByte((byte) DATA);
        out.writeByte((byte) (continues ? 1 : 0));
        out.writeStopBit(address);
        out.writeStopBit(length);
        out.write(bytes, offset, length);
    }

    /** Reads a DATA excerpt's body (its tag already read) into {@code writes}, joining a continued write to the last one. */
    static void readData(BytesIn<?> in, List<Event.MemoryWrite> writes) {
        int flags = in.readUnsignedByte();
        if ((flags & ~1) != 0) throw new IllegalArgumentException("bad data flags " + flags);
        long address = in.readStopBit();
        byte[] bytes = new byte[count(in)];
        in.read(bytes);
        if (in.readRemaining() != 0) throw new IllegalArgumentException(in.readRemaining() + " stray bytes after data");
        if ((flags & 1) != 0) {
            if (writes.isEmpty()) throw new IllegalArgumentException("data continues nothing");
            Event.MemoryWrite last = writes.removeLast();
            if (last.address() + last.length() != address) throw new IllegalArgumentException("data does not continue its write");
            byte[] joined = java.util.Arrays.copyOf(last.bytes(), last.length() + bytes.length);
            System.arraycopy(bytes, 0, joined, last.length(), bytes.length);
            bytes = joined;
            address = last.address();
        }
        writes.add(new Event.MemoryWrite(address, bytes));
    }

    static void write(Event e, BytesOut<?> out) {
        out.writeByte((byte) e.kind().tag);
        out.writeStopBit(e.icount());
        out.writeStopBit(e.pc());
        out.writeLong(e.digest());
        switch (e) {
            case Event.Transfer t -> {
                out.writeByte((byte) ((t.exclusive() ? 2 : 0) | switch (t.target()) {
                    case GRANULE -> 0;
                    case RESOURCE -> 1;
                    case LINE -> 4;
                    case WORD -> 8;
                }));
                out.writeStopBit(t.id());
                out.writeStopBit(t.holders().size());
                for (Event.Holder h : t.holders()) {
                    out.writeStopBit(h.vcpu());
                    out.writeStopBit(h.icount());
                }
            }
            case Event.Release r -> { }
            case Event.Syscall s -> {
                out.writeStopBit(s.number());
                out.writeStopBit(zigzag(s.result()));
                out.writeStopBit(s.writes().size());
                for (Event.MemoryWrite w : s.writes()) {
                    out.writeStopBit(w.address());
                    byte[] bytes = w.bytes();
                    out.writeStopBit(bytes.length);
                    out.write(bytes);
                }
            }
            case Event.Clone c -> {
                out.writeStopBit(c.childVcpu());
                out.writeStopBit(c.tid());
            }
            case Event.Signal s -> {
                Event.SignalInfo i = s.info();
                out.writeStopBit(i.signo());
                out.writeStopBit(zigzag(i.code()));
                out.writeStopBit(i.address());
                out.writeStopBit(i.pid());
                out.writeStopBit(i.uid());
            }
            case Event.Exit x -> out.writeStopBit(zigzag(x.status()));
        }
    }

    /** Decodes one event. @throws IllegalArgumentException for an unknown tag or a malformed body */
    static Event read(BytesIn<?> in) {
        int tag = in.readUnsignedByte();
        long icount = in.readStopBit(), pc = in.readStopBit(), digest = in.readLong();
        Event e = switch (tag) {
            case 1 -> {
                int flags = in.readUnsignedByte();
                Event.Target target = switch (flags & ~2) {
                    case 0 -> Event.Target.GRANULE;
                    case 1 -> Event.Target.RESOURCE;
                    case 4 -> Event.Target.LINE;
                    case 8 -> Event.Target.WORD;
                    default -> throw new IllegalArgumentException("bad transfer flags " + flags);
                };
                long id = in.readStopBit();
                int n = count(in);
                List<Event.Holder> holders = new ArrayList<>(n);
                for (int i = 0; i < n; i++) holders.add(new Event.Holder(toInt(in.readStopBit()), in.readStopBit()));
                yield new Event.Transfer(icount, pc, digest, target,
                        id, (flags & 2) != 0, holders);
            }
            case 2 -> new Event.Release(icount, pc, digest);
            case 3 -> {
                int number = toInt(in.readStopBit());
                long result = unzigzag(in.readStopBit());
                int n = count(in);
                List<Event.MemoryWrite> writes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long address = in.readStopBit();
                    byte[] bytes = new byte[count(in)];
                    in.read(bytes);
                    writes.add(new Event.MemoryWrite(address, bytes));
                }
                yield new Event.Syscall(icount, pc, digest, number, result, writes);
            }
            case 4 -> new Event.Clone(icount, pc, digest, toInt(in.readStopBit()), toInt(in.readStopBit()));
            case 5 -> new Event.Signal(icount, pc, digest, new Event.SignalInfo(toInt(in.readStopBit()),
                    toInt(unzigzag(in.readStopBit())), in.readStopBit(), toInt(in.readStopBit()), toInt(in.readStopBit())));
            case 6 -> new Event.Exit(icount, pc, digest, toInt(unzigzag(in.readStopBit())));
            default -> throw new IllegalArgumentException("unknown event tag " + tag);
        };
        if (in.readRemaining() != 0) throw new IllegalArgumentException(in.readRemaining() + " stray bytes after a " + e.kind() + " event");
        return e;
    }

    /** A length or count: must fit what is left of the excerpt (a corrupted varint must not allocate gigabytes). */
    private static int count(BytesIn<?> in) {
        long n = in.readStopBit();
        if (n < 0 || n > in.readRemaining()) throw new IllegalArgumentException("bad length " + n);
        return (int) n;
    }

    private static int toInt(long v) {
        if (v != (int) v) throw new IllegalArgumentException("value out of range: " + v);
        return (int) v;
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
