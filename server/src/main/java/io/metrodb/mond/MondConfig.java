package io.metrodb.mond;

import io.metrodb.server.DaemonOptions;

import io.metrodb.protocol.netty.ServerLimits;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of one mond process, a context builder like {@link io.metrodb.log.LogConfig}: every setting starts at
 * its default (the {@code DEFAULT_*} constants), set what differs with the fluent setters, then {@link #conclude()}
 * once, which checks every value and names each bad one. {@link MondServer#start} concludes it too.
 */
public final class MondConfig
{
    public static final String DEFAULT_HOST = DaemonOptions.DEFAULT_HOST;
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

    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int nodeId;
    private List<InetSocketAddress> mapds = List.of();
    private List<InetSocketAddress> logds = List.of();
    private String authToken;
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private int downAfter = DEFAULT_DOWN_AFTER;
    private int probeKeysPerSec = DEFAULT_PROBE_KEYS_PER_SEC;
    private int scrubKeysPerSec = DEFAULT_SCRUB_KEYS_PER_SEC;
    private int repairsPerSec = DEFAULT_REPAIRS_PER_SEC;
    private long repairGraceMs = DEFAULT_REPAIR_GRACE_MS;
    private int maxPendingRepairs = DEFAULT_MAX_PENDING_REPAIRS;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private long scrubPassMinMs = DEFAULT_SCRUB_PASS_MIN_MS;
    private ServerLimits limits = ServerLimits.DEFAULTS;

    /**
     * Every setting at its default; {@code mapds} and {@code logds} have none and must be set.
     */
    public MondConfig()
    {
    }

    /**
     * A concluded mond with these settings.
     */
    public MondConfig(
        final String host,
        final int port,
        final int nodeId,
        final List<InetSocketAddress> mapds,
        final List<InetSocketAddress> logds,
        final String authToken,
        final long heartbeatIntervalMs,
        final int downAfter,
        final int probeKeysPerSec,
        final int scrubKeysPerSec,
        final int repairsPerSec,
        final long repairGraceMs,
        final int maxPendingRepairs,
        final long requestTimeoutMs,
        final long scrubPassMinMs)
    {
        host(host).port(port).nodeId(nodeId).mapds(mapds).logds(logds).authToken(authToken)
            .heartbeatIntervalMs(heartbeatIntervalMs).downAfter(downAfter).probeKeysPerSec(probeKeysPerSec)
            .scrubKeysPerSec(scrubKeysPerSec).repairsPerSec(repairsPerSec).repairGraceMs(repairGraceMs)
            .maxPendingRepairs(maxPendingRepairs).requestTimeoutMs(requestTimeoutMs).scrubPassMinMs(scrubPassMinMs)
            .conclude();
    }

    /**
     * @return a concluded config with every default, on an ephemeral port of 127.0.0.1 (tests).
     */
    public static MondConfig defaults(final List<InetSocketAddress> mapds, final List<InetSocketAddress> logds)
    {
        return new MondConfig().port(0).mapds(mapds).logds(logds).conclude();
    }

    private MondConfig copy()
    {
        return new MondConfig(host, port, nodeId, mapds, logds, authToken, heartbeatIntervalMs, downAfter,
            probeKeysPerSec, scrubKeysPerSec, repairsPerSec, repairGraceMs, maxPendingRepairs, requestTimeoutMs,
            scrubPassMinMs).limits(limits);
    }

    /**
     * Checks every value, reporting all problems at once, and freezes the address lists.
     *
     * @return this.
     * @throws IllegalArgumentException naming each bad value by its command-line option.
     */
    public MondConfig conclude()
    {
        final StringBuilder problems = new StringBuilder();
        if (port < 0 || port > 0xFFFF)
        {
            problems.append("\n  --port must be in 0..65535, was ").append(port);
        }
        if (nodeId < 0 || nodeId > 0xFFFF)
        {
            problems.append("\n  --node-id must be in 0..65535, was ").append(nodeId);
        }
        checkAddresses(problems);
        if (heartbeatIntervalMs < MIN_HEARTBEAT_INTERVAL_MS || heartbeatIntervalMs > MAX_HEARTBEAT_INTERVAL_MS)
        {
            problems.append("\n  --heartbeat-ms must be in ").append(MIN_HEARTBEAT_INTERVAL_MS).append("..")
                .append(MAX_HEARTBEAT_INTERVAL_MS).append(", was ").append(heartbeatIntervalMs);
        }
        if (downAfter < 1 || downAfter > 1000)
        {
            problems.append("\n  --down-after must be in 1..1000, was ").append(downAfter);
        }
        if (probeKeysPerSec < 0 || probeKeysPerSec > MAX_RATE || scrubKeysPerSec < 0 || scrubKeysPerSec > MAX_RATE)
        {
            problems.append("\n  --probe-keys-per-sec and --scrub-keys-per-sec must be in 0..").append(MAX_RATE);
        }
        if (repairsPerSec < 1 || repairsPerSec > MAX_RATE)
        {
            problems.append("\n  --repairs-per-sec must be in 1..").append(MAX_RATE).append(", was ")
                .append(repairsPerSec);
        }
        if (repairGraceMs < 0)
        {
            problems.append("\n  --repair-grace-ms must be >= 0, was ").append(repairGraceMs);
        }
        if (maxPendingRepairs < 1)
        {
            problems.append("\n  --max-pending-repairs must be >= 1, was ").append(maxPendingRepairs);
        }
        if (requestTimeoutMs < 1)
        {
            problems.append("\n  --request-timeout-ms must be >= 1, was ").append(requestTimeoutMs);
        }
        if (scrubPassMinMs < 0)
        {
            problems.append("\n  --scrub-pass-min-ms must be >= 0, was ").append(scrubPassMinMs);
        }
        if (problems.length() > 0)
        {
            throw new IllegalArgumentException("invalid mond configuration:" + problems);
        }
        mapds = List.copyOf(mapds);
        logds = List.copyOf(logds);
        return this;
    }

    private void checkAddresses(final StringBuilder problems)
    {
        if (mapds == null || logds == null || mapds.isEmpty() || logds.isEmpty())
        {
            problems.append("\n  --mapds and --logds must each list at least one address");
            return;
        }
        if (mapds.size() + logds.size() > MAX_NODES)
        {
            problems.append("\n  at most ").append(MAX_NODES).append(" nodes in --mapds and --logds together");
        }
        final Set<String> seen = new HashSet<>();
        final List<InetSocketAddress> all = new ArrayList<>(mapds);
        all.addAll(logds);
        for (final InetSocketAddress address : all)
        {
            if (!seen.add(address.getHostString() + ":" + address.getPort()))
            {
                problems.append("\n  ").append(address.getHostString()).append(':').append(address.getPort())
                    .append(" is listed twice in --mapds/--logds");
            }
            if (address.getHostString().length() > 255)
            {
                problems.append("\n  host names are at most 255 characters: ").append(address);
            }
        }
    }

    /**
     * @param host address to bind.
     * @return this.
     */
    public MondConfig host(final String host)
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
    public MondConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param nodeId the node id mond announces in HELLO, 0..65535 (0: none; mond holds no data).
     * @return this.
     */
    public MondConfig nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @param mapds every mapd to watch, probe and push the view to.
     * @return this.
     */
    public MondConfig mapds(final List<InetSocketAddress> mapds)
    {
        this.mapds = mapds;
        return this;
    }

    public List<InetSocketAddress> mapds()
    {
        return mapds;
    }

    /**
     * @param logds every logd to watch.
     * @return this.
     */
    public MondConfig logds(final List<InetSocketAddress> logds)
    {
        this.logds = logds;
        return this;
    }

    public List<InetSocketAddress> logds()
    {
        return logds;
    }

    /**
     * @param authToken token HELLO must carry (also presented to the nodes), or null.
     * @return this.
     */
    public MondConfig authToken(final String authToken)
    {
        this.authToken = authToken;
        return this;
    }

    public String authToken()
    {
        return authToken;
    }

    /**
     * @param heartbeatIntervalMs how often every node gets a HEARTBEAT; one interval without an answer is a miss.
     * @return this.
     */
    public MondConfig heartbeatIntervalMs(final long heartbeatIntervalMs)
    {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        return this;
    }

    public long heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    /**
     * @param downAfter consecutive misses that make a node DOWN (1 makes it SUSPECT).
     * @return this.
     */
    public MondConfig downAfter(final int downAfter)
    {
        this.downAfter = downAfter;
        return this;
    }

    public int downAfter()
    {
        return downAfter;
    }

    /**
     * @param probeKeysPerSec keys sampled per second by PROBE RANDOM, over the UP mapds in turn; 0: none.
     * @return this.
     */
    public MondConfig probeKeysPerSec(final int probeKeysPerSec)
    {
        this.probeKeysPerSec = probeKeysPerSec;
        return this;
    }

    public int probeKeysPerSec()
    {
        return probeKeysPerSec;
    }

    /**
     * @param scrubKeysPerSec keys walked per second by the scrub (PROBE SCAN of one mapd's whole grid); 0: none.
     * @return this.
     */
    public MondConfig scrubKeysPerSec(final int scrubKeysPerSec)
    {
        this.scrubKeysPerSec = scrubKeysPerSec;
        return this;
    }

    public int scrubKeysPerSec()
    {
        return scrubKeysPerSec;
    }

    /**
     * @param repairsPerSec REPAIRs sent per second at most; also the key rate of the sweep after a logd loss.
     * @return this.
     */
    public MondConfig repairsPerSec(final int repairsPerSec)
    {
        this.repairsPerSec = repairsPerSec;
        return this;
    }

    public int repairsPerSec()
    {
        return repairsPerSec;
    }

    /**
     * @param repairGraceMs how long a logd must be DOWN before its replicas are re-created elsewhere.
     * @return this.
     */
    public MondConfig repairGraceMs(final long repairGraceMs)
    {
        this.repairGraceMs = repairGraceMs;
        return this;
    }

    public long repairGraceMs()
    {
        return repairGraceMs;
    }

    /**
     * @param maxPendingRepairs keys pending repair at most; more are dropped (and found again by the scrub).
     * @return this.
     */
    public MondConfig maxPendingRepairs(final int maxPendingRepairs)
    {
        this.maxPendingRepairs = maxPendingRepairs;
        return this;
    }

    public int maxPendingRepairs()
    {
        return maxPendingRepairs;
    }

    /**
     * @param requestTimeoutMs how long a PROBE or REPAIR may take before it counts as failed.
     * @return this.
     */
    public MondConfig requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param scrubPassMinMs a scrub pass that took less than this rests until it has passed since the pass began,
     *                       and the random probes with it (a cluster change ends the rest); 0: never rest.
     * @return this.
     */
    public MondConfig scrubPassMinMs(final long scrubPassMinMs)
    {
        this.scrubPassMinMs = scrubPassMinMs;
        return this;
    }

    public long scrubPassMinMs()
    {
        return scrubPassMinMs;
    }

    /**
     * @return a concluded copy on this port (this one unchanged).
     */
    public MondConfig withPort(final int newPort)
    {
        return copy().port(newPort).conclude();
    }

    /**
     * @return a concluded copy with this grace period (this one unchanged).
     */
    public MondConfig withRepairGraceMs(final long newGraceMs)
    {
        return copy().repairGraceMs(newGraceMs).conclude();
    }

    /**
     * @return a concluded copy with these rates (this one unchanged).
     */
    public MondConfig withRates(final int newProbeKeysPerSec, final int newScrubKeysPerSec, final int newRepairsPerSec)
    {
        return copy().probeKeysPerSec(newProbeKeysPerSec).scrubKeysPerSec(newScrubKeysPerSec)
            .repairsPerSec(newRepairsPerSec).conclude();
    }

    /**
     * @return a concluded copy with this scrub rest period (this one unchanged).
     */
    public MondConfig withScrubPassMinMs(final long newScrubPassMinMs)
    {
        return copy().scrubPassMinMs(newScrubPassMinMs).conclude();
    }

    /**
     * @return the worst-case time from a node's last answer to DOWN: {@code (downAfter + 1)} intervals.
     */
    public long maxDownDetectionMs()
    {
        return (downAfter + 1) * heartbeatIntervalMs;
    }

    /**
     * @param limits the limits this daemon puts on its clients (handshake and frame timeouts, incomplete-frame
     *               budget, connection limit).
     * @return this.
     */
    public MondConfig limits(final ServerLimits limits)
    {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        return this;
    }

    public ServerLimits limits()
    {
        return limits;
    }
}
