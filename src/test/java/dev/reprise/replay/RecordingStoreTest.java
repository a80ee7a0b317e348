package dev.reprise.replay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordingStoreTest {
    @TempDir
    Path tmp;

    static RecordingHeader header() {
        byte[] sha = new byte[32];
        sha[0] = 0x42;
        return new RecordingHeader(RecordingHeader.FORMAT_VERSION, "guest-tests/bin/racy_counter", sha,
                List.of("racy_counter", "2", "héllo"), List.of("LANG=C", "EMPTY="), 0, 4096, 0xdeadbeefL, "interp");
    }

    /** Appends {@code n} sample events of seed {@code vcpu} to {@code log}. */
    static void append(VcpuLog log, int n) {
        SampleEvents events = new SampleEvents(log.vcpu);
        for (int i = 0; i < n; i++) log.append(events.next());
    }

    static List<Event> readAll(RecordingReader r, int vcpu) {
        List<Event> out = new ArrayList<>();
        try (EventCursor c = r.cursor(vcpu)) {
            while (c.peek() != null) out.add(c.take());
        }
        return out;
    }

    @Test
    void parallelWritersEachWithTheirOwnQueueReadBackInOrder() throws Exception {
        int vcpus = 4, perVcpu = 40_000;
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            CyclicBarrier start = new CyclicBarrier(vcpus);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int id = 0; id < vcpus; id++) {
                VcpuLog log = w.vcpu(id);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();   // all append at once: no vCPU waits for another
                        append(log, perVcpu);
                        if (log.vcpu % 2 == 0) log.close();   // the others are closed by finish(), on another thread
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }));
            }
            for (Thread t : threads) t.join();
            assertThat(failure.get()).isNull();
            w.finish();
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(r.complete()).isTrue();
            assertThat(r.header()).isEqualTo(header().withVcpus(vcpus));
            assertThat(r.vcpus()).containsExactly(0, 1, 2, 3);
            for (int id = 0; id < vcpus; id++) {
                SampleEvents expected = new SampleEvents(id);
                List<Event> got = readAll(r, id);
                assertThat(got).hasSize(perVcpu);
                for (Event e : got) assertThat(e).isEqualTo(expected.next());
            }
        }
    }

    @Test
    void everyKindRoundTripsAndPeekDoesNotConsume() throws IOException {
        Path dir = tmp.resolve("rec");
        SampleEvents sample = new SampleEvents(7);
        Map<Event.Kind, Event> oneOfEach = new EnumMap<>(Event.Kind.class);
        while (oneOfEach.size() < Event.Kind.values().length) {
            Event e = sample.next();
            oneOfEach.putIfAbsent(e.kind(), e);
        }
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            VcpuLog log = w.vcpu(0);
            oneOfEach.values().forEach(log::append);
            w.finish();
        }
        try (RecordingReader r = RecordingReader.open(dir); EventCursor c = r.cursor(0)) {
            for (Event e : oneOfEach.values()) {
                assertThat(c.peek()).isEqualTo(e);
                assertThat(c.peek()).isEqualTo(e);
                assertThat(c.take()).isEqualTo(e);
            }
            assertThat(c.peek()).isNull();
            assertThat(c.taken()).isEqualTo(oneOfEach.size());
        }
    }

    @Test
    void aSystemCallThatWroteManyMegabytesIsOneEvent() throws IOException {
        Path dir = tmp.resolve("rec");
        byte[] big = new byte[48 << 20];   // read(2) of a 48 MiB file
        new java.util.Random(1).nextBytes(big);
        Event e = new Event.Syscall(10, 0x10000, 1, 63, big.length, List.of(new Event.MemoryWrite(0x3000, new byte[] {1, 2}),
                new Event.MemoryWrite(0x40000000L, big), new Event.MemoryWrite(0x3000, new byte[0])));
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            VcpuLog log = w.vcpu(0);
            log.append(e);
            log.append(new Event.Exit(11, 0x10004, 2, 0));
            w.finish();
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(readAll(r, 0)).hasSize(2).first().isEqualTo(e);
        }
        // Killed after some of the pieces: the call is not there, and nothing else is lost.
        Path cut = tmp.resolve("cut");
        try (RecordingWriter w = RecordingWriter.create(cut, header())) {
            w.vcpu(0).append(new Event.Exit(11, 0x10004, 2, 0));
        }
        try (var queue = Layout.queue(Layout.vcpuDir(cut, 0), false); var appender = queue.createAppender()) {
            try (var dc = appender.writingDocument()) {
                EventCodec.writeData(0x5000, big, 0, 100, false, dc.wire().bytes());
            }
        }
        try (RecordingReader r = RecordingReader.open(cut)) {
            assertThat(readAll(r, 0)).containsExactly(new Event.Exit(11, 0x10004, 2, 0));
        }
    }

    @Test
    void aRecordingClosedWithoutFinishIsIncompleteButReadable() throws IOException {
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            append(w.vcpu(0), 1000);
            append(w.vcpu(1), 10);
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(r.complete()).isFalse();
            assertThat(r.header().vcpus()).isZero();   // only known at a clean end
            assertThat(readAll(r, 0)).hasSize(1000);
            assertThat(readAll(r, 1)).hasSize(10);
        }
    }

    @Test
    void aVcpuWithoutEventsReadsEmpty() throws IOException {
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            w.vcpu(0);
            w.finish();
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(readAll(r, 0)).isEmpty();
        }
    }

    @Test
    void refusesADirectoryThatIsNotEmpty() throws IOException {
        Files.writeString(tmp.resolve("x"), "x");
        assertThatThrownBy(() -> RecordingWriter.create(tmp, header())).isInstanceOf(IOException.class).hasMessageContaining("not empty");
    }

    // ---- bad recordings: one exception type each, one-line messages --------------------------------

    private Path finished(int events) throws IOException {
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            append(w.vcpu(0), events);
            w.finish();
        }
        return dir;
    }

    private static void assertOneLine(Throwable e) {
        assertThat(e.getMessage()).doesNotContain("\n").isNotBlank();
    }

    @Test
    void missingDirectory() {
        assertThatThrownBy(() -> RecordingReader.open(tmp.resolve("nope")))
                .isInstanceOf(RecordingException.Missing.class).satisfies(RecordingStoreTest::assertOneLine)
                .hasMessageContaining("no such recording");
    }

    @Test
    void foreignDirectoryOrFile() throws IOException {
        assertThatThrownBy(() -> RecordingReader.open(tmp)).isInstanceOf(RecordingException.Foreign.class)
                .satisfies(RecordingStoreTest::assertOneLine);
        Path file = Files.writeString(tmp.resolve("f"), "hello");
        assertThatThrownBy(() -> RecordingReader.open(file)).isInstanceOf(RecordingException.Foreign.class);
        Files.writeString(tmp.resolve("header"), "#!/bin/sh\necho not a header\n");
        assertThatThrownBy(() -> RecordingReader.open(tmp)).isInstanceOf(RecordingException.Foreign.class)
                .satisfies(RecordingStoreTest::assertOneLine);
    }

    @Test
    void anotherFormatVersionIsRefusedBeforeAnythingElse() throws IOException {
        Path dir = finished(3);
        byte[] h = Files.readAllBytes(dir.resolve("header"));
        h[11] = 9;   // big-endian version at offset 8; the checksum no longer matches either
        Files.write(dir.resolve("header"), h);
        assertThatThrownBy(() -> RecordingReader.open(dir)).isInstanceOf(RecordingException.VersionMismatch.class)
                .satisfies(RecordingStoreTest::assertOneLine)
                .hasMessageContaining("version 9").hasMessageContaining("reads version " + RecordingHeader.FORMAT_VERSION);
    }

    @Test
    void corruptedHeader() throws IOException {
        Path dir = finished(3);
        byte[] h = Files.readAllBytes(dir.resolve("header"));
        h[h.length / 2] ^= 0x10;
        Files.write(dir.resolve("header"), h);
        assertThatThrownBy(() -> RecordingReader.open(dir)).isInstanceOf(RecordingException.Corrupted.class)
                .satisfies(RecordingStoreTest::assertOneLine).hasMessageContaining("checksum");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path dir = finished(3);
        byte[] h = Files.readAllBytes(dir.resolve("header"));
        for (int cut : new int[] {h.length - 1, 20, 12}) {
            Files.write(dir.resolve("header"), java.util.Arrays.copyOf(h, cut));
            assertThatThrownBy(() -> RecordingReader.open(dir)).as("cut at %d", cut).isInstanceOf(RecordingException.Truncated.class)
                    .satisfies(RecordingStoreTest::assertOneLine);
        }
    }

    @Test
    void anUndecodableEventIsCorrupted() throws IOException {
        Path dir = tmp.resolve("rec");
        long digest = 0x1122334455667788L;
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            VcpuLog log = w.vcpu(0);
            log.append(new Event.Release(1, 1, 0));
            log.append(new Event.Exit(1, 1, digest, 0));   // tag, icount 1, pc 1, then the digest little-endian
            w.finish();
        }
        Path file;
        try (var files = Files.list(Layout.vcpuDir(dir, 0))) {
            file = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        byte[] pattern = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(digest).array();
        int at = indexOf(bytes, pattern);
        assertThat(bytes[at - 3]).isEqualTo((byte) Event.Kind.EXIT.tag);
        bytes[at - 3] = 0x55;
        Files.write(file, bytes);
        try (RecordingReader r = RecordingReader.open(dir); EventCursor c = r.cursor(0)) {
            assertThat(c.take()).isEqualTo(new Event.Release(1, 1, 0));
            assertThatThrownBy(c::peek).isInstanceOf(RecordingException.Corrupted.class)
                    .satisfies(RecordingStoreTest::assertOneLine).hasMessageContaining("event 1 of vCPU 0").hasMessageContaining("tag 85");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        throw new AssertionError("pattern not found");
    }

    @Test
    void theHeaderKnowsItsProgram() throws IOException {
        Path program = Files.write(tmp.resolve("prog"), new byte[] {0x7f, 'E', 'L', 'F'});
        RecordingHeader h = RecordingHeader.of(program, List.of("prog"), List.of(), 4096, 0, "interp");
        assertThat(h.isOf(program)).isTrue();
        Files.write(program, new byte[] {0x7f, 'E', 'L', 'G'});
        assertThat(h.isOf(program)).isFalse();
    }

    @Test
    void aCompleteRecordingThatLostEventsIsTruncated() throws IOException {
        Path dir = finished(5);
        Files.writeString(dir.resolve("complete"), "reprise recording complete\nvcpus 1\nvcpu 0 events 6\n");
        try (RecordingReader r = RecordingReader.open(dir); EventCursor c = r.cursor(0)) {
            for (int i = 0; i < 5; i++) c.take();
            assertThatThrownBy(c::peek).isInstanceOf(RecordingException.Truncated.class)
                    .satisfies(RecordingStoreTest::assertOneLine).hasMessageContaining("after 5 events");
        }
    }

    @Test
    void aCompleteRecordingWithMoreEventsThanListedIsCorrupted() throws IOException {
        Path dir = finished(5);
        Files.writeString(dir.resolve("complete"), "reprise recording complete\nvcpus 1\nvcpu 0 events 4\n");
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThatThrownBy(() -> readAll(r, 0)).isInstanceOf(RecordingException.Corrupted.class);
        }
    }

    @Test
    void corruptedMarkerOrMismatchedVcpus() throws IOException {
        Path dir = finished(5);
        Files.write(dir.resolve("complete"), "reprise recording complete\nvcpus two\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> RecordingReader.open(dir)).isInstanceOf(RecordingException.Corrupted.class)
                .satisfies(RecordingStoreTest::assertOneLine);
        Files.writeString(dir.resolve("complete"), "reprise recording complete\nvcpus 1\nvcpu 3 events 5\n");
        assertThatThrownBy(() -> RecordingReader.open(dir)).isInstanceOf(RecordingException.Corrupted.class)
                .satisfies(RecordingStoreTest::assertOneLine).hasMessageContaining("queues [0]");
    }

    /**
     * A replay from a checkpoint moves each cursor to the checkpoint's event through Chronicle's
     * index (the excerpt count: big system calls take extra DATA excerpts, which are not events),
     * and lands where reading event by event does.
     */
    @Test
    void skipThroughTheIndexLandsWhereReadingDoes() throws Exception {
        Path dir = tmp.resolve("skip");
        List<Event> written = new ArrayList<>();
        long[] excerpts;
        try (RecordingWriter w = RecordingWriter.create(dir, header())) {
            VcpuLog log = w.vcpu(0);
            SampleEvents sample = new SampleEvents(7);
            for (int i = 0; i < 300; i++) {
                Event e = sample.next();
                if (i % 50 == 10) {   // a big read: its 300 KiB go ahead as three DATA excerpts
                    byte[] b = new byte[300 << 10];
                    new java.util.SplittableRandom(i).nextBytes(b);
                    e = new Event.Syscall(e.icount(), e.pc(), e.digest(), 63, b.length, List.of(new Event.MemoryWrite(0x40000, b)));
                }
                written.add(e);
                log.append(e);
            }
            excerpts = new long[written.size() + 1];
            for (int n = 0; n <= written.size(); n++) excerpts[n] = log.excerptsBefore(n);
            w.finish();
        }
        assertThat(excerpts[10]).isEqualTo(10);
        assertThat(excerpts[11]).isEqualTo(11 + 3);
        assertThat(excerpts[300]).isEqualTo(300 + 6 * 3);
        try (RecordingReader r = RecordingReader.open(dir)) {
            for (int n : new int[] {0, 1, 10, 11, 12, 60, 61, 299}) {
                try (EventCursor indexed = r.cursor(0); EventCursor read = r.cursor(0)) {
                    assertThat(indexed.skip(n, excerpts[n])).isEqualTo(n);
                    assertThat(read.skip(n, -1)).isEqualTo(n);
                    if (n > 0) assertThat(indexed.bytesRead()).as("moved through the index, read nothing").isZero();
                    assertThat(indexed.taken()).isEqualTo(read.taken()).isEqualTo(n);
                    for (int k = n; k < Math.min(n + 3, written.size()); k++) {
                        assertThat(indexed.take()).as("event %d after skipping %d", k, n).isEqualTo(written.get(k)).isEqualTo(read.take());
                    }
                }
            }
            try (EventCursor c = r.cursor(0)) {   // past the end: it says how far it got
                assertThat(c.skip(400, -1)).isEqualTo(300);
            }
        }
    }
}
