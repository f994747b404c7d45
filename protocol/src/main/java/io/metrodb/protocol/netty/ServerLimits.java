package io.metrodb.protocol.netty;

/**
 * The limits a server puts on what its clients can hold: how long a connection may take to finish HELLO, how
 * long a frame may take to arrive once it has started, how many bytes incomplete frames may hold across all the
 * server's connections, and how many connections it serves at once. Immutable; every daemon takes each as an
 * option ({@code --handshake-timeout-ms}, {@code --frame-timeout-ms}, {@code --incomplete-frame-budget},
 * {@code --max-connections}).
 */
public final class ServerLimits
{
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_FRAME_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_INCOMPLETE_FRAME_BUDGET = 256L << 20;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** Every limit at its default. */
    public static final ServerLimits DEFAULTS = new ServerLimits(DEFAULT_HANDSHAKE_TIMEOUT_MS,
        DEFAULT_FRAME_TIMEOUT_MS, DEFAULT_INCOMPLETE_FRAME_BUDGET, DEFAULT_MAX_CONNECTIONS);

    private final long handshakeTimeoutMs;
    private final long frameTimeoutMs;
    private final long incompleteFrameBudget;
    private final int maxConnections;

    /**
     * @param handshakeTimeoutMs    a connection that has not finished its handshake this long after it was
     *                              accepted is closed; 0 for no limit.
     * @param frameTimeoutMs        a frame that has started arriving must be complete this long after; 0 for no
     *                              limit.
     * @param incompleteFrameBudget most bytes held for incomplete frames over all connections; at least 64 KiB.
     * @param maxConnections        most connections served at once; at least 1.
     */
    public ServerLimits(
        final long handshakeTimeoutMs,
        final long frameTimeoutMs,
        final long incompleteFrameBudget,
        final int maxConnections)
    {
        if (handshakeTimeoutMs < 0)
        {
            throw new IllegalArgumentException("--handshake-timeout-ms must be >= 0, was " + handshakeTimeoutMs);
        }
        if (frameTimeoutMs < 0)
        {
            throw new IllegalArgumentException("--frame-timeout-ms must be >= 0, was " + frameTimeoutMs);
        }
        if (incompleteFrameBudget < 64 * 1024)
        {
            throw new IllegalArgumentException("--incomplete-frame-budget must be >= 64k, was " +
                incompleteFrameBudget);
        }
        if (maxConnections < 1)
        {
            throw new IllegalArgumentException("--max-connections must be >= 1, was " + maxConnections);
        }
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.frameTimeoutMs = frameTimeoutMs;
        this.incompleteFrameBudget = incompleteFrameBudget;
        this.maxConnections = maxConnections;
    }

    public long handshakeTimeoutMs()
    {
        return handshakeTimeoutMs;
    }

    public long frameTimeoutMs()
    {
        return frameTimeoutMs;
    }

    public long incompleteFrameBudget()
    {
        return incompleteFrameBudget;
    }

    public int maxConnections()
    {
        return maxConnections;
    }

    public ServerLimits withHandshakeTimeoutMs(final long value)
    {
        return new ServerLimits(value, frameTimeoutMs, incompleteFrameBudget, maxConnections);
    }

    public ServerLimits withFrameTimeoutMs(final long value)
    {
        return new ServerLimits(handshakeTimeoutMs, value, incompleteFrameBudget, maxConnections);
    }

    public ServerLimits withIncompleteFrameBudget(final long value)
    {
        return new ServerLimits(handshakeTimeoutMs, frameTimeoutMs, value, maxConnections);
    }

    public ServerLimits withMaxConnections(final int value)
    {
        return new ServerLimits(handshakeTimeoutMs, frameTimeoutMs, incompleteFrameBudget, value);
    }

    @Override
    public String toString()
    {
        return "handshake_timeout_ms=" + handshakeTimeoutMs + " frame_timeout_ms=" + frameTimeoutMs +
            " incomplete_frame_budget=" + incompleteFrameBudget + " max_connections=" + maxConnections;
    }
}
