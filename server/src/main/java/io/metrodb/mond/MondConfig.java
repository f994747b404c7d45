package io.metrodb.mond;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of one mond process, validated once at start.
 *
 * @param host                address to bind.
 * @param port                port to bind, 0 for an ephemeral one.
 * @param nodeId              the node id mond announces in HELLO, 0..65535 (0: none; mond holds no data).
 * @param mapds               every mapd to watch, probe and push the view to.
 * @param logds               every logd to watch.
 * @param authToken           token HELLO must carry (also presented to the nodes), or null.
 * @param heartbeatIntervalMs how often every node gets a HEARTBEAT; one interval without an answer is a miss.
 * @param downAfter           consecutive misses that make a node DOWN (1 makes it SUSPECT).
 * @param probeKeysPerSec     keys sampled per second by PROBE RANDOM, over the UP mapds in turn; 0: none.
 * @param scrubKeysPerSec     keys walked per second by the scrub (PROBE SCAN of one mapd's whole grid); 0: none.
 * @param repairsPerSec       REPAIRs sent per second at most; also the key rate of the sweep after a logd loss.
 * @param repairGraceMs       how long a logd must be DOWN before its replicas are re-created elsewhere.
 * @param maxPendingRepairs   keys pending repair at most; more are dropped (and found again by the scrub).
 * @param requestTimeoutMs    how long a PROBE or REPAIR may take before it counts as failed.
 * @param scrubPassMinMs      a scrub pass that took less than this rests until it has passed since the pass began,
 *                            and the random probes with it (a cluster change ends the rest); 0: never rest.
 */
public record MondConfig(
    String host,
    int port,
    int nodeId,
    List<InetSocketAddress> mapds,
    List<InetSocketAddress> logds,
    String authToken,
    long heartbeatIntervalMs,
    int downAfter,
    int probeKeysPerSec,
    int scrubKeysPerSec,
    int repairsPerSec,
    long repairGraceMs,
    int maxPendingRepairs,
    long requestTimeoutMs,
    long scrubPassMinMs)
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7570;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 250;
    public static final int DEFAULT_DOWN_AFTER = 4;
    public static final int DEFAULT_PROBE_KEYS_PER_SEC = 200;
    public static final int DEFAULT_SCRUB_KEYS_PER_SEC = 1_000;
    public static final int DEFAULT_REPAIRS_PER_SEC = 500;
    public static final long DEFAULT_REPAIR_GRACE_MS = 30_000;
    public static final int DEFAULT_MAX_PENDING_REPAIRS = 100_000;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    /** Ten minutes: a grid the scrub walks faster than that (under 600,000 keys at the default rate) is checked
     * once per period instead of over and over, so an idle cluster with data idles; a larger one is unaffected. */
    public static final long DEFAULT_SCRUB_PASS_MIN_MS = 600_000;

    public static final long MIN_HEARTBEAT_INTERVAL_MS = 10;
    public static final long MAX_HEARTBEAT_INTERVAL_MS = 60_000;
    public static final int MAX_RATE = 1_000_000;
    /** Nodes in one view: the u16 node count, and what one frame of the view may hold comfortably. */
    public static final int MAX_NODES = 4096;

    public MondConfig
    {
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("--port must be in 0..65535, was " + port);
        }
        if (nodeId < 0 || nodeId > 0xFFFF)
        {
            throw new IllegalArgumentException("--node-id must be in 0..65535, was " + nodeId);
        }
        if (mapds.isEmpty() || logds.isEmpty())
        {
            throw new IllegalArgumentException("--mapds and --logds must each list at least one address");
        }
        if (mapds.size() + logds.size() > MAX_NODES)
        {
            throw new IllegalArgumentException("at most " + MAX_NODES + " nodes in --mapds and --logds together");
        }
        final Set<String> seen = new HashSet<>();
        for (final InetSocketAddress address : concat(mapds, logds))
        {
            if (!seen.add(address.getHostString() + ":" + address.getPort()))
            {
                throw new IllegalArgumentException(address.getHostString() + ":" + address.getPort() +
                    " is listed twice in --mapds/--logds");
            }
            if (address.getHostString().length() > 255)
            {
                throw new IllegalArgumentException("host names are at most 255 characters: " + address);
            }
        }
        if (heartbeatIntervalMs < MIN_HEARTBEAT_INTERVAL_MS || heartbeatIntervalMs > MAX_HEARTBEAT_INTERVAL_MS)
        {
            throw new IllegalArgumentException("--heartbeat-ms must be in " + MIN_HEARTBEAT_INTERVAL_MS + ".." +
                MAX_HEARTBEAT_INTERVAL_MS + ", was " + heartbeatIntervalMs);
        }
        if (downAfter < 1 || downAfter > 1000)
        {
            throw new IllegalArgumentException("--down-after must be in 1..1000, was " + downAfter);
        }
        if (probeKeysPerSec < 0 || probeKeysPerSec > MAX_RATE || scrubKeysPerSec < 0 || scrubKeysPerSec > MAX_RATE)
        {
            throw new IllegalArgumentException("--probe-keys-per-sec and --scrub-keys-per-sec must be in 0.." +
                MAX_RATE);
        }
        if (repairsPerSec < 1 || repairsPerSec > MAX_RATE)
        {
            throw new IllegalArgumentException("--repairs-per-sec must be in 1.." + MAX_RATE + ", was " +
                repairsPerSec);
        }
        if (repairGraceMs < 0)
        {
            throw new IllegalArgumentException("--repair-grace-ms must be >= 0, was " + repairGraceMs);
        }
        if (maxPendingRepairs < 1)
        {
            throw new IllegalArgumentException("--max-pending-repairs must be >= 1, was " + maxPendingRepairs);
        }
        if (requestTimeoutMs < 1)
        {
            throw new IllegalArgumentException("--request-timeout-ms must be >= 1, was " + requestTimeoutMs);
        }
        if (scrubPassMinMs < 0)
        {
            throw new IllegalArgumentException("--scrub-pass-min-ms must be >= 0, was " + scrubPassMinMs);
        }
        mapds = List.copyOf(mapds);
        logds = List.copyOf(logds);
    }

    private static List<InetSocketAddress> concat(final List<InetSocketAddress> a, final List<InetSocketAddress> b)
    {
        final List<InetSocketAddress> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * @return a config with every default, on an ephemeral port of 127.0.0.1 (tests).
     */
    public static MondConfig defaults(final List<InetSocketAddress> mapds, final List<InetSocketAddress> logds)
    {
        return new MondConfig(DEFAULT_HOST, 0, 0, mapds, logds, null, DEFAULT_HEARTBEAT_INTERVAL_MS,
            DEFAULT_DOWN_AFTER, DEFAULT_PROBE_KEYS_PER_SEC, DEFAULT_SCRUB_KEYS_PER_SEC, DEFAULT_REPAIRS_PER_SEC,
            DEFAULT_REPAIR_GRACE_MS, DEFAULT_MAX_PENDING_REPAIRS, DEFAULT_REQUEST_TIMEOUT_MS,
            DEFAULT_SCRUB_PASS_MIN_MS);
    }

    public MondConfig withPort(final int newPort)
    {
        return new MondConfig(host, newPort, nodeId, mapds, logds, authToken, heartbeatIntervalMs, downAfter,
            probeKeysPerSec, scrubKeysPerSec, repairsPerSec, repairGraceMs, maxPendingRepairs, requestTimeoutMs,
            scrubPassMinMs);
    }

    public MondConfig withRepairGraceMs(final long newGraceMs)
    {
        return new MondConfig(host, port, nodeId, mapds, logds, authToken, heartbeatIntervalMs, downAfter,
            probeKeysPerSec, scrubKeysPerSec, repairsPerSec, newGraceMs, maxPendingRepairs, requestTimeoutMs,
            scrubPassMinMs);
    }

    public MondConfig withRates(final int newProbeKeysPerSec, final int newScrubKeysPerSec, final int newRepairsPerSec)
    {
        return new MondConfig(host, port, nodeId, mapds, logds, authToken, heartbeatIntervalMs, downAfter,
            newProbeKeysPerSec, newScrubKeysPerSec, newRepairsPerSec, repairGraceMs, maxPendingRepairs,
            requestTimeoutMs, scrubPassMinMs);
    }

    public MondConfig withScrubPassMinMs(final long newScrubPassMinMs)
    {
        return new MondConfig(host, port, nodeId, mapds, logds, authToken, heartbeatIntervalMs, downAfter,
            probeKeysPerSec, scrubKeysPerSec, repairsPerSec, repairGraceMs, maxPendingRepairs, requestTimeoutMs,
            newScrubPassMinMs);
    }

    /**
     * @return the worst-case time from a node's last answer to DOWN: {@code (downAfter + 1)} intervals.
     */
    public long maxDownDetectionMs()
    {
        return (downAfter + 1) * heartbeatIntervalMs;
    }
}
