package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Info;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.DumpRequest;
import io.metrodb.protocol.mapd.DumpResponse;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.netty.ErrorReplies;
import io.metrodb.protocol.netty.ReadGate;
import io.metrodb.protocol.validation.FrameValidator;
import io.metrodb.server.CommonReplies;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.DirectBuffer;

/**
 * Serves one client connection of a mapd, on the data-path thread. GET, writes, and mond's PROBE and REPAIR go
 * through sessions that answer when the logds have; EXISTS, INFO, DUMP, PING, HEARTBEAT and CLUSTER_VIEW answer
 * at once. A connection may have at most {@link #MAX_IN_FLIGHT} requests in progress; past that it is not read
 * from until half of them are answered, so one client cannot make the mapd buffer without bound.
 */
final class MapdRequestHandler extends ChannelInboundHandlerAdapter
{
    static final int MAX_IN_FLIGHT = 4096;
    /** INFO section that answers the request timings alone and clears them. */
    static final String LATENCY_RESET = "latency-reset";

    private final MapdNode node;
    private final GridEntry entry = new GridEntry();
    private final FrameView frameView = new FrameView();
    private final ChangeFlyweight change = new ChangeFlyweight();
    private final java.util.List<SyncStreamer> streamers = new java.util.ArrayList<>(1);
    private int inFlight;
    private boolean paused;
    private Channel pausedChannel;

    MapdRequestHandler(final MapdNode node)
    {
        this.node = node;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        final int at = frame.readerIndex();
        final byte opcode = FrameHeader.opcode(frame, at);
        if (!servesOpcode(opcode))
        {
            node.counters().badRequests.incrementRelease();
            ErrorReplies.reply(ctx, frame, Opcodes.isKnown(opcode) ? StatusCodes.WRONG_ROLE : StatusCodes.UNKNOWN_OPCODE,
                Opcodes.isKnown(opcode) ? Opcodes.name(opcode) + " is not served by this mapd" : "unknown opcode");
            frame.release();
            return;
        }
        final short valid = FrameValidator.validateRequest(frame, at, node.maxValueLength());
        if (valid != StatusCodes.OK)
        {
            node.counters().badRequests.incrementRelease();
            ErrorReplies.reply(ctx, frame, valid, describeInvalid(valid, opcode));
            frame.release();
            return;
        }
        if (node.isStopping() && refusedWhenStopping(opcode))
        {
            node.counters().refusedStopping.incrementRelease();
            ErrorReplies.reply(ctx, frame, StatusCodes.SHUTTING_DOWN, "this mapd is stopping; retry another mapd");
            frame.release();
            return;
        }

        switch (opcode)
        {
            case Opcodes.GET ->
            {
                node.counters().gets.incrementRelease();
                onRequestStarted(ctx);
                node.acquireRead().start(this, ctx, frame, at);
            }
            case Opcodes.SET, Opcodes.SETSAFE, Opcodes.DEL -> onWrite(ctx, frame, at, opcode);
            case Opcodes.REPLICATE ->
            {
                try
                {
                    node.replicator().onReplicate(ctx, frame, at, this);
                }
                finally
                {
                    frame.release();
                }
            }
            case Opcodes.SYNC ->
            {
                try
                {
                    final SyncStreamer streamer = node.replicator().onSync(ctx, frame, at);
                    if (!streamer.isDone())
                    {
                        streamers.add(streamer);
                    }
                }
                finally
                {
                    frame.release();
                }
            }
            case Opcodes.PROBE -> onProbe(ctx, frame, at);
            case Opcodes.REPAIR -> onRepair(ctx, frame, at);
            default -> answerNow(ctx, frame, at, opcode);
        }
    }

    private void onProbe(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        try
        {
            final ProbeSession probe = node.tryStartProbe();
            if (probe == null)
            {
                node.counters().probesRefused.incrementRelease();
                replyError(ctx, Opcodes.PROBE, FrameHeader.requestId(frame, at), StatusCodes.OVERLOADED,
                    "a PROBE is already in progress at this mapd");
                return;
            }
            onRequestStarted(ctx);
            probe.start(this, ctx, frame, at);
        }
        finally
        {
            frame.release();
        }
    }

    private void onRepair(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        final RepairSession repair =
            node.tryStartRepair(frame, RepairRequest.keyIndex(at), RepairRequest.keyLength(frame, at));
        if (repair == null)
        {
            node.counters().repairsRefused.incrementRelease();
            replyError(ctx, Opcodes.REPAIR, FrameHeader.requestId(frame, at), StatusCodes.OVERLOADED,
                MapdNode.MAX_REPAIRS + " REPAIRs, or one of this key, are in progress at this mapd");
            frame.release();
            return;
        }
        onRequestStarted(ctx);
        repair.start(this, ctx, frame, at);
    }

    private void answerNow(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final byte opcode)
    {
        final long requestId = FrameHeader.requestId(frame, at);
        try
        {
            switch (opcode)
            {
                case Opcodes.EXISTS -> onExists(ctx, frame, at, requestId);
                case Opcodes.INFO -> onInfo(ctx, Info.section(frame, at), requestId);
                case Opcodes.DUMP -> onDump(ctx, frame, at, requestId);
                case Opcodes.PING -> CommonReplies.ping(ctx, frame, at, requestId);
                case Opcodes.HEARTBEAT -> onHeartbeat(ctx, frame, at, requestId);
                case Opcodes.CLUSTER_VIEW -> onClusterView(ctx, frame, at, requestId);
                default -> throw new IllegalStateException("unreachable: " + opcode);
            }
        }
        finally
        {
            frame.release();
        }
    }

    private static boolean servesOpcode(final byte opcode)
    {
        return switch (opcode)
        {
            case Opcodes.GET, Opcodes.SET, Opcodes.SETSAFE, Opcodes.DEL, Opcodes.EXISTS, Opcodes.INFO, Opcodes.DUMP,
                Opcodes.PING, Opcodes.REPLICATE, Opcodes.SYNC, Opcodes.PROBE, Opcodes.REPAIR, Opcodes.HEARTBEAT,
                Opcodes.CLUSTER_VIEW -> true;
            default -> false;
        };
    }

    /**
     * A stopping mapd still answers its peers (REPLICATE, SYNC), mond (HEARTBEAT, CLUSTER_VIEW), PING and INFO,
     * and refuses what a client or mond can take to another mapd, so the requests in progress drain.
     */
    private static boolean refusedWhenStopping(final byte opcode)
    {
        return switch (opcode)
        {
            case Opcodes.GET, Opcodes.SET, Opcodes.SETSAFE, Opcodes.DEL, Opcodes.EXISTS, Opcodes.DUMP, Opcodes.PROBE,
                Opcodes.REPAIR -> true;
            default -> false;
        };
    }

    private static String describeInvalid(final short status, final byte opcode)
    {
        return switch (status)
        {
            case StatusCodes.INVALID_KEY -> "keys are 1..65535 bytes";
            case StatusCodes.VALUE_TOO_LARGE -> "value longer than this mapd's --max-value";
            default -> "malformed " + Opcodes.name(opcode) + " request";
        };
    }

    private void onWrite(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final byte opcode)
    {
        final MapdCounters counters = node.counters();
        if (opcode == Opcodes.DEL)
        {
            counters.dels.incrementRelease();
            final DirectBuffer key = frameView.wrap(frame);
            if (!node.grid().get(key, KeyRequest.keyIndex(at), KeyRequest.keyLength(frame, at), entry) ||
                entry.isTombstone())
            {
                replyNotFound(ctx, opcode, FrameHeader.requestId(frame, at));
                frame.release();
                return;
            }
        }
        else if (opcode == Opcodes.SET)
        {
            counters.sets.incrementRelease();
        }
        else
        {
            counters.setSafes.incrementRelease();
        }
        onRequestStarted(ctx);
        node.acquireWrite().start(this, ctx, frame, at);
    }

    private void onExists(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        node.counters().exists.incrementRelease();
        final DirectBuffer key = frameView.wrap(frame);
        if (!node.grid().get(key, KeyRequest.keyIndex(at), KeyRequest.keyLength(frame, at), entry) ||
            entry.isTombstone())
        {
            replyNotFound(ctx, Opcodes.EXISTS, requestId);
            return;
        }
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET);
        EntryResponse.encodeExists(out, requestId, entry.version(), entry.versionNode(), entry.valueLength());
        ctx.write(out, ctx.voidPromise());
    }

    /**
     * O(1) and allocation-free but for the reply, so a busy mapd still answers mond within one loop turn.
     */
    private void onHeartbeat(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        node.counters().heartbeats.incrementRelease();
        CommonReplies.heartbeat(ctx, frame, at, requestId, Roles.MAPD, node.heartbeatState(), node.nodeId(),
            node.grid().liveKeys(), node.clusterView().epoch());
    }

    private void onClusterView(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        final ClusterViewState view = node.clusterView();
        if (ClusterView.isQuery(frame, at))
        {
            final ByteBuf out = ctx.alloc().ioBuffer(view.viewFrameLength());
            view.writeView(out, requestId);
            ctx.write(out, ctx.voidPromise());
            return;
        }
        view.offer(frame, at);
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH);
        ClusterView.encodeAck(out, requestId);
        ctx.write(out, ctx.voidPromise());
    }

    private void onInfo(final ChannelHandlerContext ctx, final String section, final long requestId)
    {
        if (LATENCY_RESET.equals(section))
        {
            final StringBuilder text = new StringBuilder(1024);
            node.timings().appendInfo(text);
            node.timings().reset();
            CommonReplies.info(ctx, requestId, text);
            return;
        }
        final KeyGrid grid = node.grid();
        final StringBuilder text = new StringBuilder(1024)
            .append("role:mapd\n")
            .append("node_id:").append(node.nodeId()).append('\n')
            .append("rf:").append(node.rf()).append('\n')
            .append("keys:").append(grid.liveKeys()).append('\n')
            .append("entries:").append(grid.size()).append('\n')
            .append("grid_capacity:").append(grid.capacity()).append('\n')
            .append("grid_index_bytes:").append(grid.indexBytes()).append('\n')
            .append("grid_entry_bytes:").append(grid.entryBytes()).append('\n')
            .append("grid_key_bytes:").append(grid.keyArenaBytes()).append('\n')
            .append("logds:").append(node.logds().size()).append('\n')
            .append("logds_healthy:").append(node.logds().healthyCount()).append('\n')
            .append("logds_writable:").append(node.logds().writableCount()).append('\n')
            .append("writes_waiting_for_logds:").append(node.logds().waitingWrites()).append('\n')
            .append("own_sequence:").append(node.ownSequence()).append('\n')
            .append("cluster_view_epoch:").append(node.clusterView().epoch()).append('\n')
            .append("cluster_views_applied:").append(node.clusterView().applied()).append('\n')
            .append("cluster_views_ignored:").append(node.clusterView().ignored()).append('\n')
            .append("bad_replicas_queued:").append(node.badReplicaQueue().queued()).append('\n')
            .append("bad_replicas_waiting:").append(node.badReplicaQueue().size()).append('\n')
            .append("bad_replicas_dropped:").append(node.badReplicaQueue().dropped()).append('\n');
        node.replicator().appendInfo(text);
        node.localReads().appendInfo(text);
        CommonReplies.appendCounters(text, "", node.counters()::forEach);
        CommonReplies.appendCounters(text, "journal_", node.journal().stats()::forEach);
        node.timings().appendInfo(text);
        CommonReplies.info(ctx, requestId, text);
    }

    private void onDump(final ChannelHandlerContext ctx, final ByteBuf frame, final int at, final long requestId)
    {
        final long cursor = DumpRequest.cursor(frame, at);
        if (cursor < 0)
        {
            // A u64 at or above 2^63: no grid has that many entries, and KeyGrid's cursors are signed.
            ErrorReplies.write(ctx, Opcodes.DUMP, requestId, StatusCodes.BAD_REQUEST,
                "DUMP cursor must be below 2^63");
            return;
        }
        final ByteBuf changes = ctx.alloc().ioBuffer(64 * 1024);
        final short[] logdIds = new short[GridEntry.MAX_REPLICAS];
        final long[] offsets = new long[GridEntry.MAX_REPLICAS];
        final int[] count = new int[1];
        final ByteBuf key = Unpooled.buffer(KeyGrid.MAX_KEY_LENGTH);
        final long next = node.grid().forEach(cursor, Math.max(1, DumpRequest.maxKeys(frame, at)),
            (keyBuffer, keyIndex, keyLength, e) ->
            {
                for (int i = 0; i < e.replicaCount(); i++)
                {
                    logdIds[i] = (short)e.logdId(i);
                    offsets[i] = e.offset(i);
                }
                keyBuffer.getBytes(keyIndex, key.array(), key.arrayOffset(), keyLength);
                change.wrapForAppend(changes, keyLength, e.replicaCount())
                    .version(e.version()).versionNode(e.versionNode()).flags(e.flags())
                    .valueLength(e.valueLength()).checksum(e.checksum())
                    .key(key, 0, keyLength).replicas(e.replicaCount(), logdIds, offsets)
                    .commit();
                count[0]++;
            });
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + 12 + changes.readableBytes());
        DumpResponse.encodeHeader(out, requestId, Math.max(next, 0), count[0], changes.readableBytes());
        out.writeBytes(changes);
        changes.release();
        ctx.write(out, ctx.voidPromise());
    }

    void replyNotFound(final ChannelHandlerContext ctx, final byte opcode, final long requestId)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH);
        FrameHeader.writeResponse(out, 0, opcode, StatusCodes.NOT_FOUND, requestId);
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    void replyError(
        final ChannelHandlerContext ctx, final byte opcode, final long requestId, final short status, final String message)
    {
        ErrorReplies.write(ctx, opcode, requestId, status, message);
        ctx.flush();
    }

    void replyWrite(
        final ChannelHandlerContext ctx, final byte opcode, final long requestId, final long version, final int node,
        final int replicas, final int peersAcked, final int peersLive)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + WriteResponse.LENGTH);
        WriteResponse.encode(out, opcode, requestId, version, node, replicas, peersAcked, peersLive);
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    /**
     * Answers a GET with the value bytes, which stay in the logd's response buffer (no copy): the header and
     * the value slice go out in one gathering write.
     */
    void replyValue(
        final ChannelHandlerContext ctx, final long requestId, final long version, final int versionNode,
        final ByteBuf value)
    {
        final ByteBuf header = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET);
        EntryResponse.encodeGetHeader(header, requestId, version, versionNode, value.readableBytes());
        ctx.write(header, ctx.voidPromise());
        ctx.writeAndFlush(value, ctx.voidPromise());
    }

    void replyReplicateAck(final ChannelHandlerContext ctx, final long requestId)
    {
        final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH);
        io.metrodb.protocol.mapd.ReplicateRequest.encodeAck(out, requestId);
        ctx.write(out, ctx.voidPromise());
    }

    void replyJournalError(final ChannelHandlerContext ctx, final byte opcode, final long requestId)
    {
        ErrorReplies.write(ctx, opcode, requestId, StatusCodes.STORAGE_ERROR, "journal append failed");
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        for (final SyncStreamer streamer : streamers)
        {
            streamer.abort();
        }
        streamers.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable() && !streamers.isEmpty())
        {
            for (final SyncStreamer streamer : streamers)
            {
                streamer.run();
            }
            streamers.removeIf(SyncStreamer::isDone);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void onRequestStarted(final ChannelHandlerContext ctx)
    {
        node.requestStarted();
        if (++inFlight >= MAX_IN_FLIGHT && !paused)
        {
            paused = true;
            pausedChannel = ctx.channel();
            ReadGate.close(pausedChannel, ReadGate.IN_FLIGHT);
        }
    }

    void onRequestDone()
    {
        inFlight--;
        node.requestDone();
        if (paused && inFlight < MAX_IN_FLIGHT / 2)
        {
            // Reading stopped at the cap: no read batch ends until it starts again, so resume here.
            paused = false;
            ReadGate.open(pausedChannel, ReadGate.IN_FLIGHT);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.flush();
        node.timings().publishIfDue(System.nanoTime());
        if (paused && inFlight < MAX_IN_FLIGHT / 2)
        {
            paused = false;
            ReadGate.open(ctx.channel(), ReadGate.IN_FLIGHT);
        }
    }
}
