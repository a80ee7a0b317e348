package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.GuestRunner;
import dev.reprise.linux.Exec;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.mem.MemoryFault;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's locks: a vCPU holds at most one granule's monitor at a time, so two vCPUs that
 * take granules at once can never wait for each other. A recording of pthreads hung when two
 * vCPUs each took a piece of one split page for the first time: each, holding its piece, went on
 * to read the rights on the page's other pieces, and locked the other's (2026-11-28).
 */
class RecordingLocksTest {

    @Test
    void takingAPieceOfASplitPageLocksNoOtherPiece(@TempDir Path dir) throws Exception {
        Path program = GuestRunner.root().resolve("guest-tests/bin/hello");
        Process process = new Process(new Options(program, List.of(program.toString()), List.of(), null, null, 0));
        RecordingHeader header = RecordingHeader.of(program, List.of("hello"), List.of(), 4096, 0, "interp");
        try (RecordingWriter writer = RecordingWriter.create(dir.resolve("rec"), header)) {
            Recorder recorder = new Recorder(process, writer, 4096);
            Task.first(process, Exec.load(process, process.options));   // vCPU 0, not started: this test drives it
            RecordingVcpu vcpu = recorder.vcpu(0);
            long page = 0x7000_0000L;
            Granule whole = recorder.granule(page >>> 12);
            synchronized (whole) {
                whole.split();   // as a holder does when threads keep taking a page from each other for disjoint data
            }
            Granule first = recorder.granuleAt(page), other = recorder.granuleAt(page + 2048);
            assertThat(first).isNotSameAs(other);
            Thread taker;
            synchronized (other) {   // another vCPU in the middle of taking the other piece
                taker = Thread.ofPlatform().start(() -> vcpu.ownershipFault(
                        new MemoryFault(page, MemoryFault.Kind.OWNERSHIP, MemoryFault.Access.WRITE)));
                taker.join(5_000);
                assertThat(taker.isAlive()).as("vCPU 0 took its piece without waiting for the other piece's monitor").isFalse();
            }
            taker.join();
            synchronized (first) {
                assertThat(first.writer).isEqualTo(0);
            }
        }
    }
}
