package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** A process with one task and a mapped scratch area, for driving system calls through Syscalls.dispatch. */
final class GuestFixture implements AutoCloseable {
    /** Start and size of the read-write scratch area. */
    static final long DATA = 0x10000, DATA_SIZE = 0x10000;
    /** A read-only page right after it, and an unmapped page after that. */
    static final long READ_ONLY = DATA + DATA_SIZE, UNMAPPED = READ_ONLY + AddressSpace.PAGE_SIZE;

    final Process process;
    final Task task;
    final AddressSpace space;
    final ByteArrayOutputStream straceBytes = new ByteArrayOutputStream();

    GuestFixture() {
        this(Path.of("/opt/guest/bin/prog"), null);
    }

    GuestFixture(Path program, Path sysroot) {
        Options options = new Options(program, List.of("prog"), List.of(), sysroot,
                new PrintStream(straceBytes, true, StandardCharsets.UTF_8), 42);
        process = new Process(options);
        space = process.space;
        task = new Task(process, process.allocateTid());
        space.map(DATA, DATA_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        space.map(READ_ONLY, AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ);
    }

    /** Makes the call as the guest would (a7 = number, a0..a5) and returns a0. */
    long call(int nr, long... args) {
        long[] x = task.hart.x;
        x[17] = nr;
        for (int i = 0; i < 6; i++) x[10 + i] = i < args.length ? args[i] : 0;
        Syscalls.dispatch(task);
        return x[10];
    }

    /** Writes a C string to guest memory and returns its address. */
    long string(long addr, String s) {
        byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
        space.write(addr, b, 0, b.length);
        return addr;
    }

    byte[] bytes(long addr, int n) {
        byte[] b = new byte[n];
        space.read(addr, b, 0, n);
        return b;
    }

    String text(long addr, int n) {
        return new String(bytes(addr, n), StandardCharsets.UTF_8);
    }

    long getLong(long addr) {
        return space.memory().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, addr);
    }

    int getInt(long addr) {
        return space.memory().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, addr);
    }

    String strace() {
        return straceBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.files.closeAll();
        space.close();
    }
}
