package dev.reprise.replay;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

/**
 * What a recording is of: the file {@code header} of a recording directory (docs/log-format.md).
 *
 * @param formatVersion {@link #FORMAT_VERSION} when written by this build
 * @param program       the program's path as the user gave it
 * @param programSha256 SHA-256 of the program file's bytes (32 bytes): replay refuses another program
 * @param argv          the guest's argv, argv[0] included
 * @param env           the guest's environment, VAR=VALUE strings in order
 * @param vcpus         how many vCPUs the run had; 0 until the recording is finished
 * @param granuleSize   bytes per CREW ownership granule (a power of two, default a 4 KiB page)
 * @param seed          the seed of AT_RANDOM and getrandom
 * @param engine        the engine that recorded ("interp", "jit")
 */
public record RecordingHeader(int formatVersion, String program, byte[] programSha256, List<String> argv,
                              List<String> env, int vcpus, long granuleSize, long seed, String engine) {
    /** The format this build writes; bump on any change to the layout (docs/log-format.md, "Versioning policy"). */
    public static final int FORMAT_VERSION = 5;
    /**
     * The oldest version this build reads: versions 2 to 4 differ from 5 only in their checkpoint
     * files (version 2: none written by a recorder; version 3: no excerpt counts) and in what their
     * events cannot say (before 5: no transfers of words of split granules), so they read the same.
     */
    public static final int OLDEST_READABLE = 2;
    /** What a refusal says this build reads. */
    static final String READS = "this Reprise reads version " + FORMAT_VERSION + " (and " + OLDEST_READABLE + " to "
            + (FORMAT_VERSION - 1) + ")";
    /** The first 8 bytes of every header: "RPRSREC" and a newline. */
    static final byte[] MAGIC = "RPRSREC\n".getBytes(StandardCharsets.US_ASCII);
    /** Magic, version, total length. */
    private static final int PREFIX = 16;

    public RecordingHeader {
        if (programSha256.length != 32) throw new IllegalArgumentException("SHA-256 digests are 32 bytes");
        programSha256 = programSha256.clone();
        argv = List.copyOf(argv);
        env = List.copyOf(env);
    }

    /** A header of this build's format for {@code program} (its digest computed from the file); vcpus 0. */
    public static RecordingHeader of(Path program, List<String> argv, List<String> env, long granuleSize, long seed,
                                     String engine) throws IOException {
        return new RecordingHeader(FORMAT_VERSION, program.toString(), sha256(program), argv, env, 0, granuleSize, seed, engine);
    }

    @Override
    public byte[] programSha256() {
        return programSha256.clone();
    }

    public String programSha256Hex() {
        return HexFormat.of().formatHex(programSha256);
    }

    /** True if {@code program}'s bytes are the recorded program's (replay refuses any other). */
    public boolean isOf(Path program) throws IOException {
        return java.security.MessageDigest.isEqual(sha256(program), programSha256);
    }

    public RecordingHeader withVcpus(int n) {
        return new RecordingHeader(formatVersion, program, programSha256, argv, env, n, granuleSize, seed, engine);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordingHeader h && h.formatVersion == formatVersion && h.program.equals(program)
                && java.util.Arrays.equals(h.programSha256, programSha256) && h.argv.equals(argv) && h.env.equals(env)
                && h.vcpus == vcpus && h.granuleSize == granuleSize && h.seed == seed && h.engine.equals(engine);
    }

    @Override
    public int hashCode() {
        return program.hashCode() * 31 + java.util.Arrays.hashCode(programSha256);
    }

    public static byte[] sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The encoding: magic, version, length, fields, CRC-32 of everything before it. All integers big-endian. */
    byte[] encode() {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(body);
            string(out, program);
            out.write(programSha256);
            strings(out, argv);
            strings(out, env);
            out.writeInt(vcpus);
            out.writeLong(granuleSize);
            out.writeLong(seed);
            string(out, engine);
            int length = PREFIX + body.size() + 4;
            ByteBuffer b = ByteBuffer.allocate(length);
            b.put(MAGIC).putInt(formatVersion).putInt(length).put(body.toByteArray());
            CRC32 crc = new CRC32();
            crc.update(b.array(), 0, length - 4);
            b.putInt((int) crc.getValue());
            return b.array();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream", e);
        }
    }

    /**
     * Decodes a header file's bytes. The version is checked before the checksum: another version
     * may lay out the rest differently, but every version starts with magic, version and length.
     */
    static RecordingHeader decode(byte[] bytes, Path file) {
        if (bytes.length < MAGIC.length || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new RecordingException.Foreign(file.getParent() + ": not a Reprise recording (" + file.getFileName() + " has no Reprise header)");
        }
        if (bytes.length < PREFIX) throw new RecordingException.Truncated(file + ": truncated header (" + bytes.length + " bytes)");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(MAGIC.length);
        int version = b.getInt(), length = b.getInt();
        if (version < OLDEST_READABLE || version > FORMAT_VERSION) {
            throw new RecordingException.VersionMismatch(file.getParent() + ": recording format version " + version
                    + ", " + READS, version);
        }
        if (length < PREFIX + 4) throw new RecordingException.Corrupted(file + ": corrupted header (length " + length + ")", null);
        if (bytes.length < length) throw new RecordingException.Truncated(file + ": truncated header (" + bytes.length + " of " + length + " bytes)");
        if (bytes.length > length) throw new RecordingException.Corrupted(file + ": corrupted header (" + (bytes.length - length) + " bytes after its end)", null);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, length - 4, 4).getInt()) {
            throw new RecordingException.Corrupted(file + ": corrupted header (checksum mismatch)", null);
        }
        try {
            b.limit(length - 4);
            String program = string(b);
            byte[] sha = new byte[32];
            b.get(sha);
            List<String> argv = strings(b), env = strings(b);
            int vcpus = b.getInt();
            long granule = b.getLong(), seed = b.getLong();
            String engine = string(b);
            if (b.hasRemaining()) throw new IllegalArgumentException(b.remaining() + " stray bytes");
            if (vcpus < 0 || granule <= 0 || Long.bitCount(granule) != 1) throw new IllegalArgumentException("vcpus " + vcpus + ", granule " + granule);
            return new RecordingHeader(version, program, sha, argv, env, vcpus, granule, seed, engine);
        } catch (RuntimeException e) {   // BufferUnderflow, bad lengths: the checksum matched, so the writer was wrong
            throw new RecordingException.Corrupted(file + ": corrupted header (" + e.getMessage() + ")", e);
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static void strings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) string(out, s);
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("bad string length " + n);
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<String> strings(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 4) throw new IllegalArgumentException("bad list length " + n);
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(string(b));
        return list;
    }
}
