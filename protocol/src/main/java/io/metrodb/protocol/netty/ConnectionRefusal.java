package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of a connection accepted past the server's connection limit: it is told why before it is closed.
 * A MetroDB client's HELLO is answered with status {@code OVERLOADED} (any other first frame with an ERROR frame
 * {@code OVERLOADED}); a Redis client on a port that speaks it gets {@code -ERR max number of clients reached},
 * as Redis says it; then the connection closes. One that says nothing is closed after the handshake timeout. The
 * caller bounds how many such connections are held at once.
 */
public final class ConnectionRefusal extends ChannelInboundHandlerAdapter
{
    private static final byte[] TEXT_REFUSAL = "-ERR max number of clients reached\r\n".getBytes(
        StandardCharsets.US_ASCII);

    private final String message;
    private final long timeoutMs;
    private final boolean speaksText;
    private boolean sniffed;
    private ScheduledFuture<?> timer;

    private ConnectionRefusal(final String message, final long timeoutMs, final boolean speaksText)
    {
        this.message = message;
        this.timeoutMs = timeoutMs;
        this.speaksText = speaksText;
    }

    /**
     * Builds a refusing pipeline: frame decoding (with the edge's deadline and budget), then this.
     *
     * @param textProtocol the port's text protocol, or null for binary only.
     */
    public static void init(
        final ChannelPipeline pipeline,
        final HandshakeConfig config,
        final ServerEdge edge,
        final TextProtocol textProtocol)
    {
        final long timeoutMs = edge.limits().handshakeTimeoutMs() > 0 ?
            edge.limits().handshakeTimeoutMs() : ServerLimits.DEFAULT_HANDSHAKE_TIMEOUT_MS;
        final ConnectionRefusal refusal = new ConnectionRefusal("too many connections (--max-connections " +
            edge.limits().maxConnections() + "); retry later", timeoutMs, textProtocol != null);
        pipeline.addLast("refuse-text", refusal.new TextSniffer());
        pipeline.addLast("frames", new FrameDecoder(config.maxFrameLength(), true, edge));
        pipeline.addLast("refuse", refusal);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        timer = ctx.executor().schedule(() ->
        {
            ctx.close();
        }, timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        timer.cancel(false);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        try
        {
            final int at = frame.readerIndex();
            if (FrameHeader.opcode(frame, at) == Opcodes.HELLO && !FrameHeader.isResponse(frame, at))
            {
                ErrorReplies.replyAndClose(ctx, Opcodes.HELLO, FrameHeader.requestId(frame, at),
                    StatusCodes.OVERLOADED, message);
            }
            else
            {
                ErrorReplies.failConnection(ctx, StatusCodes.OVERLOADED, message);
            }
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    /**
     * Looks at the first byte: text on a port that speaks text is answered as Redis would; anything else goes on
     * to the frame decoder.
     */
    private final class TextSniffer extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf in = (ByteBuf)msg;
            if (!sniffed && in.isReadable())
            {
                sniffed = true;
                if (speaksText && ProtocolSniffer.isText(in.getByte(in.readerIndex())))
                {
                    in.release();
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(TEXT_REFUSAL)).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
