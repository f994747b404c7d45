package io.metrodb.server;

import io.metrodb.protocol.netty.ServerLimits;
import picocli.CommandLine.Option;

/**
 * The options every daemon command takes for the limits it puts on its clients, as a picocli {@code @Mixin}
 * (see {@link ServerLimits}).
 */
public final class LimitOptions
{
    @Option(names = "--handshake-timeout-ms", defaultValue = "" + ServerLimits.DEFAULT_HANDSHAKE_TIMEOUT_MS,
        description = "Close a connection that has not finished HELLO (or, without an auth token, sent its first " +
            "request) this long after it was accepted; 0 for never. Default: ${DEFAULT-VALUE}.")
    private long handshakeTimeoutMs;

    @Option(names = "--frame-timeout-ms", defaultValue = "" + ServerLimits.DEFAULT_FRAME_TIMEOUT_MS,
        description = "Close a connection whose frame is still incomplete this long after it started arriving; " +
            "0 for never. Default: ${DEFAULT-VALUE}.")
    private long frameTimeoutMs;

    @Option(names = "--incomplete-frame-budget", defaultValue = "256m", converter = ByteSize.class,
        description = "Most bytes incomplete frames may hold over all connections; a connection whose frame " +
            "finds no room is closed. Default: ${DEFAULT-VALUE}.")
    private long incompleteFrameBudget;

    @Option(names = "--max-connections", defaultValue = "" + ServerLimits.DEFAULT_MAX_CONNECTIONS,
        description = "Most connections served at once; one more is closed at once. Default: ${DEFAULT-VALUE}.")
    private int maxConnections;

    /**
     * @return the limits these options set.
     * @throws IllegalArgumentException naming the option whose value is out of range.
     */
    public ServerLimits limits()
    {
        return new ServerLimits(handshakeTimeoutMs, frameTimeoutMs, incompleteFrameBudget, maxConnections);
    }
}
