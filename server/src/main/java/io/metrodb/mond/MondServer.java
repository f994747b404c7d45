package io.metrodb.mond;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.server.NettyServer;
import io.metrodb.server.counters.CountersFile;
import io.netty.channel.EventLoopGroup;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running mond. Everything (its server connections, its connection to every node, the duty cycle) runs on
 * one event-loop thread, so its state needs no locks. mond holds no data: a restart forgets the pending
 * repairs, which the scrub finds again, and the mapds keep the last view they got meanwhile.
 */
public final class MondServer implements AutoCloseable
{
    /** The largest frame mond accepts: PROBE answers hold up to about 1 MiB of bad replicas. */
    public static final int MAX_FRAME_LENGTH = 16 << 20;

    private final MondConfig config;
    private final EventLoopGroup loopGroup;
    private final MondAgent agent;
    private final NettyServer server;
    private final AtomicBoolean stopping;
    private final CountersFile countersFile;

    private MondServer(
        final MondConfig config,
        final EventLoopGroup loopGroup,
        final MondAgent agent,
        final NettyServer server,
        final AtomicBoolean stopping,
        final CountersFile countersFile)
    {
        this.countersFile = countersFile;
        this.config = config;
        this.loopGroup = loopGroup;
        this.agent = agent;
        this.server = server;
        this.stopping = stopping;
    }

    /**
     * Binds, connects to every node and starts watching.
     *
     * @param config the settings, concluded here if they were not yet.
     * @return the running mond.
     * @throws InterruptedException when interrupted while binding.
     */
    public static MondServer start(final MondConfig config) throws InterruptedException
    {
        return start(config, null);
    }

    /**
     * As {@link #start(MondConfig)}, with its counters file ({@code counters.dat}) in {@code dir}.
     *
     * @param dir where to keep the counters file; null: counters in memory only.
     */
    public static MondServer start(final MondConfig config, final Path dir) throws InterruptedException
    {
        final CountersFile countersFile =
            null == dir ? CountersFile.inMemory("mond") : CountersFile.create(dir, "mond");
        config.conclude();
        final EventLoopGroup loopGroup = Transports.newEventLoopGroup(1, "mond");
        try
        {
            final HandshakeConfig hello =
                new HandshakeConfig(Roles.MOND, config.nodeId(), config.authToken(), MAX_FRAME_LENGTH);
            final MondCounters counters = new MondCounters(countersFile.countersManager());
            final MondAgent agent = new MondAgent(config, loopGroup.next(), hello, counters,
                SystemEpochClock.INSTANCE, countersFile);
            final AtomicBoolean stopping = new AtomicBoolean();
            final NettyServer server = NettyServer.start("mond", config.host(), config.port(), loopGroup, hello,
                config.limits(), counters.connections(),
                () -> new MondRequestHandler(agent, config.nodeId(), stopping), null);
            agent.start();
            return new MondServer(config, loopGroup, agent, server, stopping, countersFile);
        }
        catch (final InterruptedException | RuntimeException e)
        {
            loopGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            countersFile.close();
            throw e;
        }
    }

    public int port()
    {
        return server.port();
    }

    public MondConfig config()
    {
        return config;
    }

    /**
     * Runs {@code task} on mond's thread and waits for it (tests and tools).
     */
    public <T> T onLoop(final Callable<T> task) throws Exception
    {
        return loopGroup.next().submit(task).get(30, TimeUnit.SECONDS);
    }

    /**
     * @return INFO's text, taken on mond's thread.
     */
    public String info() throws Exception
    {
        return onLoop(() ->
        {
            final StringBuilder text = new StringBuilder();
            agent.appendInfo(text);
            return text.toString();
        });
    }

    /**
     * Stops serving and watching, and closes every connection.
     */
    @Override
    public void close()
    {
        stopping.set(true);
        loopGroup.next().submit(agent::close).syncUninterruptibly();
        server.close();
        loopGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        countersFile.close();
    }

    /**
     * @return the counters file (in memory when started without a directory).
     */
    public CountersFile countersFile()
    {
        return countersFile;
    }
}
