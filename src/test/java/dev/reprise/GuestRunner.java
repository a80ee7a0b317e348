package dev.reprise;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs guest programs in a separate process — under Reprise (this build's classes) or under
 * qemu-riscv64 — with an exact environment, and collects output and exit status.
 */
public final class GuestRunner {
    private GuestRunner() {}

    public record Result(int status, String stdout, String stderr) {}

    /** The project root (Surefire sets reprise.root; IDEs run from it). */
    public static Path root() {
        return Path.of(System.getProperty("reprise.root", ".")).toAbsolutePath().normalize();
    }

    /**
     * {@code reprise ARGS...} in a fresh JVM on this build's classes, with the module flags this
     * JVM got from Surefire (pom.xml's reprise.jvm.flags: FFM, and what Chronicle Queue needs),
     * and its JIT threshold (pom.xml: low enough that small programs get translated).
     */
    public static List<String> repriseCommand(String... args) {
        return repriseCommand(List.of(), args);
    }

    /** {@link #repriseCommand(String...)}, with {@code jvmFlags} for that JVM besides. */
    public static List<String> repriseCommand(List<String> jvmFlags, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss16m", "-XX:+UseSerialGC"));
        cmd.addAll(jvmFlags);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc") || a.startsWith("-Dchronicle.")
                    || a.startsWith("-Dreprise.jit.threshold=")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.reprise.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code command} with exactly {@code env} as its environment and {@code stdin} as input. */
    public static Result run(List<String> command, Map<String, String> env, byte[] stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(root().toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile("reprise-out", ".txt");
        Path err = Files.createTempFile("reprise-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin);
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\nstdout: " + Files.readString(out) + "\nstderr: " + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                    Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** True if {@code tool} is on the PATH. */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
