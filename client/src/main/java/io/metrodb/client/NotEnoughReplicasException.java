package io.metrodb.client;

/**
 * The mapd had fewer than RF healthy logds for a write (NOT_ENOUGH_REPLICAS); nothing was changed.
 */
public class NotEnoughReplicasException extends MetroException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param status  the wire status behind the failure.
     * @param message what happened, for people.
     */
    public NotEnoughReplicasException(final short status, final String message)
    {
        super(status, message);
    }
}
