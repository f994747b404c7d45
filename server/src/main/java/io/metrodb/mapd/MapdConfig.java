package io.metrodb.mapd;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.ServerLimits;
import io.metrodb.server.DaemonOptions;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of one mapd process, a context builder like {@link io.metrodb.log.LogConfig}: every setting starts at
 * its default (the {@code DEFAULT_*} constants), set what differs with the fluent setters, then {@link #conclude()}
 * once, which checks every value and names each bad one. {@link MapdServer#start} concludes it too.
 */
public final class MapdConfig
{
    public static final String DEFAULT_HOST = DaemonOptions.DEFAULT_HOST;
    public static final int DEFAULT_PORT = 7550;
    public static final int DEFAULT_RF = 2;
    public static final int MAX_RF = 7;
    public static final int DEFAULT_MAX_VALUE_LENGTH = ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    /**
     * A logd that comes back is reconnected within {@code PeerConnection.MAX_BACKOFF_MS} (plus jitter and a
     * handshake): a write short of logds waits that long with room to spare, and well within a client's 5 s timeout.
     */
    public static final long DEFAULT_LOGD_WAIT_MS = 2_000;
    /** {@code --append-timeout-ms}: below the SDK's 5 s request timeout, so a write moved once still answers in it. */
    public static final long DEFAULT_APPEND_TIMEOUT_MS = 1_500;
    public static final long DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;
    /** One journal segment: about 800,000 SETs of 10-byte keys at RF 2 (84 B of journal each, measured). */
    public static final long DEFAULT_SNAPSHOT_JOURNAL_BYTES = 64L << 20;
    public static final long DEFAULT_PEER_TIMEOUT_MS = 1_000;
    public static final long DEFAULT_SYNC_INTERVAL_MS = 500;
    public static final int DEFAULT_BACKLOG = 1 << 20;
    public static final boolean DEFAULT_LOCAL_READS = true;

    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private Path dir;
    private int nodeId;
    private List<InetSocketAddress> logds = List.of();
    private int rf = DEFAULT_RF;
    private int maxValueLength = DEFAULT_MAX_VALUE_LENGTH;
    private String authToken;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private long logdWaitMs = DEFAULT_LOGD_WAIT_MS;
    private long appendTimeoutMs = DEFAULT_APPEND_TIMEOUT_MS;
    private long snapshotIntervalMs = DEFAULT_SNAPSHOT_INTERVAL_MS;
    private long snapshotJournalBytes = DEFAULT_SNAPSHOT_JOURNAL_BYTES;
    private long expectedKeys;
    private List<InetSocketAddress> peers = List.of();
    private long peerTimeoutMs = DEFAULT_PEER_TIMEOUT_MS;
    private long syncIntervalMs = DEFAULT_SYNC_INTERVAL_MS;
    private int backlog = DEFAULT_BACKLOG;
    private boolean localReads = DEFAULT_LOCAL_READS;
    private ServerLimits limits = ServerLimits.DEFAULTS;

    /**
     * Every setting at its default; {@code dir}, {@code nodeId} and {@code logds} have none and must be set.
     */
    public MapdConfig()
    {
    }

    /**
     * A concluded mapd with these settings.
     *
     * @param localReads read replicas on same-host logds from their segment files (verified first), else only
     *                   over the network.
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
        final int backlog,
        final boolean localReads)
    {
        host(host).port(port).dir(dir).nodeId(nodeId).logds(logds).rf(rf).maxValueLength(maxValueLength)
            .authToken(authToken).requestTimeoutMs(requestTimeoutMs).snapshotIntervalMs(snapshotIntervalMs)
            .expectedKeys(expectedKeys).peers(peers).peerTimeoutMs(peerTimeoutMs).syncIntervalMs(syncIntervalMs)
            .backlog(backlog).localReads(localReads).conclude();
    }

    /**
     * A concluded mapd with the default local-read setting.
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
     * A concluded mapd without peers and with default replication settings (tests, single-mapd setups).
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

    private MapdConfig copy()
    {
        return new MapdConfig(host, port, dir, nodeId, logds, rf, maxValueLength, authToken, requestTimeoutMs,
            snapshotIntervalMs, expectedKeys, peers, peerTimeoutMs, syncIntervalMs, backlog, localReads).limits(limits)
            .logdWaitMs(logdWaitMs).appendTimeoutMs(appendTimeoutMs).snapshotJournalBytes(snapshotJournalBytes);
    }

    /**
     * Checks every value, reporting all problems at once, and freezes the address lists.
     *
     * @return this.
     * @throws IllegalArgumentException naming each bad value by its command-line option.
     */
    public MapdConfig conclude()
    {
        MapdConfigCheck.check(this);
        logds = List.copyOf(logds);
        peers = List.copyOf(peers == null ? List.of() : peers);
        return this;
    }

    /**
     * @param host address to bind.
     * @return this.
     */
    public MapdConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    public String host()
    {
        return host;
    }

    /**
     * @param port port to bind, 0 for an ephemeral one.
     * @return this.
     */
    public MapdConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param dir data directory (journal, snapshot, node.id).
     * @return this.
     */
    public MapdConfig dir(final Path dir)
    {
        this.dir = dir;
        return this;
    }

    public Path dir()
    {
        return dir;
    }

    /**
     * @param nodeId this mapd's id, 1..65535 (the version tie-break).
     * @return this.
     */
    public MapdConfig nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @param logds every logd to write to.
     * @return this.
     */
    public MapdConfig logds(final List<InetSocketAddress> logds)
    {
        this.logds = logds;
        return this;
    }

    public List<InetSocketAddress> logds()
    {
        return logds;
    }

    /**
     * @param rf replicas per value, 1..{@value #MAX_RF}.
     * @return this.
     */
    public MapdConfig rf(final int rf)
    {
        this.rf = rf;
        return this;
    }

    public int rf()
    {
        return rf;
    }

    /**
     * @param maxValueLength largest value accepted.
     * @return this.
     */
    public MapdConfig maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * @param authToken token HELLO must carry (also sent to logds), or null.
     * @return this.
     */
    public MapdConfig authToken(final String authToken)
    {
        this.authToken = authToken;
        return this;
    }

    public String authToken()
    {
        return authToken;
    }

    /**
     * @param requestTimeoutMs how long an APPEND or READ to a logd may take.
     * @return this.
     */
    public MapdConfig requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param logdWaitMs how long a write that finds fewer than RF connected logds waits for one to (re)connect
     *                   before it fails with NOT_ENOUGH_REPLICAS; 0 fails it at once.
     * @return this.
     */
    public MapdConfig logdWaitMs(final long logdWaitMs)
    {
        this.logdWaitMs = logdWaitMs;
        return this;
    }

    public long logdWaitMs()
    {
        return logdWaitMs;
    }

    /**
     * @param appendTimeoutMs how long a write's APPEND to a logd may wait for its first answer before the write
     *                        tries another logd (a silent logd, e.g. behind a link cut without a FIN); capped by the
     *                        request timeout.
     * @return this.
     */
    public MapdConfig appendTimeoutMs(final long appendTimeoutMs)
    {
        this.appendTimeoutMs = appendTimeoutMs;
        return this;
    }

    public long appendTimeoutMs()
    {
        return appendTimeoutMs;
    }

    /**
     * @param snapshotIntervalMs how often the grid is snapshotted; 0 for only at a clean stop.
     * @return this.
     */
    public MapdConfig snapshotIntervalMs(final long snapshotIntervalMs)
    {
        this.snapshotIntervalMs = snapshotIntervalMs;
        return this;
    }

    public long snapshotIntervalMs()
    {
        return snapshotIntervalMs;
    }

    /**
     * @param snapshotJournalBytes a snapshot is also written once the journal has grown by this many bytes since
     *                             the last one, so a restart replays at most about this much; 0 for no such
     *                             trigger (time and a clean stop only).
     * @return this.
     */
    public MapdConfig snapshotJournalBytes(final long snapshotJournalBytes)
    {
        this.snapshotJournalBytes = snapshotJournalBytes;
        return this;
    }

    public long snapshotJournalBytes()
    {
        return snapshotJournalBytes;
    }

    /**
     * @param expectedKeys grid capacity to reserve up front (avoids resizes).
     * @return this.
     */
    public MapdConfig expectedKeys(final long expectedKeys)
    {
        this.expectedKeys = expectedKeys;
        return this;
    }

    public long expectedKeys()
    {
        return expectedKeys;
    }

    /**
     * @param peers the other mapds serving the same keyspace (may be empty).
     * @return this.
     */
    public MapdConfig peers(final List<InetSocketAddress> peers)
    {
        this.peers = peers;
        return this;
    }

    public List<InetSocketAddress> peers()
    {
        return peers;
    }

    /**
     * @param peerTimeoutMs how long a peer may take to acknowledge a change (SETSAFE waits at most this).
     * @return this.
     */
    public MapdConfig peerTimeoutMs(final long peerTimeoutMs)
    {
        this.peerTimeoutMs = peerTimeoutMs;
        return this;
    }

    public long peerTimeoutMs()
    {
        return peerTimeoutMs;
    }

    /**
     * @param syncIntervalMs how often each peer is asked for changes missed (anti-entropy).
     * @return this.
     */
    public MapdConfig syncIntervalMs(final long syncIntervalMs)
    {
        this.syncIntervalMs = syncIntervalMs;
        return this;
    }

    public long syncIntervalMs()
    {
        return syncIntervalMs;
    }

    /**
     * @param backlog own changes kept for peers' catch-up, a power of two.
     * @return this.
     */
    public MapdConfig backlog(final int backlog)
    {
        this.backlog = backlog;
        return this;
    }

    public int backlog()
    {
        return backlog;
    }

    /**
     * @param localReads read replicas on same-host logds from their segment files (verified first), else only
     *                   over the network.
     * @return this.
     */
    public MapdConfig localReads(final boolean localReads)
    {
        this.localReads = localReads;
        return this;
    }

    public boolean localReads()
    {
        return localReads;
    }

    /**
     * @return a concluded copy with these peers (this one unchanged).
     */
    public MapdConfig withPeers(final List<InetSocketAddress> newPeers)
    {
        return copy().peers(newPeers).conclude();
    }

    /**
     * @return a concluded copy with this backlog capacity (this one unchanged).
     */
    public MapdConfig withBacklog(final int newBacklog)
    {
        return copy().backlog(newBacklog).conclude();
    }

    /**
     * @return a concluded copy that reads same-host logds' segment files itself ({@code true}) or never does.
     */
    public MapdConfig withLocalReads(final boolean newLocalReads)
    {
        return copy().localReads(newLocalReads).conclude();
    }

    /**
     * @param limits the limits this daemon puts on its clients (handshake and frame timeouts, incomplete-frame
     *               budget, connection limit).
     * @return this.
     */
    public MapdConfig limits(final ServerLimits limits)
    {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        return this;
    }

    public ServerLimits limits()
    {
        return limits;
    }
}
