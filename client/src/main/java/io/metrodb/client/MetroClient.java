package io.metrodb.client;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A thread-safe client of a MetroDB cluster's mapds, over persistent, pipelined connections.
 *
 * <p>Every call exists in a blocking form ({@code get}) and an asynchronous one ({@code getAsync}) that returns a
 * {@link CompletableFuture}. Calls from any thread are handed to a connection's event loop; many may be in
 * flight on one connection, matched by request id, and the writes of one event-loop turn go out in one flush.
 * Futures complete on the client's I/O thread: do not block in their callbacks. The {@code byte[]} calls also
 * exist on a callback path ({@link #get(byte[], ReplyHandler)} and the like) that allocates no future: the outcome
 * goes to a {@link ReplyHandler} the caller keeps and reuses.
 *
 * <p><b>Missing keys are not errors:</b> {@link #get(byte[])} returns {@code null} (its future completes with
 * {@code null}), {@link #exists(byte[])} and {@link #delete(byte[])} return {@code false}. Failures are unchecked
 * {@link MetroException}s: {@link MetroTimeoutException}, {@link NotEnoughReplicasException},
 * {@link MetroAuthException}, {@link MetroProtocolException}, {@link MetroUnavailableException} and
 * {@link MetroOverloadedException}. Null arguments and keys outside 1..65535 bytes throw at once
 * ({@link NullPointerException}, {@link IllegalArgumentException}), from the async forms too.
 *
 * <p><b>Routing.</b> A call goes first to its key's home mapd (a hash of the key), on the next of that mapd's
 * connections in turn (another of them when that one is down); when the home mapd is not connected it goes to the
 * next mapd that is. While the client's
 * first connection to the home mapd is still being set up (for at most half the request timeout after the client
 * is built), and while that connection is back-pressured, the call waits for it instead. Every mapd serves
 * every key, and changes reach the other mapds within milliseconds, but a mapd reads its own writes at once: so
 * while the home mapd is up, a client reads back what it wrote to a key straight away, from its first call.
 *
 * <p><b>Failover and retries.</b>
 * <ul>
 *   <li>A request that was never sent (its connection was down) cannot have been applied, so every operation
 *       moves to another mapd; so does one a mapd refused with SHUTTING_DOWN, OVERLOADED or CATCHING_UP.</li>
 *   <li>A request whose connection was lost while it was in flight ({@code UNAVAILABLE}) may or may not have
 *       been applied. GET and EXISTS are then retried on another mapd: reads change nothing. SET, SETSAFE and
 *       DEL are retried only with {@link Builder#retryWrites(boolean) retryWrites(true)}: a retried write gets a
 *       new, newer version at the mapd that takes it, so if another client wrote the key in between, the retry
 *       overwrites that newer value (at-least-once semantics, like any retrying client), and a retried DEL may
 *       answer {@code false} because its first attempt already deleted the key. By default such writes fail
 *       with {@link MetroUnavailableException} and the caller decides.</li>
 *   <li>A request that timed out is never retried ({@link MetroTimeoutException}): it may still be applied.</li>
 * </ul>
 * Retries stop after one attempt per mapd or when the request timeout since the call began has passed, so a
 * call completes, one way or the other, within about twice the request timeout. Reconnection with backoff is
 * automatic.
 */
public final class MetroClient extends AdapterCalls implements AutoCloseable
{
    /** Default time a request may wait for its answer. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    /** Default number of connections to each mapd. */
    public static final int DEFAULT_CONNECTIONS_PER_NODE = 1;
    /** Default bound on requests in flight per client. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** Prefix of the names of the I/O threads a client owns. */
    public static final String THREAD_NAME_PREFIX = "metrodb-client-";

    private MetroClient(final Builder builder)
    {
        super(newCore(builder));
        for (final MetroLink link : core.router.allLinks())
        {
            link.connection.start();
        }
    }

    private static ClientCore newCore(final Builder builder)
    {
        final ClientLifecycle lifecycle =
            new ClientLifecycle(builder.eventLoopGroup, builder.ioThreads, builder.requestTimeoutMs);
        final MetroLink[][] links = lifecycle.newLinks(
            builder.addresses, builder.connectionsPerNode, builder.authToken, builder.maxInFlight);
        final long connectingUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(builder.requestTimeoutMs) / 2;
        return new ClientCore(new Router(links, connectingUntilNs),
            new InFlightLimiter(builder.maxInFlight, builder.overflowPolicy), lifecycle, builder.addresses,
            builder.requestTimeoutMs, builder.retryWrites);
    }

    /**
     * @param mapds the mapds to use, at least one.
     * @return a builder with the defaults.
     */
    public static Builder builder(final List<InetSocketAddress> mapds)
    {
        return new Builder(mapds);
    }

    /**
     * @param mapds the mapds to use as {@code host:port}, at least one.
     * @return a builder with the defaults.
     */
    public static Builder builder(final String... mapds)
    {
        return new Builder(ClientBuilder.parse(mapds));
    }

    /**
     * @return the mapd addresses this client uses.
     */
    public List<InetSocketAddress> addresses()
    {
        return core.addresses();
    }

    /**
     * @return requests in flight now (sent or waiting to be sent).
     */
    public int inFlight()
    {
        return core.limiter.inFlight();
    }

    /**
     * @return requests moved to another mapd after a lost connection or a refusal, since the start.
     */
    public long retries()
    {
        return core.retries();
    }

    /**
     * @return the number of connections currently connected and past the handshake.
     */
    public int readyConnections()
    {
        return core.router.readyConnections();
    }

    /**
     * Waits until at least {@code connections} of this client's connections are connected and past the handshake
     * (every connection of every mapd: {@code addresses().size()} times the connections per mapd), for a caller
     * that wants the whole cluster reachable before it starts, such as a benchmark. Calls need not wait for this:
     * they wait for or route around connections being set up.
     *
     * @param connections how many, at least 1.
     * @param timeout     the longest wait.
     * @param unit        the timeout's unit.
     * @return true when they are; false when the timeout passed first (see {@link #readyConnections()}).
     * @throws InterruptedException when the waiting thread is interrupted.
     */
    public boolean awaitConnected(final int connections, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        if (connections < 1 || connections > core.router.allLinks().length)
        {
            throw new IllegalArgumentException("connections must be 1.." + core.router.allLinks().length + ": " +
                connections);
        }
        return core.lifecycle.readiness.await(core.router::readyConnections, connections, timeout, unit);
    }

    /**
     * @return the name prefix of the I/O threads this client owns (none when built with a shared group).
     */
    public String threadNamePrefix()
    {
        return core.lifecycle.threadName() + "-";
    }

    /**
     * Closes every connection, fails calls still in flight with {@link MetroUnavailableException}, and, when the
     * client owns its event loop, stops its thread (waiting for it). Idempotent. Do not call it from a future's
     * callback when the client owns its thread: it then cannot wait for that thread to end.
     */
    @Override
    public void close()
    {
        core.lifecycle.close(core.router.allLinks());
    }

    ClientCore core()
    {
        return core;
    }

    /**
     * @return the connections to mapd {@code node}, for tests that put a call on one of them.
     */
    MetroLink[] linksOf(final int node)
    {
        return core.router.linksOf(node);
    }

    /**
     * @return the index of the key's home mapd (see {@link Router#homeNode}).
     */
    static int homeNode(final byte[] key, final int nodes)
    {
        return Router.homeNode(key, nodes);
    }

    /**
     * Configures a {@link MetroClient}; every value is checked in {@link #build()}. The setters are those of
     * {@link ClientBuilder}.
     */
    public static final class Builder extends ClientBuilder<Builder>
    {
        private Builder(final List<InetSocketAddress> addresses)
        {
            super(addresses);
        }

        /**
         * Checks the settings and starts connecting; does not wait for connections (calls made before one is up
         * wait for it, up to the request timeout).
         *
         * @return a new client.
         * @throws IllegalArgumentException for a bad setting.
         */
        public MetroClient build()
        {
            validate();
            return new MetroClient(this);
        }
    }
}
