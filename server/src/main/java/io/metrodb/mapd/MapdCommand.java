package io.metrodb.mapd;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.protocol.Addresses;
import io.metrodb.server.ByteSize;
import io.metrodb.server.Daemon;
import io.metrodb.server.DaemonOptions;
import io.metrodb.server.LimitOptions;
import io.metrodb.server.NodeIdFile;
import io.metrodb.server.ServerRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code metrodb mapd}: runs a key grid server until SIGTERM/SIGINT.
 */
@Command(
    name = "mapd",
    mixinStandardHelpOptions = true,
    description = "Run a mapd: the key grid that serves GET / SET / SETSAFE / DEL and keeps each value on RF logds.",
    sortOptions = false)
public final class MapdCommand implements Callable<Integer>, Daemon
{
    @Option(names = "--dir", required = true, description = "Data directory (journal, snapshot, node.id).")
    Path dir;

    @Option(names = "--logds", required = true, paramLabel = "HOST:PORT,...",
        description = "Every logd to store values on.")
    String logds;

    @Option(names = "--rf", defaultValue = "" + MapdConfig.DEFAULT_RF,
        description = "Replicas per value, 1..7; writes fail with NOT_ENOUGH_REPLICAS when fewer logds are " +
            "healthy. Default: ${DEFAULT-VALUE}.")
    int rf;

    @Mixin
    final DaemonOptions daemon = new DaemonOptions(MapdConfig.DEFAULT_PORT);

    @Mixin
    final LimitOptions limits = new LimitOptions();

    @Option(names = "--node-id", defaultValue = "0",
        description = "This mapd's id, 1..65535, unique in the cluster (breaks version ties). " +
            "Default: the id stored in DIR/node.id, else a random one, stored.")
    int nodeId;

    @Option(names = "--max-value", defaultValue = "64m", converter = ByteSize.class,
        description = "Largest value accepted. Default: ${DEFAULT-VALUE}.")
    long maxValue;

    @Option(names = "--request-timeout-ms", defaultValue = "" + MapdConfig.DEFAULT_REQUEST_TIMEOUT_MS,
        description = "How long an APPEND or READ to a logd may take. Default: ${DEFAULT-VALUE}.")
    long requestTimeoutMs;

    @Option(names = "--logd-wait-ms", defaultValue = "" + MapdConfig.DEFAULT_LOGD_WAIT_MS,
        description = "How long a write that finds fewer than RF connected logds waits for one to (re)connect " +
            "before it fails with NOT_ENOUGH_REPLICAS (0: at once). Default: ${DEFAULT-VALUE}.")
    long logdWaitMs;

    @Option(names = "--append-timeout-ms", defaultValue = "" + MapdConfig.DEFAULT_APPEND_TIMEOUT_MS,
        description = "How long a write's APPEND to a logd may wait for its first answer before the write tries " +
            "another logd (at most --request-timeout-ms). Default: ${DEFAULT-VALUE}.")
    long appendTimeoutMs;

    @Option(names = "--snapshot-interval-ms", defaultValue = "" + MapdConfig.DEFAULT_SNAPSHOT_INTERVAL_MS,
        description = "How often the grid is snapshotted (0: only at a clean stop). Default: ${DEFAULT-VALUE}.")
    long snapshotIntervalMs;

    @Option(names = "--snapshot-journal-bytes", defaultValue = "64m", converter = ByteSize.class,
        description = "Also snapshot once the journal has grown this much since the last snapshot, so a restart " +
            "replays at most about this much journal (0: by time and at a clean stop only). Default: " +
            "${DEFAULT-VALUE}.")
    long snapshotJournalBytes;

    @Option(names = "--expected-keys", defaultValue = "0",
        description = "Keys to reserve grid capacity for up front (avoids resizes). Default: ${DEFAULT-VALUE}.")
    long expectedKeys;

    @Option(names = "--peers", paramLabel = "HOST:PORT,...",
        description = "The other mapds serving the same keyspace; each change is replicated to all of them.")
    String peers;

    @Option(names = "--peer-timeout-ms", defaultValue = "" + MapdConfig.DEFAULT_PEER_TIMEOUT_MS,
        description = "How long a peer may take to acknowledge a change; SETSAFE waits at most this for " +
            "each live peer. Default: ${DEFAULT-VALUE}.")
    long peerTimeoutMs;

    @Option(names = "--sync-interval-ms", defaultValue = "" + MapdConfig.DEFAULT_SYNC_INTERVAL_MS,
        description = "How often each peer is asked for changes this mapd missed. Default: ${DEFAULT-VALUE}.")
    long syncIntervalMs;

    @Option(names = "--backlog", defaultValue = "" + MapdConfig.DEFAULT_BACKLOG,
        description = "Own changes kept for peers' catch-up (a power of two); a peer further behind gets a " +
            "full snapshot. Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--local-reads", defaultValue = "auto", paramLabel = "auto|off",
        description = "auto: a GET reads a replica on a logd of this host straight from its segment files, once " +
            "the directory the logd announces holds its store id and node id (else, and on any doubt about the " +
            "record, over the network); off: always over the network. Default: ${DEFAULT-VALUE}.")
    String localReads;

    @Option(names = "--rebuild-from-logds",
        description = "Before serving, rebuild the grid by scanning every logd (for a lost or damaged DIR). " +
            "Highest version wins; tombstones are honoured.")
    boolean rebuildFromLogds;

    @Override
    public Integer call() throws Exception
    {
        return ServerRunner.runUntilSignalled(name(), start());
    }

    @Override
    public String name()
    {
        return "mapd";
    }

    @Override
    public AutoCloseable start() throws Exception
    {
        final MapdConfig config = toConfig();
        final MapdServer server = MapdServer.start(config, rebuildFromLogds);
        // One write: a line printed in pieces can be cut by another thread's log line in the same file.
        System.out.println(String.format("mapd %d listening on %s:%d (%s), dir %s, rf %d, logds %s, recovered %s",
            server.nodeId(), config.host(), server.port(), Transports.name(), dir.toAbsolutePath(), rf, logds,
            server.recovery()));
        return server;
    }

    MapdConfig toConfig() throws java.io.IOException
    {
        final int maxValueLength = ByteSize.toInt(maxValue, "--max-value");
        ProtocolLimits.frameLengthFor(maxValueLength);
        return new MapdConfig()
            .host(daemon.host())
            .port(daemon.port())
            .dir(dir)
            .nodeId(NodeIdFile.resolve(dir, nodeId))
            .logds(Addresses.parse(logds, "--logds"))
            .rf(rf)
            .maxValueLength(maxValueLength)
            .authToken(daemon.authToken())
            .requestTimeoutMs(requestTimeoutMs)
            .logdWaitMs(logdWaitMs)
            .appendTimeoutMs(appendTimeoutMs)
            .snapshotIntervalMs(snapshotIntervalMs)
            .snapshotJournalBytes(snapshotJournalBytes)
            .expectedKeys(expectedKeys)
            .peers(peers == null ? java.util.List.of() : Addresses.parse(peers, "--peers"))
            .peerTimeoutMs(peerTimeoutMs)
            .syncIntervalMs(syncIntervalMs)
            .backlog(backlog)
            .localReads(parseLocalReads(localReads))
            .limits(limits.limits())
            .conclude();
    }

    static boolean parseLocalReads(final String value)
    {
        return switch (value)
        {
            case "auto" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--local-reads must be auto or off, was '" + value + "'");
        };
    }
}
