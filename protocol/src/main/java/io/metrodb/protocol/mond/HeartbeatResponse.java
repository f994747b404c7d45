package io.metrodb.protocol.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * HEARTBEAT response (OK): the echoed send time and the node's role, state and size.
 *
 * <pre>
 *  0             8      9       10       12     16           24            32
 *  +-------------+------+-------+--------+------+------------+-------------+
 *  | sendTimeNs  | role | state | nodeId | rsvd | dataBytes  | viewEpoch   |
 *  | u64         | u8   | u8    | u16    | u32  | u64        | u64         |
 *  +-------------+------+-------+--------+------+------------+-------------+
 * </pre>
 *
 * {@code role} is a {@link Roles} value. {@code dataBytes} is the tail offset on a logd and the key count
 * on a mapd. {@code viewEpoch} is the newest cluster view the node has.
 */
public final class HeartbeatResponse
{
    public static final int SEND_TIME_NS_OFFSET = 0;
    public static final int ROLE_OFFSET = 8;
    public static final int STATE_OFFSET = 9;
    public static final int NODE_ID_OFFSET = 10;
    public static final int DATA_BYTES_OFFSET = 16;
    public static final int VIEW_EPOCH_OFFSET = 24;
    public static final int LENGTH = 32;

    public static final int STATE_SERVING = 0;
    public static final int STATE_CATCHING_UP = 1;
    public static final int STATE_STOPPING = 2;

    private HeartbeatResponse()
    {
    }

    public static void encode(
        final ByteBuf out,
        final long requestId,
        final long sendTimeNs,
        final byte role,
        final int state,
        final int nodeId,
        final long dataBytes,
        final long viewEpoch)
    {
        FrameHeader.writeResponse(out, LENGTH, Opcodes.HEARTBEAT, StatusCodes.OK, requestId);
        out.writeLong(sendTimeNs);
        out.writeByte(role);
        out.writeByte(state);
        out.writeShort(nodeId);
        out.writeInt(0);
        out.writeLong(dataBytes);
        out.writeLong(viewEpoch);
    }

    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH;
    }

    public static long sendTimeNs(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + SEND_TIME_NS_OFFSET);
    }

    public static byte role(final ByteBuf buf, final int frame)
    {
        return buf.getByte(FrameHeader.payloadIndex(frame) + ROLE_OFFSET);
    }

    public static int state(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedByte(FrameHeader.payloadIndex(frame) + STATE_OFFSET);
    }

    public static int nodeId(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + NODE_ID_OFFSET);
    }

    public static long dataBytes(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + DATA_BYTES_OFFSET);
    }

    public static long viewEpoch(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + VIEW_EPOCH_OFFSET);
    }
}
