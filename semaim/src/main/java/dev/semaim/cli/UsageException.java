package dev.semaim.cli;

/**
 * A command line the user has to fix (unknown flag, bad value, missing data): {@link Main} prints the message
 * as one line, without a stack trace, and exits with status 2.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
