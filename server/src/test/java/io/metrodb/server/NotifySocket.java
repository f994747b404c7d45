package io.metrodb.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for systemd's notification socket: a unix datagram socket (Netty's epoll
 * {@link EpollDomainDatagramChannel}) bound to a path or an abstract name, that queues every datagram it receives as
 * text.
 */
final class NotifySocket implements AutoCloseable
{
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final EventLoopGroup group;
    private final Channel channel;
    private final String address;

    private NotifySocket(final String address, final String bindPath) throws InterruptedException
    {
        if (!Epoll.isAvailable())
        {
            throw new IllegalStateException("Netty's epoll transport is needed here", Epoll.unavailabilityCause());
        }
        this.address = address;
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try
        {
            channel = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>()
                {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DomainDatagramPacket packet)
                    {
                        received.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(bindPath))
                .sync()
                .channel();
        }
        catch (final RuntimeException | InterruptedException e)
        {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    /**
     * @param path a file system path for the socket.
     */
    static NotifySocket atPath(final String path) throws InterruptedException
    {
        return new NotifySocket(path, path);
    }

    /**
     * @param name an abstract-namespace name (no leading {@code @}).
     */
    static NotifySocket abstractName(final String name) throws InterruptedException
    {
        return new NotifySocket("@" + name, "\0" + name);
    }

    /**
     * @return the value for {@code $NOTIFY_SOCKET}.
     */
    String address()
    {
        return address;
    }

    /**
     * @return the next datagram received, or null when none comes within the timeout.
     */
    String poll(final long timeoutMs) throws InterruptedException
    {
        return received.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
