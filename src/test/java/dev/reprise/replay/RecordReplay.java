package dev.reprise.replay;

import dev.reprise.linux.Exec;
import dev.reprise.linux.Options;
import dev.reprise.linux.Process;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Records and replays guest programs in the test's JVM (what the record and replay commands do, without a JVM each). */
final class RecordReplay {
    private RecordReplay() {}

    static final long GRANULE = 4096;

    /** Records guest-tests/bin/{@code name} with {@code args} into {@code dir}; returns the guest's exit status. */
    static int record(Path dir, String name, boolean jit, String... args) throws Exception {
        return record(dir, name, jit, 0, args);
    }

    /** {@link #record(Path, String, boolean, String...)} with a checkpoint every {@code checkpointEvery} instructions (0: none). */
    static int record(Path dir, String name, boolean jit, long checkpointEvery, String... args) throws Exception {
        return record(dir, name, jit, GRANULE, checkpointEvery, args);
    }

    /** {@link #record(Path, String, boolean, long, String...)} with ownership granules of {@code granule} bytes. */
    static int record(Path dir, String name, boolean jit, long granule, long checkpointEvery, String... args) throws Exception {
        String program = "guest-tests/bin/" + name;
        List<String> argv = new ArrayList<>(List.of(program));
        argv.addAll(List.of(args));
        List<String> env = List.of("PATH=/usr/bin:/bin", "OMP_NUM_THREADS=2");
        Options options = new Options(Path.of(program), argv, env, null, null, 0, jit);   // as replay will: relative to the project
        try (Process process = new Process(options)) {
            Exec.Start start = Exec.load(process, options);
            RecordingHeader header = RecordingHeader.of(Path.of(program), argv, env, granule, 0, jit ? "jit" : "interp");
            try (RecordingWriter writer = RecordingWriter.create(dir, header)) {
                return Sessions.record(process, start, writer, granule, checkpointEvery);
            }
        }
    }

    /** A replay's result and what the guest wrote to stdout and stderr during it (--echo). */
    record Replayed(Sessions.Result result, String stdout) {}

    static Replayed replay(Path dir, boolean jit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (RecordingReader recording = RecordingReader.open(dir);
             PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Sessions.Result r = Sessions.replay(recording, jit, null, o, e);
            return new Replayed(r, out.toString(StandardCharsets.UTF_8));
        }
    }

    /** Replays {@code dir} from its checkpoint {@code k} to the end. */
    static Replayed replayFrom(Path dir, long k, boolean jit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (RecordingReader recording = RecordingReader.open(dir);
             PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Sessions.Result r = Sessions.replayFrom(recording, k, jit, null, o, e);
            return new Replayed(r, out.toString(StandardCharsets.UTF_8));
        }
    }

    /** How many checkpoints the recording has. */
    static int checkpoints(Path dir) {
        try (RecordingReader r = RecordingReader.open(dir)) {
            return r.checkpoints().size();
        }
    }

    /** The final digest the recorder wrote into the completion marker. */
    static long recordedDigest(Path dir) {
        try (RecordingReader r = RecordingReader.open(dir)) {
            return r.finalDigest().orElseThrow();
        }
    }
}
