package io.metrodb.bench.replication;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.protocol.ProtocolLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Three logds and one to three mapds in this process on 127.0.0.1, every mapd a peer of every other (full mesh),
 * RF 2, files under a fresh directory that {@link #close()} deletes. Mapds listen on fixed ports picked free
 * up front, because each one's peer list must name the others' ports before they start. Replication settings
 * are the shipped defaults ({@link MapdConfig#DEFAULT_PEER_TIMEOUT_MS}, {@link MapdConfig#DEFAULT_SYNC_INTERVAL_MS},
 * {@link MapdConfig#DEFAULT_BACKLOG}); periodic snapshots are off (one is written at close, after measuring).
 */
final class ReplicationCluster implements AutoCloseable
{
    static final String HOST = "127.0.0.1";
    static final int LOGDS = 3;
    static final int RF = 2;
    static final int MAX_VALUE = 1 << 20;
    /** Smaller than the 128 MiB default so that zero-filling segments at start costs less disk time. */
    static final int LOGD_SEGMENT_LENGTH = 64 << 20;
    private static final long START_TIMEOUT_S = 20;
    private static final int PORT_FLOOR = 20000;

    private final Path root;
    private final LogdServer[] logds = new LogdServer[LOGDS];
    private final MapdServer[] mapds;
    /** Which component started each thread ("logd", "mapd A", ...), for CPU accounting. */
    private final Map<Long, String> threadOwners = new HashMap<>();

    /**
     * @param baseDirectory where to create the run directory.
     * @param mapdCount     mapds to start, each a peer of all the others (1 = no peers).
     * @param expectedKeys  grid capacity each mapd reserves up front.
     */
    ReplicationCluster(final Path baseDirectory, final int mapdCount, final long expectedKeys) throws Exception
    {
        Files.createDirectories(baseDirectory);
        root = Files.createTempDirectory(baseDirectory.toAbsolutePath(), "cluster-");
        mapds = new MapdServer[mapdCount];
        claimExistingThreads();
        try
        {
            final List<InetSocketAddress> logdAddresses = new ArrayList<>();
            for (int i = 0; i < LOGDS; i++)
            {
                logds[i] = startLogd(i);
                claimNewThreads("logd");
                logdAddresses.add(new InetSocketAddress(HOST, logds[i].port()));
            }
            final int[] ports = new int[mapdCount];
            for (int i = 0; i < mapdCount; i++)
            {
                ports[i] = freePort();
            }
            for (int i = 0; i < mapdCount; i++)
            {
                final List<InetSocketAddress> peers = new ArrayList<>();
                for (int p = 0; p < mapdCount; p++)
                {
                    if (p != i)
                    {
                        peers.add(new InetSocketAddress(HOST, ports[p]));
                    }
                }
                mapds[i] = MapdServer.start(new MapdConfig(HOST, ports[i], root.resolve("mapd" + i), i + 1,
                    logdAddresses, RF, MAX_VALUE, null, MapdConfig.DEFAULT_REQUEST_TIMEOUT_MS, 0, expectedKeys, peers,
                    MapdConfig.DEFAULT_PEER_TIMEOUT_MS, MapdConfig.DEFAULT_SYNC_INTERVAL_MS,
                    MapdConfig.DEFAULT_BACKLOG));
                mapds[i].whenLogdsHealthy(LOGDS).get(START_TIMEOUT_S, TimeUnit.SECONDS);
                claimNewThreads(mapdName(i));
            }
            for (int i = 0; i < mapdCount; i++)
            {
                final MapdServer mapd = mapds[i];
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_S);
                while (mapd.onDataPath(mapd::livePeers) < mapdCount - 1)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        throw new IllegalStateException("mapd " + (i + 1) + " did not connect to its " +
                            (mapdCount - 1) + " peers within " + START_TIMEOUT_S + " s");
                    }
                    Thread.sleep(10);
                }
            }
        }
        catch (final Exception | Error e)
        {
            close();
            throw e;
        }
    }

    static String mapdName(final int i)
    {
        return "mapd " + (char)('A' + i);
    }

    private void claimNewThreads(final String owner)
    {
        for (final long id : ManagementFactory.getThreadMXBean().getAllThreadIds())
        {
            threadOwners.putIfAbsent(id, owner);
        }
    }

    /**
     * Marks the threads running now as not the cluster's (call before starting it).
     */
    private void claimExistingThreads()
    {
        claimNewThreads("bench");
    }

    /**
     * @return the component that started this thread ("logd", "mapd A", "mapd B", ...), or null when the thread
     * is not the cluster's (started before it, or later by a component, e.g. lazily).
     */
    String owner(final long threadId)
    {
        final java.lang.management.ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(threadId);
        if (info != null && (info.getThreadName().startsWith("logd-io") ||
            info.getThreadName().startsWith("logd-accept")))
        {
            return "logd"; // a logd's I/O threads start with its first connection, i.e. while a mapd starts
        }
        final String owner = threadOwners.get(threadId);
        return "bench".equals(owner) ? null : owner;
    }

    private LogdServer startLogd(final int i) throws InterruptedException
    {
        final int maxEntry = MAX_VALUE + ProtocolLimits.MAX_KEY_LENGTH + 64;
        final LogConfig log = new LogConfig()
            .directory(root.resolve("logd" + i))
            .segmentLength(LOGD_SEGMENT_LENGTH)
            .maxEntryLength(maxEntry)
            .validate();
        return LogdServer.start(new LogdConfig(HOST, 0, 100 + i, null, 1, ProtocolLimits.frameLengthFor(maxEntry), log));
    }

    /**
     * A free port below the kernel's ephemeral range, so that no outgoing connection (the mapds' own, to logds and
     * peers) can take it between this check and the mapd's bind.
     */
    private static int freePort() throws IOException
    {
        final int low = ephemeralLow();
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final int port = PORT_FLOOR + java.util.concurrent.ThreadLocalRandom.current().nextInt(low - PORT_FLOOR);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST)))
            {
                return socket.getLocalPort();
            }
            catch (final IOException e)
            {
                // taken: try another
            }
        }
        throw new IOException("no free port in " + PORT_FLOOR + ".." + low);
    }

    private static int ephemeralLow()
    {
        try
        {
            final String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Math.max(PORT_FLOOR + 1000, Integer.parseInt(range.split("\\s+")[0]));
        }
        catch (final IOException | RuntimeException e)
        {
            return 32768;
        }
    }

    MapdServer mapd(final int i)
    {
        return mapds[i];
    }

    int mapdCount()
    {
        return mapds.length;
    }

    InetSocketAddress mapdAddress(final int i)
    {
        return new InetSocketAddress(HOST, mapds[i].port());
    }

    /**
     * @return INFO's replication lines of mapd {@code i}, one line, or the error that prevented reading them.
     */
    String replicationInfo(final int i)
    {
        try
        {
            final MapdServer mapd = mapds[i];
            return mapd.onDataPath(mapd::replicationInfo).trim().replace('\n', ' ');
        }
        catch (final Exception e)
        {
            return "unavailable: " + e;
        }
    }

    @Override
    public void close()
    {
        for (final MapdServer mapd : mapds)
        {
            if (mapd != null)
            {
                mapd.close();
            }
        }
        for (final LogdServer logd : logds)
        {
            if (logd != null)
            {
                logd.close();
            }
        }
        deleteRecursively(root);
    }

    static void deleteRecursively(final Path directory)
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
