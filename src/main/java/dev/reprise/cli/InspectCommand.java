package dev.reprise.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code reprise inspect}: what a recording holds. The work is in {@link InspectReport}, so that
 * registering this command never loads the replay package (nor Chronicle) for {@code run}.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Describe a recording: program, arguments, vCPUs, instructions and events per vCPU, log size, "
                + "whether it is complete.",
        footer = {"", "Exit status: 0; 64 usage error; 80 no such recording; 81 not a Reprise recording;",
                "82 another format version; 83 corrupted recording; 84 truncated recording."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The recording directory.")
    Path dir;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return InspectReport.print(dir, json, System.out, System.err);
    }
}
