package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;

/**
 * One GET: look the key up in the grid, read one replica, check it (record format and CRC32C, key, version,
 * length and checksum against the grid), and answer with the value; on any failure or mismatch read the next
 * replica and count the bad one. Never answers with bytes that failed a check. Pooled, data-path thread only.
 */
final class ReadSession implements RequestWriter, ResponseListener
{
    private final MapdNode node;
    private final GridEntry entry = new GridEntry();

    private MapdRequestHandler handler;
    private ChannelHandlerContext ctx;
    private ByteBuf frame;
    private long requestId;
    private byte opcode;
    private int keyIndex;
    private int keyLength;
    private int nextReplica;
    private int currentReplica;
    private int replicasTried;

    ReadSession(final MapdNode node)
    {
        this.node = node;
    }

    /**
     * Starts the read; takes ownership of {@code frame}.
     */
    void start(final MapdRequestHandler handler, final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
    {
        this.handler = handler;
        this.ctx = ctx;
        this.frame = frame;
        requestId = FrameHeader.requestId(frame, at);
        opcode = FrameHeader.opcode(frame, at);
        keyIndex = KeyRequest.keyIndex(at);
        keyLength = KeyRequest.keyLength(frame, at);
        nextReplica = 0;
        replicasTried = 0;
        if (!node.grid().get(frame, keyIndex, keyLength, entry) || entry.isTombstone())
        {
            node.counters().getsNotFound++;
            handler.replyNotFound(ctx, opcode, requestId);
            release();
            return;
        }
        tryNextReplica();
    }

    private void tryNextReplica()
    {
        while (nextReplica < entry.replicaCount())
        {
            currentReplica = nextReplica++;
            final PeerConnection replica = node.logds().byNodeId(entry.logdId(currentReplica));
            if (replica != null && replica.send(this, this, currentReplica) >= 0)
            {
                replicasTried++;
                return;
            }
            node.counters().replicaReadFailures++;
        }
        node.counters().readsUnreadable++;
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
        if (FrameHeader.status(response, at) == StatusCodes.OK && ReadResponse.isValid(response, at))
        {
            final int record = ReadResponse.entryIndex(at);
            final int length = ReadResponse.entryLength(response, at);
            if (matchesGrid(response, record, length))
            {
                final int valueIndex = ValueRecord.valueIndex(response, record);
                handler.replyValue(ctx, requestId, entry.version(), entry.versionNode(),
                    response.retainedSlice(valueIndex, entry.valueLength()));
                release();
                return;
            }
            node.counters().badReplicas++;
        }
        else
        {
            node.counters().replicaReadFailures++;
        }
        tryNextReplica();
    }

    @Override
    public void onFailure(final long replica, final short status)
    {
        node.counters().replicaReadFailures++;
        tryNextReplica();
    }

    private boolean matchesGrid(final ByteBuf response, final int record, final int length)
    {
        return ValueRecord.validate(response, record, length) == StatusCodes.OK &&
            !ValueRecord.isTombstone(response, record) &&
            ValueRecord.version(response, record) == entry.version() &&
            ValueRecord.versionNode(response, record) == entry.versionNode() &&
            ValueRecord.valueLength(response, record) == entry.valueLength() &&
            ValueRecord.checksum(response, record) == entry.checksum() &&
            ValueRecord.keyLength(response, record) == keyLength &&
            ByteBufUtil.equals(response, ValueRecord.keyIndex(record), frame, keyIndex, keyLength);
    }

    private void release()
    {
        frame.release();
        frame = null;
        handler.onRequestDone();
        handler = null;
        ctx = null;
        node.releaseRead(this);
    }
}
