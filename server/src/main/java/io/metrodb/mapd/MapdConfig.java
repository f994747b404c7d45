package io.metrodb.mapd;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of one mapd process.
 *
 * @param host               address to bind.
 * @param port               port to bind, 0 for an ephemeral one.
 * @param dir                data directory (journal, snapshot, node.id).
 * @param nodeId             this mapd's id, 1..65535 (the version tie-break).
 * @param logds              every logd to write to.
 * @param rf                 replicas per value.
 * @param maxValueLength     largest value accepted.
 * @param authToken          token HELLO must carry (also sent to logds), or null.
 * @param requestTimeoutMs   how long an APPEND or READ to a logd may take.
 * @param snapshotIntervalMs how often the grid is snapshotted; 0 for only at a clean stop.
 * @param expectedKeys       grid capacity to reserve up front (avoids resizes).
 * @param peers              the other mapds serving the same keyspace (may be empty).
 * @param peerTimeoutMs      how long a peer may take to acknowledge a change (SETSAFE waits at most this).
 * @param syncIntervalMs     how often each peer is asked for changes missed (anti-entropy).
 * @param backlog            own changes kept for peers' catch-up, a power of two.
 * @param localReads         read replicas on same-host logds from their segment files (verified first), else
 *                           only over the network.
 */
public record MapdConfig(
    String host,
    int port,
    Path dir,
    int nodeId,
    List<InetSocketAddress> logds,
    int rf,
    int maxValueLength,
    String authToken,
    long requestTimeoutMs,
    long snapshotIntervalMs,
    long expectedKeys,
    List<InetSocketAddress> peers,
    long peerTimeoutMs,
    long syncIntervalMs,
    int backlog,
    boolean localReads)
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7550;
    public static final int DEFAULT_RF = 2;
    public static final int MAX_RF = 7;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;
    public static final long DEFAULT_PEER_TIMEOUT_MS = 1_000;
    public static final long DEFAULT_SYNC_INTERVAL_MS = 500;
    public static final int DEFAULT_BACKLOG = 1 << 20;
    public static final boolean DEFAULT_LOCAL_READS = true;

    public MapdConfig
    {
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("--port must be in 0..65535, was " + port);
        }
        if (nodeId < 1 || nodeId > 0xFFFF)
        {
            throw new IllegalArgumentException("node id must be in 1..65535, was " + nodeId);
        }
        if (rf < 1 || rf > MAX_RF)
        {
            throw new IllegalArgumentException("--rf must be in 1.." + MAX_RF + ", was " + rf);
        }
        if (logds.size() < rf)
        {
            throw new IllegalArgumentException("--rf " + rf + " needs at least " + rf + " logds in --logds, got " +
                logds.size());
        }
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("--max-value must be >= 0");
        }
        if (requestTimeoutMs < 1)
        {
            throw new IllegalArgumentException("--request-timeout-ms must be >= 1");
        }
        if (snapshotIntervalMs < 0)
        {
            throw new IllegalArgumentException("--snapshot-interval-ms must be >= 0");
        }
        if (peerTimeoutMs < 1 || syncIntervalMs < 1)
        {
            throw new IllegalArgumentException("--peer-timeout-ms and --sync-interval-ms must be >= 1");
        }
        if (backlog < 1 || Integer.bitCount(backlog) != 1)
        {
            throw new IllegalArgumentException("--backlog must be a power of two, was " + backlog);
        }
        logds = List.copyOf(logds);
        peers = List.copyOf(peers);
    }

    /**
     * A mapd with the default local-read setting.
     */
    public MapdConfig(
        final String host,
        final int port,
        final Path dir,
        final int nodeId,
        final List<InetSocketAddress> logds,
        final int rf,
        final int maxValueLength,
        final String authToken,
        final long requestTimeoutMs,
        final long snapshotIntervalMs,
        final long expectedKeys,
        final List<InetSocketAddress> peers,
        final long peerTimeoutMs,
        final long syncIntervalMs,
        final int backlog)
    {
        this(host, port, dir, nodeId, logds, rf, maxValueLength, authToken, requestTimeoutMs, snapshotIntervalMs,
            expectedKeys, peers, peerTimeoutMs, syncIntervalMs, backlog, DEFAULT_LOCAL_READS);
    }

    /**
     * A mapd without peers and with default replication settings (tests, single-mapd setups).
     */
    public MapdConfig(
        final String host,
        final int port,
        final Path dir,
        final int nodeId,
        final List<InetSocketAddress> logds,
        final int rf,
        final int maxValueLength,
        final String authToken,
        final long requestTimeoutMs,
        final long snapshotIntervalMs,
        final long expectedKeys)
    {
        this(host, port, dir, nodeId, logds, rf, maxValueLength, authToken, requestTimeoutMs, snapshotIntervalMs,
            expectedKeys, List.of(), DEFAULT_PEER_TIMEOUT_MS, DEFAULT_SYNC_INTERVAL_MS, DEFAULT_BACKLOG);
    }

    /**
     * @return a copy with these peers.
     */
    public MapdConfig withPeers(final List<InetSocketAddress> newPeers)
    {
        return new MapdConfig(host, port, dir, nodeId, logds, rf, maxValueLength, authToken, requestTimeoutMs,
            snapshotIntervalMs, expectedKeys, newPeers, peerTimeoutMs, syncIntervalMs, backlog, localReads);
    }

    /**
     * @return a copy with this backlog capacity.
     */
    public MapdConfig withBacklog(final int newBacklog)
    {
        return new MapdConfig(host, port, dir, nodeId, logds, rf, maxValueLength, authToken, requestTimeoutMs,
            snapshotIntervalMs, expectedKeys, peers, peerTimeoutMs, syncIntervalMs, newBacklog, localReads);
    }

    /**
     * @return a copy that reads same-host logds' segment files itself ({@code true}) or never does.
     */
    public MapdConfig withLocalReads(final boolean newLocalReads)
    {
        return new MapdConfig(host, port, dir, nodeId, logds, rf, maxValueLength, authToken, requestTimeoutMs,
            snapshotIntervalMs, expectedKeys, peers, peerTimeoutMs, syncIntervalMs, backlog, newLocalReads);
    }
}
