package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.testing.FakeServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A logd impostor whose disk never finishes a force until the test says so: it answers a durable APPEND's offset at
 * once when asked offset-first (as a real logd does) and holds the forced answer (or a plain durable APPEND's only
 * answer) until {@link #answerForced}. Plain APPENDs are answered at once; anything else gets UNKNOWN_OPCODE.
 */
final class ForceHoldingLogd implements AutoCloseable
{
    private record Held(ChannelHandlerContext ctx, long requestId, long offset)
    {
    }

    private final FakeServer server;
    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger appends = new AtomicInteger();
    private long nextOffset;

    ForceHoldingLogd(final int nodeId) throws InterruptedException
    {
        server = FakeServer.start(Roles.LOGD, nodeId, null, new Requests());
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

    /** @return durable APPENDs whose forced answer is held. */
    int held()
    {
        return held.size();
    }

    /**
     * Answers every held durable APPEND: forced (OK, the offset) or {@code status} as an error.
     */
    void answerForced(final short status)
    {
        Held next;
        while ((next = held.poll()) != null)
        {
            final Held append = next;
            append.ctx().executor().execute(() ->
            {
                if (status == StatusCodes.OK)
                {
                    final ByteBuf out = append.ctx().alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
                    OffsetPayload.encodeAppendResponse(out, append.requestId(), append.offset());
                    append.ctx().writeAndFlush(out, append.ctx().voidPromise());
                }
                else
                {
                    ErrorReplies.write(append.ctx(), Opcodes.APPEND, append.requestId(), status, "force failed");
                    append.ctx().flush();
                }
            });
        }
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
                if (FrameHeader.opcode(frame, at) != Opcodes.APPEND)
                {
                    ErrorReplies.reply(ctx, frame, StatusCodes.UNKNOWN_OPCODE, "not served by this fake");
                    ctx.flush();
                    return;
                }
                appends.incrementAndGet();
                final long requestId = FrameHeader.requestId(frame, at);
                final long offset = nextOffset;
                nextOffset += 4096;
                final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH);
                if (AppendRequest.isOffsetFirst(frame, at))
                {
                    OffsetPayload.encodeAppendOffsetFirst(out, requestId, offset);
                    held.add(new Held(ctx, requestId, offset));
                }
                else if (AppendRequest.isDurable(frame, at))
                {
                    out.release();
                    held.add(new Held(ctx, requestId, offset));
                    return;
                }
                else
                {
                    OffsetPayload.encodeAppendResponse(out, requestId, offset);
                }
                ctx.writeAndFlush(out, ctx.voidPromise());
            }
            finally
            {
                frame.release();
            }
        }
    }
}
