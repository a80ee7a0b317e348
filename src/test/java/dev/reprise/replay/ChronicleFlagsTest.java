package dev.reprise.replay;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every JVM that may open a recording gets the flags Chronicle Queue needs (DEPENDENCIES.md), and analytics stay off. */
class ChronicleFlagsTest {
    static final List<String> REQUIRED = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-Dchronicle.analytics.disable=true");

    @Test
    void surefireRunsTestsWithThem() {
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).containsAll(REQUIRED);
    }

    @Test
    void theLauncherPassesThem() throws Exception {
        String launcher = Files.readString(Path.of(System.getProperty("reprise.root", ".")).resolve("tools/reprise"));
        for (String flag : REQUIRED) assertThat(launcher).contains(flag);
    }

    @Test
    void analyticsAreExcludedFromTheBuild() {
        assertThat(System.getProperty("java.class.path")).contains("chronicle-queue").doesNotContain("chronicle-analytics");
    }
}
