package dev.reprise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code reprise} command: one subcommand per job. */
@Command(name = "reprise", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deterministic record-and-replay multicore emulator for RISC-V (RV64GC) Linux programs.",
        subcommands = {RunCommand.class, RecordCommand.class, ReplayCommand.class, TraceCommand.class, InspectCommand.class})
public final class Main implements Runnable {
    /** Exit status for command-line mistakes (EX_USAGE). */
    static final int USAGE = 64;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (tests call this directly). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
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

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"reprise " + (v == null ? "development" : v) + " (JDK " + Runtime.version() + ")"};
        }
    }
}
