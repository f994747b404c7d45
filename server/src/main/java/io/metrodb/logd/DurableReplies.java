package io.metrodb.logd;

import io.metrodb.log.LogResult;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.netty.ErrorReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.jctools.queues.atomic.SpscUnboundedAtomicArrayQueue;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's answers to durable APPENDs, handed from the sync thread to the connection's event loop in
 * batches. The sync thread encodes each answer and queues it, and at the end of the group hands the batch over:
 * one task, which writes every queued answer and flushes once. A group commit of N appends on one connection so
 * costs the event loop one wake-up and one flush, not N of each, and the sync thread gets back to forcing sooner.
 * <p>
 * The producer is the sync thread (or, once it has stopped, the thread closing the store); the consumer is the
 * connection's event loop.
 */
final class DurableReplies implements Runnable
{
    private static final int CHUNK_LENGTH = 256;

    private final ChannelHandlerContext ctx;
    private final LogdCounters counters;
    private final SpscUnboundedAtomicArrayQueue<ByteBuf> answers = new SpscUnboundedAtomicArrayQueue<>(CHUNK_LENGTH);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private boolean pendingHandOver;

    DurableReplies(final ChannelHandlerContext ctx, final LogdCounters counters)
    {
        this.ctx = ctx;
        this.counters = counters;
    }

    /**
     * Sync thread: queue the answer to durable APPEND {@code requestId}; {@link #handOver()} sends the batch.
     *
     * @return true for the first answer queued since the last hand-over.
     */
    boolean queue(final long requestId, final long offset, final int status)
    {
        if (!ctx.channel().isActive())
        {
            return false;
        }
        final ByteBuf out;
        if (status == LogResult.OK)
        {
            out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
            OffsetPayload.encodeAppendResponse(out, requestId, offset);
        }
        else
        {
            counters.appendErrors.increment();
            out = ErrorReplies.encode(ctx, Opcodes.APPEND, requestId, LogdStatus.of(status), LogResult.describe(status));
        }
        answers.offer(out);
        final boolean first = !pendingHandOver;
        pendingHandOver = true;
        return first;
    }

    /**
     * Sync thread: have the event loop send what was queued, unless a run is already scheduled that will.
     */
    void handOver()
    {
        pendingHandOver = false;
        if (!scheduled.get() && scheduled.compareAndSet(false, true))
        {
            try
            {
                ctx.executor().execute(this);
            }
            catch (final RejectedExecutionException stopped)
            {
                // The event loop is gone with its connection: nobody will send these.
                releaseQueued();
            }
        }
    }

    /**
     * Event loop: send every queued answer with one flush.
     */
    @Override
    public void run()
    {
        // Cleared before draining: an answer queued after the last poll below schedules a new run.
        scheduled.set(false);
        ByteBuf out;
        while (null != (out = answers.poll()))
        {
            ctx.write(out, ctx.voidPromise());
        }
        ctx.flush();
    }

    private void releaseQueued()
    {
        ByteBuf out;
        while (null != (out = answers.poll()))
        {
            out.release();
        }
    }
}
