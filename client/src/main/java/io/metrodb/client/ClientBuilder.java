package io.metrodb.client;

import io.metrodb.protocol.Addresses;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings of a {@link MetroClient} and their checks; users see it as {@link MetroClient.Builder}, whose
 * setters return that type.
 *
 * @param <B> the concrete builder, returned by the setters.
 */
abstract class ClientBuilder<B extends ClientBuilder<B>>
{
    final List<InetSocketAddress> addresses;
    long requestTimeoutMs = MetroClient.DEFAULT_REQUEST_TIMEOUT_MS;
    int connectionsPerNode = MetroClient.DEFAULT_CONNECTIONS_PER_NODE;
    int maxInFlight = MetroClient.DEFAULT_MAX_IN_FLIGHT;
    OverflowPolicy overflowPolicy = OverflowPolicy.WAIT;
    boolean retryWrites;
    String authToken;
    EventLoopGroup eventLoopGroup;
    int ioThreads = 1;

    ClientBuilder(final List<InetSocketAddress> addresses)
    {
        this.addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
    }

    /**
     * @param mapds {@code host:port} each.
     * @return the addresses.
     * @throws IllegalArgumentException for one that is not {@code host:port}.
     */
    static List<InetSocketAddress> parse(final String... mapds)
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final String mapd : mapds)
        {
            final InetSocketAddress parsed = Addresses.parseOne(mapd, "mapd address");
            addresses.add(new InetSocketAddress(parsed.getHostString(), parsed.getPort()));
        }
        return addresses;
    }

    @SuppressWarnings("unchecked")
    private B self()
    {
        return (B)this;
    }

    /**
     * @param timeoutMs how long one request may wait for its answer (default 5000).
     * @return this.
     */
    public B requestTimeoutMs(final long timeoutMs)
    {
        this.requestTimeoutMs = timeoutMs;
        return self();
    }

    /**
     * @param connections persistent connections to each mapd (default 1).
     * @return this.
     */
    public B connectionsPerNode(final int connections)
    {
        this.connectionsPerNode = connections;
        return self();
    }

    /**
     * @param max requests in flight at most for the whole client (default 1024).
     * @return this.
     */
    public B maxInFlight(final int max)
    {
        this.maxInFlight = max;
        return self();
    }

    /**
     * @param policy what a call does past {@link #maxInFlight(int)} (default {@link OverflowPolicy#WAIT}).
     * @return this.
     */
    public B overflowPolicy(final OverflowPolicy policy)
    {
        this.overflowPolicy = Objects.requireNonNull(policy, "policy");
        return self();
    }

    /**
     * @param retry whether SET, SETSAFE and DEL whose connection was lost in flight are retried on another
     *              mapd (default false; see {@link MetroClient} for what that risks).
     * @return this.
     */
    public B retryWrites(final boolean retry)
    {
        this.retryWrites = retry;
        return self();
    }

    /**
     * @param token the cluster's auth token, or null for none.
     * @return this.
     */
    public B authToken(final String token)
    {
        this.authToken = token;
        return self();
    }

    /**
     * @param group a Netty event loop group to share (not shut down by {@link MetroClient#close()}); by default
     *              the client owns one of {@link #ioThreads(int)} threads.
     * @return this.
     */
    public B eventLoopGroup(final EventLoopGroup group)
    {
        this.eventLoopGroup = group;
        return self();
    }

    /**
     * @param threads I/O threads of the client's own event loop group (default 1; unused with a shared group).
     * @return this.
     */
    public B ioThreads(final int threads)
    {
        this.ioThreads = threads;
        return self();
    }

    /**
     * @throws IllegalArgumentException for a bad setting.
     */
    void validate()
    {
        if (addresses.isEmpty())
        {
            throw new IllegalArgumentException("at least one mapd address is needed");
        }
        if (requestTimeoutMs < 1)
        {
            throw new IllegalArgumentException("request timeout must be at least 1 ms, was " + requestTimeoutMs);
        }
        if (connectionsPerNode < 1 || connectionsPerNode > 64)
        {
            throw new IllegalArgumentException("connections per node must be in 1..64, was " + connectionsPerNode);
        }
        if (maxInFlight < 1 || maxInFlight > 1 << 20)
        {
            throw new IllegalArgumentException("max in flight must be in 1..1048576, was " + maxInFlight);
        }
        if (eventLoopGroup == null && (ioThreads < 1 || ioThreads > 64))
        {
            throw new IllegalArgumentException("I/O threads must be in 1..64, was " + ioThreads);
        }
    }
}
