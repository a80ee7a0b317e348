package dev.reprise.replay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** A recorder killed with SIGKILL mid-run leaves a recording that reads as incomplete and yields every complete event. */
class CrashSafetyTest {
    static final int VCPUS = 2, READY_AFTER = 20_000;

    @Test
    @Timeout(120)
    void aWriterKilledMidRunLeavesEveryCompleteEventReadable(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rec");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());   // Chronicle's flags, as Surefire set them
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EndlessWriter.class.getName(), dir.toString()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertThat(out.readLine()).isEqualTo("ready");
        }
        Thread.sleep(300);   // the writers keep appending: the kill lands in the middle of it
        new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
        assertThat(child.waitFor()).isEqualTo(128 + 9);

        try (RecordingReader r = RecordingReader.open(dir)) {
            assertThat(r.complete()).isFalse();
            assertThat(r.vcpus()).containsExactly(0, 1);
            for (int id = 0; id < VCPUS; id++) {
                SampleEvents expected = new SampleEvents(id);
                long n = 0;
                try (EventCursor c = r.cursor(id)) {
                    for (Event e; (e = c.peek()) != null; n++) assertThat(c.take()).isEqualTo(expected.next());
                }
                assertThat(n).as("vCPU %d's events", id).isGreaterThan(READY_AFTER);
            }
        }
    }

    @Test
    void anEventCaughtHalfWrittenIsNeverReturned(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("rec");
        try (RecordingWriter w = RecordingWriter.create(dir, RecordingStoreTest.header())) {
            RecordingStoreTest.append(w.vcpu(0), 100);
        }
        // What a SIGKILL between the start and the end of an append leaves: an excerpt begun, never finished.
        try (var queue = Layout.queue(Layout.vcpuDir(dir, 0), false); var appender = queue.createAppender()) {
            var dc = appender.writingDocument();
            dc.wire().bytes().writeByte((byte) Event.Kind.SYSCALL.tag).writeStopBit(1L << 40);
            try (RecordingReader r = RecordingReader.open(dir); EventCursor c = r.cursor(0)) {
                long n = 0;
                while (c.peek() != null) {
                    c.take();
                    n++;
                }
                assertThat(n).isEqualTo(100);
                assertThat(r.complete()).isFalse();
            }
            dc.rollbackOnClose();
            dc.close();
        }
    }

    /** The child JVM: VCPUS threads append sample events until killed; prints "ready" once each has appended READY_AFTER. */
    public static final class EndlessWriter {
        public static void main(String[] args) throws Exception {
            RecordingWriter w = RecordingWriter.create(Path.of(args[0]), RecordingStoreTest.header());
            CountDownLatch ready = new CountDownLatch(VCPUS);
            for (int id = 0; id < VCPUS; id++) {
                VcpuLog log = w.vcpu(id);
                Thread.ofPlatform().start(() -> {
                    SampleEvents events = new SampleEvents(log.vcpu);
                    for (long i = 1; ; i++) {
                        log.append(events.next());
                        if (i == READY_AFTER) ready.countDown();
                    }
                });
            }
            ready.await();
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
