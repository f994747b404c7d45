package io.metrodb.client;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.ProtocolErrorHandler;
import io.metrodb.protocol.netty.ProtocolPipeline;
import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mapd impostor on 127.0.0.1: answers HELLO (checking an optional token) and swallows every other request.
 */
final class SilentServer implements AutoCloseable
{
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicLong swallowed = new AtomicLong();
    private final EventLoopGroup group = Transports.newEventLoopGroup(1, "silent-mapd");
    private final Channel server;

    SilentServer(final String token) throws InterruptedException
    {
        final HandshakeConfig handshake =
            new HandshakeConfig(Roles.MAPD, 7, token, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
        final ChannelHandler swallow = new Swallow();
        server = new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannelClass())
            .childHandler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    openConnections.incrementAndGet();
                    ch.closeFuture().addListener(future -> openConnections.decrementAndGet());
                    ProtocolPipeline.initServer(ch.pipeline(), handshake, swallow, new ProtocolErrorHandler());
                }
            })
            .bind(LocalCluster.HOST, 0).sync().channel();
    }

    InetSocketAddress address()
    {
        return (InetSocketAddress)server.localAddress();
    }

    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private final class Swallow extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            swallowed.incrementAndGet();
            ReferenceCountUtil.release(msg);
        }
    }
}
