package io.metrodb.logd;

import io.metrodb.log.LogConfig;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.netty.ServerLimits;

import java.util.Objects;

/**
 * Settings of one logd process.
 *
 * @param host           address to bind.
 * @param port           port to bind, 0 for an ephemeral one.
 * @param nodeId         this logd's id, 1..65535 (recorded in mapds' replica lists).
 * @param authToken      token HELLO must carry, or null for none.
 * @param ioThreads      Netty event loop threads, 0 for the default.
 * @param maxFrameLength largest frame accepted.
 * @param log            the log store's settings.
 * @param limits         the limits it puts on its clients.
 */
public record LogdConfig(
    String host, int port, int nodeId, String authToken, int ioThreads, int maxFrameLength, LogConfig log,
    ServerLimits limits)
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7558;

    /**
     * Settings with the default {@link ServerLimits}.
     */
    public LogdConfig(
        final String host, final int port, final int nodeId, final String authToken, final int ioThreads,
        final int maxFrameLength, final LogConfig log)
    {
        this(host, port, nodeId, authToken, ioThreads, maxFrameLength, log, ServerLimits.DEFAULTS);
    }

    public LogdConfig
    {
        Objects.requireNonNull(limits, "limits");
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("--port must be in 0..65535, was " + port);
        }
        if (nodeId < 1 || nodeId > 0xFFFF)
        {
            throw new IllegalArgumentException("node id must be in 1..65535, was " + nodeId);
        }
        if (ioThreads < 0)
        {
            throw new IllegalArgumentException("--io-threads must be >= 0, was " + ioThreads);
        }
        final int largestEntryInAFrame = maxFrameLength - FrameHeader.HEADER_LENGTH - AppendRequest.ENTRY_OFFSET;
        if (log.maxEntryLength() > largestEntryInAFrame)
        {
            throw new IllegalArgumentException("max entry length " + log.maxEntryLength() +
                " does not fit the max frame length " + maxFrameLength);
        }
    }
}
