package dev.reprise.mem;

/**
 * A guest memory access that the guest is not allowed to make. The vCPU turns it into a signal:
 * SIGSEGV for {@link Kind#UNMAPPED} and {@link Kind#PROTECTION}, SIGBUS for {@link Kind#MISALIGNED}
 * (a misaligned atomic). Thrown only on the slow path; never seen by the user as a Java exception.
 */
public final class MemoryFault extends RuntimeException {
    public enum Kind { UNMAPPED, PROTECTION, MISALIGNED }
    public enum Access { READ, WRITE, EXECUTE }

    public final long address;
    public final Kind kind;
    public final Access access;

    public MemoryFault(long address, Kind kind, Access access) {
        super(null, null, false, false);
        this.address = address;
        this.kind = kind;
        this.access = access;
    }

    @Override
    public String getMessage() {
        return access.name().toLowerCase() + " of 0x" + Long.toHexString(address) + ": " + kind.name().toLowerCase();
    }
}
