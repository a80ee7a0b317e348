package dev.reprise.replay;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One entry of a vCPU's log: something the replay of that vCPU must reproduce at exactly
 * {@link #icount()} (its retired-instruction count when the event happened).
 *
 * <p>Every event also carries the vCPU's {@link #pc()} and a {@link RegisterDigest} of its
 * registers at that moment, so the replayer notices a divergence at the first event where the
 * replayed state differs from the recorded one. Events are immutable values; the encoding is
 * {@link EventCodec}'s (docs/log-format.md).
 */
public sealed interface Event {
    /** The vCPU's retired instructions when the event happened. */
    long icount();

    long pc();

    /** {@link RegisterDigest#of} the vCPU's registers when the event happened. */
    long digest();

    Kind kind();

    /** The kinds of events, with the tag byte that starts each one's encoding (never reuse a tag). */
    enum Kind {
        TRANSFER(1), RELEASE(2), SYSCALL(3), CLONE(4), SIGNAL(5), EXIT(6);

        public final int tag;

        Kind(int tag) {
            this.tag = tag;
        }
    }

    /** What an ownership transfer is about: a memory granule (CREW) or a kernel object (futex queue, fd table, ...). */
    /**
     * What a transfer moved: a memory granule (id: address / the recording's granule size), a kernel
     * resource, or a piece of a granule that was split (docs/memory-model.md): a 64-byte line (id:
     * address / 64) or an 8-byte word (id: address / 8).
     */
    enum Target { GRANULE, RESOURCE, LINE, WORD }

    /** A vCPU that held rights the taker needed, and its icount when it released them. */
    record Holder(int vcpu, long icount) {}

    /**
     * This vCPU took rights on a granule or kernel resource that other vCPUs held. Replay: run to
     * {@code icount}, then wait until every holder has reached its recorded icount.
     *
     * @param id        granule number (address / granule size) or resource id
     * @param exclusive write rights (exclusive) rather than read rights (shared)
     */
    record Transfer(long icount, long pc, long digest, Target target, long id, boolean exclusive, List<Holder> holders)
            implements Event {
        public Transfer {
            holders = List.copyOf(holders);
        }

        @Override
        public Kind kind() {
            return Kind.TRANSFER;
        }
    }

    /** This vCPU gave up rights another vCPU asked for (at a block boundary), at {@code icount}. */
    record Release(long icount, long pc, long digest) implements Event {
        @Override
        public Kind kind() {
            return Kind.RELEASE;
        }
    }

    /** Bytes the kernel wrote into guest memory during a system call. */
    record MemoryWrite(long address, byte[] bytes) {
        public MemoryWrite {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MemoryWrite w && w.address == address && Arrays.equals(w.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(address) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "MemoryWrite[0x" + Long.toHexString(address) + ", " + HexFormat.of().formatHex(bytes) + "]";
        }
    }

    /**
     * A system call's outcome at its {@code ecall} ({@code icount} counts the ecall): the value
     * returned in a0 and every byte the kernel wrote into guest memory, in order. Replay injects
     * them instead of running the call.
     */
    record Syscall(long icount, long pc, long digest, int number, long result, List<MemoryWrite> writes)
            implements Event {
        public Syscall {
            writes = List.copyOf(writes);
        }

        @Override
        public Kind kind() {
            return Kind.SYSCALL;
        }
    }

    /** This vCPU created a thread: the child runs as vCPU {@code childVcpu} with thread id {@code tid}. */
    record Clone(long icount, long pc, long digest, int childVcpu, int tid) implements Event {
        @Override
        public Kind kind() {
            return Kind.CLONE;
        }
    }

    /** What a delivered signal's siginfo said (the fields Reprise fills: signo, code, fault address, sender). */
    record SignalInfo(int signo, int code, long address, int pid, int uid) {}

    /** An asynchronous signal delivered to this vCPU at a block boundary. */
    record Signal(long icount, long pc, long digest, SignalInfo info) implements Event {
        @Override
        public Kind kind() {
            return Kind.SIGNAL;
        }
    }

    /** This vCPU's thread ended with {@code status} (exit, exit_group, fatal signal as 128 + signo). */
    record Exit(long icount, long pc, long digest, int status) implements Event {
        @Override
        public Kind kind() {
            return Kind.EXIT;
        }
    }
}
