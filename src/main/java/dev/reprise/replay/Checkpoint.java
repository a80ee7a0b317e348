package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import dev.reprise.linux.Process;
import dev.reprise.linux.Task;

import java.util.Arrays;
import java.util.List;

/**
 * The whole machine at a consistent cut (every vCPU stopped at a known icount), as plain data:
 * per-vCPU registers, the address space's mappings and the contents of its non-zero pages, and
 * the kernel state that lives outside guest memory. {@link Checkpoints} captures, stores and
 * restores it.
 *
 * @param sequence the checkpoint's number in its recording (0, 1, ...), also its file name
 */
public record Checkpoint(long sequence, List<VcpuState> vcpus, KernelState kernel, List<Page> pages) {
    public Checkpoint {
        vcpus = List.copyOf(vcpus);
        pages = List.copyOf(pages);
    }

    /** One vCPU's architectural state and its thread's kernel state (signal mask, clear_child_tid, ...). */
    public record VcpuState(int vcpu, int tid, long[] x, long[] f, long pc, int frm, int fflags, long icount, Task.ThreadState thread) {
        public VcpuState {
            if (x.length != 32 || f.length != 32) throw new IllegalArgumentException("32 x and 32 f registers");
            x = x.clone();
            f = f.clone();
        }

        /** Reads {@code task}: call it while the vCPU is stopped. */
        public static VcpuState of(int vcpu, Task task) {
            Hart h = task.hart;
            return new VcpuState(vcpu, task.tid, h.x, h.f, h.pc, h.frm, h.fflags, h.icount, task.threadState());
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
                    && s.pc == pc && s.frm == frm && s.fflags == fflags && s.icount == icount && s.thread.equals(thread);
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
