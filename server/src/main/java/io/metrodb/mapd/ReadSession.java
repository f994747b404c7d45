package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * One GET: look the key up in the grid, read one replica, check it (record format and CRC32C, key, version,
 * length and checksum against the grid), and answer with the value; on any failure or mismatch read the next
 * replica and count the bad one (queuing it for mond when its bytes are bad). Never answers with bytes that
 * failed a check. Replicas on logds that mond's cluster view calls UP are read before SUSPECT and DOWN ones, and
 * among equals those on logds of this host first. A replica on a logd of this host is read from its segment file
 * ({@link LocalReads}) when it verifies there, else over the network as any other. Pooled, data-path thread only.
 */
final class ReadSession extends RequestSession
{
    private final GridEntry entry = new GridEntry();
    private final FrameView frameView = new FrameView();
    private final int[] order = new int[GridEntry.MAX_REPLICAS];
    private final int[] orderKeys = new int[GridEntry.MAX_REPLICAS];

    private byte opcode;
    private long startNs;
    private int keyIndex;
    private int keyLength;
    private int nextReplica;
    private int currentReplica;
    private int replicasTried;

    ReadSession(final MapdNode node)
    {
        super(node);
    }

    /**
     * Starts the read; takes ownership of {@code frame}.
     */
    void start(final MapdRequestHandler handler, final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        startNs = System.nanoTime();
        begin(handler, ctx, frame, FrameHeader.requestId(frame, at));
        opcode = FrameHeader.opcode(frame, at);
        keyIndex = KeyRequest.keyIndex(at);
        keyLength = KeyRequest.keyLength(frame, at);
        nextReplica = 0;
        replicasTried = 0;
        if (!node.grid().get(frameView.wrap(frame), keyIndex, keyLength, entry) || entry.isTombstone())
        {
            node.counters().getsNotFound.incrementRelease();
            handler.replyNotFound(ctx, opcode, requestId);
            release();
            return;
        }
        orderByRank();
        tryNextReplica();
    }

    /**
     * Replica order: by the cluster view's rank of their logd, then logds read locally first; stable (insertion
     * sort of at most 7).
     */
    private void orderByRank()
    {
        final LogdPool logds = node.logds();
        final LocalReads localReads = node.localReads();
        for (int i = 0; i < entry.replicaCount(); i++)
        {
            final int logdId = entry.logdId(i);
            final int key = (logds.readRank(logdId) << 1) | (localReads.isLocal(logdId) ? 0 : 1);
            int j = i;
            while (j > 0 && orderKeys[j - 1] > key)
            {
                order[j] = order[j - 1];
                orderKeys[j] = orderKeys[j - 1];
                j--;
            }
            order[j] = i;
            orderKeys[j] = key;
        }
    }

    private void tryNextReplica()
    {
        while (nextReplica < entry.replicaCount())
        {
            currentReplica = order[nextReplica++];
            final ByteBuf local = node.localReads().read(entry.logdId(currentReplica), entry.offset(currentReplica),
                entry, frame, keyIndex, keyLength, ctx.alloc());
            if (local != null)
            {
                handler.replyValue(ctx, requestId, entry.version(), entry.versionNode(), local);
                release();
                return;
            }
            final PeerConnection replica = node.logds().byNodeId(entry.logdId(currentReplica));
            if (replica != null && replica.send(this, this, currentReplica) >= 0)
            {
                replicasTried++;
                return;
            }
            node.counters().replicaReadFailures.incrementRelease();
        }
        node.counters().readsUnreadable.incrementRelease();
        handler.replyError(ctx, opcode, requestId, StatusCodes.REPLICAS_UNREADABLE, replicasTried == 0 ?
            "no logd holding a replica of the key is connected" : "no replica of the key could be read and verified");
        release();
    }

    @Override
    public void write(final ByteBuf out, final long readRequestId)
    {
        OffsetPayload.encodeReadRequest(out, readRequestId, entry.offset(currentReplica));
    }

    @Override
    public void onResponse(final long replica, final ByteBuf response, final int at)
    {
        final short reason = ReplicaCheck.check(response, at, entry, frame, keyIndex, keyLength);
        if (reason == StatusCodes.OK)
        {
            final int record = ReadResponse.entryIndex(at);
            final int valueIndex = ValueRecord.valueIndex(response, record);
            handler.replyValue(ctx, requestId, entry.version(), entry.versionNode(),
                response.retainedSlice(valueIndex, entry.valueLength()));
            release();
            return;
        }
        if (FrameHeader.status(response, at) == StatusCodes.OK)
        {
            node.counters().badReplicas.incrementRelease();
        }
        else
        {
            node.counters().replicaReadFailures.incrementRelease();
        }
        if (ReplicaCheck.isDataError(reason))
        {
            final int r = (int)replica;
            if (node.badReplicaQueue().offer(frame, keyIndex, keyLength, entry.logdId(r), entry.offset(r),
                entry.version(), entry.versionNode(), reason))
            {
                node.onCorruptReplica(frame, keyIndex, keyLength, entry.logdId(r), entry.offset(r), entry.version(),
                    reason);
            }
        }
        tryNextReplica();
    }

    @Override
    public void onFailure(final long replica, final short status)
    {
        node.counters().replicaReadFailures.incrementRelease();
        tryNextReplica();
    }

    @Override
    void onRelease()
    {
        if (opcode == Opcodes.GET)
        {
            node.timings().record(RequestTimings.GET, System.nanoTime() - startNs);
        }
    }

    @Override
    void recycle()
    {
        node.releaseRead(this);
    }
}
