package io.metrodb.logd;

import io.metrodb.log.LogStore;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.server.EventLog;
import io.metrodb.server.NettyServer;
import io.metrodb.server.NodeIdFile;
import io.metrodb.server.StoreIdFile;
import io.metrodb.server.counters.CountersFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
    private final long storeId;
    private final AtomicBoolean stopping;
    private final CountersFile countersFile;

    private LogdServer(
        final LogStore store,
        final NettyServer server,
        final LogdCounters counters,
        final int nodeId,
        final long storeId,
        final AtomicBoolean stopping,
        final CountersFile countersFile)
    {
        this.countersFile = countersFile;
        this.store = store;
        this.server = server;
        this.counters = counters;
        this.nodeId = nodeId;
        this.storeId = storeId;
        this.stopping = stopping;
    }

    /**
     * Opens (and recovers) the store, then binds. The data directory keeps the node id ({@code node.id}, which
     * must agree with the configured one) and the store's identity ({@code store.id}), both announced in INFO
     * with the directory so that a mapd on the same host can check it may read the segment files itself.
     *
     * @param config validated settings.
     * @return the running server.
     * @throws InterruptedException when interrupted while binding.
     */
    public static LogdServer start(final LogdConfig config) throws InterruptedException
    {
        final CountersFile countersFile = CountersFile.create(config.log().directory(), "logd");
        final LogStore store;
        try
        {
            store = LogStore.open(config.log().counters(countersFile.countersManager(), "").errorHandler(countersFile));
            final String tornTail = store.tornTailReport();
            if (tornTail != null)
            {
                EventLog.warn("logd " + config.log().directory().toAbsolutePath().normalize() + ": " + tornTail);
            }
        }
        catch (final RuntimeException e)
        {
            countersFile.close();
            throw e;
        }
        try
        {
            final Path dir = config.log().directory().toAbsolutePath().normalize();
            final long storeId;
            try
            {
                NodeIdFile.resolve(dir, config.nodeId());
                storeId = StoreIdFile.resolve(dir);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot keep the node id and store id in " + dir, e);
            }
            final String identity = "node_id:" + config.nodeId() + "\n" +
                "data_dir:" + dir + "\n" +
                "store_id:" + StoreIdFile.format(storeId) + "\n" +
                "segment_length:" + config.log().segmentLength() + "\n";
            final LogdCounters counters = new LogdCounters(countersFile.countersManager());
            final DurableReplier replier = new DurableReplier();
            final HandshakeConfig handshake =
                new HandshakeConfig(Roles.LOGD, config.nodeId(), config.authToken(), config.maxFrameLength());
            final AtomicBoolean stopping = new AtomicBoolean();
            final NettyServer server = NettyServer.start("logd", config.host(), config.port(), config.ioThreads(),
                handshake, config.limits(), counters.connections(),
                () -> new LogdRequestHandler(store, counters, replier, config.nodeId(), identity, stopping));
            return new LogdServer(store, server, counters, config.nodeId(), storeId, stopping, countersFile);
        }
        catch (final InterruptedException | RuntimeException e)
        {
            store.close();
            countersFile.close();
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

    /**
     * @return the store's identity, kept in {@code store.id} in its directory.
     */
    public long storeId()
    {
        return storeId;
    }

    public LogStore store()
    {
        return store;
    }

    public LogdCounters counters()
    {
        return counters;
    }

    /**
     * @return the counters file in the data directory (its error log too).
     */
    public CountersFile countersFile()
    {
        return countersFile;
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
            countersFile.close();
        }
    }
}
