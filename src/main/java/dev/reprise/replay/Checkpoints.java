package dev.reprise.replay;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.reprise.linux.FileTable;
import dev.reprise.linux.Host;
import dev.reprise.linux.MemoryManager;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.mem.AddressSpace;
import dev.reprise.mem.Mmu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import java.util.zip.CRC32;

/**
 * Captures a {@link Checkpoint} from a stopped process, restores one into a fresh process, and
 * stores it as a file {@code checkpoints/checkpoint-NNNNNN} of a recording: magic, version,
 * length, a Kryo payload written by one registered serializer, CRC-32 (docs/log-format.md).
 *
 * <p>Threading: capture and restore require every vCPU of the process to be stopped (a consistent
 * cut); nothing here is shared between calls (each makes its own Kryo, which is not thread-safe).
 */
public final class Checkpoints {
    private Checkpoints() {}

    static final byte[] MAGIC = "RPRSCKP\n".getBytes(StandardCharsets.US_ASCII);
    /** Kryo's registration id of {@link Checkpoint}: part of the format. */
    private static final int KRYO_ID = 100;
    private static final int PAGE = (int) AddressSpace.PAGE_SIZE;

    /** Captures the machine; {@code vcpus} maps vCPU ids to their (stopped) tasks. */
    public static Checkpoint capture(long sequence, Process process, SortedMap<Integer, Task> vcpus) {
        List<Checkpoint.VcpuState> states = new ArrayList<>();
        vcpus.forEach((id, task) -> states.add(Checkpoint.VcpuState.of(id, task)));
        return capture(sequence, process, states, List.of());
    }

    /**
     * Captures the machine with the vCPU states given (taken by each vCPU when it stopped, or at
     * the ecall of the system call it is in) and where each vCPU's log stands (the recorder's cut).
     */
    static Checkpoint capture(long sequence, Process process, List<Checkpoint.VcpuState> states, List<Checkpoint.LogPosition> logs) {
        MemoryManager.State map = process.memory.state();
        List<Checkpoint.Mapping> mappings = new ArrayList<>();
        List<Checkpoint.Page> pages = new ArrayList<>();
        byte[] buf = new byte[PAGE];
        for (MemoryManager.Vma v : map.vmas()) {
            mappings.add(new Checkpoint.Mapping(v.start(), v.end(), v.prot(), v.file(), v.name()));
            BitSet data = process.space.pagesWithData(v.start(), v.end());   // skips what was never touched without reading it
            for (int i = data.nextSetBit(0); i >= 0; i = data.nextSetBit(i + 1)) {
                long a = v.start() + (long) i * PAGE;
                process.space.read(a, buf, 0, PAGE);   // ignores guest rights: PROT_NONE pages keep contents too
                if (!allZero(buf)) pages.add(new Checkpoint.Page(a, buf));
            }
        }
        List<Checkpoint.OpenFile> files = new ArrayList<>();
        for (FileTable.Entry e : process.files.entries()) files.add(openFile(e));
        return new Checkpoint(sequence, states, new Checkpoint.KernelState(map.brkStart(), map.brk(), map.nextStart(),
                map.sigreturnTrampoline(), mappings, files, process.signalDispositions(), process.nextTid()), pages, logs);
    }

    /**
     * Restores memory and kernel state into {@code fresh}, a new process with nothing mapped and
     * the standard fds 0-2 only; the caller creates the tasks ({@link Task#restored} with each
     * vCPU's tid) and restores each with {@link Checkpoint.VcpuState#restoreInto}. Regular files are reopened at their path and offset;
     * returns the fds that could not be (pipes, sockets, deleted or moved files), which stay closed.
     */
    public static List<Checkpoint.OpenFile> restore(Checkpoint c, Process fresh) {
        Checkpoint.KernelState k = c.kernel();
        List<MemoryManager.Vma> vmas = new ArrayList<>();
        for (Checkpoint.Mapping m : k.mappings()) vmas.add(new MemoryManager.Vma(m.start(), m.end(), m.prot(), m.file(), m.name()));
        fresh.memory.restore(new MemoryManager.State(vmas, k.brkStart(), k.brk(), k.mmapNext(), k.sigreturnTrampoline()));
        for (Checkpoint.Page p : c.pages()) fresh.space.write(p.address(), p.bytes(), 0, PAGE);
        fresh.restoreSignalDispositions(k.signals());
        fresh.restoreNextTid(k.nextTid());
        List<Checkpoint.OpenFile> skipped = new ArrayList<>();
        for (Checkpoint.OpenFile f : k.files()) {
            if (f.fd() < 3) continue;   // the fresh process's stdio stands in for the recorded one
            if (!reopen(f, fresh.files)) skipped.add(f);
        }
        return skipped;
    }

    private static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_CLOEXEC = 02000000, AT_FDCWD = -100;

    private static boolean reopen(Checkpoint.OpenFile f, FileTable table) {
        if (!f.path().startsWith("/") || f.path().endsWith(" (deleted)") || !Files.isRegularFile(Path.of(f.path()))) return false;
        int host = Host.openat(AT_FDCWD, f.path(), f.flags() & ~(O_CREAT | O_EXCL | O_TRUNC) | O_CLOEXEC, 0);
        if (host < 0) return false;
        if (Host.lseek(host, f.offset(), 0) != f.offset() || table.isOpen(f.fd())) {
            Host.close(host);
            return false;
        }
        return table.install(host, f.closeOnExec(), f.fd()) == f.fd();
    }

    /** What the host knows of a guest fd's file, through procfs. */
    private static Checkpoint.OpenFile openFile(FileTable.Entry e) {
        String path = "";
        long offset = 0;
        int flags = 0;
        try {
            path = Files.readSymbolicLink(Path.of("/proc/self/fd/" + e.hostFd())).toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + e.hostFd()))) {
                if (line.startsWith("pos:")) offset = Long.parseLong(line.substring(4).trim());
                if (line.startsWith("flags:")) flags = Integer.parseInt(line.substring(6).trim(), 8);
            }
        } catch (IOException | RuntimeException ex) {
            // Closed meanwhile by another JVM thread, or no procfs: keep what we have.
        }
        return new Checkpoint.OpenFile(e.fd(), path, offset, flags, e.closeOnExec());
    }

    private static boolean allZero(byte[] b) {
        return Arrays.mismatch(b, ZEROS) < 0;
    }

    private static final byte[] ZEROS = new byte[PAGE];

    // ---- files -------------------------------------------------------------------------------------

    static Path file(Path recording, Checkpoint c) {
        return recording.resolve(Layout.CHECKPOINTS).resolve(String.format("checkpoint-%06d", c.sequence()));
    }

    /** The checkpoint files of a recording, by sequence. */
    static List<Path> list(Path recording) {
        Path dir = recording.resolve(Layout.CHECKPOINTS);
        if (!Files.isDirectory(dir)) return List.of();
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("checkpoint-[0-9]{6,}")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The oldest checkpoint version this build reads: version 3 lacks the excerpt counts, which replay can do without. */
    static final int OLDEST_READABLE = 3;

    /**
     * Reads a checkpoint file. @throws RecordingException (Missing, Foreign, VersionMismatch,
     * Truncated, Corrupted) as {@link RecordingReader#open} does for a header
     */
    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RecordingException.Missing(file + ": no such checkpoint");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int version = checkPrefix(file, bytes, bytes.length);
        int length = ByteBuffer.wrap(bytes).getInt(12);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length - 4);
        if (bytes.length > length || (int) crc.getValue() != ByteBuffer.wrap(bytes).getInt(length - 4)) {
            throw new RecordingException.Corrupted(file + ": corrupted checkpoint (checksum mismatch)", null);
        }
        try (Input in = new Input(bytes, 16, length - 20)) {
            return kryo(version).readObject(in, Checkpoint.class);
        } catch (KryoException | IllegalArgumentException e) {
            throw new RecordingException.Corrupted(file + ": corrupted checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads only a checkpoint's number and log positions, which come before its memory image in
     * the file: the first kilobytes, not megabytes of pages (choosing a checkpoint to seek to
     * reads every file's). The checksum covers the whole file, so it is not checked here: the full
     * {@link #read} of the checkpoint chosen checks it. @throws RecordingException as {@link #read}
     * (Corrupted only for what the part read shows)
     */
    public static Checkpoint.Logs readLogs(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (int want = 16 << 10; ; want *= 4) {
                int n = (int) Math.min(size, want);
                ByteBuffer buf = ByteBuffer.allocate(n);
                while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) { }
                byte[] prefix = buf.array();
                int version = checkPrefix(file, prefix, size);
                int payload = ByteBuffer.wrap(prefix).getInt(12) - 20;
                boolean whole = n >= payload + 16;
                try (Input in = new Input(prefix, 16, Math.min(n - 16, payload))) {
                    return CheckpointSerializer.readLogs(in, version);
                } catch (KryoException | IllegalArgumentException e) {
                    // Ran off the part read (or a count looked larger than it): read more; only the whole payload is conclusive.
                    if (whole) throw new RecordingException.Corrupted(file + ": corrupted checkpoint (" + e.getMessage() + ")", e);
                }
            }
        } catch (NoSuchFileException e) {
            throw new RecordingException.Missing(file + ": no such checkpoint");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks what every version of a checkpoint starts with — magic, version, length (against the
     * file's {@code size}) — and returns the version. {@code bytes} holds at least the file's first 16 bytes or all of it.
     */
    private static int checkPrefix(Path file, byte[] bytes, long size) {
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new RecordingException.Foreign(file + ": not a Reprise checkpoint");
        }
        if (bytes.length < 16) throw new RecordingException.Truncated(file + ": truncated checkpoint");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int version = b.getInt(8), length = b.getInt(12);
        if (version < OLDEST_READABLE || version > RecordingHeader.FORMAT_VERSION) {
            // Version 2 checkpoints (never written by a recorder) lack the log positions replay needs.
            throw new RecordingException.VersionMismatch(file + ": checkpoint format version " + version + ", this Reprise reads"
                    + " checkpoints of version " + RecordingHeader.FORMAT_VERSION + " (and " + OLDEST_READABLE + " to "
                    + (RecordingHeader.FORMAT_VERSION - 1) + ")", version);
        }
        if (length < 20) throw new RecordingException.Corrupted(file + ": corrupted checkpoint (length " + length + ")", null);
        if (size < length) throw new RecordingException.Truncated(file + ": truncated checkpoint (" + size + " of " + length + " bytes)");
        if (size > length) throw new RecordingException.Corrupted(file + ": corrupted checkpoint (checksum mismatch)", null);
        return version;
    }

    static byte[] encode(Checkpoint c) {
        return encode(c, RecordingHeader.FORMAT_VERSION);
    }

    /** {@code c} in format {@code version} (an older one only for the compatibility tests). */
    static byte[] encode(Checkpoint c, int version) {
        Output out = new Output(1 << 16, -1);
        out.write(MAGIC);
        out.writeInt(0);   // version, length and CRC are patched below, big-endian as in the header
        out.writeInt(0);
        kryo(version).writeObject(out, c);
        out.writeInt(0);
        byte[] bytes = out.toBytes();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putInt(8, version);
        b.putInt(12, bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        b.putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    /** A Kryo for checkpoints of format {@code version} (this build writes {@link RecordingHeader#FORMAT_VERSION}). */
    private static Kryo kryo(int version) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);   // no class names in files: the serializer below is the format
        kryo.register(Checkpoint.class, new CheckpointSerializer(version), KRYO_ID);
        return kryo;
    }

    /** The payload, field by field; varints for counts and small numbers, fixed 8 bytes for registers. */
    private static final class CheckpointSerializer extends Serializer<Checkpoint> {
        /** The format version read or written: version 4 adds each log position's excerpt count. */
        private final int version;

        CheckpointSerializer(int version) {
            this.version = version;
        }

        @Override
        public void write(Kryo kryo, Output out, Checkpoint c) {
            out.writeVarLong(c.sequence(), true);
            out.writeVarInt(c.vcpus().size(), true);
            for (Checkpoint.VcpuState v : c.vcpus()) {
                out.writeVarInt(v.vcpu(), true);
                out.writeVarInt(v.tid(), true);
                out.writeLongs(v.x(), 0, 32);
                out.writeLongs(v.f(), 0, 32);
                out.writeLong(v.pc());
                out.writeVarInt(v.frm(), true);
                out.writeVarInt(v.fflags(), true);
                out.writeVarLong(v.icount(), true);
                Task.ThreadState t = v.thread();
                out.writeLong(t.clearChildTid());
                out.writeLong(t.robustList());
                out.writeLong(t.robustListLength());
                out.writeLong(t.signalMask());
                out.writeLong(t.altStackBase());
                out.writeLong(t.altStackSize());
                Mmu.Reservation r = v.reservation();
                out.writeBoolean(r != null);
                if (r != null) {
                    out.writeLong(r.address());
                    out.writeVarInt(r.size(), true);
                    out.writeLong(r.value());
                }
            }
            out.writeVarInt(c.logs().size(), true);
            for (Checkpoint.LogPosition p : c.logs()) {
                out.writeVarInt(p.vcpu(), true);
                out.writeVarLong(p.events(), true);
                out.writeVarLong(p.position(), true);
                out.writeBoolean(p.ended());
                out.writeLong(p.registerDigest());
                if (version >= 4) out.writeVarLong(p.excerpts(), false);   // zigzag: -1 (unknown) is one byte
            }
            Checkpoint.KernelState k = c.kernel();
            out.writeVarLong(k.brkStart(), true);
            out.writeVarLong(k.brk(), true);
            out.writeVarLong(k.mmapNext(), true);
            out.writeVarLong(k.sigreturnTrampoline(), true);
            out.writeVarInt(k.mappings().size(), true);
            for (Checkpoint.Mapping m : k.mappings()) {
                out.writeVarLong(m.start(), true);
                out.writeVarLong(m.end(), true);
                out.writeVarInt(m.prot(), true);
                out.writeBoolean(m.file());
                out.writeString(m.name());   // Kryo strings may be null
            }
            out.writeVarInt(k.files().size(), true);
            for (Checkpoint.OpenFile f : k.files()) {
                out.writeVarInt(f.fd(), true);
                out.writeString(f.path());
                out.writeVarLong(f.offset(), true);
                out.writeVarInt(f.flags(), true);
                out.writeBoolean(f.closeOnExec());
            }
            out.writeVarInt(k.signals().size(), true);
            for (Process.SignalDisposition d : k.signals()) {
                out.writeVarInt(d.signo(), true);
                out.writeLong(d.handler());
                out.writeLong(d.flags());
                out.writeLong(d.mask());
            }
            out.writeVarInt(k.nextTid(), true);
            out.writeVarInt(c.pages().size(), true);
            for (Checkpoint.Page p : c.pages()) {
                out.writeVarLong(p.address(), true);
                out.writeBytes(p.bytes());
            }
        }

        @Override
        public Checkpoint read(Kryo kryo, Input in, Class<? extends Checkpoint> type) {
            long sequence = in.readVarLong(true);
            List<Checkpoint.VcpuState> vcpus = readVcpus(in);
            List<Checkpoint.LogPosition> logs = readPositions(in, version);
            long brkStart = in.readVarLong(true), brk = in.readVarLong(true), next = in.readVarLong(true), tramp = in.readVarLong(true);
            List<Checkpoint.Mapping> mappings = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                mappings.add(new Checkpoint.Mapping(in.readVarLong(true), in.readVarLong(true), in.readVarInt(true), in.readBoolean(),
                        in.readString()));
            }
            List<Checkpoint.OpenFile> files = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                files.add(new Checkpoint.OpenFile(in.readVarInt(true), in.readString(), in.readVarLong(true), in.readVarInt(true),
                        in.readBoolean()));
            }
            List<Process.SignalDisposition> signals = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                signals.add(new Process.SignalDisposition(in.readVarInt(true), in.readLong(), in.readLong(), in.readLong()));
            }
            int nextTid = in.readVarInt(true);
            List<Checkpoint.Page> pages = new ArrayList<>();
            for (int i = count(in); i > 0; i--) pages.add(new Checkpoint.Page(in.readVarLong(true), in.readBytes(PAGE)));
            if (in.position() != in.limit()) throw new IllegalArgumentException("stray bytes after the checkpoint");
            return new Checkpoint(sequence, vcpus, new Checkpoint.KernelState(brkStart, brk, next, tramp, mappings, files, signals, nextTid),
                    pages, logs);
        }

        /** The start of the payload only: sequence, vCPU states (read and dropped), log positions. */
        static Checkpoint.Logs readLogs(Input in, int version) {
            long sequence = in.readVarLong(true);
            readVcpus(in);
            return new Checkpoint.Logs(sequence, readPositions(in, version));
        }

        private static List<Checkpoint.VcpuState> readVcpus(Input in) {
            List<Checkpoint.VcpuState> vcpus = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                int vcpu = in.readVarInt(true), tid = in.readVarInt(true);
                long[] x = in.readLongs(32), f = in.readLongs(32);
                long pc = in.readLong();
                int frm = in.readVarInt(true), fflags = in.readVarInt(true);
                long icount = in.readVarLong(true);
                Task.ThreadState thread = new Task.ThreadState(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                        in.readLong());
                Mmu.Reservation r = in.readBoolean() ? new Mmu.Reservation(in.readLong(), in.readVarInt(true), in.readLong()) : null;
                vcpus.add(new Checkpoint.VcpuState(vcpu, tid, x, f, pc, frm, fflags, icount, thread, r));
            }
            return vcpus;
        }

        private static List<Checkpoint.LogPosition> readPositions(Input in, int version) {
            List<Checkpoint.LogPosition> logs = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                int vcpu = in.readVarInt(true);
                long events = in.readVarLong(true), position = in.readVarLong(true);
                boolean ended = in.readBoolean();
                long digest = in.readLong();
                long excerpts = version >= 4 ? in.readVarLong(false) : -1;
                if (excerpts < -1 || excerpts >= 0 && excerpts < events) throw new IllegalArgumentException("bad excerpt count " + excerpts);
                logs.add(new Checkpoint.LogPosition(vcpu, events, position, ended, digest, excerpts));
            }
            return logs;
        }

        /** A count that fits what is left: a corrupted varint must not allocate gigabytes. */
        private static int count(Input in) {
            int n = in.readVarInt(true);
            if (n < 0 || n > in.limit() - in.position()) throw new IllegalArgumentException("bad count " + n);
            return n;
        }
    }
}
