package dev.reprise.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code reprise run}, {@code record}, {@code replay} and {@code inspect} parsed by hand, without
 * picocli. Picocli reflects over the annotated command and builds annotation proxies, and its
 * classes are old class files (version 49) that the AOT cache neither holds nor pre-links: the old
 * verifier checks 175 of them at every start, about 0.2 s, a third of a small program's start-up
 * (docs/performance.md, "start-up"; for replay 0.15-0.23 s between main and the replay).
 *
 * <p>Only the plain forms are taken: {@code -L DIR}, {@code --sysroot DIR|=DIR}, {@code -E VAR=VALUE},
 * {@code -U VAR}, {@code -0 ARGV0}, {@code --argv0 ARGV0|=ARGV0}, {@code --strace},
 * {@code --seed N|=N}, {@code --engine E|=E}; for record also {@code -o DIR}, {@code --output DIR|=DIR},
 * {@code --granule N|=N} and {@code --checkpoint-every N|=N}; then {@code -- PROGRAM ARGS...} or a
 * PROGRAM whose arguments do not start with '-'. For replay, {@code DIR} with {@code --echo},
 * {@code --engine E|=E}, {@code -L DIR}, {@code --sysroot DIR|=DIR} and {@code --from-checkpoint K|=K}
 * before or after it; for inspect, {@code DIR} and {@code --json}. Anything else — help, an unknown
 * option, a bad value, an {@code @file}, an option value that starts with '-', "--" where it is not
 * run's or record's — returns null, and picocli parses the line as before: so usage text and every
 * error message stay picocli's, and this class never has to agree with picocli on a mistake.
 * FastRunTest checks that every line taken here sets the same fields as picocli's parse of it.
 */
final class FastRun {
    private FastRun() {}

    /** The command for {@code args} if it is a plain {@code run}, {@code record}, {@code replay} or {@code inspect} line, else null (picocli parses it). */
    static Callable<Integer> command(String[] args, Function<String, String> env) {
        if (args.length == 0) return null;
        return switch (args[0]) {
            case "run" -> parse(args, env);
            case "record" -> parseRecord(args, env);
            case "replay" -> parseReplay(args, env);
            case "inspect" -> parseInspect(args);
            default -> null;
        };
    }

    /**
     * The run command for {@code args} (args[0] is "run"), with the defaults picocli would take
     * from {@code env}; or null when picocli must parse this line.
     */
    static RunCommand parse(String[] args, Function<String, String> env) {
        if (args.length < 2 || !args[0].equals("run")) return null;
        Line line = Line.parse(args, env, false);
        if (line == null) return null;
        RunCommand c = new RunCommand();
        c.run = line.run;
        c.engine = line.engine;
        c.program = line.program;
        c.args.addAll(line.args);
        return c;
    }

    /**
     * The record command for {@code args} (args[0] is "record"), with the defaults picocli would
     * take from {@code env}; or null when picocli must parse this line.
     */
    static RecordCommand parseRecord(String[] args, Function<String, String> env) {
        if (args.length < 2 || !args[0].equals("record")) return null;
        Line line = Line.parse(args, env, true);
        if (line == null) return null;
        RecordCommand c = new RecordCommand();
        c.run = line.run;
        c.engine = line.engine;
        c.program = line.program;
        c.args.addAll(line.args);
        c.output = line.output;
        c.granule = line.granule;
        c.checkpointEvery = line.checkpointEvery;
        return c;
    }

    /**
     * The replay command for {@code args} (args[0] is "replay"), with the default picocli would take
     * from {@code env}; or null when picocli must parse this line.
     */
    static ReplayCommand parseReplay(String[] args, Function<String, String> env) {
        if (args.length < 2 || !args[0].equals("replay")) return null;
        String engine = orElse(env.apply("REPRISE_ENGINE"), "jit"), sysroot = null, from = null, dir = null;
        boolean echo = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("@")) return null;              // picocli expands argument files
            if (!a.startsWith("-")) {
                if (dir != null) return null;                // a second DIR: picocli says what is wrong
                dir = a;
                continue;
            }
            if (a.equals("--echo")) {
                echo = true;
                continue;
            }
            Option option = Option.at(args, i);
            if (option == null) return null;
            if (option.valueFollows) i++;
            switch (option.name) {
                case "--engine" -> engine = option.value;
                case "-L", "--sysroot" -> sysroot = option.value;
                case "--from-checkpoint" -> from = option.value;
                default -> { return null; }                   // "--", --help, anything unknown
            }
        }
        if (dir == null) return null;
        ReplayCommand c = new ReplayCommand();
        try {
            c.dir = Path.of(dir);
            c.sysroot = sysroot == null ? null : Path.of(sysroot);
            c.fromCheckpoint = from == null ? null : Long.valueOf(from);   // picocli's converter, the same
        } catch (InvalidPathException | NumberFormatException e) {
            return null;
        }
        c.echo = echo;
        c.engine = engine(engine);
        return c.engine == null ? null : c;
    }

    /** The inspect command for {@code args} (args[0] is "inspect"): DIR and --json; or null when picocli must parse this line. */
    static InspectCommand parseInspect(String[] args) {
        if (args.length < 2 || !args[0].equals("inspect")) return null;
        InspectCommand c = new InspectCommand();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                c.json = true;
            } else if (a.startsWith("-") || a.startsWith("@") || c.dir != null) {
                return null;
            } else {
                try {
                    c.dir = Path.of(a);
                } catch (InvalidPathException e) {
                    return null;
                }
            }
        }
        return c.dir == null ? null : c;
    }

    /** An option with its value: {@code --name=value}, or {@code name value} ({@code valueFollows}: it took the next argument). */
    private record Option(String name, String value, boolean valueFollows) {
        /** The option at {@code args[i]}; null for a form left to picocli (clusters, -X=..., a missing value, a value that starts with '-' or '@'). */
        static Option at(String[] args, int i) {
            String a = args[i];
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) return new Option(a.substring(0, eq), a.substring(eq + 1), false);
            if (!a.startsWith("--") && a.length() != 2) return null;   // -LDIR, -E=..., clusters: picocli's
            if (i + 1 >= args.length) return null;
            String value = args[i + 1];
            if (value.startsWith("-") || value.startsWith("@")) return null;
            return new Option(a, value, true);
        }
    }

    private static RunCommand.Engine engine(String name) {
        return switch (name) {
            case "jit" -> RunCommand.Engine.jit;
            case "interp" -> RunCommand.Engine.interp;
            default -> null;
        };
    }

    /** What a plain line says. */
    private static final class Line {
        final RunOptions run = new RunOptions();
        RunCommand.Engine engine;
        Path program;
        java.util.List<String> args;
        Path output;
        long granule, checkpointEvery;

        /** Parses {@code args} after its command word; {@code record}: the record options are allowed too. */
        static Line parse(String[] args, Function<String, String> env, boolean record) {
            Line l = new Line();
            RunOptions o = l.run;
            // Defaults, as the annotations spell them: ${env:QEMU_LD_PREFIX}, ${env:REPRISE_STRACE:-false}, ...
            String sysroot = env.apply("QEMU_LD_PREFIX");
            String strace = orElse(env.apply("REPRISE_STRACE"), "false");
            String seed = orElse(env.apply("REPRISE_SEED"), "0");
            String engine = orElse(env.apply("REPRISE_ENGINE"), "jit");
            String output = null, granule = "4096";
            String checkpointEvery = orElse(env.apply("REPRISE_CHECKPOINT_EVERY"), RecordSession.DEFAULT_CHECKPOINT_EVERY);
            int i = 1;
            for (; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("@")) return null;          // picocli expands argument files
                if (!a.startsWith("-")) break;               // PROGRAM
                if (a.equals("--")) {
                    i++;
                    break;
                }
                if (a.equals("--strace")) {
                    strace = "true";
                    continue;
                }
                Option option = Option.at(args, i);
                if (option == null) return null;
                if (option.valueFollows) i++;
                String value = option.value;
                switch (option.name) {
                    case "-L", "--sysroot" -> sysroot = value;
                    case "-E" -> {
                        if (value.indexOf('=') <= 0) return null;     // picocli's RunOptions.set says what is wrong
                        o.environmentChanges.add(value);
                    }
                    case "-U" -> o.environmentChanges.add(value);
                    case "-0", "--argv0" -> o.argv0 = value;
                    case "--seed" -> seed = value;
                    case "--engine" -> engine = value;
                    case "-o", "--output" -> {
                        if (!record) return null;
                        output = value;
                    }
                    case "--granule" -> {
                        if (!record) return null;
                        granule = value;
                    }
                    case "--checkpoint-every" -> {
                        if (!record) return null;
                        checkpointEvery = value;
                    }
                    default -> { return null; }
                }
            }
            if (i >= args.length) return null;               // no PROGRAM: picocli says so
            for (int j = i + 1; j < args.length; j++) {
                // Before "--", picocli takes options anywhere, also after PROGRAM; after it, @files may expand.
                if (args[j].startsWith("@") || (!sawDashDash(args, i) && args[j].startsWith("-"))) return null;
            }
            if (args[i].startsWith("@")) return null;
            try {
                o.sysroot = sysroot == null ? null : Path.of(sysroot);
                l.program = Path.of(args[i]);
                l.output = output == null ? null : Path.of(output);
            } catch (InvalidPathException e) {
                return null;
            }
            if (!strace.equalsIgnoreCase("true") && !strace.equalsIgnoreCase("false")) return null;
            o.strace = Boolean.parseBoolean(strace);
            try {
                // picocli's converters: Long.valueOf, the same
                o.seed = Long.parseLong(seed);
                l.granule = Long.parseLong(granule);
                l.checkpointEvery = Long.parseLong(checkpointEvery);
            } catch (NumberFormatException e) {
                return null;
            }
            l.engine = engine(engine);
            if (l.engine == null) return null;
            l.args = Arrays.asList(args).subList(i + 1, args.length);
            return l;
        }
    }

    /** Whether PROGRAM at {@code program} came after "--". */
    private static boolean sawDashDash(String[] args, int program) {
        return args[program - 1].equals("--");
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
