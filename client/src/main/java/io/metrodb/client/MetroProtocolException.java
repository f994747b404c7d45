package io.metrodb.client;

/**
 * A server answered with an error status not covered by a more specific exception (BAD_REQUEST, INVALID_KEY, VALUE_TOO_LARGE, REPLICAS_UNREADABLE, INTERNAL_ERROR, ...); {@link #status()} tells which.
 */
public class MetroProtocolException extends MetroException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the wire status behind the failure.
     * @param message what happened, for people.
     */
    public MetroProtocolException(final short status, final String message)
    {
        super(status, message);
    }
}
