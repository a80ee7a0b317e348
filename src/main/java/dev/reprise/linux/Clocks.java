package dev.reprise.linux;

import java.time.Instant;

/** Host clocks in the units the guest's clocks use. */
final class Clocks {
    private Clocks() {}

    /** CLOCK_REALTIME in nanoseconds since the epoch. */
    static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
