package dev.reprise.cli;

import dev.reprise.GuestRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code reprise run} as a user meets it: options, environment, dynamic programs, usage text. */
class RunCommandTest {
    static final Path SYSROOT = Path.of("/usr/riscv64-linux-gnu");

    @Test
    void dynamicProgramRunsWithASysroot() throws Exception {
        assumeTrue(Files.exists(SYSROOT.resolve("lib/ld-linux-riscv64-lp64d.so.1")),
                "no riscv64 sysroot at " + SYSROOT + " (apt-get install libc6-riscv64-cross)");
        Path program = GuestRunner.root().resolve("src/test/resources/dev/reprise/cli/hello-dynamic");
        var r = GuestRunner.run(GuestRunner.repriseCommand("run", "-L", SYSROOT.toString(), "--", program.toString(), "a", "b"),
                Map.of(), new byte[0], 120);
        assertThat(r.stdout()).isEqualTo("hello from a dynamic riscv64 program, argc=3\n");
        assertThat(r.status()).as(r.stderr()).isZero();
    }

    @Test
    void sysrootComesFromQemuLdPrefixToo() throws Exception {
        assumeTrue(Files.exists(SYSROOT.resolve("lib/ld-linux-riscv64-lp64d.so.1")), "no riscv64 sysroot at " + SYSROOT);
        Path program = GuestRunner.root().resolve("src/test/resources/dev/reprise/cli/hello-dynamic");
        var r = GuestRunner.run(GuestRunner.repriseCommand("run", "--", program.toString()),
                Map.of("QEMU_LD_PREFIX", SYSROOT.toString()), new byte[0], 120);
        assertThat(r.stdout()).startsWith("hello from a dynamic riscv64 program");
    }

    @Test
    void environmentChangesApplyInOrderAndArgv0CanBeSet() throws Exception {
        // argv_env prints argv and the sorted environment.
        var r = GuestRunner.run(GuestRunner.repriseCommand("run", "-E", "B=2", "-E", "A=1", "-U", "B", "-E", "C=3",
                "-U", "HOME", "-0", "renamed", "--", "guest-tests/bin/argv_env"), Map.of("HOME", "/root"), new byte[0], 120);
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("argv[0] basename=renamed")
                .contains("env(sorted)[0]=\"A=1\"").contains("env(sorted)[1]=\"C=3\"").contains("envc=2");
    }

    @Test
    void usageShowsOptionEnvironmentAndDefaultInColumns() throws Exception {
        var r = GuestRunner.run(GuestRunner.repriseCommand("run", "--help"), Map.of("REPRISE_SEED", "77"), new byte[0], 60);
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).containsPattern("Option +Environment +Default +Description")
                .containsPattern("--seed N +REPRISE_SEED +77 +Seed")
                .containsPattern("-L, --sysroot DIR +QEMU_LD_PREFIX +Root");
    }

    @Test
    void seedMakesRandomBytesRepeat() throws Exception {
        var a = GuestRunner.run(GuestRunner.repriseCommand("run", "--seed", "5", "--", "guest-tests/bin/random_bytes"),
                Map.of(), new byte[0], 60);
        var b = GuestRunner.run(GuestRunner.repriseCommand("run", "--seed", "5", "--", "guest-tests/bin/random_bytes"),
                Map.of(), new byte[0], 60);
        var c = GuestRunner.run(GuestRunner.repriseCommand("run", "--seed", "6", "--", "guest-tests/bin/random_bytes"),
                Map.of(), new byte[0], 60);
        assertThat(a.stdout()).isNotEmpty().isEqualTo(b.stdout()).isNotEqualTo(c.stdout());
    }
}
