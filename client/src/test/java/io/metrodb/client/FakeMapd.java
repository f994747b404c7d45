package io.metrodb.client;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.testing.FakeServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mapd impostor on 127.0.0.1: answers HELLO (checking an optional token), then treats every other request as
 * its {@link Mode} says.
 */
final class FakeMapd implements AutoCloseable
{
    /** What the impostor does with a request. */
    enum Mode
    {
        /** Never answers. */
        SILENT,
        /** Closes the connection: the request is lost in flight. */
        DROP,
        /** Refuses it with SHUTTING_DOWN. */
        REFUSE,
        /** Answers: NOT_FOUND to GET, EXISTS and DEL, a write response to SET and SETSAFE. */
        ANSWER
    }

    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicLong swallowed = new AtomicLong();
    /** Connections accepted while {@link #holdConnections()} is on: nothing read from them, HELLO unanswered. */
    private final Set<Channel> held = ConcurrentHashMap.newKeySet();
    private volatile boolean holding;
    /** Connections accepted before holding starts, while {@link #holdConnectionsAfter(int)} counts down. */
    private final AtomicInteger passBeforeHolding = new AtomicInteger(-1);
    private final FakeServer server;

    private final Mode mode;

    FakeMapd(final String token) throws InterruptedException
    {
        this(token, Mode.SILENT);
    }

    FakeMapd(final String token, final Mode mode) throws InterruptedException
    {
        this.mode = mode;
        final HandshakeConfig handshake =
            new HandshakeConfig(Roles.MAPD, 7, token, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
        server = FakeServer.start(handshake, new Swallow(), ch ->
        {
            openConnections.incrementAndGet();
            ch.closeFuture().addListener(future -> openConnections.decrementAndGet());
            if (passBeforeHolding.get() >= 0 && passBeforeHolding.getAndDecrement() == 0)
            {
                holding = true;
            }
            if (holding)
            {
                ch.config().setAutoRead(false);
                held.add(ch);
                if (!holding)
                {
                    ch.config().setAutoRead(true);
                }
            }
        });
    }

    InetSocketAddress address()
    {
        return server.address();
    }

    /**
     * From now on, accept connections but read nothing from them (so HELLO is not answered and the client's
     * connection stays not ready, as while it is being set up) until {@link #releaseConnections()}.
     */
    void holdConnections()
    {
        holding = true;
    }

    /**
     * Lets the next {@code count} connections through, then holds every new one as {@link #holdConnections()}.
     */
    void holdConnectionsAfter(final int count)
    {
        passBeforeHolding.set(count);
    }

    /**
     * @return connections accepted and held.
     */
    int heldConnections()
    {
        return held.size();
    }

    /**
     * Reads the held connections (HELLO is answered) and stops holding new ones.
     */
    void releaseConnections()
    {
        holding = false;
        for (final Channel channel : held)
        {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void close()
    {
        server.close();
    }

    @ChannelHandler.Sharable
    private final class Swallow extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            swallowed.incrementAndGet();
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                final int at = frame.readerIndex();
                final byte opcode = FrameHeader.opcode(frame, at);
                final long requestId = FrameHeader.requestId(frame, at);
                switch (mode)
                {
                    case SILENT ->
                    {
                    }
                    case DROP -> ctx.close();
                    case REFUSE -> reply(ctx, out -> ErrorPayload.encode(
                        out, opcode, StatusCodes.SHUTTING_DOWN, requestId, "stopping"));
                    case ANSWER -> reply(ctx, out ->
                    {
                        if (opcode == Opcodes.SET || opcode == Opcodes.SETSAFE)
                        {
                            WriteResponse.encode(out, opcode, requestId, 1L << 20, 7, 2, 0, 0);
                        }
                        else
                        {
                            FrameHeader.writeResponse(out, 0, opcode, StatusCodes.NOT_FOUND, requestId);
                        }
                    });
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        private void reply(final ChannelHandlerContext ctx, final java.util.function.Consumer<ByteBuf> encoder)
        {
            final ByteBuf out = ctx.alloc().ioBuffer(64);
            encoder.accept(out);
            ctx.writeAndFlush(out);
        }
    }
}
