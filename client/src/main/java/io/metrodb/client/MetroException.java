package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;

/**
 * Base of every failure the client reports (unchecked). A missing key is not a failure: reads answer null or
 * false instead.
 */
public class MetroException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final short status;

    /**
     * @param status  the wire status behind the failure ({@link StatusCodes}), or 0 when none applies.
     * @param message what happened, for people.
     */
    public MetroException(final short status, final String message)
    {
        super(message);
        this.status = status;
    }

    /**
     * @param status  the wire status behind the failure, or 0 when none applies.
     * @param message what happened, for people.
     * @param cause   the underlying error.
     */
    public MetroException(final short status, final String message, final Throwable cause)
    {
        super(message, cause);
        this.status = status;
    }

    /**
     * @return the wire status code ({@link StatusCodes}) behind this failure, 0 when none applies.
     */
    public short status()
    {
        return status;
    }

    /**
     * @return the status' name, e.g. {@code NOT_ENOUGH_REPLICAS}.
     */
    public String statusName()
    {
        return StatusCodes.name(status);
    }
}
