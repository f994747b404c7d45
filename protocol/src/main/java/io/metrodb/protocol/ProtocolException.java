package io.metrodb.protocol;

/**
 * A peer broke the protocol. Carries the status to report; {@link #isFatal()} tells whether framing is
 * lost, in which case the connection is closed after an ERROR frame.
 */
public final class ProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final short status;
    private final boolean fatal;

    public ProtocolException(final short status, final boolean fatal, final String message)
    {
        super(StatusCodes.name(status) + ": " + message, null, false, false);
        this.status = status;
        this.fatal = fatal;
    }

    /**
     * @return the status code that describes the violation.
     */
    public short status()
    {
        return status;
    }

    /**
     * @return true when the connection cannot continue (framing lost or handshake refused).
     */
    public boolean isFatal()
    {
        return fatal;
    }
}
