package io.metrodb.mapd;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.server.LinkLog;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The mapd's persistent, pipelined connections to every configured logd, all on the data-path event loop.
 * Knows each logd by the node id it announced in HELLO, and picks where new records go.
 * <p>
 * Choice rule: among the logds that are connected and not marked down, the least loaded (fewest requests
 * in flight) first; ties go round-robin, so an idle cluster spreads writes evenly.
 * <p>
 * mond's cluster view says which logds are UP, SUSPECT or DOWN ({@link #applyViewState}): DOWN ones are marked
 * down, and {@link #readRank} orders a GET's replicas so UP logds are read first. The view is a hint, never a gate
 * for writes: a logd marked down is still written to when no other connected logd is left
 * ({@link #chooseForWrite}), and a (re)connection to a logd clears its mark, since the mapd's own handshake is newer
 * than the view it holds (mond may be down, or not have seen the logd come back yet). Probes and repairs, which
 * work for mond, keep to the logds its view does not call DOWN ({@link #choose}, {@link #usable}).
 * <p>
 * A write that finds fewer than RF connected logds waits for one, up to its wait ({@link #awaitLogds}): it is
 * retried as soon as a logd connects and every {@link #WAIT_TICK_MS} ms, and told when its wait is over.
 */
public final class LogdPool implements PeerConnection.StateListener, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(LogdPool.class.getName());
    /** How often writes waiting for logds are retried (besides at once when a logd connects). */
    static final long WAIT_TICK_MS = 20;
    /** Writes waiting for logds at once, at most; past it a write short of logds fails at once. */
    static final int MAX_WAITING = 1 << 16;

    /**
     * A write waiting for logds ({@link #awaitLogds}). On the event loop only.
     */
    interface LogdWaiter
    {
        /**
         * The pool no longer holds the waiter: a logd connected or a tick passed (retry; wait again if still
         * short), or the pool is closing ({@code giveUp}: do not wait again).
         */
        void onLogdWaitOver(boolean giveUp);
    }

    private final PeerConnection[] connections;
    private final LinkLog[] linkLogs;
    private final PeerConnection[] byNodeId = new PeerConnection[0x10000];
    private final boolean[] markedDown = new boolean[0x10000];
    private final byte[] viewState = new byte[0x10000];
    private final java.util.List<Waiter> waiters = new java.util.ArrayList<>();
    private final EventLoop eventLoop;
    private final long writeWaitNs;
    private final long appendTimeoutNs;
    private final long requestTimeoutNs;
    /** Writes waiting for logds, oldest first; swapped with {@link #retrying} while they are retried. */
    private ArrayList<LogdWaiter> waiting = new ArrayList<>();
    private ArrayList<LogdWaiter> retrying = new ArrayList<>();
    private final Runnable waitTickTask = this::onWaitTick;
    private boolean waitTickScheduled;
    private boolean retryingNow;
    private boolean closed;
    private PeerConnection.StateListener logdListener;
    private int rotation;

    private record Waiter(int healthy, java.util.concurrent.CompletableFuture<Void> future)
    {
    }

    /**
     * @param eventLoop        the mapd's data-path loop.
     * @param logds            addresses from {@code --logds}.
     * @param handshake        the mapd's HELLO.
     * @param maxInFlight      requests in flight per logd, a power of two.
     * @param requestTimeoutMs how long an APPEND or READ may take.
     */
    public LogdPool(
        final EventLoop eventLoop,
        final List<InetSocketAddress> logds,
        final HandshakeConfig handshake,
        final int maxInFlight,
        final long requestTimeoutMs)
    {
        this(eventLoop, logds, handshake, maxInFlight, requestTimeoutMs, MapdConfig.DEFAULT_LOGD_WAIT_MS,
            requestTimeoutMs);
    }

    /**
     * @param logdWaitMs      how long a write short of connected logds waits for one ({@code --logd-wait-ms}); 0
     *                        fails it at once.
     * @param appendTimeoutMs how long a write's APPEND may wait for its first answer before the write tries another
     *                        logd ({@code --append-timeout-ms}; at most {@code requestTimeoutMs}).
     */
    public LogdPool(
        final EventLoop eventLoop,
        final List<InetSocketAddress> logds,
        final HandshakeConfig handshake,
        final int maxInFlight,
        final long requestTimeoutMs,
        final long logdWaitMs,
        final long appendTimeoutMs)
    {
        this.eventLoop = eventLoop;
        this.writeWaitNs = TimeUnit.MILLISECONDS.toNanos(logdWaitMs);
        this.appendTimeoutNs = TimeUnit.MILLISECONDS.toNanos(Math.min(appendTimeoutMs, requestTimeoutMs));
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        connections = new PeerConnection[logds.size()];
        linkLogs = new LinkLog[logds.size()];
        for (int i = 0; i < connections.length; i++)
        {
            linkLogs[i] = new LinkLog("mapd " + handshake.nodeId(), "logd", Roles.LOGD, logds.get(i), this);
            connections[i] =
                new PeerConnection(eventLoop, logds.get(i), handshake, maxInFlight, requestTimeoutMs, linkLogs[i]);
        }
    }

    /**
     * @param listener told when a logd is accepted (after its HELLO, under its node id) and when a connection is
     *                 lost; set before {@link #start()}.
     */
    void logdListener(final PeerConnection.StateListener listener)
    {
        this.logdListener = listener;
    }

    public void start()
    {
        for (final PeerConnection connection : connections)
        {
            // Appends time out sooner than the connection's requests: its deadline checks keep up with them.
            connection.shortestTimeout(TimeUnit.NANOSECONDS.toMillis(appendTimeoutNs));
            connection.start();
        }
    }

    /**
     * @param i 0..size()-1, in {@code --logds} order.
     * @return the connection to that logd.
     */
    public PeerConnection connection(final int i)
    {
        return connections[i];
    }

    /**
     * @return logds configured.
     */
    public int size()
    {
        return connections.length;
    }

    /**
     * @return logds connected and not marked down.
     */
    public int healthyCount()
    {
        int healthy = 0;
        for (final PeerConnection connection : connections)
        {
            healthy += isHealthy(connection) ? 1 : 0;
        }
        return healthy;
    }

    /**
     * @return logds connected (HELLO done, and the holder of their node id), marked down or not: how many a write
     * may use.
     */
    public int writableCount()
    {
        int writable = 0;
        for (final PeerConnection connection : connections)
        {
            writable += isConnected(connection) ? 1 : 0;
        }
        return writable;
    }

    /**
     * @return how long a write short of connected logds waits for one, in ns.
     */
    long writeWaitNs()
    {
        return writeWaitNs;
    }

    /**
     * @param rf the write's replication factor.
     * @return how long a write's APPEND waits for its first answer, in ns: the append timeout while more than
     *     {@code rf} logds are connected (another one can take the record), else the request timeout (the append
     *     would have nowhere to go: a slow logd is waited for, not sent the record again and again).
     */
    long appendTimeoutNs(final int rf)
    {
        return writableCount() > rf ? appendTimeoutNs : requestTimeoutNs;
    }

    /**
     * @return writes waiting for logds now.
     */
    int waitingWrites()
    {
        return waiting.size();
    }

    /**
     * @param nodeId a logd's node id, as recorded in a replica.
     * @return its connection when it is connected, else null (also when the logd at that address now has
     * another node id: the replicas of the old id are not there).
     */
    public PeerConnection byNodeId(final int nodeId)
    {
        final PeerConnection connection = byNodeId[nodeId & 0xFFFF];
        return connection != null && connection.isReady() && connection.hello().nodeId() == nodeId ?
            connection : null;
    }

    /**
     * Marks a logd down (writes avoid it) or up again, as mond's cluster view says.
     */
    public void markDown(final int nodeId, final boolean down)
    {
        markedDown[nodeId & 0xFFFF] = down;
    }

    public boolean isMarkedDown(final int nodeId)
    {
        return markedDown[nodeId & 0xFFFF];
    }

    /**
     * @param nodeId a logd's node id, as recorded in a replica.
     * @return its connection when it is connected and not marked down, else null.
     */
    public PeerConnection usable(final int nodeId)
    {
        return markedDown[nodeId & 0xFFFF] ? null : byNodeId(nodeId);
    }

    /**
     * Forgets the states of the previous cluster view: every logd is up and unranked again.
     */
    void clearViewStates()
    {
        java.util.Arrays.fill(markedDown, false);
        java.util.Arrays.fill(viewState, (byte)0);
    }

    /**
     * Takes a logd's state from the cluster view: DOWN marks it down, any other state up.
     *
     * @param state {@code ClusterView.NODE_UP}, {@code NODE_SUSPECT} or {@code NODE_DOWN}.
     */
    void applyViewState(final int nodeId, final int state)
    {
        viewState[nodeId & 0xFFFF] = (byte)state;
        markedDown[nodeId & 0xFFFF] = state == ClusterView.NODE_DOWN;
    }

    /**
     * @return the order in which a GET reads a replica on this logd: 0 for UP or not in the view, 1 for SUSPECT,
     * 2 for DOWN.
     */
    int readRank(final int nodeId)
    {
        final int state = viewState[nodeId & 0xFFFF];
        return state == ClusterView.NODE_SUSPECT ? 1 : state == ClusterView.NODE_DOWN ? 2 : 0;
    }

    /**
     * Picks a healthy logd not in {@code exclude}: the least loaded, ties round-robin.
     *
     * @param exclude      node ids already holding this record.
     * @param excludeCount entries of {@code exclude} in use.
     * @return the connection, or null when no other healthy logd remains.
     */
    public PeerConnection choose(final int[] exclude, final int excludeCount)
    {
        return choose(exclude, excludeCount, false);
    }

    /**
     * Picks where a write's record goes: as {@link #choose}, and when no logd that is not marked down remains, the
     * least loaded connected one marked down (mond's DOWN is a hint: a logd the mapd is connected to can take the
     * record, and failing the write instead would cost availability).
     *
     * @return the connection, or null when no other connected logd remains.
     */
    public PeerConnection chooseForWrite(final int[] exclude, final int excludeCount)
    {
        return choose(exclude, excludeCount, true);
    }

    private PeerConnection choose(final int[] exclude, final int excludeCount, final boolean evenMarkedDown)
    {
        PeerConnection best = null;
        boolean bestDown = true;
        final int n = connections.length;
        final int start = rotation++ & Integer.MAX_VALUE;
        for (int i = 0; i < n; i++)
        {
            final PeerConnection candidate = connections[(start + i) % n];
            if (!isConnected(candidate) || contains(exclude, excludeCount, candidate.hello().nodeId()))
            {
                continue;
            }
            final boolean down = markedDown[candidate.hello().nodeId()];
            if (down && !evenMarkedDown)
            {
                continue;
            }
            if (best == null || (bestDown && !down) ||
                (bestDown == down && candidate.inFlight() < best.inFlight()))
            {
                best = candidate;
                bestDown = down;
            }
        }
        return best;
    }

    private boolean isHealthy(final PeerConnection connection)
    {
        return isConnected(connection) && !markedDown[connection.hello().nodeId()];
    }

    private boolean isConnected(final PeerConnection connection)
    {
        return connection.isReady() && byNodeId[connection.hello().nodeId()] == connection;
    }

    /**
     * Holds a write short of connected logds until one connects or the next tick ({@link #WAIT_TICK_MS}), then
     * hands it back ({@link LogdWaiter#onLogdWaitOver}). The caller keeps its own deadline.
     *
     * @return false when the write cannot wait: waits are off ({@code --logd-wait-ms 0}), {@link #MAX_WAITING}
     * writes wait already, or the pool is closed.
     */
    boolean awaitLogds(final LogdWaiter waiter)
    {
        if (writeWaitNs == 0 || closed || waiting.size() >= MAX_WAITING)
        {
            return false;
        }
        waiting.add(waiter);
        if (!waitTickScheduled)
        {
            waitTickScheduled = true;
            eventLoop.schedule(waitTickTask, WAIT_TICK_MS, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    private void onWaitTick()
    {
        waitTickScheduled = false;
        retryWaiting(closed);
        if (!waiting.isEmpty() && !waitTickScheduled && !closed)
        {
            waitTickScheduled = true;
            eventLoop.schedule(waitTickTask, WAIT_TICK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Hands every waiting write back, oldest first; those still short of logds wait again (in the other list).
     */
    private void retryWaiting(final boolean giveUp)
    {
        if (waiting.isEmpty() || retryingNow)
        {
            // Nested (a retry's send lost a connection, say): the next tick retries whoever waits then.
            return;
        }
        retryingNow = true;
        final ArrayList<LogdWaiter> now = waiting;
        waiting = retrying;
        retrying = now;
        try
        {
            for (int i = 0; i < now.size(); i++)
            {
                now.get(i).onLogdWaitOver(giveUp);
            }
        }
        finally
        {
            now.clear();
            retryingNow = false;
        }
    }

    private static boolean contains(final int[] values, final int count, final int value)
    {
        for (int i = 0; i < count; i++)
        {
            if (values[i] == value)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onReady(final PeerConnection connection, final HandshakeResult hello)
    {
        if (hello.role() != Roles.LOGD)
        {
            LOG.log(System.Logger.Level.ERROR, connection.address() + " is not a logd (role " + hello.role() +
                "); not using it");
            return;
        }
        final PeerConnection holder = byNodeId[hello.nodeId()];
        if (holder != null && holder != connection && holder.isReady())
        {
            LOG.log(System.Logger.Level.ERROR, "logds " + holder.address() + " and " + connection.address() +
                " both claim node id " + hello.nodeId() + "; using only the first");
            return;
        }
        byNodeId[hello.nodeId()] = connection;
        // The handshake just done is newer evidence than the view held: mond may be down, or may not have seen the
        // logd come back yet. A newer view saying DOWN marks it down again (then it is written to only as a last
        // resort, see chooseForWrite).
        markedDown[hello.nodeId()] = false;
        viewState[hello.nodeId()] = 0;
        if (logdListener != null)
        {
            logdListener.onReady(connection, hello);
        }
        final int healthy = healthyCount();
        waiters.removeIf(waiter -> waiter.healthy() <= healthy && waiter.future().complete(null));
        retryWaiting(false);
    }

    /**
     * Completes once at least {@code healthy} logds are usable. On the event loop only.
     */
    public void whenHealthy(final int healthy, final java.util.concurrent.CompletableFuture<Void> future)
    {
        if (healthyCount() >= healthy)
        {
            future.complete(null);
        }
        else
        {
            waiters.add(new Waiter(healthy, future));
        }
    }

    private void failWaiting()
    {
        closed = true;
        retryWaiting(true);
    }

    @Override
    public void onLost(final PeerConnection connection)
    {
        if (logdListener != null)
        {
            logdListener.onLost(connection);
        }
    }

    /**
     * @return the event lines' state of this logd's link (on the event loop only).
     */
    LinkLog linkLog(final PeerConnection connection)
    {
        int i = 0;
        while (connections[i] != connection)
        {
            i++;
        }
        return linkLogs[i];
    }

    /**
     * Closes every connection; writes still waiting for logds fail.
     */
    @Override
    public void close()
    {
        if (eventLoop == null || eventLoop.inEventLoop())
        {
            failWaiting();
        }
        else
        {
            eventLoop.submit(this::failWaiting).syncUninterruptibly();
        }
        for (final PeerConnection connection : connections)
        {
            connection.close();
        }
    }
}
