package dev.reprise.replay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RecordingWriter#start}: the header and vCPU 0's queue are written on a thread of their
 * own; the recording is the same as {@link RecordingWriter#create}'s, its failures reach the first
 * {@link RecordingWriter#vcpu} call, and {@link RecordingWriter#abandon} leaves nothing behind.
 */
class RecordingStartTest {
    @TempDir
    Path tmp;

    @Test
    void aStartedRecordingIsTheSameAsACreatedOne() throws Exception {
        Path dir = tmp.resolve("rec");
        CountDownLatch release = new CountDownLatch(1);
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            release.await();   // the header comes late: vcpu() must wait for it
            return RecordingStoreTest.header();
        })) {
            assertThat(dir).isEmptyDirectory();
            release.countDown();
            RecordingStoreTest.append(w.vcpu(0), 100);
            RecordingStoreTest.append(w.vcpu(1), 50);
            w.finish(0x1234);
        }
        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(r.complete()).isTrue();
            assertThat(r.header()).isEqualTo(RecordingStoreTest.header().withVcpus(2));
            assertThat(RecordingStoreTest.readAll(r, 0)).hasSize(100);
            assertThat(RecordingStoreTest.readAll(r, 1)).hasSize(50);
            assertThat(r.finalDigest()).hasValue(0x1234);
        }
    }

    @Test
    void aHeaderThatCannotBeMadeFailsTheFirstVcpuAndLeavesNoCompleteRecording() throws Exception {
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            throw new IOException("prog: Permission denied");
        })) {
            assertThatThrownBy(() -> w.vcpu(0)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("prog: Permission denied");
            assertThatThrownBy(w::finish).isInstanceOf(IOException.class);
        }
        assertThat(dir.resolve("complete")).doesNotExist();
        assertThat(dir.resolve("vcpu-0")).doesNotExist();
    }

    @Test
    void aQueueThatCannotBeCreatedFailsTheFirstVcpu() throws Exception {
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.start(dir, () -> {
            Files.writeString(dir.resolve("vcpu-0"), "in the way");   // a file where the queue's directory goes
            return RecordingStoreTest.header();
        })) {
            assertThatThrownBy(() -> w.vcpu(0)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("vcpu-0");
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
