package dev.reprise.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ElfFileTest {
    @TempDir
    Path dir;

    private LoadError.Kind kindOf(byte[] bytes) {
        LoadError e = catchThrowableOfType(LoadError.class, () -> ElfFile.parse(bytes, "/tmp/x"));
        assertThat(e).as("a LoadError").isNotNull();
        assertThat(e.getMessage()).startsWith("/tmp/x: ").doesNotContain("\n");
        return e.kind;
    }

    @Test
    void aValidFileParses() throws LoadError {
        ElfFile elf = ElfFile.parse(TestElf.staticExec().bytes(), "x");
        assertThat(elf.type).isEqualTo(ElfFile.ET_EXEC);
        assertThat(elf.entry).isEqualTo(0x10078);
        assertThat(elf.interpreter).isNull();
        assertThat(elf.loadLow()).isEqualTo(0x10000);
        assertThat(elf.loadHigh()).isEqualTo(0x11f00 + 0x2100);
    }

    @Test
    void textIsNotAnElf() {
        assertThat(kindOf("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(LoadError.Kind.NOT_ELF);
        assertThat(kindOf(new byte[0])).isEqualTo(LoadError.Kind.NOT_ELF);
        LoadError e = catchThrowableOfType(LoadError.class, () -> ElfFile.parse("hello".getBytes(StandardCharsets.US_ASCII), "/tmp/x"));
        assertThat(e.getMessage()).isEqualTo("/tmp/x: not an ELF file");
    }

    @Test
    void thirtyTwoBitIsTheWrongClass() {
        TestElf elf = TestElf.staticExec();
        elf.elfClass = 1;
        assertThat(kindOf(elf.bytes())).isEqualTo(LoadError.Kind.WRONG_CLASS);
    }

    @Test
    void x86IsTheWrongMachine() {
        TestElf elf = TestElf.staticExec();
        elf.machine = 62;
        LoadError e = catchThrowableOfType(LoadError.class, () -> ElfFile.parse(elf.bytes(), "a.out"));
        assertThat(e.kind).isEqualTo(LoadError.Kind.WRONG_MACHINE);
        assertThat(e.getMessage()).isEqualTo("a.out: ELF file for x86-64, not riscv64");
    }

    @Test
    void cutFilesAreTruncated() {
        byte[] whole = TestElf.staticExec().bytes();
        assertThat(kindOf(Arrays.copyOf(whole, 40))).isEqualTo(LoadError.Kind.TRUNCATED);      // header
        assertThat(kindOf(Arrays.copyOf(whole, 100))).isEqualTo(LoadError.Kind.TRUNCATED);     // program headers
        assertThat(kindOf(Arrays.copyOf(whole, 0x2000))).isEqualTo(LoadError.Kind.TRUNCATED);  // data segment
    }

    @Test
    void nonsenseHeadersAreMalformed() {
        TestElf relocatable = TestElf.staticExec();
        relocatable.type = 1;
        assertThat(kindOf(relocatable.bytes())).isEqualTo(LoadError.Kind.MALFORMED);

        TestElf biggerFile = new TestElf().load(ElfFile.PF_R, 0, 0x10000, 0x2000, 0x1000);
        assertThat(kindOf(biggerFile.bytes())).isEqualTo(LoadError.Kind.MALFORMED);

        TestElf misaligned = new TestElf().load(ElfFile.PF_R, 0x10, 0x10000, 0x100, 0x100);
        assertThat(kindOf(misaligned.bytes())).isEqualTo(LoadError.Kind.MALFORMED);

        assertThat(kindOf(new TestElf().bytes())).isEqualTo(LoadError.Kind.MALFORMED);          // nothing to load
    }

    @Test
    void interpreterPathIsRead() throws LoadError {
        TestElf elf = TestElf.staticPie();
        elf.interpreter = "/lib/ld-linux-riscv64-lp64d.so.1";
        assertThat(ElfFile.parse(elf.bytes(), "x").interpreter).isEqualTo("/lib/ld-linux-riscv64-lp64d.so.1");
    }

    @Test
    void missingAndDirectoryFilesCannotBeOpened() throws Exception {
        LoadError missing = catchThrowableOfType(LoadError.class, () -> ElfFile.read(dir.resolve("nope"), "nope"));
        assertThat(missing.kind).isEqualTo(LoadError.Kind.CANNOT_OPEN);
        assertThat(missing.getMessage()).isEqualTo("nope: No such file or directory");
        assertThat(catchThrowableOfType(LoadError.class, () -> ElfFile.read(dir, "d")).kind).isEqualTo(LoadError.Kind.CANNOT_OPEN);
        Path ok = Files.write(dir.resolve("ok"), TestElf.staticExec().bytes());
        assertThat(ElfFile.read(ok, "ok").name).isEqualTo("ok");
    }
}
