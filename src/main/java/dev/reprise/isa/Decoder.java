package dev.reprise.isa;

/**
 * Turns instruction bits into an {@link Insn}, driven only by the {@link Op} and
 * {@link Compressed} tables. Never throws: anything unknown or reserved is {@link Op#ILLEGAL}.
 */
public final class Decoder {
    private Decoder() {}

    /**
     * Candidates per (major opcode, funct3, bits 31..27), in table order: a word is checked
     * against the one or two operations that can match it instead of the whole table. Bits 31..27
     * tell apart the A extension's funct5 and the FP operations that share an opcode and leave
     * funct3 free for the rounding mode. Identical candidate lists share one array.
     */
    private static final Op[][] OPS = new Op[32 << 8][];
    /** The same for 16-bit parcels, by quadrant (bits 1..0) and funct3 (bits 15..13). */
    private static final Compressed[][] PARCELS = new Compressed[3 * 8][];

    // Built with plain loops and arrays: this runs at every start-up, interpreted, before anything
    // is compiled (docs/performance.md, "start-up").
    static {
        // Pass 1 counts the candidates per slot, pass 2 fills them in table order. An operation
        // goes into the slots of every funct3 and bits 31..27 value its mask leaves free: the
        // loops walk the subsets of those free bits, down to the operation's own match.
        int[] count = new int[OPS.length];
        Op[] all = Op.values();
        for (int pass = 0; pass < 2; pass++) {
            for (Op op : all) {
                if (op == Op.ILLEGAL) continue;
                int free3 = ~op.mask >>> 12 & 7, freeTop = ~op.mask >>> 27;
                for (int f3 = free3; ; f3 = f3 - 1 & free3) {
                    for (int top = freeTop; ; top = top - 1 & freeTop) {
                        int slot = opSlot(op.match | f3 << 12 | top << 27);
                        if (pass == 0) count[slot]++;
                        else OPS[slot][OPS[slot].length - count[slot]--] = op;
                        if (top == 0) break;
                    }
                    if (f3 == 0) break;
                }
            }
            if (pass == 0) {
                Op[] none = {};
                for (int i = 0; i < OPS.length; i++) OPS[i] = count[i] == 0 ? none : new Op[count[i]];
            }
        }
        // Neighbouring slots (bits 31..27 free) mostly hold the same list: they share one array,
        // so the decoder touches fewer cache lines. (Hashing all 8192 lists took 10-17 ms,
        // Arrays.equals 8 ms: an identity loop is cheapest while nothing is compiled.)
        for (int i = 1; i < OPS.length; i++) {
            if (sameOps(OPS[i], OPS[i - 1])) OPS[i] = OPS[i - 1];
        }

        int[] parcelCount = new int[PARCELS.length];
        for (Compressed c : Compressed.values()) parcelCount[parcelSlot(c.match)]++;
        for (int i = 0; i < PARCELS.length; i++) PARCELS[i] = new Compressed[parcelCount[i]];
        for (Compressed c : Compressed.values()) {
            int slot = parcelSlot(c.match);
            PARCELS[slot][PARCELS[slot].length - parcelCount[slot]--] = c;
        }
    }

    private static boolean sameOps(Op[] a, Op[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) return false;
        }
        return true;
    }

    private static int opSlot(int word) {
        return (word >>> 2 & 0x1f) << 8 | (word >>> 12 & 7) << 5 | word >>> 27;
    }

    private static int parcelSlot(int parcel) {
        return (parcel & 3) << 3 | parcel >>> 13 & 7;
    }

    /**
     * Decodes one instruction. If the low two bits are not 11 the low 16 bits are a compressed
     * parcel (the upper bits are ignored); otherwise all 32 bits are one instruction.
     */
    public static Insn decode(int bits) {
        return (bits & 3) != 3 ? decodeCompressed(bits & 0xffff) : decodeWord(bits);
    }

    private static Insn decodeCompressed(int parcel) {
        for (Compressed c : PARCELS[parcelSlot(parcel)]) {
            if ((parcel & c.mask) == c.match) return c.expand(parcel); // reserved forms expand to ILLEGAL
        }
        return Insn.illegal(parcel, 2); // not reached: every slot ends in a catch-all (DecoderTest tries all parcels)
    }

    private static Insn decodeWord(int word) {
        for (Op op : OPS[opSlot(word)]) {
            if ((word & op.mask) == op.match) return fields(op, word);
        }
        return Insn.illegal(word, 4);
    }

    private static Insn fields(Op op, int w) {
        int rd = w >>> 7 & 0x1f, rs1 = w >>> 15 & 0x1f, rs2 = w >>> 20 & 0x1f, rs3 = w >>> 27;
        int rm = w >>> 12 & 7;
        int aqrl = op.isAtomic() ? w >>> 25 & 3 : 0;
        long imm = switch (op.format) {
            case I -> w >> 20;
            case SHIFT6 -> w >>> 20 & 0x3f;
            case SHIFT5 -> w >>> 20 & 0x1f;
            case S -> (w >> 25 << 5) | (w >>> 7 & 0x1f);
            case B -> (w >> 31 << 12) | (w >>> 7 & 1) << 11 | (w >>> 25 & 0x3f) << 5 | (w >>> 8 & 0xf) << 1;
            case U -> w & 0xfffff000;
            case J -> (w >> 31 << 20) | (w >>> 12 & 0xff) << 12 | (w >>> 20 & 1) << 11 | (w >>> 21 & 0x3ff) << 1;
            case CSR, FENCE -> w >>> 20;
            case R, R4, NONE -> 0;
        };
        // Only the fields the format has; the others stay zero as Insn promises.
        return switch (op.format) {
            case R -> new Insn(op, rd, rs1, rs2, 0, 0, rm, aqrl, 4, w, null);
            case R4 -> new Insn(op, rd, rs1, rs2, rs3, 0, rm, 0, 4, w, null);
            case I, SHIFT6, SHIFT5, CSR, FENCE -> new Insn(op, rd, rs1, 0, 0, imm, rm, 0, 4, w, null);
            case S, B -> new Insn(op, 0, rs1, rs2, 0, imm, rm, 0, 4, w, null);
            case U, J -> new Insn(op, rd, 0, 0, 0, imm, 0, 0, 4, w, null); // bits 14..12 are immediate
            case NONE -> new Insn(op, 0, 0, 0, 0, 0, rm, 0, 4, w, null);
        };
    }
}
