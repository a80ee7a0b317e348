package dev.reprise.linux;

/** Unwinds a task's loop when its thread ends (exit, exit_group, fatal signal). */
final class TaskExit extends RuntimeException {
    TaskExit() {
        super(null, null, false, false);
    }
}
