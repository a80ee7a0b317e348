package dev.reprise.linux;

/** Loads a program into a fresh process: ELF loading, initial stack and auxv. */
public final class Exec {
    private Exec() {}

    /** Where the first thread starts. */
    public record Start(long pc, long sp) {}

    /** Loads {@code options.program()} into {@code process} and builds the initial stack. */
    public static Start load(Process process, Options options) throws LoadError {
        throw new LoadError(LoadError.Kind.CANNOT_OPEN, "loader not written yet");
    }
}
