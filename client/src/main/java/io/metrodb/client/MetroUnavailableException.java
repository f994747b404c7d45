package io.metrodb.client;

/**
 * No mapd could take the request: none was reachable, the connection was lost with the request in flight (and it was not retried), or the client is closed. A write that failed this way after it was sent may have been applied.
 */
public class MetroUnavailableException extends MetroException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the wire status behind the failure.
     * @param message what happened, for people.
     */
    public MetroUnavailableException(final short status, final String message)
    {
        super(status, message);
    }
}
