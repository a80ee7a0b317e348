package dev.reprise.replay;

import dev.reprise.linux.Exec;
import dev.reprise.linux.Host;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {
    static final Path ROOT = Path.of(System.getProperty("reprise.root", "."));
    /** glibc malloc with brk and mmap'd blocks: the map, brk and the mmap cursor all move. */
    static final Path PROGRAM = ROOT.resolve("guest-tests/bin/malloc_heavy");

    @TempDir
    Path tmp;

    static Options options() {
        return new Options(PROGRAM, List.of("malloc_heavy"), List.of("LANG=C"), null, null, 42);
    }

    static Checkpoint capture(long sequence, Process p, Task t) {
        return Checkpoints.capture(sequence, p, new TreeMap<>(java.util.Map.of(0, t)));
    }

    @Test
    void aRestoredProcessRunsOnExactlyLikeTheOriginal() throws Exception {
        try (Process original = new Process(options())) {
            Task task = Task.first(original, Exec.load(original, original.options));
            for (int i = 0; i < 200_000; i++) assertThat(task.step()).isTrue();
            Checkpoint taken = capture(1, original, task);
            assertThat(taken.vcpus().getFirst().icount()).isEqualTo(200_000);
            assertThat(taken.kernel().brk()).isGreaterThan(taken.kernel().brkStart());   // malloc has grown the heap

            // Through the file, as the debugger will get it.
            Path file;
            try (RecordingWriter w = RecordingWriter.create(tmp.resolve("rec"), RecordingStoreTest.header())) {
                file = w.writeCheckpoint(taken);
            }
            Checkpoint read = Checkpoints.read(file);
            assertThat(read).isEqualTo(taken);
            try (RecordingReader r = RecordingReader.open(tmp.resolve("rec"))) {
                assertThat(r.checkpoints()).containsExactly(file);
            }

            try (Process copy = new Process(options())) {
                assertThat(Checkpoints.restore(read, copy)).isEmpty();
                Task twin = Task.restored(copy, read.vcpus().getFirst().tid());
                read.vcpus().getFirst().restoreInto(twin);
                assertThat(twin.tid).isEqualTo(task.tid);
                assertThat(RegisterDigest.of(twin.hart)).isEqualTo(RegisterDigest.of(task.hart));

                for (int i = 0; i < 300_000; i++) {
                    boolean a = task.step(), b = twin.step();
                    assertThat(b).isEqualTo(a);
                    if (!a) break;
                    if (RegisterDigest.of(twin.hart) != RegisterDigest.of(task.hart)) {
                        assertThat(twin.hart.x).as("x after %d more steps", i + 1).containsExactly(task.hart.x);
                        assertThat(twin.hart.pc).as("pc after %d more steps", i + 1).isEqualTo(task.hart.pc);
                    }
                }
                assertThat(twin.hart.icount).isEqualTo(task.hart.icount).isGreaterThan(200_000);
                // Memory and the memory map evolved identically too.
                Checkpoint a = capture(2, original, task), b = capture(2, copy, twin);
                assertThat(b.pages()).isEqualTo(a.pages());
                assertThat(b.kernel().mappings()).isEqualTo(a.kernel().mappings());
                assertThat(b.kernel().brk()).isEqualTo(a.kernel().brk());
                assertThat(b.kernel().mmapNext()).isEqualTo(a.kernel().mmapNext());
                assertThat(b.vcpus()).isEqualTo(a.vcpus());
            }
        }
    }

    @Test
    void kernelStateComesBack() throws Exception {
        Path data = Files.writeString(tmp.resolve("data.txt"), "0123456789");
        try (Process original = new Process(options())) {
            Task task = Task.first(original, Exec.load(original, original.options));
            int host = Host.openat(-100, data.toString(), 0, 0);   // O_RDONLY
            assertThat(host).isGreaterThanOrEqualTo(0);
            Host.lseek(host, 7, 0);
            int fd = original.files.install(host, true, 5);
            var usr1 = new Process.SignalDisposition(10, 0x10abc, 0x4000004, 1L << 11);
            original.restoreSignalDispositions(List.of(usr1));
            var thread = new Task.ThreadState(0x7000, 0x7100, 24, 1L << 9, 0x8000, 0x2000);
            task.restore(thread);
            Checkpoint c = Checkpoints.read(write(capture(0, original, task)));
            assertThat(c.kernel().files()).contains(new Checkpoint.OpenFile(fd, data.toRealPath().toString(), 7, 0100000, true));
            assertThat(c.kernel().signals()).containsExactly(usr1);
            assertThat(c.vcpus().getFirst().thread()).isEqualTo(thread);
            try (Process copy = new Process(options())) {
                assertThat(Checkpoints.restore(c, copy)).isEmpty();
                assertThat(copy.signalDispositions()).containsExactly(usr1);
                assertThat(copy.nextTid()).isEqualTo(original.nextTid());
                Task twin = Task.restored(copy, task.tid);
                c.vcpus().getFirst().restoreInto(twin);
                assertThat(twin.threadState()).isEqualTo(thread);
                var entry = copy.files.entries().stream().filter(e -> e.fd() == fd).findFirst().orElseThrow();
                assertThat(entry.closeOnExec()).isTrue();
                assertThat(Host.lseek(entry.hostFd(), 0, 1)).isEqualTo(7);   // SEEK_CUR
            }
        }
    }

    private Path write(Checkpoint c) throws Exception {
        Path file = tmp.resolve("checkpoint");
        Files.write(file, Checkpoints.encode(c));
        return file;
    }

    /** Version 3: a recorder's checkpoint also says where each vCPU's log stands, and holds LR reservations. */
    @Test
    void logPositionsAndReservationsRoundTrip() throws Exception {
        var thread = new Task.ThreadState(0, 0, 0, 0, 0, 0);
        long[] x = new long[32], f = new long[32];
        x[10] = 42;
        var reserved = new Checkpoint.VcpuState(1, 1001, x, f, 0x10abc, 0, 1, 500, thread, new dev.reprise.mem.Mmu.Reservation(0x81008, 4, -7));
        var plain = new Checkpoint.VcpuState(0, 1000, x, f, 0x10000, 1, 0, 900, thread, null);
        var logs = List.of(new Checkpoint.LogPosition(0, 12, 2 * 900, false, plain.registerDigest()),
                new Checkpoint.LogPosition(1, 3, 2 * 500 + 1, false, reserved.registerDigest()),
                new Checkpoint.LogPosition(2, 7, 2 * 80 + 1, true, 0x1234));
        Checkpoint c = new Checkpoint(4, List.of(plain, reserved), new Checkpoint.KernelState(1, 2, 3, 4, List.of(), List.of(), List.of(), 1003),
                List.of(), logs);
        Checkpoint read = Checkpoints.read(write(c));
        assertThat(read).isEqualTo(c);
        assertThat(read.log(0).inSyscall()).isTrue();
        assertThat(read.log(1).inSyscall()).isFalse();
        assertThat(read.log(2).ended()).isTrue();
        assertThat(read.log(2).icount()).isEqualTo(80);
        assertThat(read.log(3)).isNull();
        assertThat(read.vcpus().get(1).reservation()).isEqualTo(new dev.reprise.mem.Mmu.Reservation(0x81008, 4, -7));
    }

    @Test
    void badCheckpointFiles() throws Exception {
        Checkpoint c = new Checkpoint(3, List.of(), new Checkpoint.KernelState(1, 2, 3, 4, List.of(), List.of(), List.of(), 1000),
                List.of(new Checkpoint.Page(0x10000, new byte[4096])));
        Path file = write(c);
        assertThat(Checkpoints.read(file)).isEqualTo(c);
        byte[] bytes = Files.readAllBytes(file);

        bytes[30] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> Checkpoints.read(file)).isInstanceOf(RecordingException.Corrupted.class);
        bytes[30] ^= 1;

        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> Checkpoints.read(file)).isInstanceOf(RecordingException.Truncated.class);

        bytes[11] = 9;
        Files.write(file, bytes);
        assertThatThrownBy(() -> Checkpoints.read(file)).isInstanceOf(RecordingException.VersionMismatch.class);

        Files.writeString(file, "not a checkpoint at all");
        assertThatThrownBy(() -> Checkpoints.read(file)).isInstanceOf(RecordingException.Foreign.class);
        assertThatThrownBy(() -> Checkpoints.read(tmp.resolve("none"))).isInstanceOf(RecordingException.Missing.class);
    }

    /** A checkpoint with {@code vcpus} live vCPUs at distinct log positions and {@code pages} pages of memory. */
    private static Checkpoint big(int vcpus, int pages) {
        var thread = new Task.ThreadState(0, 0, 0, 0, 0, 0);
        List<Checkpoint.VcpuState> states = new java.util.ArrayList<>();
        List<Checkpoint.LogPosition> logs = new java.util.ArrayList<>();
        for (int v = 0; v < vcpus; v++) {
            long[] x = new long[32], f = new long[32];
            java.util.Arrays.fill(x, -v);   // registers that take all 8 bytes each
            java.util.Arrays.fill(f, Long.MIN_VALUE + v);
            var s = new Checkpoint.VcpuState(v, 1000 + v, x, f, 0x10000 + 4L * v, 0, 0, 100L * v, thread, null);
            states.add(s);
            logs.add(new Checkpoint.LogPosition(v, 7L * v, 2 * s.icount() + 1, false, s.registerDigest(), 9L * v));
        }
        List<Checkpoint.Page> image = new java.util.ArrayList<>();
        for (int p = 0; p < pages; p++) {
            byte[] b = new byte[4096];
            java.util.Arrays.fill(b, (byte) (p + 1));
            image.add(new Checkpoint.Page(0x10000 + 4096L * p, b));
        }
        return new Checkpoint(5, states, new Checkpoint.KernelState(1, 2, 3, 4, List.of(), List.of(), List.of(), 1000 + vcpus), image, logs);
    }

    /**
     * Choosing a checkpoint to seek to needs only each one's log positions: they come before the
     * memory image, and are read from the file's start (more of it when many vCPUs make them long).
     */
    @Test
    void logPositionsReadWithoutTheMemoryImage() throws Exception {
        for (int vcpus : new int[] {1, 3, 250}) {   // 250 vCPUs' registers take ~140 KiB: more than the first read
            Checkpoint c = big(vcpus, 64);
            Path file = write(c);
            Checkpoint.Logs logs = Checkpoints.readLogs(file);
            assertThat(logs.sequence()).isEqualTo(5);
            assertThat(logs.logs()).isEqualTo(c.logs()).isEqualTo(Checkpoints.read(file).logs());
            assertThat(logs.log(vcpus - 1).excerpts()).isEqualTo(9L * (vcpus - 1));
            assertThat(logs.log(vcpus)).isNull();
        }
        Path file = write(big(3, 64));
        byte[] bytes = Files.readAllBytes(file);
        // Damage in the memory image: the positions still read (the checksum is the full read's), the checkpoint does not.
        bytes[bytes.length - 1000] ^= 1;
        Files.write(file, bytes);
        assertThat(Checkpoints.readLogs(file).logs()).isEqualTo(big(3, 64).logs());
        assertThatThrownBy(() -> Checkpoints.read(file)).isInstanceOf(RecordingException.Corrupted.class);
        bytes[bytes.length - 1000] ^= 1;

        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> Checkpoints.readLogs(file)).isInstanceOf(RecordingException.Truncated.class);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        Files.write(file, longer);
        assertThatThrownBy(() -> Checkpoints.readLogs(file)).isInstanceOf(RecordingException.Corrupted.class);
        byte[] future = bytes.clone();
        future[11] = 9;
        Files.write(file, future);
        assertThatThrownBy(() -> Checkpoints.readLogs(file)).isInstanceOf(RecordingException.VersionMismatch.class)
                .hasMessageContaining("checkpoint format version 9, this Reprise reads checkpoints of version "
                        + RecordingHeader.FORMAT_VERSION + " (and 3 to " + (RecordingHeader.FORMAT_VERSION - 1) + ")");
        byte[] garbled = bytes.clone();
        garbled[16] = (byte) 0x80;   // the sequence's varint now runs on into the vCPU count: nonsense counts
        for (int i = 17; i < 27; i++) garbled[i] = (byte) 0xff;
        Files.write(file, garbled);
        assertThatThrownBy(() -> Checkpoints.readLogs(file)).isInstanceOf(RecordingException.Corrupted.class);
        Files.writeString(file, "not a checkpoint at all");
        assertThatThrownBy(() -> Checkpoints.readLogs(file)).isInstanceOf(RecordingException.Foreign.class);
        assertThatThrownBy(() -> Checkpoints.readLogs(tmp.resolve("none"))).isInstanceOf(RecordingException.Missing.class);
    }

    /** Version 4 added the excerpt counts; a version-3 checkpoint still reads, without them (replay then skips events one by one). */
    @Test
    void versionThreeCheckpointsReadWithoutExcerptCounts() throws Exception {
        Checkpoint c = big(2, 3);
        Path file = tmp.resolve("checkpoint-v3");
        Files.write(file, Checkpoints.encode(c, 3));
        Checkpoint read = Checkpoints.read(file);
        assertThat(read.logs()).extracting(Checkpoint.LogPosition::excerpts).containsExactly(-1L, -1L);
        assertThat(read.logs()).extracting(Checkpoint.LogPosition::events).containsExactly(0L, 7L);
        assertThat(read.vcpus()).isEqualTo(c.vcpus());
        assertThat(read.pages()).isEqualTo(c.pages());
        assertThat(Checkpoints.readLogs(file).logs()).isEqualTo(read.logs());
        Files.write(file, Checkpoints.encode(c, 2));
        assertThatThrownBy(() -> Checkpoints.read(file)).isInstanceOf(RecordingException.VersionMismatch.class)
                .hasMessageContaining("checkpoint format version 2");
    }
}
