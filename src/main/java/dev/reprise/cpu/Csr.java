package dev.reprise.cpu;

import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;

/**
 * The user-mode CSRs: fflags, frm, fcsr (read-write) and the cycle, time, instret counters
 * (read-only). Any other CSR, or a write to a read-only one, is an illegal instruction.
 */
final class Csr {
    private Csr() {}

    static final int FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003, CYCLE = 0xC00, TIME = 0xC01, INSTRET = 0xC02;

    static void execute(Hart h, Insn i) {
        int csr = (int) i.imm();
        Op op = i.op();
        boolean immediate = op == Op.CSRRWI || op == Op.CSRRSI || op == Op.CSRRCI;
        long src = immediate ? i.rs1() : h.x[i.rs1()];
        // csrrs/csrrc with x0 (or uimm 0) only read: legal on read-only counters.
        boolean writes = op == Op.CSRRW || op == Op.CSRRWI || i.rs1() != 0;
        long old = read(h, csr, i);
        if (writes) {
            long value = switch (op) {
                case CSRRW, CSRRWI -> src;
                case CSRRS, CSRRSI -> old | src;
                default -> old & ~src;
            };
            write(h, csr, value, i);
        }
        h.setX(i.rd(), old);
    }

    private static long read(Hart h, int csr, Insn i) {
        return switch (csr) {
            case FFLAGS -> h.fflags;
            case FRM -> h.frm;
            case FCSR -> (long) h.frm << 5 | h.fflags;
            case CYCLE, TIME -> h.system.readTime();
            case INSTRET -> h.icount;
            default -> throw Trap.illegal(h.pc, i.raw() & 0xFFFF_FFFFL);
        };
    }

    private static void write(Hart h, int csr, long value, Insn i) {
        switch (csr) {
            case FFLAGS -> h.fflags = (int) value & 0x1f;
            case FRM -> h.frm = (int) value & 7;
            case FCSR -> {
                h.fflags = (int) value & 0x1f;
                h.frm = (int) (value >> 5) & 7;
            }
            default -> throw Trap.illegal(h.pc, i.raw() & 0xFFFF_FFFFL);
        }
    }
}
