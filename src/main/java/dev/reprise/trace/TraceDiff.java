package dev.reprise.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds the first divergence between two traces, each a Reprise trace or a QEMU {@code -d cpu} log
 * (told apart by content). A is what is expected, B what is checked. Two Reprise traces are
 * compared record by record (every effect, memory included), vCPU by vCPU. When a QEMU log takes
 * part, register states before each instruction are compared instead: a Reprise trace's are
 * rebuilt from its start state and effects. QEMU logs do not say which thread ran, so they are
 * compared with vCPU 0. Streams both inputs: memory does not grow with their length.
 */
public final class TraceDiff {
    /** How many instructions before the divergence are shown. */
    static final int CONTEXT = 5;

    private final PrintStream out;
    private TracePrinter printer = new TracePrinter(ElfSymbols.none());

    private TraceDiff(PrintStream out) {
        this.out = out;
    }

    /** Prints the first divergence of {@code b} from {@code a}, or that they agree; true if they agree. */
    public static boolean diff(Path a, Path b, PrintStream out) throws IOException {
        return new TraceDiff(out).run(a, b);
    }

    private boolean run(Path a, Path b) throws IOException {
        boolean qemuA = isQemuLog(a), qemuB = isQemuLog(b);
        if (!qemuA && !qemuB) {
            try (TraceReader ra = new TraceReader(a); TraceReader rb = new TraceReader(b)) {
                printer = TracePrinter.forHeader(ra.header());
                return compareTraces(ra, rb);
            }
        }
        try (States sa = open(a, qemuA); States sb = open(b, qemuB)) {
            TraceHeader h = sa.header() != null ? sa.header() : sb.header();
            printer = TracePrinter.forHeader(h);
            return compareStates(sa, sb);
        }
    }

    // ---- two Reprise traces: record by record -------------------------------------------------------

    private boolean compareTraces(TraceReader a, TraceReader b) throws IOException {
        List<Integer> va = a.vcpus(), vb = b.vcpus();
        TreeSet<Integer> all = new TreeSet<>(va);
        all.addAll(vb);
        long records = 0;
        for (int v : all) {
            if (!va.contains(v) || !vb.contains(v)) {
                out.printf("vCPU %d is only in %s%n", v, va.contains(v) ? "A" : "B");
                return false;
            }
            TraceReader.Stream sa = a.stream(v), sb = b.stream(v);
            Step[] ring = new Step[CONTEXT + 1];
            for (int i = 0; i < ring.length; i++) ring[i] = new Step();
            for (long n = 0; ; n++, records++) {
                Step expected = ring[(int) (n % ring.length)];
                boolean hasA = sa.next(expected);
                Step actual = sb.next();
                boolean hasB = actual != null;
                if (!hasA && !hasB) break;
                if (hasA && hasB && expected.sameAs(actual)) continue;
                if (!hasA || !hasB) {
                    Step last = hasA ? expected : actual; // the one that goes on
                    out.printf("vCPU %d: %s ends after icount %d; %s goes on at icount %d, pc 0x%x%n", v,
                            hasA ? "B" : "A", last.icount - 1, hasA ? "A" : "B", last.icount, last.pc);
                    context(ring, n, null, null);
                    return false;
                }
                divergence(v, expected, actual);
                context(ring, n, expected, actual);
                return false;
            }
        }
        out.printf("identical: %d records, %d vCPU%s%n", records, all.size(), all.size() == 1 ? "" : "s");
        return true;
    }

    private void divergence(int vcpu, Step a, Step b) {
        out.printf("vCPU %d diverges at icount %d, pc 0x%x%s: %s%n", vcpu, a.icount, a.pc, where(a.pc), what(a));
        if (a.kind != b.kind) row("record", a.kind.toString(), b.kind.toString());
        if (a.icount != b.icount) row("icount", Long.toString(a.icount), Long.toString(b.icount));
        if (a.pc != b.pc) row("pc", hex(a.pc), hex(b.pc));
        if (a.bits != b.bits) row("instruction", what(a), what(b));
        boolean[] matched = new boolean[b.count];
        for (int e = 0; e < a.count; e++) {
            int m = find(b, a, e, matched);
            if (m < 0) row(name(a, e), value(a, e), "(none)");
            else if (!value(a, e).equals(value(b, m))) row(name(a, e), value(a, e), value(b, m));
        }
        for (int m = 0; m < b.count; m++) if (!matched[m]) row(name(b, m), "(none)", value(b, m));
    }

    /** The effect of {@code b} on the same register (or the same kind of memory access) as a's effect e. */
    private static int find(Step b, Step a, int e, boolean[] matched) {
        for (int m = 0; m < b.count; m++) {
            boolean sameTarget = b.type[m] == a.type[e] && (a.type[e] >= Step.STORE || b.reg[m] == a.reg[e]);
            if (!matched[m] && sameTarget) {
                matched[m] = true;
                return m;
            }
        }
        return -1;
    }

    private static String name(Step s, int e) {
        return switch (s.type[e]) {
            case Step.X -> dev.reprise.isa.Disassembler.xreg(s.reg[e]);
            case Step.F -> dev.reprise.isa.Disassembler.freg(s.reg[e]);
            case Step.FCSR -> "fcsr";
            case Step.STORE -> "store";
            default -> "load";
        };
    }

    private static String value(Step s, int e) {
        return switch (s.type[e]) {
            case Step.STORE -> s.reg[e] + " bytes at " + hex(s.address[e]) + " = " + hex(s.value[e]);
            case Step.LOAD -> s.reg[e] + " bytes at " + hex(s.address[e]);
            default -> hex(s.value[e]);
        };
    }

    // ---- with a QEMU log: register states before each instruction -----------------------------------

    private boolean compareStates(States a, States b) throws IOException {
        Step[] ring = new Step[CONTEXT + 1];
        for (int i = 0; i < ring.length; i++) ring[i] = new Step();
        boolean hasA = a.next(), hasB = b.next();
        // Align the starts: a trace may begin later (--from) than a log, which starts at icount 0.
        while (hasA && hasB && a.icount() != b.icount()) {
            if (a.icount() < b.icount()) hasA = a.next();
            else hasB = b.next();
        }
        long first = hasA ? a.icount() : 0;
        for (long n = 0; ; n++) {
            if (!hasA && !hasB) {
                out.printf("identical: %d instructions%n", n);
                return true;
            }
            States ended = !hasA ? a : !hasB ? b : null;
            if (ended != null) {
                States going = ended == a ? b : a;
                out.printf("vCPU 0: %s ends before icount %d; %s goes on at pc 0x%x%s%n", ended == a ? "A" : "B",
                        going.icount(), ended == a ? "B" : "A", going.pc(), where(going.pc()));
                context(ring, n, null, null);
                return false;
            }
            List<String[]> rows = stateDifferences(a, b);
            if (!rows.isEmpty()) {
                Step culprit = n == 0 ? null : ring[(int) ((n - 1) % ring.length)];
                if (culprit == null || culprit.kind == null) {
                    out.printf("vCPU 0: the states differ at the start (icount %d, pc 0x%x%s)%n", first, b.pc(), where(b.pc()));
                } else {
                    out.printf("vCPU 0 diverges at icount %d, pc 0x%x%s: %s%n", culprit.icount, culprit.pc,
                            where(culprit.pc), what(culprit));
                }
                for (String[] r : rows) row(r[0], r[1], r[2]);
                context(ring, n - 1, culprit, null);
                return false;
            }
            Step step = a.step() != null ? a.step() : b.step();
            Step slot = ring[(int) (n % ring.length)];
            if (step != null) slot.copyFrom(step);
            else qemuStep(slot, a);
            hasA = a.next();
            hasB = b.next();
        }
    }

    /** A context line for a QEMU-only comparison: icount and pc, no instruction bits. */
    private static void qemuStep(Step slot, States s) {
        slot.kind = Step.Kind.CHANGE;
        slot.icount = s.icount();
        slot.pc = s.pc();
        slot.bits = 0;
        slot.clear();
    }

    private static List<String[]> stateDifferences(States a, States b) {
        List<String[]> rows = new ArrayList<>();
        if (a.pc() != b.pc()) rows.add(new String[] {"pc", hex(a.pc()), hex(b.pc())});
        for (int r = 1; r < 32; r++) {
            if (a.x()[r] != b.x()[r]) {
                rows.add(new String[] {dev.reprise.isa.Disassembler.xreg(r), hex(a.x()[r]), hex(b.x()[r])});
            }
        }
        if (a.f() != null && b.f() != null) {
            for (int r = 0; r < 32; r++) {
                if (a.f()[r] != b.f()[r]) {
                    rows.add(new String[] {dev.reprise.isa.Disassembler.freg(r), hex(a.f()[r]), hex(b.f()[r])});
                }
            }
        }
        return rows;
    }

    /** Register states before each instruction of vCPU 0, from a trace or a QEMU log. */
    private interface States extends AutoCloseable {
        boolean next() throws IOException;

        long icount();

        long pc();

        long[] x();

        /** Null when the source has no FP registers (a QEMU log without fpu). */
        long[] f();

        /** The record of the instruction about to run, or null (QEMU logs have none). */
        Step step();

        TraceHeader header();

        @Override
        void close() throws IOException;
    }

    private static States open(Path file, boolean qemu) throws IOException {
        return qemu ? new QemuStates(file) : new TraceStates(file);
    }

    private static final class TraceStates implements States {
        private final TraceReader reader;
        private final TraceReader.Stream stream;
        private final Step step = new Step();

        TraceStates(Path file) throws IOException {
            reader = new TraceReader(file);
            List<Integer> vcpus = reader.vcpus();
            stream = reader.stream(vcpus.isEmpty() ? 0 : vcpus.getFirst());
        }

        @Override
        public boolean next() throws IOException {
            while (stream.next(step)) if (step.kind == Step.Kind.INSN) return true;
            return false;
        }

        @Override public long icount() { return step.icount; }
        @Override public long pc() { return step.pc; }
        @Override public long[] x() { return stream.state().x; }
        @Override public long[] f() { return stream.state().f; }
        @Override public Step step() { return step; }
        @Override public TraceHeader header() { return reader.header(); }
        @Override public void close() throws IOException { reader.close(); }
    }

    private static final class QemuStates implements States {
        private final QemuLog log;
        private QemuLog.State state;
        private long icount = -1;

        QemuStates(Path file) throws IOException {
            log = new QemuLog(file);
        }

        @Override
        public boolean next() throws IOException {
            state = log.next();
            icount++;
            return state != null;
        }

        @Override public long icount() { return icount; }
        @Override public long pc() { return state.pc(); }
        @Override public long[] x() { return state.x(); }
        @Override public long[] f() { return state.f(); }
        @Override public Step step() { return null; }
        @Override public TraceHeader header() { return null; }
        @Override public void close() throws IOException { log.close(); }
    }

    /** True for a QEMU {@code -d cpu} log, false for a Reprise trace; anything else is an error. */
    static boolean isQemuLog(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new TraceFileException(file, Files.exists(file) ? "not a regular file" : "No such file or directory");
        }
        if (TraceReader.isTrace(file)) return false;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (int i = 0; i < 64; i++) {
                String line = in.readLine();
                if (line == null) break;
                if (line.startsWith(" pc ")) return true;
            }
        }
        throw new TraceFileException(file, Files.size(file) == 0 ? "empty file"
                : "neither a Reprise trace nor a QEMU -d cpu log");
    }

    // ---- output ---------------------------------------------------------------------------------

    private void row(String what, String expected, String actual) {
        out.printf("  %-12s expected %s (A), actual %s (B)%n", what + ":", expected, actual);
    }

    /**
     * The five records before record {@code n} (from the ring), then the diverging record: A's and B's,
     * or the one whose result differs ({@code b} null), or none when a trace ended ({@code a} null).
     */
    private void context(Step[] ring, long n, Step a, Step b) {
        long from = Math.max(0, n - CONTEXT);
        if (from >= n && (a == null || a.kind == null)) return;
        out.println("  context:");
        for (long i = from; i < n; i++) out.println("      " + printer.line(ring[(int) (i % ring.length)]));
        if (a != null && a.kind != null) out.println((b == null ? "    > " : "  A > ") + printer.line(a));
        if (b != null) out.println("  B > " + printer.line(b));
    }

    private String where(long pc) {
        String s = printer.symbol(pc);
        return s.isEmpty() ? "" : " (" + s + ")";
    }

    private static String what(Step s) {
        return s.kind == Step.Kind.INSN ? TracePrinter.disassemble(s.bits, s.pc) : "(" + s.kind.toString().toLowerCase() + ")";
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
