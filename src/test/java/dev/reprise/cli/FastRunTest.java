package dev.reprise.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand parser of {@code reprise run}, {@code record}, {@code replay} and {@code inspect} agrees with picocli on every
 * line it takes, and leaves to picocli every line it does not understand.
 */
class FastRunTest {
    /** What a parse decided, field by field. */
    record Parsed(Object sysroot, List<String> env, String argv0, boolean strace, long seed, RunCommand.Engine engine,
                  Object program, List<String> args) {
        static Parsed of(RunCommand c) {
            RunOptions o = c.run;
            return new Parsed(o.sysroot, List.copyOf(o.environmentChanges), o.argv0, o.strace, o.seed, c.engine,
                    c.program, List.copyOf(c.args));
        }
    }

    /** picocli's parse of the same line, with the real environment (its ${env:...} defaults read System.getenv). */
    private static Parsed picocli(String... line) {
        RunCommand c = new RunCommand();
        new CommandLine(c).setOverwrittenOptionsAllowed(true).parseArgs(Arrays.copyOfRange(line, 1, line.length)); // as Main sets it
        return Parsed.of(c);
    }

    private static Parsed fast(String... line) {
        RunCommand c = FastRun.parse(line, System::getenv);
        assertThat(c).as("the fast path takes %s", List.of(line)).isNotNull();
        return Parsed.of(c);
    }

    @Test
    void plainLinesParseAsPicocliParsesThem() {
        List<String[]> lines = List.of(
                new String[] {"run", "--", "prog"},
                new String[] {"run", "prog"},
                new String[] {"run", "prog", "a", "b c", ""},
                new String[] {"run", "--", "prog", "-x", "--", "--help", "-E"},
                new String[] {"run", "--", "-prog"},
                new String[] {"run", "-L", "/sys/root", "--sysroot", "/other", "--", "prog"},
                new String[] {"run", "--sysroot=/x", "prog", "arg"},
                new String[] {"run", "-E", "B=2", "-E", "A=1", "-U", "B", "-E", "C==3", "-U", "HOME", "--", "prog"},
                new String[] {"run", "-0", "renamed", "--argv0", "again", "--", "prog"},
                new String[] {"run", "--argv0=x y", "prog"},
                new String[] {"run", "--strace", "--seed", "5", "--engine", "interp", "--", "prog"},
                new String[] {"run", "--seed=-7", "--engine=jit", "--strace", "--", "prog"},
                new String[] {"run", "--seed", "+12", "prog"},
                new String[] {"run", "--seed", "007", "prog"});
        for (String[] line : lines) {
            assertThat(fast(line)).as("%s", List.of(line)).isEqualTo(picocli(line));
        }
    }

    /** A record line's fields: the run part, then the record options. */
    record ParsedRecord(Parsed run, Object output, long granule, long checkpointEvery) {
        static ParsedRecord of(RecordCommand c) {
            return new ParsedRecord(new Parsed(c.run.sysroot, List.copyOf(c.run.environmentChanges), c.run.argv0, c.run.strace,
                    c.run.seed, c.engine, c.program, List.copyOf(c.args)), c.output, c.granule, c.checkpointEvery);
        }
    }

    @Test
    void plainRecordLinesParseAsPicocliParsesThem() {
        List<String[]> lines = List.of(
                new String[] {"record", "--", "prog"},
                new String[] {"record", "prog", "a", "b c", ""},
                new String[] {"record", "-o", "/tmp/r", "--", "prog", "-x"},
                new String[] {"record", "--output", "out dir", "--granule", "64", "--checkpoint-every", "0", "prog"},
                new String[] {"record", "--output=o", "--granule=1024", "--checkpoint-every=5000", "--", "prog"},
                new String[] {"record", "--granule", "3", "--checkpoint-every=-1", "--", "prog"},   // RecordSession refuses them
                new String[] {"record", "-L", "/sys/root", "-E", "A=1", "-U", "B", "-0", "zero", "--strace", "--seed", "9",
                        "--engine", "interp", "-o", "d", "--", "prog", "arg"});
        for (String[] line : lines) {
            RecordCommand fast = FastRun.parseRecord(line, System::getenv);
            assertThat(fast).as("the fast path takes %s", List.of(line)).isNotNull();
            RecordCommand slow = new RecordCommand();
            new CommandLine(slow).setOverwrittenOptionsAllowed(true).parseArgs(Arrays.copyOfRange(line, 1, line.length));
            assertThat(ParsedRecord.of(fast)).as("%s", List.of(line)).isEqualTo(ParsedRecord.of(slow));
        }
        assertThat(FastRun.command(new String[] {"record", "--", "prog"}, System::getenv)).isInstanceOf(RecordCommand.class);
        assertThat(FastRun.command(new String[] {"run", "--", "prog"}, System::getenv)).isInstanceOf(RunCommand.class);
    }

    @Test
    void recordDefaultsComeFromTheSameEnvironmentVariables() {
        Map<String, String> env = Map.of("REPRISE_CHECKPOINT_EVERY", "77", "REPRISE_ENGINE", "interp");
        RecordCommand c = FastRun.parseRecord(new String[] {"record", "--", "prog"}, env::get);
        assertThat(c).isNotNull();
        assertThat(c.checkpointEvery).isEqualTo(77);
        assertThat(c.granule).isEqualTo(4096);
        assertThat(c.output).isNull();
        assertThat(c.engine).isEqualTo(RunCommand.Engine.interp);
        assertThat(FastRun.parseRecord(new String[] {"record", "--", "prog"}, Map.of("REPRISE_CHECKPOINT_EVERY", "x")::get)).isNull();
    }

    @Test
    void recordLinesItDoesNotTakeAreLeftToPicocli() {
        Map<String, String> none = Map.of();
        List<String[]> lines = List.of(
                new String[] {"record"},
                new String[] {"record", "--help"},
                new String[] {"record", "-o"},
                new String[] {"record", "-o", "--", "prog"},
                new String[] {"record", "-odir", "--", "prog"},
                new String[] {"record", "--granule", "4k", "prog"},
                new String[] {"record", "--granule", "0x40", "prog"},
                new String[] {"record", "--checkpoint-every", "1e9", "prog"},
                new String[] {"record", "--chaos", "prog"},
                new String[] {"record", "prog", "-o", "x"},
                new String[] {"record", "--", "@prog"});
        for (String[] line : lines) {
            assertThat(FastRun.parseRecord(line, none::get)).as("%s", List.of(line)).isNull();
        }
        // run does not take record's options
        assertThat(FastRun.parse(new String[] {"run", "-o", "d", "--", "prog"}, none::get)).isNull();
        assertThat(FastRun.parse(new String[] {"run", "--granule", "64", "--", "prog"}, none::get)).isNull();
        assertThat(FastRun.command(new String[0], none::get)).isNull();
    }

    /** A replay line's fields. */
    record ParsedReplay(Object dir, boolean echo, RunCommand.Engine engine, Object sysroot, Long fromCheckpoint) {
        static ParsedReplay of(ReplayCommand c) {
            return new ParsedReplay(c.dir, c.echo, c.engine, c.sysroot, c.fromCheckpoint);
        }
    }

    @Test
    void plainReplayAndInspectLinesParseAsPicocliParsesThem() {
        List<String[]> lines = List.of(
                new String[] {"replay", "d"},
                new String[] {"replay", "a dir/with space"},
                new String[] {"replay", "--echo", "d"},
                new String[] {"replay", "d", "--echo", "--engine", "interp"},
                new String[] {"replay", "--engine=jit", "-L", "/sys/root", "d", "--sysroot", "/other"},
                new String[] {"replay", "--sysroot=/x", "--from-checkpoint", "2", "d"},
                new String[] {"replay", "d", "--from-checkpoint=-1"},   // ReplayCommand refuses it
                new String[] {"replay", "--from-checkpoint", "007", "--echo", "--echo", "d"});
        for (String[] line : lines) {
            ReplayCommand fast = FastRun.parseReplay(line, System::getenv);
            assertThat(fast).as("the fast path takes %s", List.of(line)).isNotNull();
            ReplayCommand slow = new ReplayCommand();
            new CommandLine(slow).setOverwrittenOptionsAllowed(true).parseArgs(Arrays.copyOfRange(line, 1, line.length));
            assertThat(ParsedReplay.of(fast)).as("%s", List.of(line)).isEqualTo(ParsedReplay.of(slow));
        }
        assertThat(FastRun.command(new String[] {"replay", "d"}, System::getenv)).isInstanceOf(ReplayCommand.class);
        assertThat(FastRun.parseReplay(new String[] {"replay", "d"}, Map.of("REPRISE_ENGINE", "interp")::get).engine)
                .isEqualTo(RunCommand.Engine.interp);
        for (String[] line : List.of(new String[] {"inspect", "d"}, new String[] {"inspect", "--json", "d"},
                new String[] {"inspect", "d", "--json"})) {
            InspectCommand fast = FastRun.parseInspect(line);
            assertThat(fast).as("the fast path takes %s", List.of(line)).isNotNull();
            InspectCommand slow = new InspectCommand();
            new CommandLine(slow).parseArgs(Arrays.copyOfRange(line, 1, line.length));
            assertThat(List.of(fast.dir, fast.json)).as("%s", List.of(line)).isEqualTo(List.of(slow.dir, slow.json));
        }
        assertThat(FastRun.command(new String[] {"inspect", "d"}, System::getenv)).isInstanceOf(InspectCommand.class);
    }

    @Test
    void replayAndInspectLinesItDoesNotTakeAreLeftToPicocli() {
        Map<String, String> none = Map.of();
        List<String[]> replays = List.of(
                new String[] {"replay"},
                new String[] {"replay", "--help"},
                new String[] {"replay", "-h"},
                new String[] {"replay", "--echo"},
                new String[] {"replay", "d", "e"},
                new String[] {"replay", "--", "d"},
                new String[] {"replay", "-d"},
                new String[] {"replay", "@args"},
                new String[] {"replay", "--echo=true", "d"},
                new String[] {"replay", "--engine", "JIT", "d"},
                new String[] {"replay", "--from-checkpoint", "one", "d"},
                new String[] {"replay", "--from-checkpoint", "-1", "d"},
                new String[] {"replay", "-Ldir", "d"},
                new String[] {"replay", "d", "--sysroot"},
                new String[] {"replay", "--strace", "d"});
        for (String[] line : replays) {
            assertThat(FastRun.parseReplay(line, none::get)).as("%s", List.of(line)).isNull();
        }
        assertThat(FastRun.parseReplay(new String[] {"replay", "d"}, Map.of("REPRISE_ENGINE", "fast")::get)).isNull();
        List<String[]> inspects = List.of(
                new String[] {"inspect"},
                new String[] {"inspect", "--json"},
                new String[] {"inspect", "--help"},
                new String[] {"inspect", "d", "e"},
                new String[] {"inspect", "--", "d"},
                new String[] {"inspect", "@args"},
                new String[] {"inspect", "--json=false", "d"});
        for (String[] line : inspects) {
            assertThat(FastRun.parseInspect(line)).as("%s", List.of(line)).isNull();
        }
    }

    @Test
    void defaultsComeFromTheSameEnvironmentVariables() {
        Map<String, String> env = Map.of("QEMU_LD_PREFIX", "/usr/riscv64-linux-gnu", "REPRISE_STRACE", "TRUE",
                "REPRISE_SEED", "42", "REPRISE_ENGINE", "interp");
        RunCommand c = FastRun.parse(new String[] {"run", "--", "prog"}, env::get);
        assertThat(c).isNotNull();
        assertThat(c.run.sysroot()).hasToString("/usr/riscv64-linux-gnu");
        assertThat(c.run.strace).isTrue();
        assertThat(c.run.seed).isEqualTo(42);
        assertThat(c.engine).isEqualTo(RunCommand.Engine.interp);
        assertThat(FastRun.parse(new String[] {"run", "--engine", "jit", "--", "prog"}, env::get).engine)
                .isEqualTo(RunCommand.Engine.jit);
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        Map<String, String> none = Map.of();
        List<String[]> lines = List.of(
                new String[] {"run"},
                new String[] {"run", "--"},
                new String[] {"run", "--help"},
                new String[] {"run", "-h"},
                new String[] {"run", "--version"},
                new String[] {"record", "--", "prog"},
                new String[] {"run", "--bogus", "x", "--", "prog"},
                new String[] {"run", "-E", "novalue", "--", "prog"},
                new String[] {"run", "-E", "=x", "--", "prog"},
                new String[] {"run", "-E"},
                new String[] {"run", "-LDIR", "--", "prog"},
                new String[] {"run", "-L=DIR", "--", "prog"},
                new String[] {"run", "-L", "--strace", "prog"},
                new String[] {"run", "--seed", "x", "prog"},
                new String[] {"run", "--seed", "0x10", "prog"},
                new String[] {"run", "--engine", "JIT", "prog"},
                new String[] {"run", "--strace=true", "prog"},
                new String[] {"run", "prog", "--strace"},           // picocli takes options after PROGRAM
                new String[] {"run", "prog", "a", "--", "b"},
                new String[] {"run", "@args.txt"},                   // argument files
                new String[] {"run", "--", "@prog"},
                new String[] {"run", "--", "prog", "@arg"});
        for (String[] line : lines) {
            assertThat(FastRun.parse(line, none::get)).as("%s", List.of(line)).isNull();
        }
        Map<String, String> bad = Map.of("REPRISE_SEED", "seven");
        assertThat(FastRun.parse(new String[] {"run", "--", "prog"}, bad::get)).isNull();
        assertThat(FastRun.parse(new String[] {"run", "--", "prog"}, Map.of("REPRISE_STRACE", "yes")::get)).isNull();
        assertThat(FastRun.parse(new String[] {"run", "--", "prog"}, Map.of("REPRISE_ENGINE", "fast")::get)).isNull();
    }

    @Test
    void picocliStillReportsTheMistakesTheFastPathLeavesToIt() {
        var err = new java.io.ByteArrayOutputStream();
        var saved = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int status;
        try {
            status = Main.execute("run", "-E", "novalue", "--", "prog");
        } finally {
            System.setErr(saved);
        }
        assertThat(status).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("-E wants VAR=VALUE");
    }
}
