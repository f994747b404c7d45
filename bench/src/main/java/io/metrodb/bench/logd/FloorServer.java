package io.metrodb.bench.logd;

import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.net.InetSocketAddress;

/**
 * The floor of {@link LogdLatencyHarness}: a bare Netty server on the same transport that answers each
 * length-prefixed request frame with a reply of the length the request asks for, and its bare client.
 * <pre>
 * request: | frame length (4) | reply length (4) | zeros ... |
 * reply:   | frame length (4) | zeros ... |
 * </pre>
 */
final class FloorServer
{
    /** Floor request: the first 4 bytes are the frame length, the next 4 the reply's. */
    private static final int REPLY_LENGTH_OFFSET = 4;
    private static final int MAX_FRAME_LENGTH = 1 << 20;

    private FloorServer()
    {
    }

    /**
     * @return the server's channel, bound to 127.0.0.1 on an ephemeral port.
     */
    static Channel start(final EventLoopGroup group) throws InterruptedException
    {
        return new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannelClass())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(newFrameDecoder(), new ChannelInboundHandlerAdapter()
                    {
                        @Override
                        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                        {
                            final ByteBuf request = (ByteBuf)msg;
                            final int replyLength = request.getInt(request.readerIndex() + REPLY_LENGTH_OFFSET);
                            request.release();
                            final ByteBuf reply = ctx.alloc().ioBuffer(replyLength);
                            reply.writeInt(replyLength).writeZero(replyLength - 4);
                            ctx.write(reply, ctx.voidPromise());
                        }

                        @Override
                        public void channelReadComplete(final ChannelHandlerContext ctx)
                        {
                            ctx.flush();
                        }
                    });
                }
            })
            .bind("127.0.0.1", 0).sync().channel();
    }

    /**
     * @return the bare client's channel on {@code loop}, connected to the floor server at {@code address}.
     */
    static Channel connectClient(final EventLoop loop, final InetSocketAddress address) throws InterruptedException
    {
        return new Bootstrap()
            .group(loop)
            .channel(Transports.channelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .handler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(newFrameDecoder(), new ClientHandler());
                }
            })
            .connect(address).sync().channel();
    }

    private static LengthFieldBasedFrameDecoder newFrameDecoder()
    {
        return new LengthFieldBasedFrameDecoder(MAX_FRAME_LENGTH, 0, 4, -4, 0);
    }

    /**
     * The client side: one handler on the floor connection hands each reply to the case being measured.
     */
    private static final class ClientHandler extends ChannelInboundHandlerAdapter
    {
        private FloorCase current;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf reply = (ByteBuf)msg;
            final int length = reply.readableBytes();
            reply.release();
            current.onReply(length);
        }
    }

    /**
     * One floor case: a frame of {@code requestLength} bytes to the floor server, answered with {@code replyLength}.
     */
    static final class FloorCase implements RoundTripDriver.Case
    {
        private final Channel channel;
        private final ClientHandler handler;
        private final int requestLength;
        private final int replyLength;
        private RoundTripDriver driver;

        /**
         * @param channel a client channel from {@link #connectClient}.
         */
        FloorCase(final Channel channel, final int requestLength, final int replyLength)
        {
            this.channel = channel;
            this.handler = channel.pipeline().get(ClientHandler.class);
            this.requestLength = requestLength;
            this.replyLength = replyLength;
        }

        @Override
        public String send(final RoundTripDriver driver, final long sequence)
        {
            this.driver = driver;
            handler.current = this;
            final ByteBuf request = channel.alloc().ioBuffer(requestLength);
            request.writeInt(requestLength).writeInt(replyLength).writeZero(requestLength - 8);
            channel.writeAndFlush(request, channel.voidPromise());
            return null;
        }

        void onReply(final int length)
        {
            driver.onAnswer(length == replyLength ? null : "floor reply of " + length + " bytes");
        }
    }
}
