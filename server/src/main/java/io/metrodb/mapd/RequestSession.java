package io.metrodb.mapd;

import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The lifecycle every pooled per-request session of a mapd shares: it is taken from its pool by
 * {@link MapdRequestHandler}, bound to the client's channel and request ({@link #begin}), holds the request frame
 * until it answers, then gives the frame back, tells the handler the request is done and returns to its pool
 * ({@link #release}). Subclasses keep only their own logic. Data-path thread only.
 */
abstract class RequestSession implements RequestWriter, ResponseListener
{
    final MapdNode node;

    MapdRequestHandler handler;
    ChannelHandlerContext ctx;
    /** The client's request frame, owned (retained) until {@link #release}; null when the session does not own it. */
    ByteBuf frame;
    long requestId;

    RequestSession(final MapdNode node)
    {
        this.node = node;
    }

    /**
     * Binds the session to a request; takes ownership of {@code frame} unless it is null.
     */
    final void begin(
        final MapdRequestHandler handler, final ChannelHandlerContext ctx, final ByteBuf frame, final long requestId)
    {
        this.handler = handler;
        this.ctx = ctx;
        this.frame = frame;
        this.requestId = requestId;
    }

    /**
     * The request is answered and no answer can still arrive: free what it holds and return to the pool.
     */
    final void release()
    {
        onRelease();
        if (frame != null)
        {
            frame.release();
            frame = null;
        }
        final MapdRequestHandler done = handler;
        handler = null;
        ctx = null;
        done.onRequestDone();
        recycle();
    }

    /**
     * Frees what the subclass holds for the request, before the frame is released; nothing by default.
     */
    void onRelease()
    {
    }

    /**
     * Returns this session to its pool in {@link MapdNode}.
     */
    abstract void recycle();

    /**
     * Nulls every reference in {@code targets}, so a pooled session keeps no connection alive.
     */
    static void clear(final Object[] targets)
    {
        for (int i = 0; i < targets.length; i++)
        {
            targets[i] = null;
        }
    }
}
