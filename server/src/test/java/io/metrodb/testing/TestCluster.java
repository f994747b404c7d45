package io.metrodb.testing;

import io.metrodb.log.LogConfig;
import io.metrodb.log.RecordHeader;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.mond.MondConfig;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.mapd.ValueRecord;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster on loopback for integration tests, with real files under the test's directory: logds (in this JVM, or
 * each in a JVM of its own so a test can SIGKILL one) and peer mapds in this JVM. Servers bind port 0 where they can;
 * peer mapds, which must know each other's ports before they start, get ports picked up front and the whole start
 * is retried on a bind failure ({@link Ports#retryOnBindFailure}). A test may also start its own mapd with
 * {@link #mapdConfig} or {@link #peerConfig} and {@link #startMapd(MapdConfig, boolean)}.
 */
public final class TestCluster implements AutoCloseable
{
    public static final String HOST = Ports.HOST;
    public static final int SEGMENT_LENGTH = 4 << 20;
    public static final int MAX_VALUE = 1 << 20;
    public static final int MAX_ENTRY = MAX_VALUE + ProtocolLimits.MAX_KEY_LENGTH + 64;
    public static final int FIRST_LOGD_ID = 100;
    /** The first peer mapd's node id unless the builder says otherwise. */
    public static final int FIRST_MAPD_ID = 11;
    /** The peer mapds' replication factor unless the builder says otherwise. */
    public static final int DEFAULT_RF = 2;

    private final TestClusterBuilder config;
    private final Path root;
    private final LogdServer[] logds;
    private final DaemonProcess[] logdProcesses;
    private final int[] logdPorts;
    private final MapdServer[] mapds;
    private final int[] mapdPorts;
    private MapdServer mapd;

    TestCluster(final TestClusterBuilder config) throws IOException
    {
        this.config = config;
        this.root = config.root;
        this.logds = new LogdServer[config.logdCount];
        this.logdProcesses = new DaemonProcess[config.logdCount];
        this.logdPorts = new int[config.logdCount];
        this.mapds = new MapdServer[config.mapdCount];
        this.mapdPorts = config.mapdCount > 0 ? Ports.unused(config.mapdCount) : new int[0];
    }

    public static TestClusterBuilder builder(final Path root)
    {
        return new TestClusterBuilder(root);
    }

    void startAll() throws Exception
    {
        for (int i = 0; i < logds.length; i++)
        {
            startLogd(i);
        }
        for (int i = 0; i < mapds.length; i++)
        {
            mapds[i] = MapdServer.start(new MapdConfig(HOST, mapdPorts[i], root.resolve("mapd" + i),
                config.firstMapdId + i, unresolved(logdPorts), config.rf, MAX_VALUE, config.authToken,
                config.requestTimeoutMs, 0, 0, peersOf(i), config.peerTimeoutMs, 100, 1 << 16));
        }
        for (final MapdServer peer : mapds)
        {
            peer.whenLogdsHealthy(logds.length).get(30, TimeUnit.SECONDS);
        }
        if (config.awaitPeers)
        {
            Await.until("every mapd sees its peers", 30_000, () ->
            {
                for (final MapdServer peer : mapds)
                {
                    if (peer.livePeers() < mapds.length - 1)
                    {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    private List<InetSocketAddress> peersOf(final int i)
    {
        final List<InetSocketAddress> peers = new ArrayList<>();
        for (int p = 0; p < mapdPorts.length; p++)
        {
            if (p != i)
            {
                peers.add(new InetSocketAddress(HOST, mapdPorts[p]));
            }
        }
        return peers;
    }

    public static int logdId(final int i)
    {
        return FIRST_LOGD_ID + i;
    }

    public Path root()
    {
        return root;
    }

    public Path logdDir(final int i)
    {
        return root.resolve("logd" + i);
    }

    public int logdCount()
    {
        return logds.length;
    }

    /**
     * @return every logd's port (a copy), by index.
     */
    public int[] logdPorts()
    {
        return logdPorts.clone();
    }

    /**
     * Starts logd {@code i}: on a port of its choosing the first time, on the one it had before after that.
     */
    public void startLogd(final int i) throws Exception
    {
        if (config.logdsAsProcesses)
        {
            logdProcesses[i] = DaemonProcess.start("logd" + i, root.resolve("logs"), "logd",
                "--dir", logdDir(i).toString(), "--host", HOST, "--port", Integer.toString(logdPorts[i]),
                "--node-id", Integer.toString(logdId(i)), "--segment-size", Integer.toString(SEGMENT_LENGTH),
                "--max-entry", Integer.toString(MAX_ENTRY), "--io-threads", "1");
            logdPorts[i] = logdProcesses[i].port();
        }
        else
        {
            startLogd(i, "logd" + i, logdId(i));
        }
    }

    /**
     * Starts an in-process logd in slot {@code i} (stopped before) on the slot's port, with another directory or
     * node id: as if another store came up where logd {@code i} was.
     */
    public void startLogd(final int i, final String dirName, final int nodeId) throws Exception
    {
        final LogConfig log = new LogConfig()
            .directory(root.resolve(dirName))
            .segmentLength(SEGMENT_LENGTH)
            .maxEntryLength(MAX_ENTRY)
            .validate();
        logds[i] = LogdServer.start(new LogdConfig(HOST, logdPorts[i], nodeId, config.authToken, 1,
            ProtocolLimits.frameLengthFor(MAX_ENTRY), log));
        logdPorts[i] = logds[i].port();
    }

    /**
     * Stops logd {@code i} cleanly (SIGTERM for a child JVM).
     */
    public void stopLogd(final int i) throws InterruptedException
    {
        if (logdProcesses[i] != null)
        {
            logdProcesses[i].stop();
            logdProcesses[i] = null;
        }
        if (logds[i] != null)
        {
            logds[i].close();
            logds[i] = null;
        }
    }

    /**
     * SIGKILLs logd {@code i}'s JVM.
     */
    public void killLogd(final int i) throws InterruptedException
    {
        if (!config.logdsAsProcesses)
        {
            throw new IllegalStateException("logds run in this JVM; build the cluster with logdsAsProcesses");
        }
        logdProcesses[i].kill();
        logdProcesses[i] = null;
    }

    /**
     * @return the in-process logd {@code i}, or null (stopped, or running as a child JVM).
     */
    public LogdServer logd(final int i)
    {
        return logds[i];
    }

    /**
     * @return the in-process logds by index (a copy; null where stopped).
     */
    public LogdServer[] logds()
    {
        return logds.clone();
    }

    public LogdServer logdByNodeId(final int nodeId)
    {
        return logds[nodeId - FIRST_LOGD_ID];
    }

    public List<InetSocketAddress> logdAddresses()
    {
        return addresses(logdPorts);
    }

    public List<InetSocketAddress> mapdAddresses()
    {
        return addresses(mapdPorts);
    }

    /**
     * @return every peer mapd's port (a copy), by index.
     */
    public int[] mapdPorts()
    {
        return mapdPorts.clone();
    }

    /**
     * @return the peer mapd {@code i}, or null once stopped.
     */
    public MapdServer mapd(final int i)
    {
        return mapds[i];
    }

    /**
     * Stops peer mapd {@code i}.
     */
    public void stopMapd(final int i)
    {
        mapds[i].close();
        mapds[i] = null;
    }

    /**
     * @return "host:port,host:port" of every logd, for a command line.
     */
    public String logdList()
    {
        return list(logdPorts);
    }

    public String mapdList()
    {
        return list(mapdPorts);
    }

    /**
     * @return the port of every logd by node id, except those listed (by index).
     */
    public Map<Integer, Integer> logdPortsById(final int... except)
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
     * @return mond's configuration for this cluster; its scrub walks without resting, so a test sees it find what
     * it broke at any time.
     */
    public MondConfig mondConfig()
    {
        return MondConfig.defaults(unresolved(mapdPorts), unresolved(logdPorts)).withScrubPassMinMs(0);
    }

    /**
     * @return a lone mapd's configuration on a port of its choosing, over every logd.
     */
    public MapdConfig mapdConfig(final String dirName, final int nodeId, final int rf)
    {
        return new MapdConfig(HOST, 0, root.resolve(dirName), nodeId, addresses(logdPorts), rf, MAX_VALUE,
            config.authToken, 5_000, 0, 0);
    }

    /**
     * @return a mapd's configuration on a fixed port with peers (RF 2).
     */
    public MapdConfig peerConfig(final String dirName, final int nodeId, final int port, final List<Integer> peerPorts,
        final int backlog)
    {
        final List<InetSocketAddress> peers = new ArrayList<>();
        for (final int peerPort : peerPorts)
        {
            peers.add(new InetSocketAddress(HOST, peerPort));
        }
        return new MapdConfig(HOST, port, root.resolve(dirName), nodeId, addresses(logdPorts), 2, MAX_VALUE,
            config.authToken, 5_000, 0, 0, peers, 1_000, 100, backlog);
    }

    /**
     * Starts the test's own mapd ({@code mapd}, node 1) and waits until it is connected to the live logds.
     */
    public MapdServer startMapd(final int rf) throws Exception
    {
        return startMapd(mapdConfig("mapd", 1, rf), false);
    }

    public MapdServer startMapd(final MapdConfig mapdConfig, final boolean rebuild) throws Exception
    {
        mapd = MapdServer.start(mapdConfig, rebuild);
        int live = 0;
        for (int i = 0; i < logds.length; i++)
        {
            live += logds[i] != null || logdProcesses[i] != null ? 1 : 0;
        }
        mapd.whenLogdsHealthy(live).get(10, TimeUnit.SECONDS);
        return mapd;
    }

    /**
     * @return the mapd from the last {@link #startMapd}, or null.
     */
    public MapdServer mapd()
    {
        return mapd;
    }

    /**
     * From now on the test closes the mapd from the last {@link #startMapd} itself (or already did).
     */
    public void forgetMapd()
    {
        mapd = null;
    }

    /**
     * Flips the last byte of a value record's payload (the value's last byte; the key's for an empty value) in
     * logd {@code logdId}'s segment file; the logd maps the same file, so its next READ of the record sees the flip.
     */
    public void flipRecordByte(final int logdId, final long offset, final int keyLength, final int valueLength)
        throws IOException
    {
        final Path file = logdDir(logdId - FIRST_LOGD_ID)
            .resolve(String.format("%010d.seg", offset / SEGMENT_LENGTH));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long at = offset % SEGMENT_LENGTH + RecordHeader.HEADER_LENGTH +
                ValueRecord.HEADER_LENGTH + keyLength + valueLength - 1;
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            channel.write(ByteBuffer.wrap(new byte[] {(byte)(one.get(0) ^ 0x40)}), at);
        }
    }

    private static List<InetSocketAddress> addresses(final int[] ports)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : ports)
        {
            addresses.add(new InetSocketAddress(HOST, port));
        }
        return addresses;
    }

    /**
     * @return the addresses unresolved, as a command line gives them (mond's configuration, the peer mapds' logds).
     */
    private static List<InetSocketAddress> unresolved(final int[] ports)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : ports)
        {
            addresses.add(InetSocketAddress.createUnresolved(HOST, port));
        }
        return addresses;
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
     * Stops every mapd, then every logd (killing child JVMs).
     */
    @Override
    public void close()
    {
        if (mapd != null)
        {
            mapd.close();
            mapd = null;
        }
        for (int i = 0; i < mapds.length; i++)
        {
            if (mapds[i] != null)
            {
                mapds[i].close();
                mapds[i] = null;
            }
        }
        try
        {
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
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing a logd's JVM", e);
        }
    }
}
