package dev.reprise.isa;

import static dev.reprise.isa.CrossTools.GCC;
import static dev.reprise.isa.CrossTools.OBJDUMP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our disassembly of every instruction must read exactly like
 * {@code riscv64-linux-gnu-objdump -d -M no-aliases} of the same bits at the same address
 * (objdump's {@code <symbol+offset>} and {@code # comment} tails aside).
 */
class ObjdumpDifferentialTest {
    private static final Path FIXTURES = CrossTools.root().resolve("src/test/resources/dev/reprise/isa");
    private static final Path OUT = CrossTools.root().resolve("target/isa-fixtures");

    @BeforeAll
    static void tools() throws IOException {
        CrossTools.assumeInstalled(GCC, OBJDUMP);
        Files.createDirectories(OUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"compute", "floats", "threads"})
    void compiledStaticProgramsMatch(String program) throws Exception {
        Path elf = OUT.resolve(program);
        CrossTools.run(GCC, "-O2", "-march=rv64gc", "-static", "-pthread", "-o", elf.toString(),
                FIXTURES.resolve("fixtures/" + program + ".c").toString(), "-lm");
        assertMatches(elf, CrossTools.objdump(elf));
    }

    @Test
    void assemblyFixtureUsesEveryInstructionAndMatches() throws Exception {
        Path elf = OUT.resolve("all-instructions");
        CrossTools.run(GCC, "-march=rv64gc", "-nostdlib", "-static", "-o", elf.toString(),
                FIXTURES.resolve("all-instructions.S").toString());
        List<CrossTools.Line> lines = CrossTools.objdump(elf);
        assertMatches(elf, lines);

        Set<Op> ops = EnumSet.allOf(Op.class);
        Set<Compressed> forms = EnumSet.allOf(Compressed.class);
        ops.remove(Op.ILLEGAL);
        forms.removeIf(c -> c.op == Op.ILLEGAL);
        for (CrossTools.Line line : lines) {
            Insn insn = Decoder.decode(line.bits());
            ops.remove(insn.op());
            forms.remove(insn.compressed());
        }
        assertThat(ops).as("operations the fixture never uses").isEmpty();
        assertThat(forms).as("compressed forms the fixture never uses").isEmpty();
    }

    /** Every RISC-V ELF the guest-tests build has committed (static, static-pie or dynamic alike). */
    @Test
    void guestProgramsMatch() throws Exception {
        Path bin = CrossTools.root().resolve("guest-tests/bin");
        assertThat(bin).as("the committed guest programs").isDirectory();
        List<Path> elves;
        try (Stream<Path> files = Files.list(bin)) {
            elves = files.filter(ObjdumpDifferentialTest::isRiscvElf).sorted().toList();
        }
        assertThat(elves).as("RISC-V ELFs in " + bin).isNotEmpty();
        List<String> mismatches = new ArrayList<>();
        int instructions = 0;
        for (Path elf : elves) {
            // Data that a program puts between instructions (".word 0" to raise SIGILL) carries a $d
            // mapping symbol, and objdump prints it as data: it is not an instruction to compare.
            List<CrossTools.Line> lines = CrossTools.objdump(elf).stream()
                    .filter(l -> !l.text().matches("\\.(word|short|byte)\\b.*")).toList();
            instructions += lines.size();
            mismatches.addAll(mismatches(elf, lines));
        }
        assertNone(mismatches, instructions);
    }

    /**
     * All 49152 16-bit parcels. The one known difference: c.addi16sp with a zero immediate, which
     * the specification reserves and objdump prints anyway.
     */
    @Test
    void everyCompressedParcelMatches() throws Exception {
        List<Integer> parcels = new ArrayList<>();
        for (int parcel = 0; parcel < 0x10000; parcel++) {
            if ((parcel & 3) != 3 && parcel != 0x6101) parcels.add(parcel);
        }
        Path object = assemble("parcels", parcels, "%04x");
        List<CrossTools.Line> lines = CrossTools.objdump(object);
        assertThat(lines).hasSameSizeAs(parcels);
        assertMatches(object, lines);
    }

    /** Random operands for every operation (64 samples each), plus fence.tso. */
    @Test
    void randomOperandsOfEveryOperationMatch() throws Exception {
        var random = new SplittableRandom(2026);
        List<Integer> words = new ArrayList<>(List.of(0x8330000f));
        for (Op op : Op.values()) {
            if (op == Op.ILLEGAL) continue;
            for (int n = 0; n < 64; n++) words.add(acceptedByObjdump(op, Asm.random(op, random)));
        }
        Path object = assemble("random-words", words, "%08x");
        List<CrossTools.Line> lines = CrossTools.objdump(object);
        assertThat(lines).hasSameSizeAs(words);
        assertMatches(object, lines);
    }

    /**
     * Clears the bits of spec-legal encodings that binutils 2.40 rejects: fences with fm, rd or
     * rs1 set (other than fence.tso), fence.i with any operand bits, and the exact conversions
     * (fcvt.d.s, fcvt.d.w, fcvt.d.wu) with an rm other than 0.
     */
    private static int acceptedByObjdump(Op op, int word) {
        return switch (op) {
            case FENCE -> word & 0x0ff0707f;
            case FENCE_I -> 0x0000100f;
            case FCVT_D_S, FCVT_D_W, FCVT_D_WU -> word & ~0x7000;
            default -> word;
        };
    }

    /** An object file whose .text holds exactly these instructions, from address 0. */
    private static Path assemble(String name, List<Integer> bits, String hex) throws Exception {
        StringBuilder source = new StringBuilder("    .text\n");
        for (int b : bits) source.append("    .insn 0x").append(String.format(hex, b)).append('\n');
        Path s = OUT.resolve(name + ".S"), object = OUT.resolve(name + ".o");
        Files.writeString(s, source);
        CrossTools.run(GCC, "-march=rv64gc", "-c", "-o", object.toString(), s.toString());
        return object;
    }

    private static void assertMatches(Path elf, List<CrossTools.Line> lines) {
        assertThat(lines).as("instructions objdump lists in " + elf).isNotEmpty();
        assertNone(mismatches(elf, lines), lines.size());
    }

    private static List<String> mismatches(Path elf, List<CrossTools.Line> lines) {
        List<String> mismatches = new ArrayList<>();
        for (CrossTools.Line line : lines) {
            Insn insn = Decoder.decode(line.bits());
            String expected = normalize(line.text(), insn);
            String actual = normalize(Disassembler.disassemble(insn, line.pc()), insn);
            if (!expected.equals(actual)) {
                mismatches.add(String.format("%s %x: %s  objdump: %-36s reprise: %s", elf.getFileName(), line.pc(),
                        Integer.toHexString(line.bits()), expected, actual));
            }
        }
        return mismatches;
    }

    private static void assertNone(List<String> mismatches, int instructions) {
        assertThat(mismatches)
                .as("%d of %d instructions differ from objdump; the first ones:%n%s", mismatches.size(), instructions,
                        String.join("\n", mismatches.subList(0, Math.min(30, mismatches.size()))))
                .isEmpty();
    }

    /**
     * Drops objdump's symbol and comment tails and evens out whitespace. Where objdump has no
     * symbol for a branch or jump target (stripped files) it prints the address with 0x; we
     * print it as objdump does next to a symbol, without.
     */
    private static String normalize(String text, Insn insn) {
        String plain = text.replaceAll("\\s*#.*$", "").replaceAll("\\s*<[^>]*>$", "").trim().replaceAll("\\s+", " ");
        boolean target = insn.op().format == Format.B || insn.op() == Op.JAL;
        return target ? plain.replaceFirst("([ ,])0x([0-9a-f]+)$", "$1$2") : plain;
    }

    /** An ELF file for RISC-V (e_machine 243), whatever else the folder holds. */
    private static boolean isRiscvElf(Path file) {
        if (!Files.isRegularFile(file)) return false;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(20);
            return h.length == 20 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F' && (h[18] & 0xff | h[19] << 8) == 243;
        } catch (IOException e) {
            return false;
        }
    }
}
