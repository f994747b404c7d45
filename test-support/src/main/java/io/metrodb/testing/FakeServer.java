package io.metrodb.testing;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.ProtocolErrorHandler;
import io.metrodb.protocol.netty.ProtocolPipeline;
import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Netty part of a fake logd, mapd or mond: listens on 127.0.0.1 on a port of the kernel's choosing, answers the
 * preface and HELLO as {@code role} (checking the token, if any), and hands every later frame to the test's handler.
 */
public final class FakeServer implements AutoCloseable
{
    private final EventLoopGroup group;
    private final Channel server;

    private FakeServer(final EventLoopGroup group, final Channel server)
    {
        this.group = group;
        this.server = server;
    }

    /**
     * @param role     the role it claims in the handshake ({@code Roles.LOGD}, ...).
     * @param nodeId   the node id it claims.
     * @param token    the auth token it requires, or null.
     * @param requests gets each frame after the handshake (a ByteBuf it must release); {@code @Sharable}.
     */
    public static FakeServer start(final byte role, final int nodeId, final String token,
        final ChannelHandler requests) throws InterruptedException
    {
        return start(new HandshakeConfig(role, nodeId, token, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH), requests,
            channel ->
            {
            });
    }

    /**
     * @param onAccept sees each accepted connection before its pipeline is set up (to count or hold it).
     */
    public static FakeServer start(final HandshakeConfig handshake, final ChannelHandler requests,
        final Consumer<Channel> onAccept) throws InterruptedException
    {
        final EventLoopGroup group = Transports.newEventLoopGroup(1, "fake-" + handshake.role() + "-" +
            handshake.nodeId());
        try
        {
            final Channel server = new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannelClass())
                .childHandler(new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel ch)
                    {
                        onAccept.accept(ch);
                        ProtocolPipeline.initServer(ch.pipeline(), handshake, requests, new ProtocolErrorHandler());
                    }
                })
                .bind(Ports.HOST, 0).sync().channel();
            return new FakeServer(group, server);
        }
        catch (final InterruptedException | RuntimeException e)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    /**
     * @return where it listens.
     */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)server.localAddress();
    }

    public int port()
    {
        return address().getPort();
    }

    /**
     * Closes the listening socket and every connection, and stops the event loop.
     */
    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
