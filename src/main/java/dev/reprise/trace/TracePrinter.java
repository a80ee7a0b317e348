package dev.reprise.trace;

import dev.reprise.isa.Disassembler;

/** Renders trace records as text lines: icount, pc, symbol, disassembly, effects. */
public final class TracePrinter {
    private final ElfSymbols symbols;

    public TracePrinter(ElfSymbols symbols) {
        this.symbols = symbols;
    }

    /** Symbols for a trace's program, if its ELF is still where the trace says. */
    public static TracePrinter forHeader(TraceHeader header) {
        return new TracePrinter(header == null ? ElfSymbols.none()
                : ElfSymbols.read(java.nio.file.Path.of(header.program()), header.loadBias()));
    }

    public String symbol(long pc) {
        return symbols.name(pc);
    }

    /** One line for {@code s}. */
    public String line(Step s) {
        return text(s).stripTrailing();
    }

    private String text(Step s) {
        return switch (s.kind) {
            case INSN -> String.format("%10d  %10x  %-28s %-30s %s", s.icount, s.pc, symbols.name(s.pc),
                    disassemble(s.bits, s.pc), s.effects(" "));
            case CHANGE -> String.format("%10s  %10x  %-28s %-30s %s", "", s.pc, symbols.name(s.pc),
                    "(signal: state changed)", s.effects(" "));
            case STATE -> String.format("%10d  %10x  %-28s %-30s", s.icount, s.pc, symbols.name(s.pc), "(start of vCPU "
                    + s.vcpu + "'s trace)");
        };
    }

    /** objdump's text with a space for the tab. */
    public static String disassemble(int bits, long pc) {
        return Disassembler.disassemble(bits, pc).replace('\t', ' ');
    }
}
