package dev.reprise.cli;

import dev.reprise.GuestRunner;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run} pays nothing for recording: Chronicle Queue and Kryo stay behind the replay package. */
class RunLoadsNoRecordingLibrariesTest {
    @Test
    void runLoadsNeitherChronicleNorKryo() throws Exception {
        String hello = GuestRunner.root().resolve("guest-tests/bin/hello").toString();
        var r = GuestRunner.run(GuestRunner.repriseCommand("run", "--", hello),
                Map.of("JAVA_TOOL_OPTIONS", "-verbose:class"), new byte[0], 120);
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("Hello, RISC-V!", "dev.reprise.cli.RunCommand")
                .doesNotContain("net.openhft", "com.esotericsoftware", "dev.reprise.replay");
    }
}
