package dev.reprise.cli;

import dev.reprise.GuestRunner;
import dev.reprise.TinyElf;
import dev.reprise.isa.Asm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user who makes a mistake sees: one line on stderr (never a Java stack trace) and an exit
 * status of its own, for every kind of bad input DESIGN.md lists.
 */
class BadInputTest {
    @TempDir
    Path dir;

    static GuestRunner.Result reprise(String... args) throws Exception {
        return GuestRunner.run(GuestRunner.repriseCommand(args), Map.of(), new byte[0], 120);
    }

    static void assertOneLineError(GuestRunner.Result r, int status, String text) {
        assertThat(r.status()).as(r.stderr()).isEqualTo(status);
        assertThat(r.stderr().strip()).as("one line").doesNotContain("\n").startsWith("reprise: ").contains(text);
        assertThat(r.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingProgram() throws Exception {
        assertOneLineError(reprise("run", "--", dir.resolve("nope").toString()), 66, "No such file");
    }

    @Test
    void notAnElf() throws Exception {
        Path f = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        assertOneLineError(reprise("run", "--", f.toString()), 67, "not an ELF");
    }

    /** record starts writing while it loads the program: a program it cannot load leaves no recording behind. */
    @Test
    void recordOfAProgramThatCannotBeLoadedLeavesNoRecording() throws Exception {
        Path f = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        Path out = dir.resolve("rec");
        assertOneLineError(reprise("record", "-o", out.toString(), "--", f.toString()), 67, "not an ELF");
        assertThat(out).doesNotExist();
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertOneLineError(reprise("record", "-o", empty.toString(), "--", dir.resolve("nope").toString()), 66, "No such file");
        assertThat(empty).isEmptyDirectory();
    }

    @Test
    void recordIntoADirectoryThatIsNotEmpty() throws Exception {
        Files.writeString(dir.resolve("x"), "x");
        String hello = GuestRunner.root().resolve("guest-tests/bin/hello").toString();
        assertOneLineError(reprise("record", "-o", dir.toString(), "--", hello), 75, "not empty");
    }

    @Test
    void wrongClass() throws Exception {
        byte[] elf32 = Arrays.copyOf(Files.readAllBytes(GuestRunner.root().resolve("guest-tests/bin/hello")), 4096);
        elf32[4] = 1; // ELFCLASS32
        assertOneLineError(reprise("run", "--", Files.write(dir.resolve("elf32"), elf32).toString()), 68, "");
    }

    @Test
    void wrongMachine() throws Exception {
        Path host = Path.of("/bin/true").toRealPath();
        assertOneLineError(reprise("run", "--", host.toString()), 69, "not riscv64");
    }

    @Test
    void truncatedElf() throws Exception {
        byte[] head = Arrays.copyOf(Files.readAllBytes(GuestRunner.root().resolve("guest-tests/bin/hello")), 2000);
        assertOneLineError(reprise("run", "--", Files.write(dir.resolve("cut"), head).toString()), 70, "");
    }

    @Test
    void dynamicProgramWithoutSysroot() throws Exception {
        Path dynamic = dynamicHello();
        assertOneLineError(reprise("run", "--", dynamic.toString()), 73, "--sysroot");
    }

    @Test
    void sysrootWithoutTheInterpreter() throws Exception {
        Path dynamic = dynamicHello();
        assertOneLineError(reprise("run", "-L", dir.toString(), "--", dynamic.toString()), 72, "not found under");
    }

    @Test
    void unknownOption() throws Exception {
        var r = reprise("run", "--no-such-option", "--", "x");
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.stderr()).startsWith("reprise: ").doesNotContain("Exception");
    }

    @Test
    void badEnvironmentAssignment() throws Exception {
        var r = reprise("run", "-E", "NOEQUALS", "--", "x");
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.stderr()).contains("-E wants VAR=VALUE");
    }

    @Test
    void illegalInstructionEndsWithSigill() throws Exception {
        var r = reprise("run", "--", "guest-tests/bin/crash_sigill");
        assertThat(r.status()).isEqualTo(132);
        assertThat(r.stderr().strip()).startsWith("reprise: guest killed by SIGILL at pc 0x").doesNotContain("\n");
    }

    @Test
    void segfaultEndsWithSigsegvAndTheAddress() throws Exception {
        var r = reprise("run", "--", "guest-tests/bin/crash_segv");
        assertThat(r.status()).isEqualTo(139);
        assertThat(r.stderr().strip()).startsWith("reprise: guest killed by SIGSEGV at pc 0x")
                .contains("fault address 0x").doesNotContain("\n");
    }

    @Test
    void unknownSyscallIsEnosysAndVisibleWithStrace() throws Exception {
        // The freestanding fixture calls syscall 4095 and exits with its negated result.
        byte[] code = Asm.program(0x10000, "addi a7,zero,2047", "addi a7,a7,2047", "addi a7,a7,1", "ecall",
                "sub a0,zero,a0", "addi a7,zero,93", "ecall");
        Path elf = new TinyElf(0x10000, code, 0x20000, new byte[0], 0x1000).write(dir.resolve("enosys"));
        var r = reprise("run", "--strace", "--", elf.toString());
        assertThat(r.status()).as("exit status = ENOSYS").isEqualTo(38);
        assertThat(r.stderr()).contains("4095").contains("errno=38");
    }

    /** A dynamically linked riscv64 hello (committed, so no cross compiler is needed). */
    private static Path dynamicHello() {
        return GuestRunner.root().resolve("src/test/resources/dev/reprise/cli/hello-dynamic");
    }
}
