package dev.reprise.linux;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How to start a guest program: what the user gave on the command line.
 *
 * @param program  the riscv64 ELF to run
 * @param argv     the guest's argv, argv[0] included
 * @param env      the guest's environment, VAR=VALUE strings in order
 * @param sysroot  root for the dynamic loader and absolute library paths (null: none)
 * @param strace   where --strace output goes (null: off)
 * @param seed     seeds AT_RANDOM and getrandom, so runs can be repeated
 * @param jit      run guest code through the JIT (false: the interpreter alone)
 */
public record Options(Path program, List<String> argv, List<String> env, Path sysroot, PrintStream strace, long seed,
                      boolean jit) {
    /** Options for the interpreter. */
    public Options(Path program, List<String> argv, List<String> env, Path sysroot, PrintStream strace, long seed) {
        this(program, argv, env, sysroot, strace, seed, false);
    }
}
