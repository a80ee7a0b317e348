package dev.reprise.trace;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.Task;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace read back describes the run exactly: for every single-threaded guest program, a second,
 * untraced run stepped alongside the trace has, before every instruction, the pc, instruction bits,
 * registers and fcsr that the trace rebuilds, and after every store the value the trace holds.
 */
class TraceRoundTripTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> traceReadBackMatchesAStepByStepRun() {
        return TraceFixture.SINGLE_THREADED.stream().map(name -> DynamicTest.dynamicTest(name, () -> roundTrip(name)));
    }

    private void roundTrip(String name) throws Exception {
        Path file = dir.resolve(name + ".trace");
        TraceFixture.trace(name, file, o -> o);
        Task reference = TraceFixture.start(name);
        Hart h = reference.hart;
        long instructions = 0;
        boolean changed = false;
        try (TraceReader reader = new TraceReader(file)) {
            assertThat(reader.vcpus()).containsExactly(0);
            assertThat(reader.header().argv()).containsExactly(name);
            TraceReader.Stream stream = reader.stream(0);
            Step step = new Step();
            assertThat(stream.next(step)).isTrue();
            assertThat(step.kind).isEqualTo(Step.Kind.STATE);
            while (stream.next(step)) {
                if (step.kind == Step.Kind.CHANGE) {
                    changed = true;
                    continue;
                }
                if (changed && (h.icount != step.icount || h.pc != step.pc)) {
                    // The reference delivers the signal inside its next step(): a trap's handler entry retires
                    // nothing, but a pending signal's delivery also runs the handler's first instruction.
                    reference.step();
                    if (h.icount == step.icount + 1) continue; // checked with the next record's state
                }
                changed = false;
                TraceState s = stream.state();
                String at = name + " icount " + step.icount;
                assertThat(step.icount).as(at).isEqualTo(h.icount);
                assertThat(step.pc).as(at).isEqualTo(h.pc);
                assertThat(step.bits).as(at).isEqualTo(fetch(h));
                assertThat(s.x).as(at).isEqualTo(h.x);
                assertThat(s.f).as(at).isEqualTo(h.f);
                assertThat(s.fcsr).as(at).isEqualTo(h.frm << 5 | h.fflags);
                reference.step();
                for (int e = 0; e < step.effects(); e++) {
                    if (step.type(e) != Step.STORE) continue;
                    long address = step.address(e);
                    long stored = switch (step.reg(e)) {
                        case 1 -> h.mmu.lbu(address);
                        case 2 -> h.mmu.lhu(address);
                        case 4 -> h.mmu.lwu(address);
                        default -> h.mmu.ld(address);
                    };
                    assertThat(step.value(e)).as(at + " store at 0x%x", address).isEqualTo(stored);
                }
                instructions++;
            }
        }
        long icount = h.icount;
        reference.step(); // a fatal trap, if the program ends with one, is in no record
        assertThat(reference.process.exiting()).as(name + ": the reference run ended with the trace").isTrue();
        assertThat(h.icount).isEqualTo(icount);
        assertThat(instructions).isPositive();
    }

    private static int fetch(Hart h) {
        int lo = h.mmu.fetch16(h.pc);
        return (lo & 3) != 3 ? lo : lo | h.mmu.fetch16(h.pc + 2) << 16;
    }
}
