package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.ChangeApplier;
import io.metrodb.mapd.store.JournalEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Replication between mapds, on the data-path thread. Every change this mapd originates is numbered (its own
 * sequence) and pushed, pipelined and in order, to each live peer ({@link #broadcast}); changes from peers are
 * applied under last-writer-wins ({@link #onReplicate}). Each peer link also asks its peer, when it connects
 * and then every sync interval, for that origin's changes from the first one not yet applied in order (SYNC);
 * the origin answers from its backlog or, when that has moved on, with a full snapshot. LWW makes applying a
 * change twice or out of order harmless, so every mapd converges.
 */
final class Replicator implements AutoCloseable
{
    private final MapdNode node;
    private final Backlog backlog;
    private final PeerLink[] links;
    private final long[] lastApplied;
    private final ChangeApplier applier;
    private ByteBuf broadcastEntry;
    private long gapsDetected;
    private long changesReceived;

    Replicator(
        final MapdNode node,
        final EventLoop loop,
        final List<InetSocketAddress> peers,
        final HandshakeConfig handshake,
        final long peerTimeoutMs,
        final long syncIntervalMs,
        final Backlog backlog,
        final long[] lastApplied)
    {
        this.node = node;
        this.backlog = backlog;
        this.lastApplied = lastApplied;
        this.applier = new ChangeApplier(node.grid());
        links = new PeerLink[peers.size()];
        for (int i = 0; i < links.length; i++)
        {
            links[i] = new PeerLink(this, loop, peers.get(i), handshake, peerTimeoutMs, syncIntervalMs);
        }
    }

    void start()
    {
        for (final PeerLink link : links)
        {
            link.start();
        }
    }

    MapdNode node()
    {
        return node;
    }

    Backlog backlog()
    {
        return backlog;
    }

    int peerCount()
    {
        return links.length;
    }

    /**
     * @return the last sequence applied in order from {@code origin}.
     */
    long lastApplied(final int origin)
    {
        return lastApplied[origin & 0xFFFF];
    }

    /**
     * @return the live table of last-applied sequences (for snapshots: read from another thread, a stale
     * value only makes a restarted mapd ask for a few changes again).
     */
    long[] lastAppliedTable()
    {
        return lastApplied;
    }

    /**
     * Sends the journal entry of a change this mapd just originated to every connected peer.
     *
     * @param entry    the journal entry (a REPLICATE payload); copied before this returns.
     * @param listener told each peer's answer (token = {@code tokenBase + peer index}), or null.
     * @return how many peers it was sent to (each answers exactly once).
     */
    int broadcast(final ByteBuf entry, final ResponseListener listener, final long tokenBase)
    {
        backlog.record(JournalEntry.sequence(entry, entry.readerIndex()), node.lastJournalPosition());
        broadcastEntry = entry;
        int sent = 0;
        for (int i = 0; i < links.length; i++)
        {
            if (links[i].push(listener != null ? listener : links[i], listener != null ? tokenBase + i : PeerLink.TOKEN_PUSH))
            {
                sent++;
            }
        }
        broadcastEntry = null;
        return sent;
    }

    /**
     * Writes the REPLICATE frame of the change being broadcast.
     */
    void writeBroadcast(final ByteBuf out, final long requestId)
    {
        final ByteBuf entry = broadcastEntry;
        FrameHeader.writeRequest(out, entry.readableBytes(), Opcodes.REPLICATE, (byte)0, requestId);
        out.writeBytes(entry, entry.readerIndex(), entry.readableBytes());
    }

    /**
     * A peer pushed a change it originated: apply, journal, acknowledge.
     */
    void onReplicate(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final MapdRequestHandler handler)
    {
        final int origin = ReplicateRequest.originNode(frame, at);
        final long sequence = ReplicateRequest.sequence(frame, at);
        final int change = ReplicateRequest.changeIndex(at);
        if (!replicasFit(frame, change))
        {
            ErrorReplies.write(ctx, Opcodes.REPLICATE, FrameHeader.requestId(frame, at), StatusCodes.BAD_REQUEST,
                "a replica offset is out of range 0..2^48-1");
            return;
        }
        if (applyFromPeer(origin, sequence, frame, change))
        {
            handler.replyReplicateAck(ctx, FrameHeader.requestId(frame, at));
        }
        else
        {
            handler.replyJournalError(ctx, Opcodes.REPLICATE, FrameHeader.requestId(frame, at));
        }
    }

    /**
     * @return true when every replica offset of the change at {@code change} fits the grid (0..2^48-1).
     */
    static boolean replicasFit(final ByteBuf buf, final int change)
    {
        for (int i = 0; i < Change.replicaCount(buf, change); i++)
        {
            final long offset = Change.replicaOffset(buf, change, i);
            if (offset < 0 || offset > GridReplica.MAX_OFFSET)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies one change from a peer (pushed, or streamed by SYNC) and journals it. Its sequence counts as
     * applied in order only when it is the next one expected from that origin; a gap makes the link to that
     * origin ask for what is missing.
     *
     * @param sequence the change's number at its origin, 0 when unknown (snapshot streams).
     * @return false when the journal refused the entry.
     */
    boolean applyFromPeer(final int origin, final long sequence, final ByteBuf buf, final int change)
    {
        changesReceived++;
        if (sequence != 0 && sequence <= lastApplied[origin])
        {
            return true;
        }
        node.clock().observe(Change.version(buf, change));
        final int applied = applier.applyChange(buf, change);
        final boolean inOrder = sequence != 0 && sequence == lastApplied[origin] + 1;
        if (inOrder)
        {
            lastApplied[origin] = sequence;
        }
        else if (sequence != 0)
        {
            gapsDetected++;
            final PeerLink link = linkFor(origin);
            if (link != null)
            {
                link.startSync();
            }
        }
        if (applied != KeyGrid.APPLIED && !inOrder)
        {
            return true;
        }
        return node.journalChange(inOrder ? sequence : 0, origin, buf, change);
    }

    /**
     * Ends a SYNC stream: everything up to {@code endSequence - 1} of that origin is now applied.
     */
    void onSyncEnd(final int origin, final long endSequence)
    {
        lastApplied[origin] = Math.max(lastApplied[origin], endSequence - 1);
    }

    /**
     * A peer asks for this mapd's changes from a sequence: stream them (or a snapshot).
     */
    SyncStreamer onSync(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        final long from = Math.max(1, SyncRequest.fromSequence(frame, at));
        final SyncStreamer streamer = new SyncStreamer(node, backlog, ctx, FrameHeader.requestId(frame, at), from);
        streamer.run();
        return streamer;
    }

    private PeerLink linkFor(final int origin)
    {
        for (final PeerLink link : links)
        {
            if (link.peerNode() == origin)
            {
                return link;
            }
        }
        return null;
    }

    /**
     * @return true while some peer link came up and has not finished its first SYNC (HEARTBEAT: catching up).
     */
    boolean isCatchingUp()
    {
        for (final PeerLink link : links)
        {
            if (link.isCatchingUp())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return peers connected now.
     */
    int livePeers()
    {
        int live = 0;
        for (final PeerLink link : links)
        {
            live += link.isLive() ? 1 : 0;
        }
        return live;
    }

    void appendInfo(final StringBuilder text)
    {
        text.append("peers:").append(links.length).append('\n')
            .append("peers_live:").append(livePeers()).append('\n')
            .append("replication_changes_received:").append(changesReceived).append('\n')
            .append("replication_gaps:").append(gapsDetected).append('\n')
            .append("backlog_oldest:").append(backlog.oldest()).append('\n')
            .append("backlog_newest:").append(backlog.newest()).append('\n');
        for (int i = 0; i < links.length; i++)
        {
            links[i].appendInfo(text, i);
        }
    }

    @Override
    public void close()
    {
        for (final PeerLink link : links)
        {
            link.close();
        }
    }
}
