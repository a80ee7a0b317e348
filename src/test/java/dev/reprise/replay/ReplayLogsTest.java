package dev.reprise.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reprise.GuestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recordings committed under replay-logs/ (format fixtures) replay identically with both
 * engines and print what they printed when they were recorded: a format change that stops reading
 * them fails here.
 */
class ReplayLogsTest {
    static Stream<String> recordings() throws Exception {
        try (Stream<Path> s = Files.list(GuestRunner.root().resolve("replay-logs"))) {
            List<String> names = s.filter(d -> Files.isRegularFile(d.resolve("header")) && Files.isRegularFile(d.resolve("complete")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertThat(names).as("committed recordings").contains("racy_counter-lost-update", "lrsc_spinlock-mutex");
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("recordings")
    void replaysIdenticallyWithBothEngines(String name) throws Exception {
        Path dir = Path.of("replay-logs", name);
        String expected = Files.readString(GuestRunner.root().resolve("replay-logs/" + name + ".stdout"));
        long recorded = RecordReplay.recordedDigest(dir);
        for (boolean jit : new boolean[] {true, false}) {
            RecordReplay.Replayed r = RecordReplay.replay(dir, jit);
            assertThat(r.result().verdict()).as(r.result().message()).isEqualTo(Sessions.Verdict.IDENTICAL);
            assertThat(r.result().digest()).isEqualTo(recorded);
            assertThat(r.stdout()).isEqualTo(expected);
        }
    }
}
