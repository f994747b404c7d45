package io.metrodb.server;

import io.metrodb.protocol.netty.ConnectionRefusal;
import io.metrodb.protocol.netty.EdgeCounters;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.ProtocolErrorHandler;
import io.metrodb.protocol.netty.ProtocolPipeline;
import io.metrodb.protocol.netty.ServerEdge;
import io.metrodb.protocol.netty.ServerLimits;
import io.metrodb.protocol.netty.TextProtocol;
import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A MetroDB protocol server: native epoll when available, pooled direct buffers, TCP_NODELAY, flush
 * consolidation, the shared handshake and error handling, and the role's request handler per connection.
 * <p>
 * Its {@link ServerLimits} guard it against its clients: past {@code maxConnections} a new connection is counted,
 * answered {@code OVERLOADED} (its HELLO; a Redis client {@code -ERR max number of clients reached}) and closed
 * ({@link ConnectionRefusal}; at most {@link #MAX_REFUSING} such at once, more are closed unanswered); a
 * connection that does not finish HELLO in time, or whose frame does not arrive whole in time, is closed;
 * incomplete frames share one byte budget; a connection that does not read its replies is not read until it does.
 */
public final class NettyServer implements AutoCloseable
{
    /** Stop reading from a connection whose replies pile up beyond this many bytes. */
    public static final int WRITE_HIGH_WATER_MARK = 4 * 1024 * 1024;
    public static final int WRITE_LOW_WATER_MARK = 1024 * 1024;
    /**
     * Connections past the limit held at once to be told why (until their HELLO, at most the handshake timeout);
     * more are closed at once, unanswered.
     */
    public static final int MAX_REFUSING = 64;

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final boolean ownsWorkers;
    private final ChannelGroup connections;
    private final Channel serverChannel;
    private final ProtocolErrorHandler errors;
    private final ServerEdge edge;
    private final AtomicInteger open;

    private NettyServer(
        final EventLoopGroup bossGroup,
        final EventLoopGroup workerGroup,
        final boolean ownsWorkers,
        final ChannelGroup connections,
        final Channel serverChannel,
        final ProtocolErrorHandler errors,
        final ServerEdge edge,
        final AtomicInteger open)
    {
        this.edge = edge;
        this.open = open;
        this.connections = connections;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.ownsWorkers = ownsWorkers;
        this.serverChannel = serverChannel;
        this.errors = errors;
    }

    /**
     * Binds and starts serving.
     *
     * @param name           thread name prefix, e.g. "logd".
     * @param host           address to bind.
     * @param port           port to bind, 0 for an ephemeral one.
     * @param ioThreads      event loop threads, 0 for Netty's default (2 x cores).
     * @param handshake      this server's identity and limits.
     * @param requestHandler creates the role's handler for each new connection.
     * @return the running server.
     * @throws InterruptedException if interrupted while binding.
     * @throws ListenException      when the address cannot be bound (e.g. the port is taken).
     */
    public static NettyServer start(
        final String name,
        final String host,
        final int port,
        final int ioThreads,
        final HandshakeConfig handshake,
        final Supplier<ChannelHandler> requestHandler) throws InterruptedException
    {
        return start(name, host, port, ioThreads, handshake, ServerLimits.DEFAULTS, EdgeCounters.NONE, requestHandler);
    }

    /**
     * As {@link #start(String, String, int, int, HandshakeConfig, Supplier)}, with these limits, counted in
     * {@code counters}.
     */
    public static NettyServer start(
        final String name,
        final String host,
        final int port,
        final int ioThreads,
        final HandshakeConfig handshake,
        final ServerLimits limits,
        final EdgeCounters counters,
        final Supplier<ChannelHandler> requestHandler) throws InterruptedException
    {
        return start(name, host, port, Transports.newEventLoopGroup(ioThreads, name + "-io"), true, handshake,
            requestHandler, null, new ServerEdge(limits, counters));
    }

    /**
     * Binds and starts serving on an event loop group the caller owns (and shuts down after {@link #close()}),
     * e.g. mapd's single data-path loop shared with its outbound connections, with these limits, counted in
     * {@code counters}.
     *
     * @param name           thread name prefix.
     * @param host           address to bind.
     * @param port           port to bind, 0 for an ephemeral one.
     * @param workers        the loops that serve the connections.
     * @param handshake      this server's identity and limits.
     * @param limits         what a client may hold or take (handshake and frame deadlines, budget, connections).
     * @param counters       where the edge counts what it refuses.
     * @param requestHandler creates the role's handler for each new connection.
     * @param textProtocol   null for binary only; else a connection whose first byte is text is given to it
     *                       ({@link io.metrodb.protocol.netty.ProtocolSniffer}).
     * @return the running server.
     * @throws InterruptedException if interrupted while binding.
     * @throws ListenException      when the address cannot be bound (e.g. the port is taken).
     */
    public static NettyServer start(
        final String name,
        final String host,
        final int port,
        final EventLoopGroup workers,
        final HandshakeConfig handshake,
        final ServerLimits limits,
        final EdgeCounters counters,
        final Supplier<ChannelHandler> requestHandler,
        final TextProtocol textProtocol) throws InterruptedException
    {
        return start(name, host, port, workers, false, handshake, requestHandler, textProtocol,
            new ServerEdge(limits, counters));
    }

    private static NettyServer start(
        final String name,
        final String host,
        final int port,
        final EventLoopGroup workers,
        final boolean ownsWorkers,
        final HandshakeConfig handshake,
        final Supplier<ChannelHandler> requestHandler,
        final TextProtocol textProtocol,
        final ServerEdge edge) throws InterruptedException
    {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger refusing = new AtomicInteger();
        final EdgeCounters counters = edge.counters();
        final int maxConnections = edge.limits().maxConnections();
        final EventLoopGroup boss = Transports.newEventLoopGroup(1, name + "-accept");
        final ChannelGroup connections = new DefaultChannelGroup(name + "-connections", GlobalEventExecutor.INSTANCE);
        final ProtocolErrorHandler errors = new ProtocolErrorHandler();
        try
        {
            final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transports.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(WRITE_LOW_WATER_MARK, WRITE_HIGH_WATER_MARK))
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        final int nowOpen = open.incrementAndGet();
                        if (nowOpen > maxConnections)
                        {
                            open.decrementAndGet();
                            counters.connectionRefused();
                            if (refusing.incrementAndGet() > MAX_REFUSING)
                            {
                                refusing.decrementAndGet();
                                channel.close();
                                return;
                            }
                            channel.closeFuture().addListener(closed -> refusing.decrementAndGet());
                            connections.add(channel);
                            ConnectionRefusal.init(channel.pipeline(), handshake, edge, textProtocol);
                            return;
                        }
                        counters.connectionsOpen(nowOpen);
                        channel.closeFuture().addListener(closed -> counters.connectionsOpen(open.decrementAndGet()));
                        connections.add(channel);
                        ProtocolPipeline.initServer(channel.pipeline(), handshake, requestHandler.get(), errors,
                            textProtocol, edge);
                    }
                });
            final ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
            if (!bound.isSuccess())
            {
                throw new ListenException(host, port, bound.cause());
            }
            return new NettyServer(boss, workers, ownsWorkers, connections, bound.channel(), errors, edge, open);
        }
        catch (final InterruptedException | RuntimeException e)
        {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (ownsWorkers)
            {
                workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            throw e;
        }
    }

    /**
     * @return the port actually bound (useful with port 0).
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return connections served now.
     */
    public int openConnections()
    {
        return open.get();
    }

    /**
     * @return this server's limits and the bytes its incomplete frames hold now.
     */
    public ServerEdge edge()
    {
        return edge;
    }

    /**
     * @return the counters of connections closed for errors.
     */
    public ProtocolErrorHandler errors()
    {
        return errors;
    }

    /**
     * Stops accepting, closes every connection and waits for the event loops it owns to end.
     */
    @Override
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        // Every accepted connection is closed here, not left to the worker loops' shutdown: a peer must see its
        // connection end (a peer whose link stayed open to a stopped logd never reconnected to its successor).
        connections.close().syncUninterruptibly();
        if (ownsWorkers)
        {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
