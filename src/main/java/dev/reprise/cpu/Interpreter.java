package dev.reprise.cpu;

import dev.reprise.isa.Decoder;
import dev.reprise.isa.Insn;
import dev.reprise.mem.MemoryFault;
import dev.reprise.mem.Mmu;

/**
 * The reference semantics of RV64GC user mode: fetch, decode, execute, one instruction at a time,
 * one case per operation (floating point in {@link Fp}). The JIT must agree with this class
 * instruction for instruction.
 *
 * <p>Stateless: everything lives in the {@link Hart}, so any number of vCPU threads run it at once.
 */
public final class Interpreter {
    private Interpreter() {}

    /** Runs up to {@code budget} instructions; a trap ends the run early with pc at the faulting one. */
    public static void run(Hart h, int budget) {
        for (int n = 0; n < budget; n++) step(h);
    }

    /** Fetches, decodes and executes one instruction; throws {@link Trap} if it does not retire. */
    public static void step(Hart h) {
        long pc = h.pc;
        Insn insn;
        try {
            insn = h.decode(fetch(h.mmu, pc));
        } catch (MemoryFault f) {
            throw new Trap(Trap.Cause.MEMORY, pc, f.address, f);
        }
        executeAt(h, insn);
    }

    /**
     * Executes {@code insn}, already fetched and decoded from {@code h.pc}, exactly as {@link #step}
     * would: the JIT calls it for the instructions it does not translate itself.
     */
    public static void executeAt(Hart h, Insn insn) {
        long pc = h.pc;
        try {
            execute(h, insn, pc);
        } catch (MemoryFault f) {
            throw new Trap(Trap.Cause.MEMORY, pc, f.address, f);
        }
    }

    /** The instruction bits at pc: a 16-bit parcel, or 32 bits when the low bits are 11. */
    public static int fetch(Mmu mmu, long pc) {
        int lo = mmu.fetch16(pc);
        return (lo & 3) != 3 ? lo : lo | mmu.fetch16(pc + 2) << 16;
    }

    /** Executes one decoded instruction at {@code pc}: registers, memory, pc and icount. */
    static void execute(Hart h, Insn i, long pc) {
        final long[] x = h.x;
        final Mmu m = h.mmu;
        final int rd = i.rd();
        final long a = x[i.rs1()], b = x[i.rs2()], imm = i.imm();
        long next = pc + i.length();
        switch (i.op()) {
            // RV64I
            case LUI -> h.setX(rd, imm);
            case AUIPC -> h.setX(rd, pc + imm);
            case JAL -> { h.setX(rd, next); next = pc + imm; }
            case JALR -> { long target = (a + imm) & ~1L; h.setX(rd, next); next = target; }
            case BEQ -> { if (a == b) next = pc + imm; }
            case BNE -> { if (a != b) next = pc + imm; }
            case BLT -> { if (a < b) next = pc + imm; }
            case BGE -> { if (a >= b) next = pc + imm; }
            case BLTU -> { if (Long.compareUnsigned(a, b) < 0) next = pc + imm; }
            case BGEU -> { if (Long.compareUnsigned(a, b) >= 0) next = pc + imm; }
            case LB -> h.setX(rd, m.lb(a + imm));
            case LH -> h.setX(rd, m.lh(a + imm));
            case LW -> h.setX(rd, m.lw(a + imm));
            case LD -> h.setX(rd, m.ld(a + imm));
            case LBU -> h.setX(rd, m.lbu(a + imm));
            case LHU -> h.setX(rd, m.lhu(a + imm));
            case LWU -> h.setX(rd, m.lwu(a + imm));
            case SB -> m.sb(a + imm, b);
            case SH -> m.sh(a + imm, b);
            case SW -> m.sw(a + imm, b);
            case SD -> m.sd(a + imm, b);
            case ADDI -> h.setX(rd, a + imm);
            case SLTI -> h.setX(rd, a < imm ? 1 : 0);
            case SLTIU -> h.setX(rd, Long.compareUnsigned(a, imm) < 0 ? 1 : 0);
            case XORI -> h.setX(rd, a ^ imm);
            case ORI -> h.setX(rd, a | imm);
            case ANDI -> h.setX(rd, a & imm);
            case SLLI -> h.setX(rd, a << imm);
            case SRLI -> h.setX(rd, a >>> imm);
            case SRAI -> h.setX(rd, a >> imm);
            case ADD -> h.setX(rd, a + b);
            case SUB -> h.setX(rd, a - b);
            case SLL -> h.setX(rd, a << b);
            case SLT -> h.setX(rd, a < b ? 1 : 0);
            case SLTU -> h.setX(rd, Long.compareUnsigned(a, b) < 0 ? 1 : 0);
            case XOR -> h.setX(rd, a ^ b);
            case SRL -> h.setX(rd, a >>> b);
            case SRA -> h.setX(rd, a >> b);
            case OR -> h.setX(rd, a | b);
            case AND -> h.setX(rd, a & b);
            case ADDIW -> h.setX(rd, (int) (a + imm));
            case SLLIW -> h.setX(rd, (int) a << imm);
            case SRLIW -> h.setX(rd, (int) a >>> imm);
            case SRAIW -> h.setX(rd, (int) a >> imm);
            case ADDW -> h.setX(rd, (int) (a + b));
            case SUBW -> h.setX(rd, (int) (a - b));
            case SLLW -> h.setX(rd, (int) a << (b & 31));
            case SRLW -> h.setX(rd, (int) a >>> (b & 31));
            case SRAW -> h.setX(rd, (int) a >> (b & 31));
            case FENCE -> m.fence((int) imm);
            case FENCE_I -> { } // decoded instructions are cached by their bits, so nothing is stale
            case ECALL -> {
                // The ecall retires on entering the kernel; a call that moves pc (rt_sigreturn) overrides next.
                h.pc = next;
                h.icount++;
                h.system.ecall(h);
                return;
            }
            case EBREAK -> throw new Trap(Trap.Cause.BREAKPOINT, pc, 0, null);

            // Zicsr
            case CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI -> Csr.execute(h, i);

            // M
            case MUL -> h.setX(rd, a * b);
            case MULH -> h.setX(rd, Math.multiplyHigh(a, b));
            case MULHSU -> h.setX(rd, Math.multiplyHigh(a, b) + (b < 0 ? a : 0));
            case MULHU -> h.setX(rd, Math.unsignedMultiplyHigh(a, b));
            case DIV -> h.setX(rd, b == 0 ? -1 : a / b);
            case DIVU -> h.setX(rd, b == 0 ? -1 : Long.divideUnsigned(a, b));
            case REM -> h.setX(rd, b == 0 ? a : a % b);
            case REMU -> h.setX(rd, b == 0 ? a : Long.remainderUnsigned(a, b));
            case MULW -> h.setX(rd, (int) a * (int) b);
            case DIVW -> h.setX(rd, (int) b == 0 ? -1 : (int) a / (int) b);
            case DIVUW -> h.setX(rd, (int) b == 0 ? -1 : Integer.divideUnsigned((int) a, (int) b));
            case REMW -> h.setX(rd, (int) b == 0 ? (int) a : (int) a % (int) b);
            case REMUW -> h.setX(rd, (int) b == 0 ? (int) a : Integer.remainderUnsigned((int) a, (int) b));

            // A
            case LR_W -> h.setX(rd, m.loadReserved(a, false, i.aq()));
            case LR_D -> h.setX(rd, m.loadReserved(a, true, i.aq()));
            case SC_W -> h.setX(rd, m.storeConditional(a, b, false, i.rl()) ? 0 : 1);
            case SC_D -> h.setX(rd, m.storeConditional(a, b, true, i.rl()) ? 0 : 1);
            case AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
                 AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D ->
                    h.setX(rd, m.amo(i.op(), a, b, i.aq(), i.rl()));

            // F and D: loads and stores move raw bits (singles NaN-boxed on load); the rest is Fp's.
            case FLW -> h.f[rd] = 0xFFFF_FFFF_0000_0000L | m.lwu(a + imm);
            case FLD -> h.f[rd] = m.ld(a + imm);
            case FSW -> m.sw(a + imm, h.f[i.rs2()]);
            case FSD -> m.sd(a + imm, h.f[i.rs2()]);
            case FMADD_S -> Fp.fmaddS(h, i);
            case FMSUB_S -> Fp.fmsubS(h, i);
            case FNMSUB_S -> Fp.fnmsubS(h, i);
            case FNMADD_S -> Fp.fnmaddS(h, i);
            case FADD_S -> Fp.faddS(h, i);
            case FSUB_S -> Fp.fsubS(h, i);
            case FMUL_S -> Fp.fmulS(h, i);
            case FDIV_S -> Fp.fdivS(h, i);
            case FSQRT_S -> Fp.fsqrtS(h, i);
            case FSGNJ_S -> Fp.fsgnjS(h, i);
            case FSGNJN_S -> Fp.fsgnjnS(h, i);
            case FSGNJX_S -> Fp.fsgnjxS(h, i);
            case FMIN_S -> Fp.fminS(h, i);
            case FMAX_S -> Fp.fmaxS(h, i);
            case FCVT_W_S -> Fp.fcvtWS(h, i);
            case FCVT_WU_S -> Fp.fcvtWuS(h, i);
            case FCVT_L_S -> Fp.fcvtLS(h, i);
            case FCVT_LU_S -> Fp.fcvtLuS(h, i);
            case FMV_X_W -> Fp.fmvXW(h, i);
            case FCLASS_S -> Fp.fclassS(h, i);
            case FEQ_S -> Fp.feqS(h, i);
            case FLT_S -> Fp.fltS(h, i);
            case FLE_S -> Fp.fleS(h, i);
            case FCVT_S_W -> Fp.fcvtSW(h, i);
            case FCVT_S_WU -> Fp.fcvtSWu(h, i);
            case FCVT_S_L -> Fp.fcvtSL(h, i);
            case FCVT_S_LU -> Fp.fcvtSLu(h, i);
            case FMV_W_X -> Fp.fmvWX(h, i);
            case FMADD_D -> Fp.fmaddD(h, i);
            case FMSUB_D -> Fp.fmsubD(h, i);
            case FNMSUB_D -> Fp.fnmsubD(h, i);
            case FNMADD_D -> Fp.fnmaddD(h, i);
            case FADD_D -> Fp.faddD(h, i);
            case FSUB_D -> Fp.fsubD(h, i);
            case FMUL_D -> Fp.fmulD(h, i);
            case FDIV_D -> Fp.fdivD(h, i);
            case FSQRT_D -> Fp.fsqrtD(h, i);
            case FSGNJ_D -> Fp.fsgnjD(h, i);
            case FSGNJN_D -> Fp.fsgnjnD(h, i);
            case FSGNJX_D -> Fp.fsgnjxD(h, i);
            case FMIN_D -> Fp.fminD(h, i);
            case FMAX_D -> Fp.fmaxD(h, i);
            case FCVT_S_D -> Fp.fcvtSD(h, i);
            case FCVT_D_S -> Fp.fcvtDS(h, i);
            case FEQ_D -> Fp.feqD(h, i);
            case FLT_D -> Fp.fltD(h, i);
            case FLE_D -> Fp.fleD(h, i);
            case FCLASS_D -> Fp.fclassD(h, i);
            case FCVT_W_D -> Fp.fcvtWD(h, i);
            case FCVT_WU_D -> Fp.fcvtWuD(h, i);
            case FCVT_L_D -> Fp.fcvtLD(h, i);
            case FCVT_LU_D -> Fp.fcvtLuD(h, i);
            case FCVT_D_W -> Fp.fcvtDW(h, i);
            case FCVT_D_WU -> Fp.fcvtDWu(h, i);
            case FCVT_D_L -> Fp.fcvtDL(h, i);
            case FCVT_D_LU -> Fp.fcvtDLu(h, i);
            case FMV_X_D -> Fp.fmvXD(h, i);
            case FMV_D_X -> Fp.fmvDX(h, i);

            case ILLEGAL -> throw Trap.illegal(pc, i.raw() & 0xFFFF_FFFFL);
        }
        h.pc = next;
        h.icount++;
    }
}
