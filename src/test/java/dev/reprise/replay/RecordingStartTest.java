package dev.reprise.replay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RecordingWriter#start}: the header and vCPU 0's queue are written on a thread of their
 * own while the guest already runs (its events wait in memory); the recording is the same as
 * {@link RecordingWriter#create}'s, its failures end the guest ({@link RecordingWriter#onFailure})
 * and reach {@link RecordingWriter#finish}, and {@link RecordingWriter#abandon} leaves nothing behind.
 */
class RecordingStartTest {
    @TempDir
    Path tmp;

    @Test
    void aStartedRecordingIsTheSameAsACreatedOne() throws Exception {
        Path dir = tmp.resolve("rec");
        CountDownLatch release = new CountDownLatch(1);
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            release.await();   // the header comes late: the vCPUs go on meanwhile
            return RecordingStoreTest.header();
        })) {
            VcpuLog first = w.vcpu(0), second = w.vcpu(1);
            List<Event> events0 = sample(0, 100), events1 = sample(1, 20);
            events0.subList(0, 60).forEach(first::append);   // before the start is done: nothing is written yet
            events1.forEach(second::append);
            assertThat(dir).isEmptyDirectory();
            assertThat(first.appended()).isEqualTo(60);
            release.countDown();
            events0.subList(60, 100).forEach(first::append);   // the first append after it writes the waiting ones first
            second.close();   // closing waits for the queue and writes what waits
            w.finish(0x1234);
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(r.complete()).isTrue();
            assertThat(r.header()).isEqualTo(RecordingStoreTest.header().withVcpus(2));
            assertThat(RecordingStoreTest.readAll(r, 0)).isEqualTo(sample(0, 100));
            assertThat(RecordingStoreTest.readAll(r, 1)).isEqualTo(sample(1, 20));
            assertThat(r.finalDigest()).hasValue(0x1234);
        }
    }

    /**
     * Events that waited for the start reach the queue when it is done, without another append:
     * a vCPU blocked in a call for the rest of a run that is then killed has them in the log.
     */
    @Test
    void waitingEventsAreWrittenWhenTheStartIsDone() throws Exception {
        Path dir = tmp.resolve("rec");
        CountDownLatch release = new CountDownLatch(1);
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            release.await();
            return RecordingStoreTest.header();
        })) {
            VcpuLog first = w.vcpu(0);
            sample(0, 7).forEach(first::append);
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                if (Files.isDirectory(Layout.vcpuDir(dir, 0))) {
                    try (RecordingReader r = RecordingReader.open(dir)) {
                        List<Event> read = RecordingStoreTest.readAll(r, 0);
                        if (read.size() == 7) {
                            assertThat(r.complete()).isFalse();
                            assertThat(read).isEqualTo(sample(0, 7));
                            break;
                        }
                    }
                }
                assertThat(System.nanoTime()).as("the waiting events were never written").isLessThan(deadline);
                Thread.sleep(20);
            }
            sample(0, 9).subList(7, 9).forEach(first::append);   // the vCPU takes the appender over
            w.finish();
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(RecordingStoreTest.readAll(r, 0)).isEqualTo(sample(0, 9));
        }
    }

    /** The first {@code n} sample events of seed {@code vcpu}. */
    private static List<Event> sample(int vcpu, int n) {
        SampleEvents events = new SampleEvents(vcpu);
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(events.next());
        return out;
    }

    @Test
    void aHeaderThatCannotBeMadeEndsTheGuestAndLeavesNoCompleteRecording() throws Exception {
        Path dir = tmp.resolve("rec");
        CountDownLatch failed = new CountDownLatch(1);
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            throw new IOException("prog: Permission denied");
        })) {
            w.onFailure(failed::countDown);
            VcpuLog log = w.vcpu(0);
            RecordingStoreTest.append(log, 10);   // the guest may run a little before it is ended
            assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
            RecordingStoreTest.append(log, 10);   // and a little after: dropped, without an error
            log.close();
            assertThatThrownBy(w::finish).isInstanceOf(IOException.class).hasMessageContaining("prog: Permission denied");
        }
        assertThat(dir.resolve("complete")).doesNotExist();
        assertThat(dir.resolve("vcpu-0")).doesNotExist();
    }

    @Test
    void aQueueThatCannotBeCreatedEndsTheGuest() throws Exception {
        Path dir = tmp.resolve("rec");
        AtomicInteger failures = new AtomicInteger();
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            Files.writeString(dir.resolve("vcpu-0"), "in the way");   // a file where the queue's directory goes
            return RecordingStoreTest.header();
        })) {
            VcpuLog log = w.vcpu(0);
            log.close();   // waits for the start
            w.onFailure(failures::incrementAndGet);   // after the failure: runs at once
            assertThat(failures).hasValue(1);
            assertThatThrownBy(w::finish).isInstanceOf(IOException.class).hasMessageContaining("vcpu-0");
        }
        assertThat(dir.resolve("complete")).doesNotExist();
    }

    @Test
    void aLaterQueueThatCannotBeCreatedEndsTheGuestOnce() throws Exception {
        Path dir = tmp.resolve("rec");
        AtomicInteger failures = new AtomicInteger();
        try (RecordingWriter w = RecordingWriter.start(dir, RecordingStoreTest::header)) {
            w.onFailure(failures::incrementAndGet);
            RecordingStoreTest.append(w.vcpu(0), 5);
            Files.writeString(dir.resolve("vcpu-1"), "in the way");
            VcpuLog second = w.vcpu(1);
            RecordingStoreTest.append(second, 5);
            second.close();
            Files.writeString(dir.resolve("vcpu-2"), "in the way");
            w.vcpu(2).close();
            assertThat(failures).hasValue(1);
            assertThatThrownBy(w::finish).isInstanceOf(IOException.class).hasMessageContaining("vcpu-1");
        }
        assertThat(dir.resolve("complete")).doesNotExist();
    }

    @Test
    void abandonRemovesWhatStartWrote() throws Exception {
        Path made = tmp.resolve("made");
        RecordingWriter.start(made, RecordingStoreTest::header).abandon();
        assertThat(made).doesNotExist();

        Path existing = Files.createDirectory(tmp.resolve("existing"));
        RecordingWriter.start(existing, RecordingStoreTest::header).abandon();
        assertThat(existing).isEmptyDirectory();

        Path failed = tmp.resolve("failed");
        RecordingWriter.start(failed, () -> {
            throw new IOException("no");
        }).abandon();
        assertThat(failed).doesNotExist();
    }

    @Test
    void refusesADirectoryThatIsNotEmptyAtOnce() throws IOException {
        Files.writeString(tmp.resolve("x"), "x");
        assertThatThrownBy(() -> RecordingWriter.start(tmp, RecordingStoreTest::header)).isInstanceOf(IOException.class)
                .hasMessageContaining("not empty");
    }
}
