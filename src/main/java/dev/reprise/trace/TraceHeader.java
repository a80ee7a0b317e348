package dev.reprise.trace;

import java.util.List;

/**
 * What a trace is of: the engine that ran, the program and its argv, and the program's load bias
 * (what to subtract from a pc to look it up in the ELF symbol table).
 */
public record TraceHeader(String engine, String program, List<String> argv, long loadBias) {
    public TraceHeader {
        argv = List.copyOf(argv);
    }
}
