package io.metrodb.protocol.netty;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;

import java.io.IOException;

/**
 * Connecting side of the handshake: sends the preface and HELLO when the channel becomes active, completes
 * {@link #result()} with the server's answer, then removes itself. A refused HELLO fails the promise with a
 * {@link ProtocolException} and closes the channel.
 */
public final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter
{
    /** Request id of the HELLO; clients start their own numbering at 1. */
    public static final long HELLO_REQUEST_ID = 0;

    private final HandshakeConfig config;
    private Promise<HandshakeResult> result;

    public ClientHandshakeHandler(final HandshakeConfig config)
    {
        this.config = config;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        result = ctx.executor().newPromise();
    }

    /**
     * @return completes when the server accepted HELLO.
     */
    public Promise<HandshakeResult> result()
    {
        return result;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(Preface.LENGTH + FrameHeader.HEADER_LENGTH + 64);
        Preface.write(out);
        HelloRequest.encode(out, HELLO_REQUEST_ID, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT,
            config.role(), config.nodeId(), config.token());
        ctx.writeAndFlush(out);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        final int at = frame.readerIndex();
        if (FrameHeader.opcode(frame, at) != Opcodes.HELLO || FrameHeader.requestId(frame, at) != HELLO_REQUEST_ID)
        {
            ctx.fireChannelRead(msg);
            return;
        }

        try
        {
            final short status = FrameHeader.status(frame, at);
            if (status == StatusCodes.OK && HelloResponse.isValid(frame, at))
            {
                final HandshakeResult hello = new HandshakeResult(
                    HelloResponse.version(frame, at),
                    HelloResponse.role(frame, at),
                    HelloResponse.nodeId(frame, at),
                    HelloResponse.maxFrameLength(frame, at));
                ctx.channel().attr(ProtocolAttributes.VERSION).set(hello.version());
                ctx.channel().attr(ProtocolAttributes.PEER_ROLE).set(hello.role());
                ctx.channel().attr(ProtocolAttributes.PEER_NODE_ID).set(hello.nodeId());
                ctx.pipeline().remove(this);
                result.trySuccess(hello);
            }
            else
            {
                final short reported = StatusCodes.isError(status) ? status : StatusCodes.BAD_FRAME;
                result.tryFailure(new ProtocolException(reported, true, "HELLO refused: " +
                    ErrorPayload.message(frame, at)));
                ctx.close();
            }
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        result.tryFailure(new IOException("connection closed before the HELLO answer"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        result.tryFailure(cause);
        ctx.fireExceptionCaught(cause);
    }
}
