package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

/**
 * The process's memory map policy as Linux (and qemu-riscv64 7.2) lays it out: brk, mmap
 * placement, munmap, mprotect, mremap. See docs/address-space.md.
 */
public final class MemoryManager {
    final AddressSpace space;

    public MemoryManager(AddressSpace space) {
        this.space = space;
    }
}
