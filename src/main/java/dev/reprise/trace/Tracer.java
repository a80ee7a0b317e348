package dev.reprise.trace;

import dev.reprise.cpu.Hart;
import dev.reprise.cpu.StepObserver;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Mmu;

/**
 * Traces one vCPU: compares the hart after each step with the stream's state before it, and writes
 * what changed. Effects are observed, not predicted: a register an engine wrongly wrote shows up
 * even if it is not the instruction's destination, and a store's value is read back from memory.
 * The destination register is always written (also when its value did not change), so that the
 * trace says what every instruction produced. Only instructions with icount in
 * [{@code from}, {@code from + count}) are traced; the stream starts with the state at {@code from}.
 */
public final class Tracer implements StepObserver {
    private final TraceWriter.Vcpu out;
    private final long from, end;
    private boolean started, active;
    private long pc, icount;
    private int bits;

    public Tracer(TraceWriter.Vcpu out, long from, long count) {
        this.out = out;
        this.from = from;
        this.end = count == Long.MAX_VALUE ? Long.MAX_VALUE : from + count;
    }

    /** A factory tracing vCPU {@code only} (or all when negative) into {@code writer}. */
    public static Factory factory(TraceWriter writer, int only, long from, long count) {
        return (vcpu, hart) -> only >= 0 && vcpu != only ? null : new Tracer(writer.vcpu(vcpu), from, count);
    }

    @Override
    public void before(Hart h) {
        active = h.icount >= from && h.icount < end;
        if (!active) return;
        if (!started) {
            started = true;
            out.state(h.icount, h.pc, h.x, h.f, fcsr(h));
        }
        pc = h.pc;
        icount = h.icount;
        bits = fetch(h.mmu, pc);
    }

    @Override
    public void after(Hart h) {
        if (!active) return;
        if (h.icount == icount + 1) {
            Insn insn = h.decode(bits);
            Op op = insn.op();
            // The address comes from the registers before the instruction: compute it before they are updated.
            long address = out.x[insn.rs1()] + (op.isAtomic() ? 0 : insn.imm());
            out.instruction(icount, pc, bits);
            registers(h, op.operands.startsWith("d") ? insn.rd() : -1, op.operands.startsWith("D") ? insn.rd() : -1);
            memory(h, insn, address);
        } else {
            if (h.pc == pc && !registersChanged(h)) return; // a fatal trap: nothing to record
            out.change(h.pc);
            registers(h, -1, -1);
        }
        out.finish();
    }

    @Override
    public void ended(Hart h) {
        out.end();
    }

    private void registers(Hart h, int xd, int fd) {
        for (int r = 1; r < 32; r++) if (h.x[r] != out.x[r] || r == xd) out.x(r, h.x[r]);
        for (int r = 0; r < 32; r++) if (h.f[r] != out.f[r] || r == fd) out.f(r, h.f[r]);
        if (fcsr(h) != out.fcsr) out.fcsr(fcsr(h));
    }

    private boolean registersChanged(Hart h) {
        return !java.util.Arrays.equals(h.x, out.x) || !java.util.Arrays.equals(h.f, out.f) || fcsr(h) != out.fcsr;
    }

    /** Loads: the address (the value is the destination's). Stores and AMOs: the address and the value now in memory. */
    private void memory(Hart h, Insn insn, long address) {
        Op op = insn.op();
        int opcode = op.match & 0x7f, funct3 = op.match >>> 12 & 7;
        if (op.isAtomic()) {
            int size = funct3 == 2 ? 4 : 8;
            if (op == Op.LR_W || op == Op.LR_D) out.load(size, address);
            // An sc stored only if it succeeded (rd = 0); with rd = x0 success is unknown, so it is recorded.
            else if ((op != Op.SC_W && op != Op.SC_D) || insn.rd() == 0 || h.x[insn.rd()] == 0) store(h.mmu, size, address);
        } else if (opcode == 0b0000011 || opcode == 0b0000111) {
            out.load(1 << (funct3 & 3), address);
        } else if (opcode == 0b0100011 || opcode == 0b0100111) {
            store(h.mmu, 1 << (funct3 & 3), address);
        }
    }

    private void store(Mmu m, int size, long address) {
        try {
            out.store(size, address, switch (size) {
                case 1 -> m.lbu(address);
                case 2 -> m.lhu(address);
                case 4 -> m.lwu(address);
                default -> m.ld(address);
            });
        } catch (MemoryFault f) {
            // Stored but no longer readable (write-only page): the address alone would mislead; leave it out.
        }
    }

    private static int fetch(Mmu m, long pc) {
        try {
            int lo = m.fetch16(pc);
            return (lo & 3) != 3 ? lo : lo | m.fetch16(pc + 2) << 16;
        } catch (MemoryFault f) {
            return 0; // the instruction will trap and not retire
        }
    }

    private static int fcsr(Hart h) {
        return h.frm << 5 | h.fflags;
    }
}
