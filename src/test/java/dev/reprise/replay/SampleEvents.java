package dev.reprise.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic pseudo-random events of every kind, with edge values, so writer and reader sides can regenerate them. */
final class SampleEvents {
    private final SplittableRandom random;
    private long icount;

    SampleEvents(long seed) {
        random = new SplittableRandom(seed);
    }

    /** The next event: icounts grow, every kind and field takes small, large and negative values. */
    Event next() {
        icount += random.nextInt(1, 5000);
        long pc = random.nextBoolean() ? 0x10000 + random.nextInt(1 << 20) * 2L : random.nextLong(1L << 39);
        long digest = random.nextLong();
        return switch (random.nextInt(6)) {
            case 0 -> {
                List<Event.Holder> holders = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) holders.add(new Event.Holder(random.nextInt(64), random.nextLong(Long.MAX_VALUE)));
                yield new Event.Transfer(icount, pc, digest, Event.Target.values()[random.nextInt(Event.Target.values().length)],
                        random.nextLong(1L << 27), random.nextBoolean(), holders);
            }
            case 1 -> new Event.Release(icount, pc, digest);
            case 2 -> {
                List<Event.MemoryWrite> writes = new ArrayList<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    byte[] b = new byte[random.nextInt(0, 300)];
                    random.nextBytes(b);
                    writes.add(new Event.MemoryWrite(random.nextLong(1L << 39), b));
                }
                long result = random.nextBoolean() ? -random.nextInt(1, 134) : random.nextLong();
                yield new Event.Syscall(icount, pc, digest, random.nextInt(0, 450), result, writes);
            }
            case 3 -> new Event.Clone(icount, pc, digest, random.nextInt(1, 64), random.nextInt(1000, 1 << 22));
            case 4 -> new Event.Signal(icount, pc, digest, new Event.SignalInfo(random.nextInt(1, 65), random.nextInt(-6, 5),
                    random.nextLong(), random.nextInt(1 << 22), random.nextInt(70000)));
            default -> new Event.Exit(icount, pc, digest, random.nextInt(-1, 256));
        };
    }
}
