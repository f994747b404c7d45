package io.metrodb.protocol.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of a server connection: stops reading a peer whose replies pile up past the channel's write
 * buffer high-water mark (a client that sends requests and never reads the answers), and reads it again once the
 * buffer drains below the low-water mark. What such a client can make the server hold is then its replies up to
 * the high-water mark plus those of the requests already read.
 */
@ChannelHandler.Sharable
public final class BackpressureHandler extends ChannelInboundHandlerAdapter
{
    private final EdgeCounters counters;

    public BackpressureHandler(final EdgeCounters counters)
    {
        this.counters = counters;
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable())
        {
            ReadGate.open(ctx.channel(), ReadGate.NOT_WRITABLE);
        }
        else
        {
            counters.readsPaused();
            ReadGate.close(ctx.channel(), ReadGate.NOT_WRITABLE);
        }
        ctx.fireChannelWritabilityChanged();
    }
}
