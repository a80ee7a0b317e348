package dev.reprise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** The {@code reprise} command: one subcommand per job. */
@Command(name = "reprise", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deterministic record-and-replay multicore emulator for RISC-V (RV64GC) Linux programs.")
public final class Main implements Runnable {
    /** The subcommands, in the order the usage lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, RecordCommand.class, ReplayCommand.class, TraceCommand.class, InspectCommand.class);

    /** Exit status for command-line mistakes (EX_USAGE). */
    static final int USAGE = 64;

    public static void main(String[] args) {
        // The JDK's own locale data, not CLDR's: Chronicle Wire builds SimpleDateFormats in a static
        // initializer, and their first Calendar asks each of CLDR's ~1000 locales whether it has week
        // data, which cost every record and replay ~50 ms and C2 ~0.15 s compiling the locale code
        // (docs/performance.md, 2026-11-28 02:55). This also keeps Reprise's output (numbers in inspect,
        // trace and messages) the same whatever the user's locale.
        System.setProperty("java.locale.providers", "FALLBACK");
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (tests call this directly). */
    public static int execute(String... args) {
        java.util.concurrent.Callable<Integer> plain = FastRun.command(args, System::getenv);
        if (plain != null) return call(plain);
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        cl.setExitCodeExceptionMapper(e -> USAGE);
        cl.setUsageHelpWidth(100);
        cl.setOverwrittenOptionsAllowed(true); // -E and -U repeat; a repeated option takes its last value, as in qemu
        OptionTable.install(cl);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("reprise: " + ex.getMessage()
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserError e) {
                commandLine.getErr().println("reprise: " + e.getMessage());
                return e.status;
            }
            commandLine.getErr().println("reprise: internal error: " + ex);
            ex.printStackTrace(commandLine.getErr());
            return 70; // EX_SOFTWARE
        });
        return cl.execute(args);
    }

    /** Runs a command parsed without picocli, reporting errors as picocli's handler below does. */
    private static int call(java.util.concurrent.Callable<Integer> command) {
        try {
            return command.call();
        } catch (UserError e) {
            System.err.println("reprise: " + e.getMessage());
            return e.status;
        } catch (Exception e) {
            System.err.println("reprise: internal error: " + e);
            e.printStackTrace();
            return 70; // EX_SOFTWARE
        }
    }

    /**
     * The command line with the subcommand named {@code first} only, or with all of them when
     * {@code first} names none (help, version, a mistake): picocli reflects over every command it
     * registers, and that is a good part of a short run's start-up time.
     */
    private static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        boolean named = SUBCOMMANDS.stream().anyMatch(c -> name(c).equals(first));
        for (Class<?> c : SUBCOMMANDS) if (!named || name(c).equals(first)) cl.addSubcommand(c);
        return cl;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    @Override
    public void run() {
        commandLine(null).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"reprise " + (v == null ? "development" : v) + " (JDK " + Runtime.version() + ")"};
        }
    }
}
