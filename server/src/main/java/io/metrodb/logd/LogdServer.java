package io.metrodb.logd;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.server.NettyServer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running logd: the log store behind a protocol server.
 */
public final class LogdServer implements AutoCloseable
{
    private final LogStore store;
    private final NettyServer server;
    private final LogdCounters counters;
    private final int nodeId;
    private final AtomicBoolean stopping;

    private LogdServer(
        final LogStore store,
        final NettyServer server,
        final LogdCounters counters,
        final int nodeId,
        final AtomicBoolean stopping)
    {
        this.store = store;
        this.server = server;
        this.counters = counters;
        this.nodeId = nodeId;
        this.stopping = stopping;
    }

    /**
     * Opens (and recovers) the store, then binds.
     *
     * @param config validated settings.
     * @return the running server.
     * @throws InterruptedException when interrupted while binding.
     */
    public static LogdServer start(final LogdConfig config) throws InterruptedException
    {
        final LogStore store = LogStore.open(config.log());
        try
        {
            final LogdCounters counters = new LogdCounters();
            final DurableReplier replier = new DurableReplier();
            final HandshakeConfig handshake =
                new HandshakeConfig(Roles.LOGD, config.nodeId(), config.authToken(), config.maxFrameLength());
            final AtomicBoolean stopping = new AtomicBoolean();
            final NettyServer server = NettyServer.start("logd", config.host(), config.port(), config.ioThreads(),
                handshake, () -> new LogdRequestHandler(store, counters, replier, config.nodeId(), stopping));
            return new LogdServer(store, server, counters, config.nodeId(), stopping);
        }
        catch (final InterruptedException | RuntimeException e)
        {
            store.close();
            throw e;
        }
    }

    public int port()
    {
        return server.port();
    }

    public int nodeId()
    {
        return nodeId;
    }

    public LogStore store()
    {
        return store;
    }

    public LogdCounters counters()
    {
        return counters;
    }

    public NettyServer server()
    {
        return server;
    }

    /**
     * Stops serving (closing every connection), then forces and closes the store.
     */
    @Override
    public void close()
    {
        stopping.set(true);
        try
        {
            server.close();
        }
        finally
        {
            store.close();
        }
    }
}
