package dev.reprise.linux;

import dev.reprise.cpu.Trap;

/** Signal delivery: synchronous faults, signals sent to self, default actions. */
final class Signals {
    private Signals() {}

    /** Delivers the signal a trap raises (SIGILL, SIGSEGV, SIGBUS, SIGTRAP) to the task. */
    static void deliverTrap(Task t, Trap trap) {
        throw new TaskExit();
    }
}
