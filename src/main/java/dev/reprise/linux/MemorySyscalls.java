package dev.reprise.linux;

/**
 * Memory system calls: brk, mmap, munmap, mprotect, mremap, madvise. The policy lives in
 * {@link MemoryManager}; this class decodes arguments and keeps the vCPUs' TLBs honest.
 */
final class MemorySyscalls {
    private MemorySyscalls() {}

    static final int RISCV_FLUSH_ICACHE = 259;
    static final int BRK = 214, MUNMAP = 215, MREMAP = 216, MMAP = 222, MPROTECT = 226, MADVISE = 233;

    static void register() {
        Syscalls.define(BRK, "brk", "p=p", (t, a0, a1, a2, a3, a4, a5) -> t.process.memory.brk(a0));
        Syscalls.define(MMAP, "mmap", "puPMfx=p", (t, a0, a1, a2, a3, a4, a5) -> {
            FileTable files = t.process.files;
            long r = t.process.memory.mmap(a0, a1, (int) a2, (int) a3, (int) a4, a5, files::pread);
            if (r >= 0 && (a3 & (MemoryManager.MAP_FIXED | MemoryManager.MAP_FIXED_NOREPLACE)) != 0) afterRightsReduced(t);
            return r;
        });
        Syscalls.define(MUNMAP, "munmap", "pu", (t, a0, a1, a2, a3, a4, a5) ->
                reduced(t, t.process.memory.munmap(a0, a1)));
        Syscalls.define(MPROTECT, "mprotect", "puP", (t, a0, a1, a2, a3, a4, a5) ->
                reduced(t, t.process.memory.mprotect(a0, a1, (int) a2)));
        Syscalls.define(MREMAP, "mremap", "puuxp=p", (t, a0, a1, a2, a3, a4, a5) ->
                reduced(t, t.process.memory.mremap(a0, a1, a2, (int) a3, a4)));
        // Every vCPU drops its translated code before its next block (Linux: fence.i on all harts).
        Syscalls.define(RISCV_FLUSH_ICACHE, "riscv_flush_icache", "ppx", (t, a0, a1, a2, a3, a4, a5) -> {
            t.process.space.invalidateCode();
            return 0;
        });
        Syscalls.define(MADVISE, "madvise", "pud", (t, a0, a1, a2, a3, a4, a5) ->
                t.process.memory.madvise(a0, a1, (int) a2));
    }

    private static long reduced(Task t, long result) {
        if (result >= 0) afterRightsReduced(t);
        return result;
    }

    /**
     * Call after a change that may have taken rights away (munmap, mprotect, mremap, MAP_FIXED over
     * a mapping): the calling vCPU flushes its TLB now, every other vCPU at its next block boundary.
     * Until then another vCPU may still reach the old pages (host memory stays mapped, so the JVM
     * is safe); Linux would have shot its TLB down before the call returned.
     */
    static void afterRightsReduced(Task caller) {
        caller.hart.mmu.flush();
        for (Task other : caller.process.tasks()) {
            if (other == caller) continue;
            other.hart.mmu.requestFlush();
            other.hart.requestService();   // a vCPU in a translated loop serves it when the loop leaves
        }
    }
}
