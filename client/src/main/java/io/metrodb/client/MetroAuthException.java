package io.metrodb.client;

/**
 * The servers refused this client's auth token (AUTH_FAILED) or require one (AUTH_REQUIRED).
 */
public class MetroAuthException extends MetroException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the wire status behind the failure.
     * @param message what happened, for people.
     */
    public MetroAuthException(final short status, final String message)
    {
        super(status, message);
    }
}
