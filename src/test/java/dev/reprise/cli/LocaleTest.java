package dev.reprise.cli;

import dev.reprise.GuestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reprise runs on the JDK's own locale data (Main.main): a recording never starts CLDR's locale
 * provider (Chronicle's static date formats made every record enumerate its ~1000 locales), and
 * what Reprise prints is the same whatever the user's locale.
 */
class LocaleTest {
    @TempDir
    Path tmp;

    @Test
    void aRecordingInAGermanLocaleLoadsNoCldrDataAndPrintsDecimalPoints() throws Exception {
        String hello = GuestRunner.root().resolve("guest-tests/bin/hello").toString();
        Path dir = tmp.resolve("rec");
        Map<String, String> german = Map.of("JAVA_TOOL_OPTIONS", "-Duser.language=de -Duser.country=DE -verbose:class");
        var record = GuestRunner.run(GuestRunner.repriseCommand("record", "-o", dir.toString(), "--", hello), german, new byte[0], 120);
        assertThat(record.status()).as(record.stderr()).isZero();
        assertThat(record.stdout()).contains("Hello, RISC-V!", "net.openhft.chronicle.wire.Wires$SerializeJavaLang")
                .doesNotContain("sun.util.cldr.CLDRLocaleProviderAdapter");

        var inspect = GuestRunner.run(GuestRunner.repriseCommand("inspect", dir.toString()),
                Map.of("JAVA_TOOL_OPTIONS", "-Duser.language=de -Duser.country=DE"), new byte[0], 120);
        assertThat(inspect.status()).as(inspect.stderr()).isZero();
        assertThat(inspect.stdout()).containsPattern("log size +\\d+\\.\\d KiB \\(\\d+ bytes\\)");
    }
}
