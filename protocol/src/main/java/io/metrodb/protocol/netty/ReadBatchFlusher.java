package io.metrodb.protocol.netty;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

import java.util.concurrent.Future;

/**
 * Flush consolidation for a connection: the flushes asked for while a read batch is in progress, including those
 * the request handler asks for in its own {@code channelReadComplete}, become one flush when the batch ends; a
 * flush asked for outside a read (a reply completed later, on another connection's answer or from another thread)
 * is done in a task of the event loop, together with the others of the same turn; every
 * {@code explicitFlushAfterFlushes} flushes are sent at once either way.
 * <p>
 * Netty's {@code FlushConsolidationHandler} ends the batch before the handlers behind it see
 * {@code channelReadComplete}, so the flush a request handler asks for there was deferred to a task, which runs
 * only after the event loop has read every other ready connection: a reply waited for all of them. With hundreds
 * of busy connections on one loop (a hostile client's flood) that was seconds, and a mapd's APPEND to a logd
 * timed out although the logd had written its answer. Here the batch ends after them, so the reply leaves at the
 * end of its own connection's read.
 */
public final class ReadBatchFlusher extends ChannelDuplexHandler
{
    private final int explicitFlushAfterFlushes;
    private final Runnable flushTask = this::onFlushTask;
    private ChannelHandlerContext context;
    private int flushPendingCount;
    private boolean readInProgress;
    private Future<?> nextScheduledFlush;

    /**
     * @param explicitFlushAfterFlushes flushes after which one is sent even inside a batch.
     */
    public ReadBatchFlusher(final int explicitFlushAfterFlushes)
    {
        if (explicitFlushAfterFlushes <= 0)
        {
            throw new IllegalArgumentException("explicitFlushAfterFlushes must be > 0, was " +
                explicitFlushAfterFlushes);
        }
        this.explicitFlushAfterFlushes = explicitFlushAfterFlushes;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        context = ctx;
    }

    @Override
    public void flush(final ChannelHandlerContext ctx)
    {
        if (++flushPendingCount == explicitFlushAfterFlushes)
        {
            flushNow(ctx);
        }
        else if (!readInProgress && nextScheduledFlush == null)
        {
            nextScheduledFlush = ctx.channel().eventLoop().submit(flushTask);
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        readInProgress = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        // The handlers behind see the end of the batch first: what they flush there goes out with the batch.
        readInProgress = true;
        try
        {
            ctx.fireChannelReadComplete();
        }
        finally
        {
            readInProgress = false;
            flushIfNeeded(ctx);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        readInProgress = false;
        flushIfNeeded(ctx);
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void disconnect(final ChannelHandlerContext ctx, final ChannelPromise promise)
    {
        readInProgress = false;
        flushIfNeeded(ctx);
        ctx.disconnect(promise);
    }

    @Override
    public void close(final ChannelHandlerContext ctx, final ChannelPromise promise)
    {
        readInProgress = false;
        flushIfNeeded(ctx);
        ctx.close(promise);
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (!ctx.channel().isWritable())
        {
            // Nothing more is written until the buffer drains: what is pending must go now.
            flushIfNeeded(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        flushIfNeeded(ctx);
    }

    private void onFlushTask()
    {
        nextScheduledFlush = null;
        if (flushPendingCount > 0 && !readInProgress)
        {
            flushPendingCount = 0;
            context.flush();
        }
    }

    private void flushIfNeeded(final ChannelHandlerContext ctx)
    {
        if (flushPendingCount > 0)
        {
            flushNow(ctx);
        }
    }

    private void flushNow(final ChannelHandlerContext ctx)
    {
        if (nextScheduledFlush != null)
        {
            nextScheduledFlush.cancel(false);
            nextScheduledFlush = null;
        }
        flushPendingCount = 0;
        ctx.flush();
    }
}
