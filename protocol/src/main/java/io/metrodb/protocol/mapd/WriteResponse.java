package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * OK response to SET, SETSAFE and DEL: the version written, how many logd replicas hold it, and how many
 * live peer mapds acknowledged the change.
 *
 * <pre>
 *  0             8             10         11     12           14          16
 *  +-------------+-------------+----------+------+------------+-----------+
 *  | version     | versionNode | replicas | rsvd | peersAcked | peersLive |
 *  | u64         | u16         | u8       | u8   | u16        | u16       |
 *  +-------------+-------------+----------+------+------------+-----------+
 * </pre>
 */
public final class WriteResponse
{
    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_NODE_OFFSET = 8;
    public static final int REPLICAS_OFFSET = 10;
    public static final int PEERS_ACKED_OFFSET = 12;
    public static final int PEERS_LIVE_OFFSET = 14;
    public static final int LENGTH = 16;

    private WriteResponse()
    {
    }

    /**
     * @param opcode {@link Opcodes#SET}, {@link Opcodes#SETSAFE} or {@link Opcodes#DEL}.
     */
    public static void encode(
        final ByteBuf out,
        final byte opcode,
        final long requestId,
        final long version,
        final int versionNode,
        final int replicas,
        final int peersAcked,
        final int peersLive)
    {
        FrameHeader.writeResponse(out, LENGTH, opcode, StatusCodes.OK, requestId);
        out.writeLong(version);
        out.writeShort(versionNode);
        out.writeByte(replicas);
        out.writeByte(0);
        out.writeShort(peersAcked);
        out.writeShort(peersLive);
    }

    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH;
    }

    public static long version(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + VERSION_OFFSET);
    }

    public static int versionNode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + VERSION_NODE_OFFSET);
    }

    public static int replicas(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedByte(FrameHeader.payloadIndex(frame) + REPLICAS_OFFSET);
    }

    public static int peersAcked(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + PEERS_ACKED_OFFSET);
    }

    public static int peersLive(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + PEERS_LIVE_OFFSET);
    }
}
