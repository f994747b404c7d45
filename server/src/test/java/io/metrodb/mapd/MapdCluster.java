package io.metrodb.mapd;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.log.RecordHeader;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.mapd.ValueRecord;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real logds (and mapds) on loopback with real files, for integration tests.
 */
final class MapdCluster implements AutoCloseable
{
    static final String HOST = "127.0.0.1";
    static final int SEGMENT_LENGTH = 4 << 20;
    static final int MAX_VALUE = 1 << 20;

    private final Path root;
    final LogdServer[] logds;
    final int[] logdPorts;
    MapdServer mapd;

    MapdCluster(final Path root, final int logdCount) throws Exception
    {
        this.root = root;
        logds = new LogdServer[logdCount];
        logdPorts = new int[logdCount];
        for (int i = 0; i < logdCount; i++)
        {
            logds[i] = startLogd(i, 0);
            logdPorts[i] = logds[i].port();
        }
    }

    LogdServer startLogd(final int i, final int port) throws Exception
    {
        final int maxEntry = MAX_VALUE + ProtocolLimits.MAX_KEY_LENGTH + 64;
        final LogConfig log = new LogConfig()
            .directory(root.resolve("logd" + i))
            .segmentLength(SEGMENT_LENGTH)
            .maxEntryLength(maxEntry)
            .validate();
        return LogdServer.start(new LogdConfig(HOST, port, 100 + i, null, 1,
            ProtocolLimits.frameLengthFor(maxEntry), log));
    }

    void stopLogd(final int i)
    {
        logds[i].close();
        logds[i] = null;
    }

    void restartLogd(final int i) throws Exception
    {
        logds[i] = startLogd(i, logdPorts[i]);
    }

    LogdServer logdByNodeId(final int nodeId)
    {
        return logds[nodeId - 100];
    }

    Path logdDir(final int nodeId)
    {
        return root.resolve("logd" + (nodeId - 100));
    }

    /**
     * Flips the last byte of a value record's payload (the value's last byte; the key's for an empty value) in
     * the logd's segment file; the logd maps the same file, so its next READ of the record sees the flip.
     */
    void flipRecordByte(final int logdId, final long offset, final int keyLength, final int valueLength)
        throws IOException
    {
        final long segment = offset / SEGMENT_LENGTH;
        final long position = offset % SEGMENT_LENGTH;
        final Path file = logdDir(logdId).resolve(String.format("%010d.seg", segment));
        try (FileChannel channel = FileChannel.open(file,
            StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long at = position + RecordHeader.HEADER_LENGTH +
                ValueRecord.HEADER_LENGTH + keyLength + valueLength - 1;
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            channel.write(ByteBuffer.wrap(new byte[] {(byte)(one.get(0) ^ 0x40)}), at);
        }
    }

    MapdConfig mapdConfig(final String dirName, final int nodeId, final int rf)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : logdPorts)
        {
            addresses.add(new InetSocketAddress(HOST, port));
        }
        return new MapdConfig(HOST, 0, root.resolve(dirName), nodeId, addresses, rf, MAX_VALUE, null, 5_000, 0, 0);
    }

    /**
     * A mapd config on a fixed port with peers (for replication tests, whose peers need known ports).
     */
    MapdConfig peerConfig(final String dirName, final int nodeId, final int port, final List<Integer> peerPorts,
        final int backlog)
    {
        final List<InetSocketAddress> peers = new ArrayList<>();
        for (final int peerPort : peerPorts)
        {
            peers.add(new InetSocketAddress(HOST, peerPort));
        }
        final MapdConfig base = mapdConfig(dirName, nodeId, 2);
        return new MapdConfig(HOST, port, base.dir(), nodeId, base.logds(), 2, MAX_VALUE, null, 5_000, 0, 0, peers,
            1_000, 100, backlog);
    }

    static int freePort() throws IOException
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(HOST)))
        {
            return socket.getLocalPort();
        }
    }

    MapdServer startMapd(final int rf) throws Exception
    {
        return startMapd(mapdConfig("mapd", 1, rf), false);
    }

    MapdServer startMapd(final MapdConfig config, final boolean rebuild) throws Exception
    {
        mapd = MapdServer.start(config, rebuild);
        mapd.whenLogdsHealthy(Math.min(logds.length, liveLogds())).get(10, TimeUnit.SECONDS);
        return mapd;
    }

    private int liveLogds()
    {
        int live = 0;
        for (final LogdServer logd : logds)
        {
            live += logd != null ? 1 : 0;
        }
        return live;
    }

    @Override
    public void close()
    {
        if (mapd != null)
        {
            mapd.close();
        }
        for (final LogdServer logd : logds)
        {
            if (logd != null)
            {
                logd.close();
            }
        }
    }
}
