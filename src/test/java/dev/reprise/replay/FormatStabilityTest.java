package dev.reprise.replay;

import dev.reprise.cpu.Hart;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the recording format (version 5, docs/log-format.md; events are as in version 2, plus the pieces of split granules). If one of these fails, the format changed: bump
 * RecordingHeader.FORMAT_VERSION, update the doc and these bytes in the same commit.
 */
class FormatStabilityTest {
    static String encode(Event e) {
        Bytes<?> b = Bytes.allocateElasticOnHeap();
        EventCodec.write(e, b);
        byte[] out = new byte[(int) b.readRemaining()];
        b.read(out);
        return HexFormat.of().formatHex(out);
    }

    @Test
    void eventEncodings() {
        long digest = 0x0102030405060708L;
        assertThat(encode(new Event.Release(300, 0x10000, digest))).isEqualTo("02" + "ac02" + "808004" + "0807060504030201");
        assertThat(encode(new Event.Transfer(1, 2, digest, Event.Target.RESOURCE, 5, true, List.of(new Event.Holder(1, 7)))))
                .isEqualTo("01" + "01" + "02" + "0807060504030201" + "03" + "05" + "01" + "01" + "07");
        assertThat(encode(new Event.Transfer(1, 2, digest, Event.Target.GRANULE, 0x8f, false, List.of(new Event.Holder(2, 9)))))
                .isEqualTo("01" + "01" + "02" + "0807060504030201" + "00" + "8f01" + "01" + "02" + "09");
        assertThat(encode(new Event.Transfer(1, 2, digest, Event.Target.LINE, 0x23d1, true, List.of(new Event.Holder(1, 7)))))
                .isEqualTo("01" + "01" + "02" + "0807060504030201" + "06" + "d147" + "01" + "01" + "07");
        assertThat(encode(new Event.Transfer(1, 2, digest, Event.Target.WORD, 0x11e8b, false, List.of(new Event.Holder(1, 7)))))
                .isEqualTo("01" + "01" + "02" + "0807060504030201" + "08" + "8bbd04" + "01" + "01" + "07");
        assertThat(encode(new Event.Syscall(1, 2, digest, 63, -2, List.of(new Event.MemoryWrite(0x20, new byte[] {(byte) 0xab})))))
                .isEqualTo("03" + "01" + "02" + "0807060504030201" + "3f" + "03" + "01" + "20" + "01" + "ab");
        assertThat(encode(new Event.Clone(1, 2, digest, 1, 1001))).isEqualTo("04010208070605040302010" + "1" + "e907");
        assertThat(encode(new Event.Signal(1, 2, digest, new Event.SignalInfo(11, -6, 0x10, 1000, 0))))
                .isEqualTo("05" + "01" + "02" + "0807060504030201" + "0b" + "0b" + "10" + "e807" + "00");
        assertThat(encode(new Event.Exit(1, 2, digest, -1))).isEqualTo("06" + "01" + "02" + "0807060504030201" + "01");
    }

    @Test
    void registerDigestIsPinnedAndSeesEveryRegister() {
        Hart h = new Hart(null, null);
        assertThat(RegisterDigest.of(h)).isEqualTo(RegisterDigest.of(new Hart(null, null)));
        Set<Long> seen = new HashSet<>();
        seen.add(RegisterDigest.of(h));
        for (int r = 1; r < 32; r++) {
            h.x[r] = 1;
            assertThat(seen.add(RegisterDigest.of(h))).as("x%d", r).isTrue();
            h.x[r] = 0;
            h.f[r] = 1;
            assertThat(seen.add(RegisterDigest.of(h))).as("f%d", r).isTrue();
            h.f[r] = 0;
        }
        h.f[0] = 1;
        assertThat(seen.add(RegisterDigest.of(h))).isTrue();
        h.f[0] = 0;
        h.pc = 4;
        assertThat(seen.add(RegisterDigest.of(h))).isTrue();
        h.pc = 0;
        h.frm = 1;
        assertThat(seen.add(RegisterDigest.of(h))).isTrue();
        h.frm = 0;
        h.fflags = 1;
        assertThat(seen.add(RegisterDigest.of(h))).isTrue();
        h.fflags = 0;
        h.icount = 99;   // not part of the digest: events carry it on their own
        assertThat(RegisterDigest.of(h)).isEqualTo(RegisterDigest.of(new Hart(null, null)));
    }

    @Test
    void registerDigestOfAKnownState() {
        Hart h = new Hart(null, null);
        h.pc = 0x10078;
        for (int r = 1; r < 32; r++) h.x[r] = r * 0x1111L;
        assertThat(Long.toHexString(RegisterDigest.of(h))).isEqualTo("19a69fff44c81001");
    }
}
