package io.metrodb.protocol.netty;

/**
 * What a server's edge counts about its connections (a daemon puts these in its counters file). Called on
 * connection events only, never per request.
 */
public interface EdgeCounters
{
    /** Counts nothing. */
    EdgeCounters NONE = new EdgeCounters()
    {
    };

    /**
     * @param open connections served now.
     */
    default void connectionsOpen(final int open)
    {
    }

    /** A connection was closed at once: the server already served its maximum. */
    default void connectionRefused()
    {
    }

    /** A connection was closed for not finishing its handshake in time. */
    default void handshakeTimedOut()
    {
    }

    /** A connection was closed for a frame that did not arrive whole in time. */
    default void frameTimedOut()
    {
    }

    /** A connection was closed because its incomplete frame found no room in the server's budget. */
    default void frameBudgetRefused()
    {
    }

    /** The server stopped reading a connection that does not read its replies. */
    default void readsPaused()
    {
    }
}
