package io.metrodb.client;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connect and close: the client's event loop group (its own or a shared one), its connections, the calls parked
 * waiting for a connection, and the closed flag every call checks.
 */
final class ClientLifecycle
{
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    /** The group's executors, read without an iterator on every call. */
    private final EventExecutor[] executors;
    private final List<Thread> ownThreads = new ArrayList<>();
    private final String threadName;
    private final long requestTimeoutMs;
    private final Set<MetroCall> parked = ConcurrentHashMap.newKeySet();
    /** Told by every connection of this client when its state changes. */
    final Readiness readiness = new Readiness();
    private volatile boolean closed;

    /**
     * @param sharedGroup      a group to use (not shut down by {@link #close}), or null to own one.
     * @param ioThreads        threads of the group owned otherwise.
     * @param requestTimeoutMs the request timeout (how long close waits for the own threads).
     */
    ClientLifecycle(final EventLoopGroup sharedGroup, final int ioThreads, final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        threadName = MetroClient.THREAD_NAME_PREFIX + CLIENT_IDS.incrementAndGet();
        ownsGroup = sharedGroup == null;
        group = ownsGroup ? Transports.newEventLoopGroup(ioThreads, threadName) : sharedGroup;
        final List<EventExecutor> all = new ArrayList<>();
        for (final EventExecutor executor : group)
        {
            all.add(executor);
            if (ownsGroup)
            {
                ownThreads.add(executor.submit(Thread::currentThread).syncUninterruptibly().getNow());
            }
        }
        executors = all.toArray(new EventExecutor[0]);
    }

    /**
     * Creates the connections, {@code connectionsPerNode} to each mapd, spread over the group's event loops; they
     * are not started.
     *
     * @return the connections, {@code [node][c]}.
     */
    MetroLink[][] newLinks(
        final List<InetSocketAddress> addresses, final int connectionsPerNode, final String authToken,
        final int maxInFlight)
    {
        final HandshakeConfig handshake =
            new HandshakeConfig(Roles.CLIENT, 0, authToken, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
        // All of a client's requests may land on one connection.
        final int perConnection = Integer.highestOneBit(Math.max(1, maxInFlight - 1)) << 1;
        final MetroLink[][] links = new MetroLink[addresses.size()][connectionsPerNode];
        for (int node = 0; node < addresses.size(); node++)
        {
            for (int c = 0; c < connectionsPerNode; c++)
            {
                links[node][c] = new MetroLink(
                    node, group.next(), addresses.get(node), handshake, perConnection, requestTimeoutMs, readiness);
            }
        }
        return links;
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * @return true when the calling thread is one of the client's event loops.
     */
    boolean onOwnEventLoop()
    {
        for (final EventExecutor executor : executors)
        {
            if (executor.inEventLoop())
            {
                return true;
            }
        }
        return false;
    }

    String threadName()
    {
        return threadName;
    }

    void park(final MetroCall call)
    {
        parked.add(call);
    }

    void unpark(final MetroCall call)
    {
        parked.remove(call);
    }

    /**
     * Closes every connection, fails the parked calls and, when the group is the client's own, stops its threads
     * (waiting for them unless called on one of them). Idempotent.
     */
    void close(final MetroLink[] links)
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        for (final MetroLink link : links)
        {
            link.connection.close();
        }
        for (final MetroCall call : parked)
        {
            call.fail(Failures.closed());
        }
        parked.clear();
        if (ownsGroup)
        {
            final boolean onOwnThread = onOwnEventLoop();
            group.shutdownGracefully(0, requestTimeoutMs, TimeUnit.MILLISECONDS);
            if (!onOwnThread)
            {
                group.terminationFuture().awaitUninterruptibly(requestTimeoutMs + 5_000);
                for (final Thread thread : ownThreads)
                {
                    try
                    {
                        thread.join(5_000);
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
    }
}
