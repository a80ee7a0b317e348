package dev.reprise.linux;

/** File and directory system calls: open, read, write, stat, directories, pipes, ioctl. */
final class FileSyscalls {
    private FileSyscalls() {}

    static void register() {
    }
}
