package io.metrodb.mapd;

import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.server.LinkLog;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The mapd's persistent, pipelined connections to every configured logd, all on the data-path event loop.
 * Knows each logd by the node id it announced in HELLO, and picks where new records go.
 * <p>
 * Choice rule: among the logds that are connected and not marked down, the least loaded (fewest requests
 * in flight) first; ties go round-robin, so an idle cluster spreads writes evenly.
 * <p>
 * mond's cluster view says which logds are UP, SUSPECT or DOWN ({@link #applyViewState}): DOWN ones are marked
 * down (no writes, no probe reads), and {@link #readRank} orders a GET's replicas so UP logds are read first.
 */
public final class LogdPool implements PeerConnection.StateListener, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(LogdPool.class.getName());

    private final PeerConnection[] connections;
    private final LinkLog[] linkLogs;
    private boolean closing;
    private final PeerConnection[] byNodeId = new PeerConnection[0x10000];
    private final boolean[] markedDown = new boolean[0x10000];
    private final byte[] viewState = new byte[0x10000];
    private final java.util.List<Waiter> waiters = new java.util.ArrayList<>();
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
        connections = new PeerConnection[logds.size()];
        linkLogs = new LinkLog[logds.size()];
        for (int i = 0; i < connections.length; i++)
        {
            connections[i] = new PeerConnection(eventLoop, logds.get(i), handshake, maxInFlight, requestTimeoutMs, this);
            linkLogs[i] = new LinkLog("mapd " + handshake.nodeId(), "logd", logds.get(i));
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
        PeerConnection best = null;
        final int n = connections.length;
        final int start = rotation++ & Integer.MAX_VALUE;
        for (int i = 0; i < n; i++)
        {
            final PeerConnection candidate = connections[(start + i) % n];
            if (isHealthy(candidate) && !contains(exclude, excludeCount, candidate.hello().nodeId()) &&
                (best == null || candidate.inFlight() < best.inFlight()))
            {
                best = candidate;
            }
        }
        return best;
    }

    private boolean isHealthy(final PeerConnection connection)
    {
        return connection.isReady() && !markedDown[connection.hello().nodeId()] &&
            byNodeId[connection.hello().nodeId()] == connection;
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
        linkLog(connection).up(" (logd " + hello.nodeId() + ")");
        if (logdListener != null)
        {
            logdListener.onReady(connection, hello);
        }
        final int healthy = healthyCount();
        waiters.removeIf(waiter -> waiter.healthy() <= healthy && waiter.future().complete(null));
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

    @Override
    public void onLost(final PeerConnection connection)
    {
        if (!closing)
        {
            linkLog(connection).lost();
        }
        if (logdListener != null)
        {
            logdListener.onLost(connection);
        }
    }

    @Override
    public void onConnectFailed(final PeerConnection connection, final Throwable cause)
    {
        linkLog(connection).failed(cause);
    }

    @Override
    public void onHandshakeFailed(final PeerConnection connection, final Throwable cause)
    {
        linkLog(connection).failed(cause);
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

    @Override
    public void close()
    {
        closing = true;
        for (final PeerConnection connection : connections)
        {
            connection.close();
        }
    }
}
