package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.testing.FakeServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A logd impostor killed between the two answers of an offset-first durable APPEND: it answers the first such
 * APPEND's offset, as a real logd does, then closes the connection instead of answering forced, and from then on
 * closes every connection it accepts (a dead logd whose port refuses nothing but serves nothing either). Plain
 * APPENDs before that are answered at once; anything else gets UNKNOWN_OPCODE.
 */
final class ForceDyingLogd implements AutoCloseable
{
    private final FakeServer server;
    private final AtomicInteger appends = new AtomicInteger();
    private volatile boolean dead;
    private long nextOffset;

    ForceDyingLogd(final int nodeId) throws InterruptedException
    {
        server = FakeServer.start(new HandshakeConfig(Roles.LOGD, nodeId, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
            new Requests(), channel ->
            {
                if (dead)
                {
                    channel.close();
                }
            });
    }

    InetSocketAddress address()
    {
        return server.address();
    }

    /** @return APPENDs received so far. */
    int appends()
    {
        return appends.get();
    }

    /** @return true once it answered an offset and died. */
    boolean isDead()
    {
        return dead;
    }

    @Override
    public void close()
    {
        server.close();
    }

    @ChannelHandler.Sharable
    private final class Requests extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final int at = frame.readerIndex();
                if (dead)
                {
                    ctx.close();
                    return;
                }
                if (FrameHeader.opcode(frame, at) != Opcodes.APPEND)
                {
                    ErrorReplies.reply(ctx, frame, StatusCodes.UNKNOWN_OPCODE, "not served by this fake");
                    ctx.flush();
                    return;
                }
                appends.incrementAndGet();
                final long requestId = FrameHeader.requestId(frame, at);
                final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
                if (AppendRequest.isOffsetFirst(frame, at))
                {
                    dead = true;
                    OffsetPayload.encodeAppendOffsetFirst(out, requestId, nextOffset);
                    // The offset reaches the mapd; the forced answer never does.
                    ctx.writeAndFlush(out).addListener(written -> ctx.close());
                    return;
                }
                OffsetPayload.encodeAppendResponse(out, requestId, nextOffset);
                nextOffset += 4096;
                ctx.writeAndFlush(out, ctx.voidPromise());
            }
            finally
            {
                frame.release();
            }
        }
    }
}
