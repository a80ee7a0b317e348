package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;
import dev.reprise.mem.Mmu;

import java.util.Arrays;
import java.util.List;

/**
 * The whole machine at a consistent cut (every vCPU stopped at a known icount), as plain data:
 * per-vCPU registers, the address space's mappings and the contents of its non-zero pages, and
 * the kernel state that lives outside guest memory. {@link Checkpoints} captures, stores and
 * restores it.
 *
 * @param sequence the checkpoint's number in its recording (0, 1, ...), also its file name
 * @param logs     where each vCPU's event log stands at the cut (a recorder's checkpoints: replay starts there); empty otherwise
 */
public record Checkpoint(long sequence, List<VcpuState> vcpus, KernelState kernel, List<Page> pages, List<LogPosition> logs) {
    public Checkpoint {
        vcpus = List.copyOf(vcpus);
        pages = List.copyOf(pages);
        logs = List.copyOf(logs);
    }

    /** A checkpoint of a machine that is not being recorded (no logs). */
    public Checkpoint(long sequence, List<VcpuState> vcpus, KernelState kernel, List<Page> pages) {
        this(sequence, vcpus, kernel, pages, List.of());
    }

    /**
     * Where one vCPU's log stands at the cut: replay from the checkpoint starts reading it at event
     * {@code events} (the count of events before the cut) with the vCPU at {@code position}.
     *
     * @param position       a release position (docs/log-format.md): 2 × icount + 1 at a block boundary
     *                       (or ended), 2 × icount inside the system call whose ecall is instruction icount
     * @param ended          the vCPU had ended before the cut (it has no {@link VcpuState}; replay only needs it as a holder)
     * @param registerDigest {@link RegisterDigest} of the vCPU's state at the cut (at the ecall, inside a call), or when it ended
     * @param excerpts       the queue excerpts those events take, DATA pieces of big system calls included (version 4),
     *                       so that a reader can move its cursor there through Chronicle's index; -1 when unknown
     *                       (a version-3 checkpoint): the reader then skips the events one by one
     */
    public record LogPosition(int vcpu, long events, long position, boolean ended, long registerDigest, long excerpts) {
        /** A position whose excerpt count is not known (yet): {@link RecordingWriter#writeCheckpoint} fills it in. */
        public LogPosition(int vcpu, long events, long position, boolean ended, long registerDigest) {
            this(vcpu, events, position, ended, registerDigest, -1);
        }

        /** The vCPU's icount at the cut. */
        public long icount() {
            return position >>> 1;
        }

        /** True if the vCPU was inside a system call at the cut (replay resumes it by running that call). */
        public boolean inSyscall() {
            return !ended && (position & 1) == 0;
        }

        LogPosition withExcerpts(long excerpts) {
            return new LogPosition(vcpu, events, position, ended, registerDigest, excerpts);
        }
    }

    /**
     * What a reader learns from a checkpoint file without its memory image and kernel state
     * ({@link Checkpoints#readLogs}): its number and where each vCPU's log stands.
     */
    public record Logs(long sequence, List<LogPosition> logs) {
        public Logs {
            logs = List.copyOf(logs);
        }

        /** The log position of {@code vcpu}, or null if it had no log at the cut. */
        public LogPosition log(int vcpu) {
            for (LogPosition p : logs) if (p.vcpu() == vcpu) return p;
            return null;
        }
    }

    /** The log position of {@code vcpu}, or null if it had no log at the cut (created later). */
    public LogPosition log(int vcpu) {
        for (LogPosition p : logs) if (p.vcpu() == vcpu) return p;
        return null;
    }

    /**
     * One vCPU's architectural state, its LR reservation (null: none) and its thread's kernel state
     * (signal mask, clear_child_tid, ...).
     */
    public record VcpuState(int vcpu, int tid, long[] x, long[] f, long pc, int frm, int fflags, long icount, Task.ThreadState thread,
                            Mmu.Reservation reservation) {
        public VcpuState {
            if (x.length != 32 || f.length != 32) throw new IllegalArgumentException("32 x and 32 f registers");
            x = x.clone();
            f = f.clone();
        }

        /** Reads {@code task}: call it while the vCPU is stopped (or on its own thread). */
        public static VcpuState of(int vcpu, Task task) {
            Hart h = task.hart;
            return new VcpuState(vcpu, task.tid, h.x, h.f, h.pc, h.frm, h.fflags, h.icount, task.threadState(), h.mmu.reservation());
        }

        /** {@link RegisterDigest} of this state. */
        public long registerDigest() {
            Hart h = new Hart(null, null);
            System.arraycopy(x, 0, h.x, 0, 32);
            System.arraycopy(f, 0, h.f, 0, 32);
            h.pc = pc;
            h.frm = frm;
            h.fflags = fflags;
            return RegisterDigest.of(h);
        }

        /** Sets {@code task}'s registers, pc, fcsr, icount and thread state to this state. */
        public void restoreInto(Task task) {
            Hart h = task.hart;
            System.arraycopy(x, 0, h.x, 0, 32);
            System.arraycopy(f, 0, h.f, 0, 32);
            h.x[0] = 0;
            h.pc = pc;
            h.frm = frm;
            h.fflags = fflags;
            h.icount = icount;
            h.mmu.restoreReservation(reservation);
            task.restore(thread);
        }

        @Override
        public long[] x() {
            return x.clone();
        }

        @Override
        public long[] f() {
            return f.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VcpuState s && s.vcpu == vcpu && s.tid == tid && Arrays.equals(s.x, x) && Arrays.equals(s.f, f)
                    && s.pc == pc && s.frm == frm && s.fflags == fflags && s.icount == icount && s.thread.equals(thread)
                    && java.util.Objects.equals(s.reservation, reservation);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(x) * 31 + Long.hashCode(icount);
        }
    }

    /** A mapping [start, end) with its rights, whether its contents came from a file, and its name in maps listings (or null). */
    public record Mapping(long start, long end, int prot, boolean file, String name) {}

    /**
     * An open guest fd as far as the host tells: the path it was opened at ({@code /proc/self/fd}),
     * the file offset and the host open flags ({@code /proc/self/fdinfo}). Pipes, sockets and
     * terminals have paths like {@code pipe:[123]} and cannot be reopened.
     */
    public record OpenFile(int fd, String path, long offset, int flags, boolean closeOnExec) {}

    /**
     * The process's kernel state outside guest memory: the memory map policy, the fd table, the
     * signal dispositions that are not the default, and the next thread id.
     */
    public record KernelState(long brkStart, long brk, long mmapNext, long sigreturnTrampoline, List<Mapping> mappings,
                              List<OpenFile> files, List<Process.SignalDisposition> signals, int nextTid) {
        public KernelState {
            mappings = List.copyOf(mappings);
            files = List.copyOf(files);
            signals = List.copyOf(signals);
        }
    }

    /** One guest page's contents (page-aligned address, 4 KiB). Pages that read all zeros are left out. */
    public record Page(long address, byte[] bytes) {
        public Page {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Page p && p.address == address && Arrays.equals(p.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(address) * 31 + Arrays.hashCode(bytes);
        }
    }
}
