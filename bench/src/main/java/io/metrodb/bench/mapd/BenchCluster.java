package io.metrodb.bench.mapd;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real logds and one mapd in this process on loopback, with real files under a temporary directory (a copy of the
 * server tests' TestCluster, which is not on the bench classpath). Logds use the command's default 128 MiB segments
 * and one I/O thread each.
 */
final class BenchCluster implements AutoCloseable
{
    static final String HOST = "127.0.0.1";
    static final int MAX_VALUE = 1 << 20;
    static final int LOGD_NODE_ID_BASE = 100;
    static final HandshakeConfig CLIENT_HANDSHAKE =
        new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.frameLengthFor(MAX_VALUE));

    final Path root;
    final LogdServer[] logds;
    MapdServer mapd;

    BenchCluster(final Path root, final int logdCount) throws Exception
    {
        this.root = root;
        logds = new LogdServer[logdCount];
        for (int i = 0; i < logdCount; i++)
        {
            final int maxEntry = MAX_VALUE + ProtocolLimits.MAX_KEY_LENGTH + 64;
            final LogConfig log = new LogConfig()
                .directory(root.resolve("logd" + i))
                .segmentLength(LogConfig.DEFAULT_SEGMENT_LENGTH)
                .maxEntryLength(maxEntry)
                .validate();
            logds[i] = LogdServer.start(new LogdConfig(HOST, 0, LOGD_NODE_ID_BASE + i, null, 1,
                ProtocolLimits.frameLengthFor(maxEntry), log));
        }
    }

    /**
     * @return a fresh directory under {@code -Dmetrodb.bench.dir} (default {@code bench/target}).
     */
    static Path newRoot(final String prefix) throws IOException
    {
        final Path base = Path.of(System.getProperty("metrodb.bench.dir", "bench/target"));
        Files.createDirectories(base);
        return Files.createTempDirectory(base.toAbsolutePath(), prefix);
    }

    MapdConfig mapdConfig(final int rf, final long expectedKeys)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final LogdServer logd : logds)
        {
            addresses.add(new InetSocketAddress(HOST, logd.port()));
        }
        return new MapdConfig(HOST, 0, root.resolve("mapd"), 1, addresses, rf, MAX_VALUE, null,
            MapdConfig.DEFAULT_REQUEST_TIMEOUT_MS, 0, expectedKeys);
    }

    /**
     * Starts the mapd and waits until every logd is connected.
     */
    MapdServer startMapd(final MapdConfig config) throws Exception
    {
        mapd = MapdServer.start(config);
        mapd.whenLogdsHealthy(logds.length).get(30, TimeUnit.SECONDS);
        return mapd;
    }

    void closeMapd()
    {
        if (mapd != null)
        {
            mapd.close();
            mapd = null;
        }
    }

    InetSocketAddress mapdAddress()
    {
        return new InetSocketAddress(HOST, mapd.port());
    }

    InetSocketAddress logdAddress(final int i)
    {
        return new InetSocketAddress(HOST, logds[i].port());
    }

    @Override
    public void close()
    {
        closeMapd();
        for (final LogdServer logd : logds)
        {
            if (logd != null)
            {
                logd.close();
            }
        }
    }

    /**
     * @return the apparent size of every regular file under {@code dir}.
     */
    static long bytesUnder(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong(file ->
            {
                try
                {
                    return Files.size(file);
                }
                catch (final IOException e)
                {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException e)
        {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
