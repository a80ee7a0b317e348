package dev.reprise.linux;

import dev.reprise.mem.AddressSpace;

import java.util.function.LongFunction;

/**
 * Prints system calls in qemu's -strace style, one line per call, with the thread id first:
 * {@code 1234 openat(AT_FDCWD,"/etc/passwd",O_RDONLY|O_CLOEXEC) = 3}. Errors read
 * {@code = -1 errno=2 (No such file or directory)}, with the host's message as qemu shows it.
 *
 * <p>How each argument prints comes from the entry's letters ({@link Syscalls.Entry#args()}):
 * <pre>
 *   d decimal   u unsigned   x hex (0x1f, 0)   p pointer (NULL or 0x%016x)   o octal (0755)
 *   s C string ("quoted", escaped, cut after {@value #MAX_STRING} bytes with "..."; a bad pointer prints as hex)
 *   f fd (AT_FDCWD)   O open flags   w lseek whence   a access mode (R_OK|W_OK)
 *   m open's mode: octal, and only when the open flags before it create a file (as qemu)
 *   F fcntl command   I ioctl request   P mmap/mprotect prot   M mmap flags   c clock id   - not printed
 * </pre>
 * A suffix {@code =p} prints the result as a pointer (brk, mmap), {@code =x} in hex; otherwise
 * results are decimal.
 *
 * <p>A line is printed after the call returns, in one {@code println} (a PrintStream is
 * synchronized), so lines of different threads never mix. Calls that never return (exit,
 * exit_group, rt_sigreturn) are printed before they run, without a result.
 */
final class Strace {
    private Strace() {}

    /** Longest string printed in full. */
    static final int MAX_STRING = 256;

    static void print(Task t, long nr, Syscalls.Entry e, long a0, long a1, long a2, long a3, long a4, long a5, long result) {
        String call = e == null ? "Unknown syscall " + nr
                : call(e.name(), e.args(), new long[] {a0, a1, a2, a3, a4, a5}, strings(t.process.space));
        t.process.strace.println(t.tid + " " + call + " = " + result(result, e == null ? "" : e.args()));
    }

    /** Prints a call that will not return, before it runs. */
    static void printCall(Task t, Syscalls.Entry e, long a0, long a1, long a2, long a3, long a4, long a5) {
        t.process.strace.println(t.tid + " " + call(e.name(), e.args(), new long[] {a0, a1, a2, a3, a4, a5}, strings(t.process.space)));
    }

    /** Reads guest strings for 's' arguments: null if the pointer is bad. */
    private static LongFunction<String> strings(AddressSpace space) {
        return addr -> {
            try {
                String s = UserMemory.string(space, addr, MAX_STRING + 1);
                if (s != null) return quote(Host.text(s), false);
                byte[] head = new byte[MAX_STRING];   // all readable: string() looked at them
                space.read(addr, head, 0, MAX_STRING);
                return quote(new String(head, java.nio.charset.StandardCharsets.UTF_8), true);
            } catch (SyscallError e) {
                return null;
            }
        };
    }

    /** {@code name(arg,arg,...)} as the letters say; {@code strings} quotes the string at an address (null if unreadable). */
    static String call(String name, String letters, long[] args, LongFunction<String> strings) {
        StringBuilder b = new StringBuilder(64).append(name).append('(');
        int end = letters.indexOf('=');
        if (end < 0) end = letters.length();
        boolean first = true;
        for (int i = 0; i < end && i < args.length; i++) {
            char c = letters.charAt(i);
            if (c == '-' || (c == 'm' && (i == 0 || (args[i - 1] & (O_CREAT | O_TMPFILE)) == 0))) continue;
            if (!first) b.append(',');
            first = false;
            b.append(arg(c, args[i], strings));
        }
        return b.append(')').toString();
    }

    static String arg(char letter, long v, LongFunction<String> strings) {
        return switch (letter) {
            case 'd' -> Long.toString(v);
            case 'u' -> Long.toUnsignedString(v);
            case 'x' -> hex(v);
            case 'p' -> pointer(v);
            case 'o', 'm' -> v == 0 ? "0" : "0" + Long.toOctalString(v);
            case 'f' -> (int) v == FileSyscalls.AT_FDCWD ? "AT_FDCWD" : Integer.toString((int) v);
            case 's' -> {
                if (v == 0) yield "NULL";
                String s = strings.apply(v);
                yield s != null ? s : hex(v);
            }
            case 'O' -> openFlags((int) v);
            case 'w' -> v >= 0 && v < WHENCE.length ? WHENCE[(int) v] : Long.toString(v);
            case 'a' -> v == 0 ? "F_OK" : flags(v, ACCESS);
            case 'P' -> v == 0 ? "PROT_NONE" : flags(v, PROT);
            case 'M' -> flags(v, MAP);
            case 'F' -> named(v, FCNTL);
            case 'I' -> named(v, IOCTL);
            case 'c' -> v >= 0 && v < CLOCKS.length && CLOCKS[(int) v] != null ? CLOCKS[(int) v] : Long.toString(v);
            default -> throw new IllegalArgumentException("strace letter " + letter);
        };
    }

    private static String named(long v, Flag[] names) {
        for (Flag f : names) if (f.mask == v) return f.name;
        return v < 0 || v > 0xffff ? hex(v) : Long.toString(v);
    }

    /** As C's %#x: 0x1f, but plain 0 for zero. */
    static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    static String pointer(long v) {
        return v == 0 ? "NULL" : String.format("0x%016x", v);
    }

    /** {@code = ...}: an error as -1 errno=N (message), else as the entry's result suffix says. */
    static String result(long r, String letters) {
        if (r < 0 && r >= -4095) return "-1 errno=" + -r + " (" + Host.strerror((int) -r) + ")";
        int eq = letters.indexOf('=');
        char kind = eq >= 0 && eq + 1 < letters.length() ? letters.charAt(eq + 1) : 'd';
        return switch (kind) {
            case 'p' -> String.format("0x%016x", r);
            case 'x' -> hex(r);
            default -> Long.toString(r);
        };
    }

    /** A C string in double quotes with C escapes; {@code cut} adds "..." after the closing quote. */
    static String quote(String s, boolean cut) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\%03o", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
        return cut ? b.append("...").toString() : b.toString();
    }

    private record Flag(long mask, String name) {}

    private static String flags(long v, Flag[] table) {
        StringBuilder b = new StringBuilder();
        for (Flag f : table) {
            if ((v & f.mask) == f.mask) {
                if (!b.isEmpty()) b.append('|');
                b.append(f.name);
                v &= ~f.mask;
            }
        }
        if (v != 0) {
            if (!b.isEmpty()) b.append('|');
            b.append("0x").append(Long.toHexString(v));
        }
        return b.toString();
    }

    static String openFlags(int v) {
        String mode = switch (v & 3) {
            case 0 -> "O_RDONLY";
            case 1 -> "O_WRONLY";
            case 2 -> "O_RDWR";
            default -> "O_ACCMODE";
        };
        int rest = v & ~3;
        return rest == 0 ? mode : mode + "|" + flags(Integer.toUnsignedLong(rest), OPEN);
    }

    private static final int O_CREAT = 0100, O_TMPFILE = 020000000;

    // asm-generic values, in the order qemu prints them
    private static final Flag[] OPEN = {
            new Flag(02000, "O_APPEND"), new Flag(0100, "O_CREAT"), new Flag(0200000, "O_DIRECTORY"),
            new Flag(0200, "O_EXCL"), new Flag(0100000, "O_LARGEFILE"), new Flag(0400, "O_NOCTTY"),
            new Flag(0400000, "O_NOFOLLOW"), new Flag(04000, "O_NONBLOCK"), new Flag(010000, "O_DSYNC"),
            new Flag(04000000, "__O_SYNC"), new Flag(01000, "O_TRUNC"), new Flag(040000, "O_DIRECT"),
            new Flag(01000000, "O_NOATIME"), new Flag(02000000, "O_CLOEXEC"), new Flag(010000000, "O_PATH"),
            new Flag(020000000, "__O_TMPFILE"), new Flag(020000, "FASYNC")};
    private static final Flag[] ACCESS = {new Flag(4, "R_OK"), new Flag(2, "W_OK"), new Flag(1, "X_OK")};
    private static final Flag[] PROT = {
            new Flag(1, "PROT_READ"), new Flag(2, "PROT_WRITE"), new Flag(4, "PROT_EXEC"),
            new Flag(0x01000000, "PROT_GROWSDOWN"), new Flag(0x02000000, "PROT_GROWSUP")};
    private static final Flag[] MAP = {
            new Flag(3, "MAP_SHARED_VALIDATE"), new Flag(1, "MAP_SHARED"), new Flag(2, "MAP_PRIVATE"),
            new Flag(0x10, "MAP_FIXED"), new Flag(0x20, "MAP_ANONYMOUS"), new Flag(0x100, "MAP_GROWSDOWN"),
            new Flag(0x800, "MAP_DENYWRITE"), new Flag(0x1000, "MAP_EXECUTABLE"), new Flag(0x2000, "MAP_LOCKED"),
            new Flag(0x4000, "MAP_NORESERVE"), new Flag(0x8000, "MAP_POPULATE"), new Flag(0x10000, "MAP_NONBLOCK"),
            new Flag(0x20000, "MAP_STACK"), new Flag(0x40000, "MAP_HUGETLB"), new Flag(0x80000, "MAP_SYNC"),
            new Flag(0x100000, "MAP_FIXED_NOREPLACE")};
    private static final Flag[] FCNTL = {
            new Flag(0, "F_DUPFD"), new Flag(1, "F_GETFD"), new Flag(2, "F_SETFD"), new Flag(3, "F_GETFL"),
            new Flag(4, "F_SETFL"), new Flag(5, "F_GETLK"), new Flag(6, "F_SETLK"), new Flag(7, "F_SETLKW"),
            new Flag(36, "F_OFD_GETLK"), new Flag(37, "F_OFD_SETLK"), new Flag(38, "F_OFD_SETLKW"),
            new Flag(1030, "F_DUPFD_CLOEXEC"), new Flag(1031, "F_SETPIPE_SZ"), new Flag(1032, "F_GETPIPE_SZ")};
    private static final Flag[] IOCTL = {
            new Flag(0x5401, "TCGETS"), new Flag(0x5402, "TCSETS"), new Flag(0x5403, "TCSETSW"),
            new Flag(0x5404, "TCSETSF"), new Flag(0x540f, "TIOCGPGRP"), new Flag(0x5410, "TIOCSPGRP"),
            new Flag(0x5413, "TIOCGWINSZ"), new Flag(0x5414, "TIOCSWINSZ"), new Flag(0x541b, "FIONREAD"),
            new Flag(0x5421, "FIONBIO"), new Flag(0x5450, "FIONCLEX"), new Flag(0x5451, "FIOCLEX")};
    private static final String[] WHENCE = {"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE"};
    private static final String[] CLOCKS = {
            "CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
            "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME",
            "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM", null, "CLOCK_TAI"};
}
