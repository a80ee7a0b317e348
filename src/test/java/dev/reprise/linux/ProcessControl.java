package dev.reprise.linux;

/** Test-only access to what the kernel side does to a process, for tests outside this package. */
public final class ProcessControl {
    private ProcessControl() {}

    /** Ends the whole process with {@code status}, as exit_group does; any thread (every vCPU stops at its next boundary). */
    public static void exit(Process process, int status) {
        process.exit(status);
    }
}
