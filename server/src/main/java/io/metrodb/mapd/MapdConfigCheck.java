package io.metrodb.mapd;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The checks of {@link MapdConfig#conclude()}: every setting at once, each bad one named by its command-line option.
 */
final class MapdConfigCheck
{
    private MapdConfigCheck()
    {
    }

    /**
     * @throws IllegalArgumentException naming each bad value by its command-line option.
     */
    static void check(final MapdConfig config)
    {
        final Path dir = config.dir();
        final int port = config.port();
        final int nodeId = config.nodeId();
        final int rf = config.rf();
        final List<InetSocketAddress> logds = config.logds();
        final int maxValueLength = config.maxValueLength();
        final long requestTimeoutMs = config.requestTimeoutMs();
        final long logdWaitMs = config.logdWaitMs();
        final long snapshotIntervalMs = config.snapshotIntervalMs();
        final long snapshotJournalBytes = config.snapshotJournalBytes();
        final long peerTimeoutMs = config.peerTimeoutMs();
        final long syncIntervalMs = config.syncIntervalMs();
        final int backlog = config.backlog();
        final StringBuilder problems = new StringBuilder();
        if (dir == null)
        {
            problems.append("\n  --dir must be set");
        }
        if (port < 0 || port > 0xFFFF)
        {
            problems.append("\n  --port must be in 0..65535, was ").append(port);
        }
        if (nodeId < 1 || nodeId > 0xFFFF)
        {
            problems.append("\n  node id must be in 1..65535, was ").append(nodeId);
        }
        if (rf < 1 || rf > MapdConfig.MAX_RF)
        {
            problems.append("\n  --rf must be in 1..").append(MapdConfig.MAX_RF).append(", was ").append(rf);
        }
        else if (logds == null || logds.size() < rf)
        {
            problems.append("\n  --rf ").append(rf).append(" needs at least ").append(rf)
                .append(" logds in --logds, got ").append(logds == null ? 0 : logds.size());
        }
        if (maxValueLength < 0)
        {
            problems.append("\n  --max-value must be >= 0");
        }
        if (requestTimeoutMs < 1)
        {
            problems.append("\n  --request-timeout-ms must be >= 1");
        }
        if (logdWaitMs < 0)
        {
            problems.append("\n  --logd-wait-ms must be >= 0");
        }
        if (config.appendTimeoutMs() < 1)
        {
            problems.append("\n  --append-timeout-ms must be >= 1");
        }
        if (snapshotIntervalMs < 0)
        {
            problems.append("\n  --snapshot-interval-ms must be >= 0");
        }
        if (snapshotJournalBytes < 0)
        {
            problems.append("\n  --snapshot-journal-bytes must be >= 0");
        }
        if (peerTimeoutMs < 1 || syncIntervalMs < 1)
        {
            problems.append("\n  --peer-timeout-ms and --sync-interval-ms must be >= 1");
        }
        if (backlog < 1 || Integer.bitCount(backlog) != 1)
        {
            problems.append("\n  --backlog must be a power of two, was ").append(backlog);
        }
        if (problems.length() > 0)
        {
            throw new IllegalArgumentException("invalid mapd configuration:" + problems);
        }
    }
}
