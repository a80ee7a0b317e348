package dev.reprise.linux;

/**
 * The process's file descriptor table: guest fd numbers to host files.
 */
public final class FileTable {
    public FileTable() {}

    /**
     * Reads up to {@code length} bytes at file {@code offset} of guest fd {@code guestFd} into host
     * memory at {@code hostAddress} without moving the file position (file-backed mmap).
     * Returns the bytes read, or -errno (EBADF, EACCES for a directory...).
     */
    public long pread(int guestFd, long hostAddress, long length, long offset) {
        throw new UnsupportedOperationException("files");
    }
}
