package dev.reprise.mem;

/**
 * A guest memory access that the guest is not allowed to make. The vCPU turns it into a signal:
 * SIGSEGV for {@link Kind#UNMAPPED} and {@link Kind#PROTECTION}, SIGBUS for {@link Kind#MISALIGNED}
 * (a misaligned atomic). Thrown only on the slow path; never seen by the user as a Java exception.
 *
 * <p>{@link Kind#OWNERSHIP} is not the guest's fault: while recording, the access needs rights on a
 * granule that other vCPUs hold ({@link Ownership}). It ends the run before the instruction, like
 * any fault, so that the vCPU takes the granule at a block boundary and then runs the instruction again.
 */
public final class MemoryFault extends RuntimeException {
    public enum Kind { UNMAPPED, PROTECTION, MISALIGNED, OWNERSHIP }
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
