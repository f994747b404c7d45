package io.metrodb.client;

/**
 * No answer within the request timeout (or the server gave up waiting on another node, status TIMEOUT). The request may or may not have been applied.
 */
public class MetroTimeoutException extends MetroException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the wire status behind the failure.
     * @param message what happened, for people.
     */
    public MetroTimeoutException(final short status, final String message)
    {
        super(status, message);
    }
}
