package dev.reprise.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The few facts about the host process that the guest sees as QEMU passes them on: ids, the stack limit. */
final class Host {
    private Host() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final int RLIMIT_STACK = 3;

    static long uid() { return id("getuid"); }
    static long euid() { return id("geteuid"); }
    static long gid() { return id("getgid"); }
    static long egid() { return id("getegid"); }

    /** The soft RLIMIT_STACK in bytes, or -1 when unlimited or unknown. */
    static long stackLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            int rc = (int) function("getrlimit", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS))
                    .invokeExact(RLIMIT_STACK, rlimit);
            long soft = rlimit.get(ValueLayout.JAVA_LONG, 0);
            return rc == 0 && soft >= 0 ? soft : -1;   // RLIM_INFINITY is ~0
        } catch (Throwable e) {
            return -1;
        }
    }

    private static long id(String call) {
        try {
            return Integer.toUnsignedLong((int) function(call, FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact());
        } catch (Throwable e) {
            return 0;
        }
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }
}
