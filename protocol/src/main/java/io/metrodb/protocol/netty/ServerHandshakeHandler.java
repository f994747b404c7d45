package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.security.MessageDigest;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Accepting side of the handshake. Answers HELLO (version negotiation, auth token), and while a configured
 * token has not been presented answers every other request with AUTH_REQUIRED. Without a token HELLO is
 * optional and version 1 is assumed. Frames it lets through go on unchanged.
 * <p>
 * With a {@link ServerEdge} whose handshake timeout is set, a connection that has not finished its handshake in
 * that time is closed: a successful HELLO finishes it, and so does the first request served when no token is
 * configured (HELLO is optional then). One timer per connection, cancelled when the handshake is done.
 */
public final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter
{
    private final HandshakeConfig config;
    private final ServerEdge edge;
    private boolean authorized;
    private boolean helloDone;
    private boolean handshakeDone;
    private ScheduledFuture<?> handshakeTimer;

    public ServerHandshakeHandler(final HandshakeConfig config)
    {
        this(config, null);
    }

    /**
     * @param config this server's identity and token.
     * @param edge   the server's handshake timeout, or null for none.
     */
    public ServerHandshakeHandler(final HandshakeConfig config, final ServerEdge edge)
    {
        this.config = config;
        this.edge = edge;
        this.authorized = !config.hasToken();
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isActive())
        {
            armHandshakeTimer(ctx);
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        armHandshakeTimer(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        handshakeDone();
    }

    private void armHandshakeTimer(final ChannelHandlerContext ctx)
    {
        if (edge == null || edge.limits().handshakeTimeoutMs() == 0 || handshakeTimer != null || handshakeDone)
        {
            return;
        }
        handshakeTimer = ctx.executor().schedule(() -> onHandshakeTimeout(ctx), edge.limits().handshakeTimeoutMs(),
            TimeUnit.MILLISECONDS);
    }

    private void onHandshakeTimeout(final ChannelHandlerContext ctx)
    {
        handshakeTimer = null;
        if (handshakeDone || !ctx.channel().isActive())
        {
            return;
        }
        handshakeDone = true;
        edge.counters().handshakeTimedOut();
        final FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
        if (frames != null && frames.prefaceReceived())
        {
            // A MetroDB peer (it sent the preface): tell it why.
            ErrorReplies.failConnection(ctx, StatusCodes.TIMEOUT,
                "no HELLO within " + edge.limits().handshakeTimeoutMs() + " ms");
        }
        else
        {
            ctx.close();
        }
    }

    private void handshakeDone()
    {
        handshakeDone = true;
        if (handshakeTimer != null)
        {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        final int at = frame.readerIndex();
        final byte opcode = FrameHeader.opcode(frame, at);

        if (opcode == Opcodes.HELLO && !FrameHeader.isResponse(frame, at))
        {
            try
            {
                onHello(ctx, frame, at);
            }
            finally
            {
                frame.release();
            }
        }
        else if (authorized)
        {
            if (!handshakeDone)
            {
                handshakeDone();
            }
            ctx.fireChannelRead(msg);
        }
        else
        {
            try
            {
                ErrorReplies.reply(ctx, frame, StatusCodes.AUTH_REQUIRED, "send HELLO with the auth token first");
                ctx.flush();
            }
            finally
            {
                frame.release();
            }
        }
    }

    private void onHello(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        final long requestId = FrameHeader.requestId(frame, at);
        if (HelloRequest.validate(frame, at) != StatusCodes.OK)
        {
            ErrorReplies.replyAndClose(ctx, Opcodes.HELLO, requestId, StatusCodes.BAD_REQUEST, "malformed HELLO");
            return;
        }
        if (helloDone)
        {
            ErrorReplies.write(ctx, Opcodes.HELLO, requestId, StatusCodes.BAD_REQUEST, "HELLO already received");
            ctx.flush();
            return;
        }

        final int minVersion = HelloRequest.minVersion(frame, at);
        final int maxVersion = HelloRequest.maxVersion(frame, at);
        final int version = ProtocolVersion.negotiate(minVersion, maxVersion);
        if (version < 0)
        {
            ErrorReplies.replyAndClose(ctx, Opcodes.HELLO, requestId, StatusCodes.UNSUPPORTED_VERSION,
                "peer speaks versions " + minVersion + ".." + maxVersion + ", this server " +
                ProtocolVersion.MIN_SUPPORTED + ".." + ProtocolVersion.CURRENT);
            return;
        }
        if (config.hasToken() && !tokenMatches(frame, at))
        {
            ErrorReplies.replyAndClose(ctx, Opcodes.HELLO, requestId, StatusCodes.AUTH_FAILED, "wrong auth token");
            return;
        }

        helloDone = true;
        authorized = true;
        handshakeDone();
        final Channel channel = ctx.channel();
        channel.attr(ProtocolAttributes.VERSION).set(version);
        channel.attr(ProtocolAttributes.PEER_ROLE).set(HelloRequest.role(frame, at));
        channel.attr(ProtocolAttributes.PEER_NODE_ID).set(HelloRequest.nodeId(frame, at));

        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + HelloResponse.LENGTH);
        HelloResponse.encode(out, requestId, version, config.role(), config.nodeId(), config.maxFrameLength());
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    private boolean tokenMatches(final ByteBuf frame, final int at)
    {
        final byte[] presented = new byte[HelloRequest.tokenLength(frame, at)];
        frame.getBytes(HelloRequest.tokenIndex(at), presented);
        return MessageDigest.isEqual(presented, config.token());
    }
}
