package io.metrodb.mond;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.testing.Ports;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole cluster on loopback for mond's tests: logds (in this JVM, or each in its own JVM so a test can
 * SIGKILL one), peer mapds in this JVM, RF 2, fixed ports (picked free up front) so restarted nodes come back
 * where they were, real files under the test's temp directory.
 */
final class MondCluster implements AutoCloseable
{
    static final String HOST = MondTestClient.HOST;
    static final int SEGMENT_LENGTH = 4 << 20;
    static final int MAX_VALUE = 1 << 20;
    static final int RF = 2;
    static final int FIRST_LOGD_ID = 100;
    static final int FIRST_MAPD_ID = 11;
    private static final int MAX_ENTRY = MAX_VALUE + ProtocolLimits.MAX_KEY_LENGTH + 64;

    final Path root;
    final int[] logdPorts;
    final int[] mapdPorts;
    private final boolean logdsAsProcesses;
    private final String authToken;
    private final LogdServer[] logds;
    private final ChildProcess[] logdProcesses;
    final MapdServer[] mapds;

    /**
     * @param logdsAsProcesses run each logd in a JVM of its own (for SIGKILL); else in this JVM.
     */
    MondCluster(final Path root, final int logdCount, final int mapdCount, final boolean logdsAsProcesses)
        throws Exception
    {
        this(root, logdCount, mapdCount, logdsAsProcesses, null);
    }

    /**
     * @param authToken the token every node requires and presents (in-process logds only), or null.
     */
    MondCluster(
        final Path root, final int logdCount, final int mapdCount, final boolean logdsAsProcesses,
        final String authToken) throws Exception
    {
        this.root = root;
        this.logdsAsProcesses = logdsAsProcesses;
        this.authToken = authToken;
        this.logdPorts = new int[logdCount];
        this.mapdPorts = new int[mapdCount];
        this.logds = new LogdServer[logdCount];
        this.logdProcesses = new ChildProcess[logdCount];
        this.mapds = new MapdServer[mapdCount];
        for (int attempt = 1; ; attempt++)
        {
            // The ports are chosen before the nodes bind them (each node lists the others'), so another process
            // can take one in between: then start over on new ones.
            System.arraycopy(Ports.unused(logdCount), 0, logdPorts, 0, logdCount);
            System.arraycopy(Ports.unused(mapdCount), 0, mapdPorts, 0, mapdCount);
            try
            {
                startAll(logdCount, mapdCount);
                return;
            }
            catch (final Exception e)
            {
                close();
                if (attempt == Ports.BIND_ATTEMPTS || !Ports.isBindFailure(e))
                {
                    throw e;
                }
            }
        }
    }

    private void startAll(final int logdCount, final int mapdCount) throws Exception
    {
        for (int i = 0; i < logdCount; i++)
        {
            startLogd(i);
        }
        for (int i = 0; i < mapdCount; i++)
        {
            startMapd(i);
        }
        for (final MapdServer mapd : mapds)
        {
            mapd.whenLogdsHealthy(logdCount).get(30, TimeUnit.SECONDS);
        }
    }

    static int logdId(final int i)
    {
        return FIRST_LOGD_ID + i;
    }

    Path logdDir(final int i)
    {
        return root.resolve("logd" + i);
    }

    void startLogd(final int i) throws Exception
    {
        if (logdsAsProcesses)
        {
            logdProcesses[i] = ChildProcess.start("logd" + i, root.resolve("logs"), "logd",
                "--dir", logdDir(i).toString(), "--host", HOST, "--port", Integer.toString(logdPorts[i]),
                "--node-id", Integer.toString(logdId(i)), "--segment-size", Integer.toString(SEGMENT_LENGTH),
                "--max-entry", Integer.toString(MAX_ENTRY), "--io-threads", "1");
        }
        else
        {
            final LogConfig log = new LogConfig()
                .directory(logdDir(i))
                .segmentLength(SEGMENT_LENGTH)
                .maxEntryLength(MAX_ENTRY)
                .validate();
            logds[i] = LogdServer.start(new LogdConfig(HOST, logdPorts[i], logdId(i), authToken, 1,
                ProtocolLimits.frameLengthFor(MAX_ENTRY), log));
        }
    }

    /**
     * Stops a logd cleanly (SIGTERM for a child JVM).
     */
    void stopLogd(final int i) throws InterruptedException
    {
        if (logdsAsProcesses)
        {
            logdProcesses[i].stop();
            logdProcesses[i] = null;
        }
        else
        {
            logds[i].close();
            logds[i] = null;
        }
    }

    /**
     * SIGKILLs a logd's JVM.
     */
    void killLogd(final int i) throws InterruptedException
    {
        if (!logdsAsProcesses)
        {
            throw new IllegalStateException("logds run in this JVM; start the cluster with logdsAsProcesses");
        }
        logdProcesses[i].kill();
        logdProcesses[i] = null;
    }

    private void startMapd(final int i) throws Exception
    {
        final List<InetSocketAddress> peers = new ArrayList<>();
        for (int p = 0; p < mapdPorts.length; p++)
        {
            if (p != i)
            {
                peers.add(new InetSocketAddress(HOST, mapdPorts[p]));
            }
        }
        mapds[i] = MapdServer.start(new MapdConfig(HOST, mapdPorts[i], root.resolve("mapd" + i),
            FIRST_MAPD_ID + i, logdAddresses(), RF, MAX_VALUE, authToken, 5_000, 0, 0, peers, 1_000, 100, 1 << 16));
    }

    List<InetSocketAddress> logdAddresses()
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : logdPorts)
        {
            addresses.add(InetSocketAddress.createUnresolved(HOST, port));
        }
        return addresses;
    }

    List<InetSocketAddress> mapdAddresses()
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : mapdPorts)
        {
            addresses.add(InetSocketAddress.createUnresolved(HOST, port));
        }
        return addresses;
    }

    /**
     * @return "host:port,host:port" of every mapd, for a mond command line.
     */
    String mapdList()
    {
        return list(mapdPorts);
    }

    String logdList()
    {
        return list(logdPorts);
    }

    private static String list(final int[] ports)
    {
        final StringBuilder text = new StringBuilder();
        for (final int port : ports)
        {
            text.append(text.length() == 0 ? "" : ",").append(HOST).append(':').append(port);
        }
        return text.toString();
    }

    /**
     * @return the port of every logd by node id, except those listed.
     */
    Map<Integer, Integer> logdPortsById(final int... except)
    {
        final Map<Integer, Integer> ports = new LinkedHashMap<>();
        outer:
        for (int i = 0; i < logdPorts.length; i++)
        {
            for (final int skipped : except)
            {
                if (skipped == i)
                {
                    continue outer;
                }
            }
            ports.put(logdId(i), logdPorts[i]);
        }
        return ports;
    }

    /**
     * @return the in-process logd {@code i}, or null (stopped, or running as a child JVM).
     */
    LogdServer logd(final int i)
    {
        return logds[i];
    }

    MondConfig mondConfig()
    {
        // The tests watch the scrub find what they broke at any time: it walks without resting.
        return MondConfig.defaults(mapdAddresses(), logdAddresses()).withScrubPassMinMs(0);
    }

    @Override
    public void close() throws InterruptedException
    {
        for (int i = 0; i < mapds.length; i++)
        {
            if (mapds[i] != null)
            {
                mapds[i].close();
                mapds[i] = null;
            }
        }
        for (int i = 0; i < logds.length; i++)
        {
            if (logds[i] != null)
            {
                logds[i].close();
                logds[i] = null;
            }
            if (logdProcesses[i] != null)
            {
                logdProcesses[i].close();
                logdProcesses[i] = null;
            }
        }
    }
}
