package dev.reprise.isa;

/**
 * The RV64C encodings, described once like {@link Op}: mnemonic, 16-bit pattern, operand syntax
 * for the disassembler, and the base operation each one expands to.
 */
public enum Compressed {
    ; // filled in by the decoder work; see Decoder
}
