package dev.reprise.trace;

/**
 * The registers of one vCPU as a trace stream knows them. The writer and the reader each keep one
 * and update it record by record in the same way, which is what lets values be stored as deltas;
 * the reader's is also the reconstructed register state that is compared with QEMU's.
 */
public class TraceState {
    /** The icount and pc the next instruction record is expected to have. */
    public long icount, pc;
    public final long[] x = new long[32];
    public final long[] f = new long[32];
    /** frm << 5 | fflags. */
    public int fcsr;
    /** The address of the previous memory effect (addresses are stored as deltas from it). */
    long lastAddress;
}
