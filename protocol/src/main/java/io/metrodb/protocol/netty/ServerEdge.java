package io.metrodb.protocol.netty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One listening server's guard against its clients: its {@link ServerLimits}, the budget of bytes that
 * incomplete frames hold across all its connections, and what it counts. Shared by every connection of the
 * server; the budget is one atomic counter, touched at most twice per read of a connection whose read ends
 * inside a frame (never per request).
 */
public final class ServerEdge
{
    private final ServerLimits limits;
    private final EdgeCounters counters;
    private final long frameTimeoutNs;
    private final AtomicLong incompleteBytes = new AtomicLong();

    public ServerEdge(final ServerLimits limits, final EdgeCounters counters)
    {
        this.limits = limits;
        this.counters = counters == null ? EdgeCounters.NONE : counters;
        this.frameTimeoutNs = TimeUnit.MILLISECONDS.toNanos(limits.frameTimeoutMs());
    }

    public ServerLimits limits()
    {
        return limits;
    }

    public EdgeCounters counters()
    {
        return counters;
    }

    long frameTimeoutNs()
    {
        return frameTimeoutNs;
    }

    /**
     * @return bytes held now by incomplete frames over all connections.
     */
    public long incompleteBytes()
    {
        return incompleteBytes.get();
    }

    /**
     * @return true when {@code bytes} more fit the budget (and are now taken), false when they do not.
     */
    boolean tryReserve(final long bytes)
    {
        if (incompleteBytes.addAndGet(bytes) > limits.incompleteFrameBudget())
        {
            incompleteBytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(final long bytes)
    {
        incompleteBytes.addAndGet(-bytes);
    }
}
