package io.metrodb.tools.testing;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.mond.MondConfig;
import io.metrodb.mond.MondServer;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.testing.Await;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Three logds, three peer mapds (RF 2) and mond in this JVM, on loopback with real files, for the tools' tests (the
 * CLI and the gateway), each with its own value limit. The server's TestCluster has no mond and a fixed limit.
 */
public class ToolsCluster implements AutoCloseable
{
    public static final String HOST = "127.0.0.1";
    public static final int SIZE = 3;
    private static final int BIND_ATTEMPTS = 3;

    public final LogdServer[] logds = new LogdServer[SIZE];
    public final MapdServer[] mapds = new MapdServer[SIZE];
    public final int[] mapdPorts = new int[SIZE];
    public MondServer mond;

    /**
     * @param maxValue the mapds' value limit; the logds' segments hold at least four such values.
     */
    protected ToolsCluster(final Path root, final int maxValue) throws Exception
    {
        try
        {
            final int maxEntry = maxValue + ProtocolLimits.MAX_KEY_LENGTH + 64;
            final List<InetSocketAddress> logdAddresses = new ArrayList<>();
            for (int i = 0; i < SIZE; i++)
            {
                final LogConfig log = new LogConfig()
                    .directory(root.resolve("logd" + i))
                    .segmentLength(Math.max(16 << 20, Integer.highestOneBit(maxEntry) << 2))
                    .maxEntryLength(maxEntry)
                    .validate();
                logds[i] = LogdServer.start(
                    new LogdConfig(HOST, 0, 100 + i, null, 1, ProtocolLimits.frameLengthFor(maxEntry), log));
                logdAddresses.add(new InetSocketAddress(HOST, logds[i].port()));
            }
            // The mapds' ports are picked free and bound a moment later, each mapd needing the others' ports
            // first: another process may take one meanwhile, so a start that cannot bind is tried again.
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    startMapds(root, logdAddresses, maxValue);
                    break;
                }
                catch (final Exception e)
                {
                    closeMapds();
                    if (attempt == BIND_ATTEMPTS || !isBindFailure(e))
                    {
                        throw e;
                    }
                }
            }
            for (final MapdServer mapd : mapds)
            {
                mapd.whenLogdsHealthy(SIZE).get(30, TimeUnit.SECONDS);
            }
            Await.until("every mapd sees its peers", 30_000, () ->
            {
                for (final MapdServer mapd : mapds)
                {
                    if (mapd.livePeers() < SIZE - 1)
                    {
                        return false;
                    }
                }
                return true;
            });
            mond = MondServer.start(MondConfig.defaults(mapdAddresses(), logdAddresses));
        }
        catch (final Exception | Error e)
        {
            close();
            throw e;
        }
    }

    private void startMapds(final Path root, final List<InetSocketAddress> logdAddresses, final int maxValue)
        throws Exception
    {
        for (int i = 0; i < SIZE; i++)
        {
            mapdPorts[i] = freePort();
        }
        for (int i = 0; i < SIZE; i++)
        {
            final List<InetSocketAddress> peers = new ArrayList<>();
            for (int p = 0; p < SIZE; p++)
            {
                if (p != i)
                {
                    peers.add(new InetSocketAddress(HOST, mapdPorts[p]));
                }
            }
            final MapdConfig config = new MapdConfig(HOST, mapdPorts[i], root.resolve("mapd" + i), i + 1,
                logdAddresses, 2, maxValue, null, 10_000, 0, 0, peers, 10_000, 100, 1 << 16);
            mapds[i] = MapdServer.start(config);
        }
    }

    private static boolean isBindFailure(final Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause())
        {
            if (cause instanceof BindException || (cause.getMessage() != null &&
                cause.getMessage().toLowerCase(Locale.ROOT).contains("already in use")))
            {
                return true;
            }
        }
        return false;
    }

    private void closeMapds()
    {
        for (int i = 0; i < SIZE; i++)
        {
            if (mapds[i] != null)
            {
                mapds[i].close();
                mapds[i] = null;
            }
        }
    }

    public List<InetSocketAddress> mapdAddresses()
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : mapdPorts)
        {
            addresses.add(new InetSocketAddress(HOST, port));
        }
        return addresses;
    }

    public InetSocketAddress mondAddress()
    {
        return new InetSocketAddress(HOST, mond.port());
    }

    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST)))
        {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close()
    {
        if (mond != null)
        {
            mond.close();
            mond = null;
        }
        closeMapds();
        for (int i = 0; i < SIZE; i++)
        {
            if (logds[i] != null)
            {
                logds[i].close();
                logds[i] = null;
            }
        }
    }
}
