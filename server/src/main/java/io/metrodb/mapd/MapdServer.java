package io.metrodb.mapd;

import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.resp.RespProtocol;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.server.EventLog;
import io.metrodb.server.NettyServer;
import io.metrodb.server.counters.CountersFile;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running mapd: recovers its grid (snapshot + journal), connects to its logds and serves clients. The whole
 * data path (client connections, logd connections, grid writes) runs on one event-loop thread, the grid's
 * single writer, as Redis runs its keyspace on one thread; snapshots read the grid lock-free from their own
 * thread.
 */
public final class MapdServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(MapdServer.class.getName());
    private static final long STARTUP_LOGD_WAIT_MS = 5_000;

    private final MapdConfig config;
    private final KeyGrid grid;
    private final GridJournal journal;
    private final EventLoopGroup dataLoop;
    private final EventLoop loop;
    private final LogdPool logds;
    private final MapdNode node;
    private final NettyServer server;
    private final SnapshotPolicy snapshots;
    private final Recovery recovery;

    /**
     * What start-up restored.
     *
     * @param snapshotEntries entries loaded from the snapshot (0 without one).
     * @param journalEntries  journal entries replayed after it.
     * @param millis          how long recovery took.
     * @param journalFrom     the journal position replay started at (the snapshot's, else 0).
     * @param journalBytes    journal bytes replayed.
     */
    public record Recovery(long snapshotEntries, long journalEntries, long millis, long journalFrom, long journalBytes)
    {
    }

    private MapdServer(
        final MapdConfig config,
        final KeyGrid grid,
        final GridJournal journal,
        final EventLoopGroup dataLoop,
        final LogdPool logds,
        final MapdNode node,
        final NettyServer server,
        final Recovery recovery)
    {
        this.config = config;
        this.grid = grid;
        this.journal = journal;
        this.dataLoop = dataLoop;
        this.loop = dataLoop.next();
        this.logds = logds;
        this.node = node;
        this.server = server;
        this.recovery = recovery;
        this.snapshots = new SnapshotPolicy(config, grid, journal, loop, node, recovery.journalFrom());
    }

    /**
     * Recovers the grid, connects to the logds and binds.
     *
     * @param config the settings, concluded here if they were not yet.
     * @return the running mapd.
     * @throws IOException          when the snapshot or journal cannot be read.
     * @throws InterruptedException when interrupted while binding.
     */
    public static MapdServer start(final MapdConfig config) throws IOException, InterruptedException
    {
        return start(config, false);
    }

    /**
     * As {@link #start(MapdConfig)}, optionally rebuilding the grid from the logds first.
     *
     * @param rebuildFromLogds scan every logd and rebuild the grid instead of loading snapshot and journal.
     */
    public static MapdServer start(final MapdConfig config, final boolean rebuildFromLogds)
        throws IOException, InterruptedException
    {
        return start(config, rebuildFromLogds, null);
    }

    /**
     * As {@link #start(MapdConfig, boolean)}, with the journal opened by {@code openJournal} from the data directory
     * (tests: a journal with a byte budget; null: counted in the counters file). Start fails: the node closes it.
     */
    static MapdServer start(
        final MapdConfig config, final boolean rebuildFromLogds,
        final java.util.function.Function<java.nio.file.Path, GridJournal> openJournal)
        throws IOException, InterruptedException
    {
        config.conclude();
        Files.createDirectories(config.dir());
        final long startNs = System.nanoTime();
        final CountersFile counters = CountersFile.create(config.dir(), "mapd");
        final KeyGrid grid = new KeyGrid(config.rf(), initialCapacity(config.expectedKeys()));
        GridJournal journal = null;
        EventLoopGroup dataLoop = null;
        MapdNode started = null;
        try
        {
            final GridSnapshot.Header snapshot = GridSnapshot.load(config.dir(), grid);
            journal = null != openJournal ? openJournal.apply(config.dir()) : GridJournal.open(config.dir(), counters);
            final String tornTail = journal.tornTailReport();
            if (tornTail != null)
            {
                EventLog.warn("mapd " + config.nodeId() + " journal " +
                    config.dir().resolve(GridJournal.DIRECTORY).toAbsolutePath().normalize() + ": " + tornTail);
            }
            final long[] lastApplied = snapshot == null ? new long[0x10000] : snapshot.lastApplied();
            final Backlog backlog = new Backlog(config.backlog());
            final long[] ownSequence = {snapshot == null ? 0 : snapshot.ownSequence()};
            final long replayFrom = snapshot == null ? 0 : snapshot.journalPosition();
            final long replayStartNs = System.nanoTime();
            final GridJournal.ReplayResult replay = journal.replay(grid, replayFrom, (position, origin, sequence) ->
                {
                    if (sequence == 0)
                    {
                        return;
                    }
                    if (origin == config.nodeId())
                    {
                        backlog.record(sequence, position);
                        ownSequence[0] = Math.max(ownSequence[0], sequence);
                    }
                    else
                    {
                        lastApplied[origin] = Math.max(lastApplied[origin], sequence);
                    }
                });
            if (ownSequence[0] == 0)
            {
                // A new origin numbers from the clock, so a mapd whose directory was lost never reuses numbers
                // its peers have already applied.
                ownSequence[0] = SystemEpochClock.INSTANCE.time() << HybridClock.COUNTER_BITS;
            }
            backlog.recovered(ownSequence[0]);
            final long replayBytes = Math.max(0, journal.tailPosition() - replayFrom);
            EventLog.info("mapd " + config.nodeId() + ": journal replayed: " + replay.entries() + " entries (" +
                replay.applied() + " changed the grid), " + replayBytes + " B from position " + replayFrom + " in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replayStartNs) + " ms, after " +
                (snapshot == null ? "no snapshot" : "a snapshot of " + snapshot.entries() + " keys"));
            final Recovery recovery = new Recovery(snapshot == null ? 0 : snapshot.entries(), replay.entries(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), replayFrom, replayBytes);

            dataLoop = Transports.newEventLoopGroup(1, "mapd-data");
            final HandshakeConfig handshake = new HandshakeConfig(Roles.MAPD, config.nodeId(), config.authToken(),
                ProtocolLimits.frameLengthFor(config.maxValueLength()));
            final LogdPool logds = new LogdPool(dataLoop.next(), config.logds(), handshake, 4096,
                config.requestTimeoutMs(), config.logdWaitMs(), config.appendTimeoutMs());
            final MapdNode node = new MapdNode(config.nodeId(), config.rf(), config.maxValueLength(), grid, logds,
                journal, ownSequence[0], config.localReads(), counters, new HybridClock());
            final Replicator replicator = new Replicator(node, dataLoop.next(), config.peers(), handshake,
                config.peerTimeoutMs(), config.syncIntervalMs(), backlog, lastApplied);
            node.replicator(replicator);
            started = node;
            logds.start();
            if (rebuildFromLogds)
            {
                rebuild(grid, dataLoop.next(), logds, config);
                GridSnapshot.write(config.dir(), grid, config.nodeId(), journal.tailPosition(), ownSequence[0],
                    lastApplied);
            }
            awaitLogds(dataLoop.next(), logds, config);
            // The clock starts past every version recovered (this mapd's own, a peer's from a clock ahead of
            // this one's), as it was before the restart: a write after a restart must still win.
            node.clock().observe(newestVersion(grid));
            final NettyServer server = NettyServer.start("mapd", config.host(), config.port(), dataLoop, handshake,
                config.limits(), node.counters().connections(), () -> new MapdRequestHandler(node),
                new RespProtocol(config.maxValueLength(), handshake.tokenBytes()));
            replicator.start();
            return new MapdServer(config, grid, journal, dataLoop, logds, node, server, recovery);
        }
        catch (final IOException | InterruptedException | RuntimeException e)
        {
            if (started != null)
            {
                final MapdNode node = started;
                dataLoop.next().submit(() ->
                {
                    node.replicator().close();
                    node.logds().close();
                }).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            if (dataLoop != null)
            {
                dataLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (started != null)
            {
                started.close();
            }
            if (journal != null)
            {
                journal.close();
            }
            grid.close();
            throw e;
        }
    }

    /**
     * Gives the logd connections a moment to come up before serving, so the first GETs after a restart do
     * not fail only because the connections are still being made. Serves anyway after the wait.
     */
    private static void awaitLogds(final EventLoop loop, final LogdPool logds, final MapdConfig config)
        throws InterruptedException
    {
        final CompletableFuture<Void> all = new CompletableFuture<>();
        loop.execute(() -> logds.whenHealthy(logds.size(), all));
        try
        {
            all.get(Math.min(STARTUP_LOGD_WAIT_MS, config.requestTimeoutMs()), TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e)
        {
            LOG.log(System.Logger.Level.WARNING, "serving before every logd in --logds is connected");
        }
    }

    private static void rebuild(final KeyGrid grid, final EventLoop loop, final LogdPool logds, final MapdConfig config)
        throws IOException, InterruptedException
    {
        final CompletableFuture<Void> healthy = new CompletableFuture<>();
        loop.execute(() -> logds.whenHealthy(logds.size(), healthy));
        try
        {
            healthy.get(30, TimeUnit.SECONDS);
            final CompletableFuture<LogdRebuilder.Result> rebuilt =
                loop.submit(() -> new LogdRebuilder(grid, logds).start()).get();
            final LogdRebuilder.Result result = rebuilt.get();
            LOG.log(System.Logger.Level.INFO, "rebuilt the grid from " + logds.size() + " logds: " + result.records() +
                " records, " + grid.liveKeys() + " live keys, " + result.skipped() + " records skipped");
        }
        catch (final java.util.concurrent.TimeoutException e)
        {
            throw new IOException("--rebuild-from-logds needs every logd in --logds reachable; " +
                "not all answered within 30 s", e);
        }
        catch (final java.util.concurrent.ExecutionException e)
        {
            throw new IOException("rebuild from the logds failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * @return the highest version in the grid, 0 when empty.
     */
    private static long newestVersion(final KeyGrid grid)
    {
        final long[] newest = {0};
        grid.forEach(0, Integer.MAX_VALUE, (key, index, length, entry) ->
            newest[0] = Math.max(newest[0], entry.version()));
        return newest[0];
    }

    private static int initialCapacity(final long expectedKeys)
    {
        final long slots = Math.max(KeyGrid.DEFAULT_INITIAL_CAPACITY, (long)(expectedKeys / 0.7) + 1);
        return (int)Math.min(KeyGrid.MAX_INDEX_CAPACITY, Long.highestOneBit(slots - 1) << 1);
    }

    public int port()
    {
        return server.port();
    }

    public int nodeId()
    {
        return config.nodeId();
    }

    public Recovery recovery()
    {
        return recovery;
    }

    public NettyServer server()
    {
        return server;
    }

    /**
     * @return a future completed once at least {@code healthy} logds are connected.
     */
    public CompletableFuture<Void> whenLogdsHealthy(final int healthy)
    {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        loop.execute(() -> logds.whenHealthy(healthy, future));
        return future;
    }

    /**
     * Runs {@code task} on the data-path thread and waits for it (for tests and tools).
     */
    public <T> T onDataPath(final java.util.concurrent.Callable<T> task) throws Exception
    {
        return loop.submit(task).get(30, TimeUnit.SECONDS);
    }

    /**
     * @return the data path's state (tests; touch it on the data-path thread, e.g. through {@link #onDataPath}).
     */
    MapdNode node()
    {
        return node;
    }

    /** @return the counters (readable from any thread: they live in the counters file). */
    public MapdCounters counters()
    {
        return node.counters();
    }

    /**
     * @return GETs served from this logd's segment files so far (call on the data-path thread, e.g. through
     * {@link #onDataPath}).
     */
    public long localReadsServed(final int logdNodeId)
    {
        return node.localReads().served(logdNodeId);
    }

    /**
     * @return true when this logd is verified to be on this host and is read locally now (call on the data-path
     * thread, e.g. through {@link #onDataPath}).
     */
    public boolean isLocalLogd(final int logdNodeId)
    {
        return node.localReads().isLocal(logdNodeId);
    }

    /**
     * @return peers connected now (call on the data-path thread, e.g. through {@link #onDataPath}).
     */
    public int livePeers()
    {
        return node.replicator().livePeers();
    }

    /**
     * @return the replication lines of INFO (call on the data-path thread, e.g. through {@link #onDataPath}).
     */
    public String replicationInfo()
    {
        final StringBuilder text = new StringBuilder();
        node.replicator().appendInfo(text);
        return text.toString();
    }

    /** @return the grid (readable from any thread). */
    public KeyGrid grid()
    {
        return grid;
    }

    /**
     * @return the journal (its stats are readable from any thread).
     */
    public GridJournal journal()
    {
        return journal;
    }

    /**
     * Writes a snapshot now (from any thread; the grid is read lock-free).
     *
     * @return its header.
     * @throws IOException on a file error.
     */
    public GridSnapshot.Header snapshot() throws IOException
    {
        return snapshots.snapshot("requested");
    }

    /**
     * @return the journal position the last snapshot replays from (what a restart would replay: the journal's
     * tail position minus this).
     */
    public long snapshotPosition()
    {
        return snapshots.position();
    }

    /**
     * Stops in an order that lets every request in progress end with its real answer: from the first step on,
     * client requests are refused with SHUTTING_DOWN (the client moves to another mapd) while peers and mond are
     * still answered; once the requests already in progress have finished (at most twice the logd request
     * timeout plus the peer timeout), the client connections close, then the peer and logd links, then a final
     * snapshot is written and the journal closed. Closing the logd links first would fail writes in progress
     * with NOT_ENOUGH_REPLICAS although nothing was wrong with the cluster.
     */
    @Override
    public void close()
    {
        node.stopping();
        drain();
        snapshots.stop();
        server.close();
        loop.submit(() ->
        {
            node.replicator().close();
            logds.close();
            node.localReads().close();
        }).syncUninterruptibly();
        dataLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        snapshots.snapshotQuietly("stopping");
        journal.close();
        node.close();
        grid.close();
    }

    /**
     * Waits for the client requests in progress to finish ({@link MapdNode#stopping()} already refuses new ones).
     */
    private void drain()
    {
        final CompletableFuture<Void> idle = new CompletableFuture<>();
        loop.execute(() -> node.whenIdle(() -> idle.complete(null)));
        final long timeoutMs = 2L * config.requestTimeoutMs() + config.peerTimeoutMs();
        try
        {
            idle.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e)
        {
            LOG.log(System.Logger.Level.WARNING, "stopping with client requests still in progress after " +
                timeoutMs + " ms; their connections close unanswered");
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
