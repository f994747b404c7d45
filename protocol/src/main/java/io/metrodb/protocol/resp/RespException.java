package io.metrodb.protocol.resp;

/**
 * A client broke RESP: the one exception {@link RespParser} throws. Framing is lost, so the connection is answered
 * with {@code -ERR <message>} and closed, as redis-server does.
 */
public final class RespException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the error text after {@code -ERR }, e.g. {@code Protocol error: invalid bulk length}.
     */
    public RespException(final String message)
    {
        super(message, null, false, false);
    }
}
