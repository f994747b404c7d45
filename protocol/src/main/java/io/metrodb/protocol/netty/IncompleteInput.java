package io.metrodb.protocol.netty;

import io.netty.channel.ChannelHandlerContext;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server connection's incomplete input (a frame, or a Redis command, that has started arriving): the bytes it
 * holds are taken from the {@link ServerEdge}'s budget shared by every connection, and it must be complete within the
 * edge's frame timeout. One timer per connection, armed when a read ends inside a frame and only if none is pending;
 * the budget is touched at most twice per such read, never per request. Event loop only.
 */
public final class IncompleteInput
{
    private final ServerEdge edge;
    private final Runnable onTimeout;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> deadline;
    private boolean partial;
    private boolean expired;
    private long partialSinceNs;
    private long reserved;

    /**
     * @param edge      the server's frame deadline and budget.
     * @param onTimeout runs on the event loop when the input is still incomplete at its deadline (once).
     */
    public IncompleteInput(final ServerEdge edge, final Runnable onTimeout)
    {
        this.edge = edge;
        this.onTimeout = onTimeout;
    }

    /**
     * @return the server's edge: its limits (for messages) and counters.
     */
    public ServerEdge edge()
    {
        return edge;
    }

    /**
     * @return true while a frame (or command) has started arriving and is not complete yet: bytes are held and the
     *         deadline counts.
     */
    public boolean isPartial()
    {
        return partial;
    }

    /**
     * A read ended inside a frame that now holds {@code heldBytes}: takes the growth from the budget and starts the
     * deadline if it is not running.
     *
     * @return false when the budget has no room for it (counted; the caller closes the connection).
     */
    public boolean held(final ChannelHandlerContext ctx, final long heldBytes)
    {
        if (heldBytes > reserved)
        {
            if (!edge.tryReserve(heldBytes - reserved))
            {
                edge.counters().frameBudgetRefused();
                return false;
            }
            reserved = heldBytes;
        }
        if (!partial)
        {
            partial = true;
            partialSinceNs = System.nanoTime();
            if (deadline == null && edge.frameTimeoutNs() > 0)
            {
                context = ctx;
                deadline = ctx.executor().schedule(this::checkDeadline, edge.frameTimeoutNs(), TimeUnit.NANOSECONDS);
            }
        }
        return true;
    }

    /**
     * The frame is complete (or the input empty): its bytes go back to the budget; the deadline stops counting.
     */
    public void whole()
    {
        partial = false;
        if (reserved > 0)
        {
            edge.release(reserved);
            reserved = 0;
        }
    }

    /**
     * The connection's handler is gone: cancels the timer and returns the bytes.
     */
    public void release()
    {
        if (deadline != null)
        {
            deadline.cancel(false);
            deadline = null;
        }
        whole();
        expired = true;
    }

    private void checkDeadline()
    {
        deadline = null;
        final ChannelHandlerContext ctx = context;
        if (!partial || expired || !ctx.channel().isActive())
        {
            return;
        }
        final long now = System.nanoTime();
        if (!ctx.channel().config().isAutoRead())
        {
            // The server stopped reading (backpressure): the frame cannot arrive, which is not the sender's fault.
            partialSinceNs = now;
        }
        final long left = partialSinceNs + edge.frameTimeoutNs() - now;
        if (left > 0)
        {
            deadline = ctx.executor().schedule(this::checkDeadline, left, TimeUnit.NANOSECONDS);
            return;
        }
        expired = true;
        whole();
        edge.counters().frameTimedOut();
        onTimeout.run();
    }
}
