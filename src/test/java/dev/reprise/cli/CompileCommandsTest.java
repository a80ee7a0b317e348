package dev.reprise.cli;

import dev.reprise.GuestRunner;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * src/main/jvm/compile-commands.txt reaches every Reprise JVM (the launcher, Surefire's) and is
 * silent: HotSpot echoes compile commands on stdout unless told "quiet", which would mix with the
 * guest's output, and refuses to start on a line it cannot parse.
 */
class CompileCommandsTest {
    private static final Path FILE = GuestRunner.root().resolve("src/main/jvm/compile-commands.txt");

    @Test
    void theLauncherAndSurefirePassTheFile() throws Exception {
        assertThat(Files.readString(GuestRunner.root().resolve("tools/reprise")))
                .contains("-XX:CompileCommandFile=\"$root/src/main/jvm/compile-commands.txt\"");
        // Surefire's, relative to the project root, its working directory (no quoting of a path with spaces).
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).contains("-XX:CompileCommandFile=src/main/jvm/compile-commands.txt");
        assertThat(Path.of("src/main/jvm/compile-commands.txt").toAbsolutePath().normalize()).isEqualTo(FILE);
    }

    @Test
    void aJvmGivenTheFilePrintsNothingOnStdout() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        var r = GuestRunner.run(List.of(java, "-XX:CompileCommandFile=" + FILE, "-version"), Map.of(), new byte[0], 60);
        assertThat(r.status()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).doesNotContain("CompileCommand");
    }
}
