package io.metrodb.logd;

import io.metrodb.log.LogConfig;
import io.metrodb.log.Preallocator;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.Transports;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code metrodb logd}: runs a log store server until SIGTERM/SIGINT.
 */
@Command(
    name = "logd",
    mixinStandardHelpOptions = true,
    description = "Run a logd: the immutable log store (APPEND bytes -> 64-bit offset, READ offset -> bytes).",
    sortOptions = false)
public final class LogdCommand implements Callable<Integer>, Daemon
{
    /** Room for a value record around the largest value with the largest key. */
    public static final long DEFAULT_MAX_ENTRY_LENGTH =
        ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH + ProtocolLimits.MAX_KEY_LENGTH + 64;

    @Option(names = "--dir", required = true, description = "Data directory (segments, checkpoint, node.id).")
    Path dir;

    @Mixin
    final DaemonOptions daemon = new DaemonOptions(LogdConfig.DEFAULT_PORT);

    @Mixin
    final LimitOptions limits = new LimitOptions();

    @Option(names = "--node-id", defaultValue = "0",
        description = "This logd's id, 1..65535. Default: the id stored in DIR/node.id, else a random one, stored.")
    int nodeId;

    @Option(names = "--segment-size", defaultValue = "128m", converter = ByteSize.class,
        description = "Bytes per segment file, a power of two (4k..1g). Default: ${DEFAULT-VALUE}.")
    long segmentSize;

    @Option(names = "--max-entry", converter = ByteSize.class,
        description = "Largest entry accepted. Default: 64 MiB + 64 KiB + 64 B (a maximal value record), " +
            "capped to fit a segment.")
    Long maxEntry;

    @Option(names = "--force-interval-ms", defaultValue = "" + LogConfig.DEFAULT_BACKGROUND_FORCE_INTERVAL_MS,
        description = "How often non-durable appends are forced in the background. Default: ${DEFAULT-VALUE}.")
    long forceIntervalMs;

    @Option(names = "--prefill-write-size", defaultValue = "64k", converter = ByteSize.class,
        description = "Writes of zeros that put each new segment into the page cache, bounding what a small force " +
            "writes back; 0 to leave it to the mapping's faults (up to 2 MiB per force). Default: ${DEFAULT-VALUE}.")
    long prefillWriteSize;

    @Option(names = "--write-behind-size", defaultValue = "1m", converter = ByteSize.class,
        description = "Chunk of appends whose write-back to disk starts before any force (sync_file_range), so " +
            "the disk writes while clients append; 0 to leave it to the next force. Default: ${DEFAULT-VALUE}.")
    long writeBehindSize;

    @Option(names = "--group-commit-max-delay-us", defaultValue = "1000",
        description = "Longest a force is held to let a group of durable appends fill up (never more than half the " +
            "last force); 0 to force at once. Default: ${DEFAULT-VALUE}.")
    long groupCommitMaxDelayUs;

    @Option(names = "--max-disk", defaultValue = "0", converter = ByteSize.class,
        description = "Most bytes the segment files may take; 0 for no limit. Default: ${DEFAULT-VALUE}.")
    long maxDisk;

    @Option(names = "--io-threads", defaultValue = "0",
        description = "Netty event loop threads; 0 for 2 x cores. Default: ${DEFAULT-VALUE}.")
    int ioThreads;


    @Override
    public Integer call() throws Exception
    {
        return ServerRunner.runUntilSignalled(name(), start());
    }

    @Override
    public String name()
    {
        return "logd";
    }

    @Override
    public AutoCloseable start() throws Exception
    {
        final LogdConfig config = toConfig();
        final LogdServer server = LogdServer.start(config);
        // One write: a line printed in pieces can be cut by another thread's log line in the same file.
        System.out.println(String.format("logd %d listening on %s:%d (%s), dir %s, tail %d, segments by %s", server.nodeId(),
            config.host(), server.port(), Transports.name(), dir.toAbsolutePath(), server.store().tailPosition(),
            Preallocator.describe()));
        return server;
    }

    LogdConfig toConfig() throws java.io.IOException
    {
        final int segmentLength = ByteSize.toInt(segmentSize, "--segment-size");
        final long entry = maxEntry != null ? maxEntry :
            Math.min(DEFAULT_MAX_ENTRY_LENGTH, segmentLength - 64L);
        final int maxEntryLength = ByteSize.toInt(entry, "--max-entry");
        final LogConfig log = new LogConfig()
            .directory(dir)
            .segmentLength(segmentLength)
            .maxEntryLength(maxEntryLength)
            .backgroundForceIntervalMs(forceIntervalMs)
            .prefillWriteLength(ByteSize.toInt(prefillWriteSize, "--prefill-write-size"))
            .writeBehindLength(ByteSize.toInt(writeBehindSize, "--write-behind-size"))
            .groupCommitMaxDelayNs(TimeUnit.MICROSECONDS.toNanos(groupCommitMaxDelayUs))
            .maxTotalBytes(maxDisk)
            .validate();
        final int maxFrameLength = ProtocolLimits.frameLengthFor(maxEntryLength);
        return new LogdConfig(daemon.host(), daemon.port(), NodeIdFile.resolve(dir, nodeId), daemon.authToken(),
            ioThreads, maxFrameLength, log, limits.limits());
    }
}
