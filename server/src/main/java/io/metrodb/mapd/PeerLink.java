package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.server.EventLog;
import io.metrodb.server.LinkLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * This mapd's link to one peer mapd: pushes the changes this mapd originates (REPLICATE), and pulls the peer's
 * own changes it has not applied in order yet (SYNC) when the link comes up, when a gap shows, and every sync
 * interval. Data-path thread only.
 */
final class PeerLink implements PeerConnection.StateListener, ResponseListener, RequestWriter
{
    static final long TOKEN_PUSH = -1;
    static final long TOKEN_SYNC = -2;
    private static final System.Logger LOG = System.getLogger(PeerLink.class.getName());

    private final Replicator replicator;
    private final EventLoop loop;
    private final PeerConnection connection;
    private final long syncIntervalMs;
    private final RequestWriter pushWriter;
    private ScheduledFuture<?> periodicSync;
    private int peerNode = -1;
    private boolean syncing;
    private boolean caughtUp;
    private long syncFrom;
    private long syncsCompleted;
    private long snapshotsReceived;
    private long pushFailures;
    private final String owner;
    private long catchUpStartNs;
    private long catchUpFrom;
    private long catchUpChanges;

    PeerLink(
        final Replicator replicator,
        final EventLoop loop,
        final InetSocketAddress address,
        final HandshakeConfig handshake,
        final long peerTimeoutMs,
        final long syncIntervalMs)
    {
        this.replicator = replicator;
        this.loop = loop;
        this.syncIntervalMs = syncIntervalMs;
        this.pushWriter = replicator::writeBroadcast;
        this.owner = "mapd " + handshake.nodeId();
        this.connection = new PeerConnection(loop, address, handshake, 1 << 16, peerTimeoutMs,
            new LinkLog(owner, "peer mapd", Roles.MAPD, address, this));
    }

    void start()
    {
        connection.start();
        loop.execute(() -> periodicSync = loop.scheduleWithFixedDelay(
            this::startSync, syncIntervalMs, syncIntervalMs, TimeUnit.MILLISECONDS));
    }

    int peerNode()
    {
        return peerNode;
    }

    boolean isLive()
    {
        return connection.isReady() && peerNode >= 0;
    }

    /**
     * @return true while the link is up but its first SYNC since it came up has not ended.
     */
    boolean isCatchingUp()
    {
        return isLive() && !caughtUp;
    }

    /**
     * Sends the change being broadcast, if connected.
     */
    boolean push(final ResponseListener listener, final long token)
    {
        return isLive() && connection.send(pushWriter, listener, token) >= 0;
    }

    @Override
    public void onReady(final PeerConnection c, final HandshakeResult hello)
    {
        if (hello.role() != Roles.MAPD)
        {
            LOG.log(System.Logger.Level.ERROR, c.address() + " in --peers is not a mapd; ignoring it");
            peerNode = -1;
            return;
        }
        peerNode = hello.nodeId();
        syncing = false;
        caughtUp = false;
        catchUpStartNs = System.nanoTime();
        catchUpChanges = 0;
        catchUpFrom = replicator.lastApplied(peerNode) + 1;
        EventLog.info(owner + ": catching up with peer mapd " + peerNode + " at " + addressText() +
            " from its change " + catchUpFrom);
        startSync();
    }

    @Override
    public void onLost(final PeerConnection c)
    {
        syncing = false;
    }

    private String addressText()
    {
        return connection.address().getHostString() + ":" + connection.address().getPort();
    }

    /**
     * Asks the peer for its changes from the first one not applied in order, unless a SYNC is in progress.
     */
    void startSync()
    {
        if (syncing || !isLive())
        {
            return;
        }
        syncFrom = replicator.lastApplied(peerNode) + 1;
        syncing = connection.send(this, this, TOKEN_SYNC) >= 0;
    }

    @Override
    public void write(final ByteBuf out, final long requestId)
    {
        SyncRequest.encode(out, requestId, syncFrom, peerNode);
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        if (token == TOKEN_PUSH)
        {
            if (FrameHeader.status(frame, at) != StatusCodes.OK)
            {
                pushFailures++;
            }
            return;
        }
        if (FrameHeader.status(frame, at) != StatusCodes.OK || !SyncResponse.isValid(frame, at))
        {
            syncing = false;
            return;
        }
        final int mode = SyncResponse.mode(frame, at);
        final int count = SyncResponse.changeCount(frame, at);
        final long first = SyncResponse.sequence(frame, at);
        final boolean more = SyncResponse.hasMore(frame, at);
        if (!caughtUp)
        {
            catchUpChanges += count;
        }
        int change = SyncResponse.firstChangeIndex(at);
        for (int i = 0; i < count; i++)
        {
            final long sequence = mode == SyncResponse.MODE_BACKLOG ? first + i : 0;
            replicator.applyFromPeer(peerNode, sequence, frame, change);
            change = SyncResponse.nextChangeIndex(frame, change);
        }
        if (!more)
        {
            if (mode == SyncResponse.MODE_SNAPSHOT)
            {
                snapshotsReceived++;
            }
            replicator.onSyncEnd(peerNode, first);
            syncsCompleted++;
            syncing = false;
            if (!caughtUp)
            {
                EventLog.info(owner + ": caught up with peer mapd " + peerNode + " at " + addressText() + ": " +
                    catchUpChanges + " changes " + (mode == SyncResponse.MODE_SNAPSHOT ? "in a full snapshot" :
                    "from its backlog") + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - catchUpStartNs) +
                    " ms, now at its change " + replicator.lastApplied(peerNode));
            }
            caughtUp = true;
        }
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        if (token == TOKEN_PUSH)
        {
            pushFailures++;
        }
        else
        {
            syncing = false;
        }
    }

    void appendInfo(final StringBuilder text, final int index)
    {
        text.append("peer").append(index).append(':')
            .append("address=").append(connection.address())
            .append(",node=").append(peerNode)
            .append(",live=").append(isLive() ? 1 : 0)
            .append(",last_applied=").append(peerNode >= 0 ? replicator.lastApplied(peerNode) : 0)
            .append(",syncing=").append(syncing ? 1 : 0)
            .append(",syncs=").append(syncsCompleted)
            .append(",snapshots=").append(snapshotsReceived)
            .append(",push_failures=").append(pushFailures)
            .append('\n');
    }

    void close()
    {
        if (periodicSync != null)
        {
            periodicSync.cancel(false);
        }
        connection.close();
    }
}
