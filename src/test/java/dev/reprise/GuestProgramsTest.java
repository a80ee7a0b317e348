package dev.reprise;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every program in guest-tests/bin runs under Reprise and gives the output and exit status that
 * qemu-riscv64 gave (guest-tests/expected, recorded by tools/build-guests --expected), with
 * each engine.
 */
class GuestProgramsTest {
    static final Path GUESTS = GuestRunner.root().resolve("guest-tests");

    @TestFactory
    Stream<DynamicTest> everyGuestProgramMatchesItsExpectedOutput() throws IOException {
        List<Path> programs;
        try (Stream<Path> s = Files.list(GUESTS.resolve("bin"))) {
            programs = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(programs).as("guest-tests/bin holds the bundled guest programs").isNotEmpty();
        return programs.stream().flatMap(p -> Stream.of("jit", "interp").map(engine ->
                DynamicTest.dynamicTest(p.getFileName() + " [" + engine + "]", () -> check(p, engine))));
    }

    /**
     * The JIT's other way to guest memory and the TLB's tags, the {@code Mmu}'s VarHandles and
     * {@code laload} (where java.base does not export jdk.internal.misc.Unsafe;
     * -Dreprise.jit.varhandles=true forces it), on the programs that exercise memory most: loads
     * and stores of every width, faults, a split page, LR/SC, self-modifying code.
     */
    @TestFactory
    Stream<DynamicTest> theJitWithoutUnsafeGivesTheSameOutputs() {
        return Stream.of("bench_cpu_1", "byte_neighbours", "crash_segv", "false_sharing", "fp_torture", "lrsc_spinlock",
                        "malloc_heavy", "self_modifying")
                .map(name -> DynamicTest.dynamicTest(name + " [jit, VarHandles]",
                        () -> check(GUESTS.resolve("bin").resolve(name), "jit", List.of("-Dreprise.jit.varhandles=true"))));
    }

    static void check(Path program, String engine) throws Exception {
        check(program, engine, List.of());
    }

    static void check(Path program, String engine, List<String> jvmFlags) throws Exception {
        String name = program.getFileName().toString();
        Expected e = Expected.of(name);
        List<String> args = new ArrayList<>(List.of("run", "--engine", engine, "--", "guest-tests/bin/" + name));
        args.addAll(e.args);
        var result = GuestRunner.run(GuestRunner.repriseCommand(jvmFlags, args.toArray(String[]::new)), e.env, e.stdin, 300);
        String context = name + " [" + engine + "] stderr:\n" + result.stderr();
        if (e.stdoutRegex != null) {
            String[] lines = result.stdout().split("\n", -1);
            List<String> patterns = e.stdoutRegex;
            assertThat(lines.length - (result.stdout().endsWith("\n") ? 1 : 0)).as(context).isEqualTo(patterns.size());
            for (int i = 0; i < patterns.size(); i++) {
                assertThat(Pattern.compile(patterns.get(i)).matcher(lines[i]).matches())
                        .as(context + "\nline " + (i + 1) + " '" + lines[i] + "' matches /" + patterns.get(i) + "/").isTrue();
            }
        } else {
            assertThat(result.stdout()).as(context).isEqualTo(e.stdout);
        }
        assertThat(result.status()).as(context).isEqualTo(e.status);
    }

    /** What guest-tests/expected says about one program. */
    record Expected(List<String> args, Map<String, String> env, byte[] stdin, String stdout,
                    List<String> stdoutRegex, int status) {
        static Expected of(String name) throws IOException {
            Path dir = GUESTS.resolve("expected");
            Path argsFile = dir.resolve(name + ".args");
            List<String> args = Files.exists(argsFile) ? Files.readAllLines(argsFile) : List.of(); // "" is an argument
            Map<String, String> env = new LinkedHashMap<>();
            for (String kv : lines(dir.resolve(name + ".env"))) {
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            Path stdinFile = dir.resolve(name + ".stdin");
            byte[] stdin = Files.exists(stdinFile) ? Files.readAllBytes(stdinFile) : new byte[0];
            Path regex = dir.resolve(name + ".stdout-regex");
            Path plain = dir.resolve(name + ".stdout");
            String stdout = Files.exists(plain) ? Files.readString(plain, java.nio.charset.StandardCharsets.ISO_8859_1) : null;
            List<String> patterns = Files.exists(regex) ? lines(regex) : null;
            if (stdout == null && patterns == null) throw new AssertionError("no expected output for " + name);
            int status = Integer.parseInt(Files.readString(dir.resolve(name + ".status")).trim());
            return new Expected(args, env, stdin, stdout, patterns, status);
        }

        private static List<String> lines(Path p) throws IOException {
            return Files.exists(p) ? Files.readAllLines(p).stream().filter(l -> !l.isEmpty()).toList() : List.of();
        }
    }
}
