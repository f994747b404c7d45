package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * REPAIR response (OK): the key's replica list after the repair. A {@link StatusCodes#STALE_VERSION}
 * response instead means the key changed meanwhile and nothing was done.
 *
 * <pre>
 *  0          1      2
 *  +----------+------+----------------------------------------------+
 *  | replCnt  | rsvd | replicaCount x { logdId u16, offset u64 }    |
 *  | u8       | u8   |                                              |
 *  +----------+------+----------------------------------------------+
 * </pre>
 */
public final class RepairResponse
{
    public static final int REPLICA_COUNT_OFFSET = 0;
    public static final int REPLICAS_OFFSET = 2;

    private RepairResponse()
    {
    }

    public static void encode(
        final ByteBuf out, final long requestId, final int replicaCount, final short[] logdIds, final long[] offsets)
    {
        Encoding.checkReplicas(replicaCount, logdIds, offsets);
        FrameHeader.writeResponse(
            out, REPLICAS_OFFSET + replicaCount * Change.REPLICA_LENGTH, Opcodes.REPAIR, StatusCodes.OK, requestId);
        out.writeByte(replicaCount);
        out.writeByte(0);
        Encoding.writeReplicas(out, replicaCount, logdIds, offsets);
    }

    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= REPLICAS_OFFSET &&
            payloadLength == REPLICAS_OFFSET + replicaCount(buf, frame) * Change.REPLICA_LENGTH;
    }

    public static int replicaCount(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedByte(FrameHeader.payloadIndex(frame) + REPLICA_COUNT_OFFSET);
    }

    public static int replicaLogdId(final ByteBuf buf, final int frame, final int i)
    {
        return buf.getUnsignedShort(replicaIndex(frame, i));
    }

    public static long replicaOffset(final ByteBuf buf, final int frame, final int i)
    {
        return buf.getLong(replicaIndex(frame, i) + Change.REPLICA_OFFSET_OFFSET);
    }

    private static int replicaIndex(final int frame, final int i)
    {
        return FrameHeader.payloadIndex(frame) + REPLICAS_OFFSET + i * Change.REPLICA_LENGTH;
    }
}
