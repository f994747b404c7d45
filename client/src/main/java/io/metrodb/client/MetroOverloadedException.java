package io.metrodb.client;

/**
 * The client already has its maximum number of requests in flight and its overflow policy is {@link OverflowPolicy#FAIL_FAST}; nothing was sent.
 */
public class MetroOverloadedException extends MetroException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the wire status behind the failure.
     * @param message what happened, for people.
     */
    public MetroOverloadedException(final short status, final String message)
    {
        super(status, message);
    }
}
