package io.metrodb.server;

import io.metrodb.protocol.netty.EdgeCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * A daemon's {@link EdgeCounters} in its counters file: connections open now, and connections refused, timed out
 * in their handshake or in a frame, closed for want of incomplete-frame budget, and read pauses for replies not
 * read. Bumped on connection events only, from any event-loop thread.
 */
public final class ConnectionCounters implements EdgeCounters
{
    private final AtomicCounter open;
    private final AtomicCounter refused;
    private final AtomicCounter handshakeTimeouts;
    private final AtomicCounter frameTimeouts;
    private final AtomicCounter budgetRefusals;
    private final AtomicCounter readPauses;

    public ConnectionCounters(
        final AtomicCounter open,
        final AtomicCounter refused,
        final AtomicCounter handshakeTimeouts,
        final AtomicCounter frameTimeouts,
        final AtomicCounter budgetRefusals,
        final AtomicCounter readPauses)
    {
        this.open = open;
        this.refused = refused;
        this.handshakeTimeouts = handshakeTimeouts;
        this.frameTimeouts = frameTimeouts;
        this.budgetRefusals = budgetRefusals;
        this.readPauses = readPauses;
    }

    @Override
    public void connectionsOpen(final int count)
    {
        open.setRelease(count);
    }

    @Override
    public void connectionRefused()
    {
        refused.increment();
    }

    @Override
    public void handshakeTimedOut()
    {
        handshakeTimeouts.increment();
    }

    @Override
    public void frameTimedOut()
    {
        frameTimeouts.increment();
    }

    @Override
    public void frameBudgetRefused()
    {
        budgetRefusals.increment();
    }

    @Override
    public void readsPaused()
    {
        readPauses.increment();
    }
}
