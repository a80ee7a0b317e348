package dev.reprise.linux;

/** Unwinds a task's loop when its thread ends (exit, exit_group, fatal signal). */
public final class TaskExit extends RuntimeException {
    public TaskExit() {
        super(null, null, false, false);
    }
}
