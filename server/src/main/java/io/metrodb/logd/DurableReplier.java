package io.metrodb.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.netty.ErrorReplies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Answers durable APPENDs from the sync thread once their group commit is forced. One instance serves
 * every connection: the connection travels as the append's context.
 */
public final class DurableReplier implements DurableListener
{
    private final LogdCounters counters;

    public DurableReplier(final LogdCounters counters)
    {
        this.counters = counters;
    }

    @Override
    public void onDurable(final long requestId, final Object context, final long offset, final int status)
    {
        final ChannelHandlerContext ctx = (ChannelHandlerContext)context;
        if (!ctx.channel().isActive())
        {
            return;
        }
        if (status == LogResult.OK)
        {
            final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
            OffsetPayload.encodeAppendResponse(out, requestId, offset);
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
        else
        {
            counters.appendErrors.increment();
            ErrorReplies.write(ctx, Opcodes.APPEND, requestId, LogdStatus.of(status), LogResult.describe(status));
            ctx.flush();
        }
    }
}
