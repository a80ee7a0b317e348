package dev.reprise.isa;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Debian RISC-V cross toolchain, for tests that compare against it: build fixtures into
 * target/, list an ELF's instructions with objdump. Tests that need a tool are skipped (not
 * failed) when it is not installed.
 */
public final class CrossTools {
    private CrossTools() {}

    public static final String GCC = "riscv64-linux-gnu-gcc";
    public static final String OBJDUMP = "riscv64-linux-gnu-objdump";

    /** The project root (Surefire sets reprise.root), for fixtures and build output. */
    public static Path root() {
        return Path.of(System.getProperty("reprise.root", "."));
    }

    /** Skips the calling test unless every tool is on the PATH, saying which one is missing. */
    public static void assumeInstalled(String... tools) {
        for (String tool : tools) {
            boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            assumeTrue(found, tool + " is not installed (Debian: gcc-riscv64-linux-gnu, binutils-riscv64-linux-gnu)");
        }
    }

    /** Runs a command, failing with its error output if it fails; returns its standard output. */
    public static String run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("reprise-tool", ".out"), err = Files.createTempFile("reprise-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** One instruction line of objdump -d: address, instruction bits, text (mnemonic, tab, operands, tails). */
    public record Line(long pc, int bits, String text) {}

    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f]{4}|[0-9a-f]{8})\\s*\\t(.+)$");

    /** Every instruction objdump -d -M no-aliases lists in an ELF file (executable or object). */
    public static List<Line> objdump(Path elf) throws IOException, InterruptedException {
        List<Line> lines = new ArrayList<>();
        for (String line : run(OBJDUMP, "-d", "-M", "no-aliases", elf.toString()).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                lines.add(new Line(Long.parseUnsignedLong(m.group(1), 16), Integer.parseUnsignedInt(m.group(2), 16), m.group(3)));
            }
        }
        return lines;
    }
}
