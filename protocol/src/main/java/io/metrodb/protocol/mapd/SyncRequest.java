package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * SYNC request: a peer asks an origin mapd for its changes from {@code fromSequence} on. The answer is a
 * stream of {@link SyncResponse} frames.
 *
 * <pre>
 *  0                 8            10     12
 *  +-----------------+------------+------+
 *  | fromSequence    | originNode | rsvd |
 *  | u64             | u16        | u16  |
 *  +-----------------+------------+------+
 * </pre>
 */
public final class SyncRequest
{
    public static final int FROM_SEQUENCE_OFFSET = 0;
    public static final int ORIGIN_NODE_OFFSET = 8;
    public static final int LENGTH = 12;

    private SyncRequest()
    {
    }

    public static void encode(final ByteBuf out, final long requestId, final long fromSequence, final int originNode)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.SYNC, (byte)0, requestId);
        out.writeLong(fromSequence);
        out.writeShort(originNode);
        out.writeShort(0);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long fromSequence(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + FROM_SEQUENCE_OFFSET);
    }

    public static int originNode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + ORIGIN_NODE_OFFSET);
    }
}
