package dev.reprise.linux;

/** The process's futex wait queues, keyed by guest address. */
final class Futexes {
}
