package dev.reprise.trace;

import dev.reprise.GuestRunner;
import dev.reprise.isa.Compressed;
import dev.reprise.isa.Decoder;
import dev.reprise.isa.Disassembler;
import dev.reprise.isa.Insn;
import dev.reprise.isa.Op;
import dev.reprise.linux.Exec;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.trace.RandomInstructions.Instruction;
import dev.reprise.trace.RandomProgram.Sequence;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Random differential test against qemu-riscv64: random straight-line sequences of every
 * non-control-flow RV64GC instruction (integer, M, A, F, D with every rounding mode, Zicsr on the FP
 * CSRs, and the compressed forms), run under QEMU and under Reprise; afterwards every integer and FP
 * register, fcsr and every byte of each sequence's data block must be equal, and so must the
 * fflags that probes read (and clear) after most FP operations.
 *
 * <p>Each program ({@link RandomProgram}) holds {@value #SEQUENCES_PER_PROGRAM} sequences, runs as a
 * static ELF under QEMU (which writes the result blocks to stdout) and in-process under Reprise
 * (whose result blocks are read from guest memory). On a mismatch the failure names the seed, the
 * program and the sequence, the differing registers and bytes, the sequence's disassembly, and
 * (from a QEMU single-step log) the first instruction after which Reprise's registers differ.
 *
 * <p>System properties: {@code reprise.randdiff.seed} (default {@value #DEFAULT_SEED}),
 * {@code reprise.randdiff.sequences} (default {@value #DEFAULT_SEQUENCES}),
 * {@code reprise.randdiff.program} (run only this program index of the seed, to reproduce a failure),
 * {@code reprise.randdiff.keep} (keep every generated ELF in target/randdiff, not only failing ones),
 * {@code reprise.randdiff.lockstep} (compare the registers after every instruction, from QEMU's
 * single-step log, for every program; by default only program 0 and a program chosen with
 * reprise.randdiff.program are compared so; it matters because a
 * register written and overwritten within a sequence never reaches its result slot).
 * Long campaign: {@code mvn -q test -Dtest=RandomDifferentialTest -Dreprise.randdiff.sequences=20000 -Dreprise.randdiff.seed=$RANDOM}.
 */
class RandomDifferentialTest {
    static final long DEFAULT_SEED = 20261127;
    static final int DEFAULT_SEQUENCES = 400;
    static final int SEQUENCES_PER_PROGRAM = 40;
    static final int MIN_LENGTH = 50, MAX_LENGTH = 200;
    /** Stop a campaign after this many failing programs. */
    static final int MAX_FAILURES = 5;

    @Test
    void generatorCoversEveryNonControlFlowInstruction() {
        Set<Op> missing = EnumSet.noneOf(Op.class);
        for (Op op : Op.values()) {
            if (RandomInstructions.NOT_GENERATED.contains(op)) continue;
            if (!generates(op)) missing.add(op);
        }
        Set<Compressed> missingC = EnumSet.noneOf(Compressed.class);
        for (Compressed c : Compressed.values()) {
            if (RandomInstructions.NOT_GENERATED_COMPRESSED.contains(c)) continue;
            if (!generates(c)) missingC.add(c);
        }
        assertThat(missing).as("operations the random generator cannot produce").isEmpty();
        assertThat(missingC).as("compressed forms the random generator cannot produce").isEmpty();
        // What is left out must be control flow, ecall/ebreak, fence.i or illegal: nothing more.
        assertThat(RandomInstructions.NOT_GENERATED).allMatch(op -> op == Op.ILLEGAL || op == Op.ECALL
                || op == Op.EBREAK || op == Op.FENCE_I || op.operands.contains("p") || op.operands.contains("a")
                || op == Op.JALR);
        assertThat(RandomInstructions.NOT_GENERATED_COMPRESSED).allMatch(c -> c.op == Op.ILLEGAL
                || RandomInstructions.NOT_GENERATED.contains(c.op));
    }

    /** True if the generator, asked for {@code op}, emits it (among setup instructions), validly encoded. */
    private static boolean generates(Op op) {
        SplittableRandom random = new SplittableRandom(op.ordinal());
        for (int attempt = 0; attempt < 20; attempt++) {
            List<Instruction> out = new ArrayList<>();
            if (!new RandomInstructions(random, 0).generate(op, out)) return false;
            if (out.stream().anyMatch(i -> i.length() == 4 && i.decoded().op() == op)) return true;
        }
        return false;
    }

    private static boolean generates(Compressed c) {
        SplittableRandom random = new SplittableRandom(c.ordinal());
        List<Instruction> out = new ArrayList<>();
        if (!new RandomInstructions(random, 0).generate(c, out)) return false;
        return out.stream().anyMatch(i -> i.decoded().compressed() == c);
    }

    @Test
    void randomSequencesAgreeWithQemu() throws Exception {
        assumeTrue(GuestRunner.onPath("qemu-riscv64"), "qemu-riscv64 is not installed (apt-get install qemu-user)");
        long seed = Long.getLong("reprise.randdiff.seed", DEFAULT_SEED);
        int sequences = Integer.getInteger("reprise.randdiff.sequences", DEFAULT_SEQUENCES);
        Integer only = Integer.getInteger("reprise.randdiff.program");
        boolean lockstepAll = Boolean.getBoolean("reprise.randdiff.lockstep");
        int programs = (sequences + SEQUENCES_PER_PROGRAM - 1) / SEQUENCES_PER_PROGRAM;
        Path dir = GuestRunner.root().resolve("target/randdiff");
        Files.createDirectories(dir);

        List<String> failures = new ArrayList<>();
        Set<Op> seenOps = EnumSet.noneOf(Op.class);
        Set<Compressed> seenCompressed = EnumSet.noneOf(Compressed.class);
        long started = System.nanoTime();
        int ran = 0;
        for (int p = only != null ? only : 0; p < (only != null ? only + 1 : programs); p++) {
            RandomProgram program = new RandomProgram(programSeed(seed, p), SEQUENCES_PER_PROGRAM, MIN_LENGTH, MAX_LENGTH);
            for (Sequence s : program.sequences) {
                for (Instruction i : s.body()) {
                    Insn insn = i.decoded();
                    seenOps.add(insn.op());
                    if (insn.compressed() != null) seenCompressed.add(insn.compressed());
                }
            }
            Path elf = program.elf.write(dir.resolve("seed-" + seed + "-program-" + p + ".elf"));
            String failure = compare(program, elf, seed, p, lockstepAll || p == 0 || only != null);
            ran++;
            if (failure == null) {
                if (!Boolean.getBoolean("reprise.randdiff.keep")) Files.delete(elf);
            } else {
                failures.add(failure);
                if (failures.size() >= MAX_FAILURES) break;
            }
        }
        System.out.printf("random differential test: seed %d, %d programs of %d sequences, %d failing, %.1f s%n",
                seed, ran, SEQUENCES_PER_PROGRAM, failures.size(), (System.nanoTime() - started) / 1e9);
        if (!failures.isEmpty()) fail(failures.size() + " program(s) differ from QEMU\n\n" + String.join("\n\n", failures));
        if (only == null && sequences >= DEFAULT_SEQUENCES) {
            Set<Op> notRun = EnumSet.copyOf(List.of(RandomProgram.generatedOps()));
            notRun.removeAll(seenOps);
            Set<Compressed> notRunC = EnumSet.copyOf(List.of(RandomProgram.generatedCompressed()));
            notRunC.removeAll(seenCompressed);
            assertThat(notRun).as("operations no sequence contained").isEmpty();
            assertThat(notRunC).as("compressed forms no sequence contained").isEmpty();
        }
    }

    static long programSeed(long seed, int program) {
        return new SplittableRandom(seed).split().nextLong() ^ program * 0x9E37_79B9_7F4A_7C15L;
    }

    /** Runs one program under both; null if they agree, else the failure report. */
    private static String compare(RandomProgram program, Path elf, long seed, int index, boolean lockstep) throws Exception {
        String where = "seed " + seed + ", program " + index;
        String reproduce = "reproduce: mvn -q test -Dtest=RandomDifferentialTest -Dreprise.randdiff.seed=" + seed
                + " -Dreprise.randdiff.program=" + index + "\n  program kept as " + elf;
        var qemu = GuestRunner.run(List.of("qemu-riscv64", elf.toString()), Map.of(), new byte[0], 120);
        byte[] expected = qemu.stdout().getBytes(StandardCharsets.ISO_8859_1);
        if (qemu.status() != 0 || expected.length != program.dumpLength) {
            return "QEMU did not run the generated program (" + where + "): status " + qemu.status() + ", "
                    + expected.length + " of " + program.dumpLength + " bytes written\n" + qemu.stderr() + "\n  " + reproduce;
        }

        byte[] actual = new byte[program.dumpLength];
        String failure = runReprise(program, elf, actual, false);
        if (failure != null) return "Reprise did not run the program through (" + where + ")\n  " + reproduce + "\n  " + failure;
        // The JIT must leave exactly what the interpreter left (and so what QEMU wrote).
        byte[] jitted = new byte[program.dumpLength];
        failure = runReprise(program, elf, jitted, true);
        if (failure != null) return "Reprise's JIT did not run the program through (" + where + ")\n  " + reproduce + "\n  " + failure;
        for (Sequence s : program.sequences) {
            String diff = blockDiff(expected, jitted, s.index());
            if (diff != null) {
                return "Reprise's JIT differs from QEMU after sequence " + s.index() + " (" + where + ")\n  " + reproduce
                        + "\n" + diff + "  sequence " + s.index() + ":\n" + s.disassembly();
            }
        }

        for (Sequence s : program.sequences) {
            String diff = blockDiff(expected, actual, s.index());
            if (diff != null) {
                return "Reprise differs from QEMU after sequence " + s.index() + " (" + where + ")\n  " + reproduce
                        + "\n" + diff + orElse(firstDivergence(program, elf),
                        "  (registers agree at every instruction of QEMU's log: the difference is in memory or fcsr)\n")
                        + "  sequence " + s.index() + ":\n" + s.disassembly();
            }
        }
        if (lockstep) {
            String divergence = firstDivergence(program, elf);
            if (divergence != null) {
                return "Reprise's registers differ from QEMU's in passing, though not at the end of any sequence ("
                        + where + ")\n  " + reproduce + "\n" + divergence;
            }
        }
        if (ByteBuffer.wrap(expected).compareTo(ByteBuffer.wrap(actual)) != 0) {
            return "Reprise's memory differs from QEMU's past the last block (" + where + ")\n  " + reproduce;
        }
        return null;
    }

    /**
     * Runs the program in-process under Reprise — the interpreter one instruction at a time, or the
     * JIT one block at a time — and copies the bytes QEMU writes out from its memory into
     * {@code dump}; null if it ran to exit_group(0), else what went wrong.
     */
    private static String runReprise(RandomProgram program, Path elf, byte[] dump, boolean jit) throws Exception {
        // One argument more than under QEMU: the program then writes to a bad fd instead of stdout.
        Process process = new Process(new Options(elf, List.of(elf.toString(), "reprise"), List.of(), null, null, 0, jit));
        try {
            String threshold = System.getProperty("reprise.jit.threshold");
            System.setProperty("reprise.jit.threshold", "0"); // the JIT translates every block at once
            Task task;
            try {
                task = Task.first(process, Exec.load(process, process.options));
            } finally {
                if (threshold == null) System.clearProperty("reprise.jit.threshold");
                else System.setProperty("reprise.jit.threshold", threshold);
            }
            long limit = program.instructionCount + 10;
            try {
                for (long n = 0; jit ? task.stepBlock() : task.step(); n++) {
                    if (n > limit) return "Reprise still runs after " + limit + " instructions, at pc 0x"
                            + Long.toHexString(task.hart.pc) + located(program, task.hart.pc);
                }
            } catch (Throwable e) {
                return "Reprise threw " + e + " at pc 0x" + Long.toHexString(task.hart.pc) + located(program, task.hart.pc);
            }
            int status = process.awaitExit();
            if (status != 0) {
                return "Reprise ended with status " + status + " at pc 0x" + Long.toHexString(task.hart.pc)
                        + located(program, task.hart.pc);
            }
            process.space.read(RandomProgram.DATA, dump, 0, dump.length);
            return null;
        } finally {
            process.space.close(); // each space reserves 512 GiB of host address space
        }
    }

    private static String located(RandomProgram program, long pc) {
        Sequence s = program.sequenceAt(pc);
        if (s == null) return " (before the first sequence)";
        String insn = "";
        if (pc >= s.bodyPc() && pc < s.endPc()) {
            long at = s.bodyPc();
            for (Instruction i : s.body()) {
                if (at == pc) insn = ": " + Disassembler.disassemble(i.bits(), pc);
                at += i.length();
            }
            return insn + " in the body of sequence " + s.index() + ":\n" + s.disassembly();
        }
        return " (prologue or epilogue near sequence " + s.index() + ")";
    }

    /** The differing registers, fcsr and bytes of one sequence's block, or null if equal. */
    private static String blockDiff(byte[] expected, byte[] actual, int k) {
        ByteBuffer e = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer a = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        int block = k * RandomProgram.BLOCK, slot = block + RandomProgram.RESULT;
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 32; r++) {
            long qx = e.getLong(slot + 8 * r), rx = a.getLong(slot + 8 * r);
            if (qx != rx) sb.append(String.format("  x%d (%s): reprise 0x%x, qemu 0x%x%n", r, Disassembler.xreg(r), rx, qx));
        }
        for (int r = 0; r < 32; r++) {
            int at = slot + RandomProgram.F_OFFSET + 8 * r;
            long qf = e.getLong(at), rf = a.getLong(at);
            if (qf != rf) sb.append(String.format("  f%d (%s): reprise 0x%x, qemu 0x%x%n", r, Disassembler.freg(r), rf, qf));
        }
        int fcsr = slot + RandomProgram.FCSR_OFFSET;
        if (e.getLong(fcsr) != a.getLong(fcsr)) {
            sb.append(String.format("  fcsr: reprise 0x%x, qemu 0x%x (frm<<5 | NV DZ OF UF NX)%n", a.getLong(fcsr), e.getLong(fcsr)));
        }
        int bytes = 0;
        for (int i = 0; i < RandomProgram.BLOCK; i++) {
            if (i >= RandomProgram.RESULT && i < RandomProgram.RESULT + RandomProgram.FCSR_OFFSET + 8) continue;
            int at = block + i;
            if (i >= RandomProgram.FLAG_LOG && i < RandomProgram.FLAG_LOG + RandomInstructions.FLAG_LOG_SIZE) {
                if (expected[at] != actual[at]) {
                    sb.append(String.format("  fflags at probe %d (sb ...,%d(sp)): reprise 0x%02x, qemu 0x%02x (NV DZ OF UF NX)%n",
                            i - RandomProgram.FLAG_LOG, i - 2048, actual[at], expected[at]));
                }
                continue;
            }
            if (expected[at] != actual[at] && bytes++ < 16) {
                sb.append(String.format("  memory sp%+d (0x%x): reprise 0x%02x, qemu 0x%02x%n", i - 2048,
                        RandomProgram.DATA + at, actual[at] & 0xff, expected[at] & 0xff));
            }
        }
        if (bytes > 16) sb.append("  ... ").append(bytes - 16).append(" more bytes differ\n");
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String orElse(String s, String otherwise) {
        return s != null ? s : otherwise;
    }

    /**
     * Runs the program again under QEMU with a per-instruction register log and steps Reprise
     * alongside it: the first instruction after which x or f registers differ, with its operands;
     * null if they never do.
     */
    private static String firstDivergence(RandomProgram program, Path elf) {
        Path log = null;
        Process process = null;
        try {
            log = Files.createTempFile("randdiff-", ".log");
            // The same argv as Reprise's, so that neither writes the blocks out.
            GuestRunner.run(List.of("qemu-riscv64", "-singlestep", "-d", "cpu,fpu,nochain", "-D", log.toString(),
                    elf.toString(), "reprise"), Map.of(), new byte[0], 300);
            process = new Process(new Options(elf, List.of(elf.toString(), "reprise"), List.of(), null, null, 0));
            Task task = Task.first(process, Exec.load(process, process.options));
            var h = task.hart;
            long[] beforeX = new long[32], beforeF = new long[32];
            long beforePc = -1;
            // Until the first body, the registers hold what the loader left (sp may differ): compare from there.
            long firstBody = program.sequences.getFirst().bodyPc();
            try (QemuLog q = new QemuLog(log)) {
                QemuLog.State s;
                while ((s = q.next()) != null && h.pc != program.exitPc) { // the write's result may differ
                    boolean same = h.pc == s.pc() && java.util.Arrays.equals(h.x, s.x())
                            && (s.f() == null || java.util.Arrays.equals(h.f, s.f()));
                    if (!same && (h.pc >= firstBody || h.pc != s.pc())) return divergence(program, beforePc, beforeX, beforeF, h.pc, h.x, h.f, s);
                    beforePc = h.pc;
                    System.arraycopy(h.x, 0, beforeX, 0, 32);
                    System.arraycopy(h.f, 0, beforeF, 0, 32);
                    if (!task.step()) break;
                }
            }
            return null;
        } catch (Exception | AssertionError e) {
            return "  (could not single-step to the first divergence: " + e + ")\n";
        } finally {
            if (log != null) log.toFile().delete();
            if (process != null) process.space.close();
        }
    }

    private static String divergence(RandomProgram program, long pc, long[] x, long[] f, long actualPc, long[] ax,
                                     long[] af, QemuLog.State expected) {
        StringBuilder sb = new StringBuilder("  first divergence, after ");
        if (pc < 0) return sb.append("no instruction (initial state)\n").toString();
        int bits = readCode(program, pc);
        Insn insn = Decoder.decode(bits);
        Sequence in = program.sequenceAt(pc);
        sb.append(String.format("0x%x: %s%s%n", pc, Disassembler.disassemble(insn, pc),
                in == null || pc >= in.endPc() ? "" : " (sequence " + in.index() + ")"));
        sb.append(String.format("    operands before: rs1 %s=0x%x rs2 %s=0x%x | fs1 %s=0x%x fs2 %s=0x%x fs3 %s=0x%x%n",
                Disassembler.xreg(insn.rs1()), x[insn.rs1()], Disassembler.xreg(insn.rs2()), x[insn.rs2()],
                Disassembler.freg(insn.rs1()), f[insn.rs1()], Disassembler.freg(insn.rs2()), f[insn.rs2()],
                Disassembler.freg(insn.rs3()), f[insn.rs3()]));
        if (in != null && pc < in.endPc()) sb.append(context(in, pc));
        if (insn.op().name().startsWith("CSRR") && (insn.imm() == RandomInstructions.FFLAGS || insn.imm() == RandomInstructions.FCSR)) {
            sb.append("    (a read of fflags: the flags come from the FP instructions since the previous read)\n");
        }
        if (actualPc != expected.pc()) sb.append(String.format("    pc: reprise 0x%x, qemu 0x%x%n", actualPc, expected.pc()));
        for (int r = 0; r < 32; r++) {
            if (ax[r] != expected.x()[r]) {
                sb.append(String.format("    x%d (%s): reprise 0x%x, qemu 0x%x%n", r, Disassembler.xreg(r), ax[r], expected.x()[r]));
            }
            if (expected.f() != null && af[r] != expected.f()[r]) {
                sb.append(String.format("    f%d (%s): reprise 0x%x, qemu 0x%x%n", r, Disassembler.freg(r), af[r], expected.f()[r]));
            }
        }
        return sb.toString();
    }

    /** Up to six body instructions before {@code pc}, and the one at it. */
    private static String context(Sequence s, long pc) {
        List<String> lines = new ArrayList<>();
        long at = s.bodyPc();
        for (Instruction i : s.body()) {
            if (at > pc) break;
            lines.add(String.format("      %x:  %s%s%n", at, Disassembler.disassemble(i.bits(), at), at == pc ? "   <- here" : ""));
            at += i.length();
        }
        return String.join("", lines.subList(Math.max(0, lines.size() - 7), lines.size()));
    }

    /** The instruction bits at {@code pc} in the program's code. */
    private static int readCode(RandomProgram program, long pc) {
        byte[] text = program.elf.text();
        int at = (int) (pc - RandomProgram.TEXT);
        int lo = (text[at] & 0xff) | (text[at + 1] & 0xff) << 8;
        if ((lo & 3) != 3) return lo;
        return lo | ((text[at + 2] & 0xff) | (text[at + 3] & 0xff) << 8) << 16;
    }
}
