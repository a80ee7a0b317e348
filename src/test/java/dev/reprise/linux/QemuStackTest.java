package dev.reprise.linux;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The initial stack Reprise builds equals qemu-riscv64's byte for byte (but for the AT_RANDOM
 * bytes): a freestanding guest (src/test/resources/.../stackdump.c) prints its stack from sp to the
 * top under QEMU, and the same program is loaded by {@link Exec} with the same argv and environment.
 * Equal sp, argv/envp/auxv pointers, AT_PHDR/AT_ENTRY/AT_BASE mean equal placement of the stack,
 * the program and the interpreter. Skipped when qemu-riscv64 or riscv64-linux-gnu-gcc is missing.
 */
class QemuStackTest {
    private static final Path ROOT = Path.of(System.getProperty("reprise.root", "."));
    private static final Path OUT = ROOT.resolve("target/qemu-compare");
    private static final Path SYSROOT = Path.of("/usr/riscv64-linux-gnu");
    private static final List<String> ENV = List.of("A=1", "B=two words", "EMPTY=");

    @Test
    void staticExecutable() throws Exception {
        compare(build("stackdump-static", "-nostdlib", "-static"), null);
    }

    @Test
    void staticPie() throws Exception {
        compare(build("stackdump-static-pie", "-nostdlib", "-static-pie", "-fPIE", "-Wl,--no-dynamic-linker"), null);
    }

    @Test
    void dynamicWithInterpreter() throws Exception {
        assumeTrue(Files.isRegularFile(SYSROOT.resolve("lib/ld-linux-riscv64-lp64d.so.1")),
                "needs libc6-riscv64-cross (" + SYSROOT + "/lib/ld-linux-riscv64-lp64d.so.1)");
        compare(build("stackdump-dynamic", "-nostdlib", "-pie", "-fPIE"), SYSROOT);
    }

    @Test
    void dynamicExecutableAtAFixedAddress() throws Exception {
        assumeTrue(Files.isRegularFile(SYSROOT.resolve("lib/libc.so.6")), "needs libc6-riscv64-cross (" + SYSROOT + "/lib/libc.so.6)");
        // Linked against libc only so that it gets a PT_INTERP; _start never calls it.
        compare(build("stackdump-dynamic-exec", "-nostartfiles", "-no-pie", "-Wl,--no-as-needed"), SYSROOT);
    }

    private static Path build(String name, String... flags) throws Exception {
        assumeTrue(onPath("qemu-riscv64"), "qemu-riscv64 not installed (apt-get install qemu-user)");
        assumeTrue(onPath("riscv64-linux-gnu-gcc"), "riscv64-linux-gnu-gcc not installed (apt-get install gcc-riscv64-linux-gnu)");
        Files.createDirectories(OUT);
        Path source = OUT.resolve("stackdump.c");
        try (var in = QemuStackTest.class.getResourceAsStream("stackdump.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = OUT.resolve(name).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("riscv64-linux-gnu-gcc", "-O1", "-ffreestanding",
                "-fno-stack-protector", "-o", binary.toString(), source.toString()));
        command.addAll(List.of(flags));
        run(command);
        return binary;
    }

    private static void compare(Path binary, Path sysroot) throws Exception {
        List<String> argv = List.of(binary.toString(), "one", "", "three");
        List<String> command = new ArrayList<>(List.of("env", "-i"));
        command.addAll(ENV);
        command.add("qemu-riscv64");
        if (sysroot != null) command.addAll(List.of("-L", sysroot.toString()));
        command.addAll(argv);
        String[] lines = run(command).split("\n");
        long qemuSp = Long.parseUnsignedLong(lines[0].trim(), 16);
        String qemuStack = lines[1].trim();

        // QEMU hands the environment over reversed (see Exec.qemuEnvironment).
        Process p = new Process(new Options(binary, argv, Exec.qemuEnvironment(ENV, List.of()), sysroot, null, 7));
        try {
            Exec.Start start = Exec.load(p, p.options);
            long execfn = ExecTest.auxv(p, start.sp()).get((long) Exec.AT_EXECFN);
            long top = (execfn | 0xfff) + 1;
            byte[] mine = new byte[(int) (top - start.sp())];
            p.space.read(start.sp(), mine, 0, mine.length);
            String reprise = HexFormat.of().formatHex(mine);

            assertThat(Long.toHexString(start.sp())).isEqualTo(Long.toHexString(qemuSp));
            int random = (int) (ExecTest.auxv(p, start.sp()).get((long) Exec.AT_RANDOM) - start.sp());
            assertThat(mask(reprise, random)).isEqualTo(mask(qemuStack, random));
        } finally {
            p.space.close();
        }
    }

    /** Replaces the 16 AT_RANDOM bytes (hex digits at 2*offset) with dots. */
    private static String mask(String hex, int offset) {
        return hex.length() < 2 * offset + 32 ? hex : hex.substring(0, 2 * offset) + ".".repeat(32) + hex.substring(2 * offset + 32);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        java.lang.Process proc = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = proc.getInputStream().readAllBytes();
        assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(proc.exitValue()).as("%s failed: %s", command, text).isZero();
        return text;
    }
}
