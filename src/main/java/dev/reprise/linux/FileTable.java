package dev.reprise.linux;

/** The process's file descriptor table: guest fd numbers to host files. */
public final class FileTable {
    public FileTable() {}
}
