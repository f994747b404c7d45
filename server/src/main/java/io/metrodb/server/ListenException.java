package io.metrodb.server;

import java.util.Locale;

/**
 * A daemon could not bind its listening address (the port is taken, the address is not this host's, ...). Its
 * message is one line for the operator, e.g. {@code cannot listen on 127.0.0.1:7558: address already in use};
 * {@code metrodb} prints it after the daemon's name and exits with status 1.
 */
public final class ListenException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param host  the address it tried to bind.
     * @param port  the port it tried to bind.
     * @param cause what the bind failed with.
     */
    public ListenException(final String host, final int port, final Throwable cause)
    {
        super("cannot listen on " + host + ":" + port + ": " + reason(cause), cause);
    }

    /**
     * @return the operating system's reason, lower case, without the call's name and error number
     * (epoll: "bind(..) failed with error(-98): Address already in use"; NIO: "Address already in use").
     */
    static String reason(final Throwable cause)
    {
        final String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage().strip();
        final int colon = message.lastIndexOf(": ");
        final String reason = colon >= 0 ? message.substring(colon + 2) : message;
        if (reason.isEmpty())
        {
            return cause == null ? "unknown error" : cause.getClass().getSimpleName();
        }
        return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
    }
}
