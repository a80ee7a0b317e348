package dev.reprise.linux;

/** Memory system calls: brk, mmap, munmap, mprotect, mremap, madvise. */
final class MemorySyscalls {
    private MemorySyscalls() {}

    static void register() {
    }
}
