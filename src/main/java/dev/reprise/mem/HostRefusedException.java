package dev.reprise.mem;

/**
 * The host refused what guest memory needs (the address-space reservation, a mapping call): the
 * run cannot go on. Its message is one line for the user; the command line gives it its own exit
 * status, which an internal error (any other exception) must never get.
 */
public final class HostRefusedException extends IllegalStateException {
    public HostRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
