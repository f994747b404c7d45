package io.metrodb.gateway;

import io.metrodb.protocol.ProtocolLimits;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The REST gateway's settings, as {@code metrodb gateway}'s options give them.
 *
 * @param host             address to listen on.
 * @param port             port to listen on (0 for an ephemeral one).
 * @param mapds            the mapds the gateway is a client of, at least one.
 * @param mond             mond, for {@code GET /cluster}; null when none.
 * @param authToken        the cluster's auth token, or null.
 * @param maxValueLength   largest body accepted (413 above); match the mapds' {@code --max-value}.
 * @param ioThreads        event loop threads, shared by HTTP and the SDK's connections.
 * @param requestTimeoutMs the SDK's request timeout.
 * @param adminTimeoutMs   bound on a daemon's answer to {@code /healthz}, {@code /metrics} and {@code /cluster}.
 */
public record GatewayConfig(
    String host,
    int port,
    List<InetSocketAddress> mapds,
    InetSocketAddress mond,
    String authToken,
    int maxValueLength,
    int ioThreads,
    long requestTimeoutMs,
    int adminTimeoutMs)
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7080;
    public static final int DEFAULT_MAX_VALUE_LENGTH = ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH;
    public static final int DEFAULT_IO_THREADS = 2;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_ADMIN_TIMEOUT_MS = 1_000;

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming the bad value by its option.
     */
    public GatewayConfig
    {
        Objects.requireNonNull(host, "host");
        mapds = List.copyOf(Objects.requireNonNull(mapds, "mapds"));
        if (mapds.isEmpty())
        {
            throw new IllegalArgumentException("--mapds: at least one mapd host:port is needed");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("--port must be in 0..65535, was " + port);
        }
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("--max-value must not be negative, was " + maxValueLength);
        }
        if (ioThreads < 1 || ioThreads > 64)
        {
            throw new IllegalArgumentException("--io-threads must be in 1..64, was " + ioThreads);
        }
        if (requestTimeoutMs < 1)
        {
            throw new IllegalArgumentException("--request-timeout-ms must be at least 1, was " + requestTimeoutMs);
        }
        if (adminTimeoutMs < 1)
        {
            throw new IllegalArgumentException("--admin-timeout-ms must be at least 1, was " + adminTimeoutMs);
        }
    }

    /**
     * @param mapds the mapds.
     * @return every default, on an ephemeral port of 127.0.0.1 (tests).
     */
    public static GatewayConfig defaults(final List<InetSocketAddress> mapds)
    {
        return new GatewayConfig(DEFAULT_HOST, 0, mapds, null, null, DEFAULT_MAX_VALUE_LENGTH, DEFAULT_IO_THREADS,
            DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_ADMIN_TIMEOUT_MS);
    }

    /**
     * @return a copy with {@code mond} set.
     */
    public GatewayConfig withMond(final InetSocketAddress mond)
    {
        return new GatewayConfig(host, port, mapds, mond, authToken, maxValueLength, ioThreads, requestTimeoutMs,
            adminTimeoutMs);
    }

    /**
     * @return a copy with {@code maxValueLength} set.
     */
    public GatewayConfig withMaxValueLength(final int maxValueLength)
    {
        return new GatewayConfig(host, port, mapds, mond, authToken, maxValueLength, ioThreads, requestTimeoutMs,
            adminTimeoutMs);
    }

    /**
     * @return a copy with {@code requestTimeoutMs} set.
     */
    public GatewayConfig withRequestTimeoutMs(final long requestTimeoutMs)
    {
        return new GatewayConfig(host, port, mapds, mond, authToken, maxValueLength, ioThreads, requestTimeoutMs,
            adminTimeoutMs);
    }
}
