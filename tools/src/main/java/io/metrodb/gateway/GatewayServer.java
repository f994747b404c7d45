package io.metrodb.gateway;

import io.metrodb.client.MetroClient;
import io.metrodb.client.OverflowPolicy;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The REST gateway: a Netty HTTP/1.1 server whose handler ({@link GatewayHandler}) serves keys through one
 * {@link MetroClient} sharing the server's event loops, so answers need no thread hop when the mapd connection and
 * the HTTP connection share a loop, and nothing ever blocks a loop.
 */
public final class GatewayServer implements AutoCloseable
{
    /** Longest request line: a 65535-byte key percent-encoded, plus a query. */
    static final int MAX_INITIAL_LINE_LENGTH = 3 * ProtocolLimits.MAX_KEY_LENGTH + 4096;
    static final int MAX_HEADER_SIZE = 16 * 1024;
    static final int MAX_CHUNK_SIZE = 64 * 1024;
    /**
     * Requests the codec may have decoded but not yet seen answered. {@link GatewayHandler} stops reading at
     * {@link GatewayHandler#MAX_PIPELINED}, but what one read (at most 64 KiB) already holds is decoded anyway, up to
     * some 4000 minimal requests: Netty's default of 128 would close such a connection.
     */
    static final int MAX_PIPELINE_DEPTH = 8192;

    private final GatewayConfig config;
    private final EventLoopGroup group;
    private final MetroClient client;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final AdminEndpoints admin;
    private final Channel serverChannel;

    private GatewayServer(final GatewayConfig config) throws InterruptedException
    {
        this.config = config;
        this.group = Transports.newEventLoopGroup(config.ioThreads(), "metrodb-gateway");
        MetroClient newClient = null;
        AdminEndpoints newAdmin = null;
        try
        {
            newClient = MetroClient.builder(config.mapds())
                .eventLoopGroup(group)
                .authToken(config.authToken())
                .requestTimeoutMs(config.requestTimeoutMs())
                .overflowPolicy(OverflowPolicy.FAIL_FAST)
                .build();
            newAdmin = new AdminEndpoints(
                config.mapds(), config.mond(), config.authToken(), config.adminTimeoutMs(), metrics);
            final MetroClient c = newClient;
            final AdminEndpoints a = newAdmin;
            serverChannel = new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        channel.pipeline()
                            .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                                .setMaxHeaderSize(MAX_HEADER_SIZE)
                                .setMaxChunkSize(MAX_CHUNK_SIZE), MAX_PIPELINE_DEPTH))
                            .addLast("gateway", new GatewayHandler(c, a, metrics, config.maxValueLength()));
                    }
                })
                .bind(config.host(), config.port())
                .sync()
                .channel();
        }
        catch (final Exception e)
        {
            if (newAdmin != null)
            {
                newAdmin.close();
            }
            if (newClient != null)
            {
                newClient.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            if (e instanceof InterruptedException)
            {
                throw (InterruptedException)e;
            }
            if (e instanceof IllegalArgumentException)
            {
                throw (IllegalArgumentException)e;
            }
            // Netty's bind failure is a checked exception thrown unchecked: name the address
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " +
                AdminEndpoints.oneLine(e), e);
        }
        this.client = newClient;
        this.admin = newAdmin;
    }

    /**
     * Binds the port and starts connecting to the mapds (requests wait for the first connection).
     *
     * @param config the settings.
     * @return the running gateway.
     * @throws InterruptedException while binding.
     * @throws IllegalStateException when the port cannot be bound (taken, no such address), naming it.
     */
    public static GatewayServer start(final GatewayConfig config) throws InterruptedException
    {
        return new GatewayServer(config);
    }

    /**
     * @return the port listened on (the bound one when the config said 0).
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return the settings.
     */
    public GatewayConfig config()
    {
        return config;
    }

    /**
     * Stops listening, closes the client (failing its calls in flight) and stops the event loops. Idempotent.
     */
    @Override
    public void close()
    {
        serverChannel.close().awaitUninterruptibly();
        client.close();
        admin.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
