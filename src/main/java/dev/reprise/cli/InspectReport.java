package dev.reprise.cli;

import dev.reprise.replay.Event;
import dev.reprise.replay.RecordingException;
import dev.reprise.replay.RecordingReader;
import dev.reprise.replay.RecordingSummary;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints a {@link RecordingSummary} as text or JSON for {@code reprise inspect}. */
final class InspectReport {
    private InspectReport() {}

    /** Prints the summary of the recording in {@code dir}; returns the exit status. */
    static int print(Path dir, boolean json, PrintStream out, PrintStream err) {
        RecordingSummary s;
        try (RecordingReader r = RecordingReader.open(dir)) {
            s = RecordingSummary.of(r);
        } catch (RecordingException e) {
            err.println("reprise: " + e.getMessage());
            return RecordingErrors.status(e);
        }
        out.print(json ? json(dir, s) : text(dir, s));
        out.flush();
        return 0;
    }

    static String text(Path dir, RecordingSummary s) {
        var h = s.header();
        StringBuilder b = new StringBuilder();
        line(b, "recording", dir.toString());
        line(b, "status", s.complete() ? "complete"
                : "INCOMPLETE (the recorder did not finish: killed or crashed); counts below are of its complete events");
        line(b, "format", "version " + h.formatVersion());
        line(b, "program", h.program() + " (sha256 " + h.programSha256Hex() + ")");
        line(b, "arguments", String.join(" ", h.argv()));
        line(b, "environment", h.env().size() + " variables");
        line(b, "engine", h.engine() + ", granule " + h.granuleSize() + " bytes, seed " + h.seed());
        line(b, "vCPUs", s.vcpus().size() + (s.complete() ? "" : " so far"));
        line(b, "log size", bytes(s.logBytes()));
        line(b, "checkpoints", Integer.toString(s.checkpoints()));
        b.append('\n');
        List<Event.Kind> kinds = List.of(Event.Kind.values());
        b.append(String.format("%-5s %14s %10s", "vCPU", "instructions", "events"));
        for (Event.Kind k : kinds) b.append(String.format(" %9s", name(k)));
        b.append('\n');
        for (RecordingSummary.Vcpu v : s.vcpus()) {
            b.append(String.format("%-5d %14d %10d", v.vcpu(), v.instructions(), v.events()));
            for (Event.Kind k : kinds) b.append(String.format(" %9d", v.eventsByKind().get(k)));
            b.append('\n');
        }
        b.append(String.format("%-5s %14d %10d", "all", s.vcpus().stream().mapToLong(RecordingSummary.Vcpu::instructions).sum(), s.events()));
        for (Event.Kind k : kinds) b.append(String.format(" %9d", s.vcpus().stream().mapToLong(v -> v.eventsByKind().get(k)).sum()));
        b.append('\n');
        if (!s.contended().isEmpty()) {
            // Symbols from the recorded program if it is still there and the same (a static program: no load bias).
            dev.reprise.trace.ElfSymbols symbols = dev.reprise.trace.ElfSymbols.none();
            try {
                if (h.isOf(Path.of(h.program()))) symbols = dev.reprise.trace.ElfSymbols.read(Path.of(h.program()), 0);
            } catch (java.io.IOException | RuntimeException e) {
                // no program, no names: the pcs alone
            }
            b.append("\nmost contended\n");
            for (RecordingSummary.Contended c : s.contended()) {
                String what = switch (c.target()) {
                    case GRANULE -> String.format("granule %d (address 0x%x)", c.id(), c.id() * h.granuleSize());
                    case LINE -> String.format("line 0x%x (of a split granule)", c.id() * 64);
                    case WORD -> String.format("word 0x%x (of a split granule)", c.id() * 8);
                    case RESOURCE -> "resource " + c.id() + (c.id() == 0 ? " (memory map)" : c.id() == 1 ? " (signal actions)" : "");
                };
                b.append(String.format("  %-40s %d transfers%n", what, c.transfers()));
                for (var at : c.takenAt()) {
                    String name = symbols.name(at.getKey());
                    b.append(String.format("      taken at 0x%x%s: %d%n", at.getKey(), name.isEmpty() ? "" : " " + name, at.getValue()));
                }
            }
        }
        return b.toString();
    }

    static String json(Path dir, RecordingSummary s) {
        var h = s.header();
        String vcpus = s.vcpus().stream().map(v -> "{\"vcpu\":" + v.vcpu() + ",\"instructions\":" + v.instructions()
                + ",\"events\":" + v.events() + ",\"eventsByKind\":{"
                + v.eventsByKind().entrySet().stream().map(e -> quote(name(e.getKey())) + ":" + e.getValue()).collect(Collectors.joining(","))
                + "}}").collect(Collectors.joining(","));
        String contended = s.contended().stream().map(c -> "{\"target\":" + quote(c.target().name().toLowerCase(Locale.ROOT))
                + ",\"id\":" + c.id() + ",\"transfers\":" + c.transfers() + ",\"takenAt\":["
                + c.takenAt().stream().map(at -> "{\"pc\":" + at.getKey() + ",\"transfers\":" + at.getValue() + "}").collect(Collectors.joining(","))
                + "]}").collect(Collectors.joining(","));
        return "{\"recording\":" + quote(dir.toString()) + ",\"complete\":" + s.complete() + ",\"formatVersion\":" + h.formatVersion()
                + ",\"program\":" + quote(h.program()) + ",\"programSha256\":" + quote(h.programSha256Hex())
                + ",\"argv\":" + strings(h.argv()) + ",\"env\":" + strings(h.env()) + ",\"engine\":" + quote(h.engine())
                + ",\"granuleSize\":" + h.granuleSize() + ",\"seed\":" + h.seed() + ",\"logBytes\":" + s.logBytes()
                + ",\"checkpoints\":" + s.checkpoints() + ",\"events\":" + s.events() + ",\"vcpus\":[" + vcpus + "]"
                + ",\"contended\":[" + contended + "]}\n";
    }

    private static String name(Event.Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format("%-12s %s%n", label, value));
    }

    private static String bytes(long n) {
        return n < 1 << 20 ? String.format("%.1f KiB (%d bytes)", n / 1024.0, n) : String.format("%.1f MiB (%d bytes)", n / 1048576.0, n);
    }

    private static String strings(List<String> list) {
        return list.stream().map(InspectReport::quote).collect(Collectors.joining(",", "[", "]"));
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
