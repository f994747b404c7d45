package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

/**
 * HELLO response (status OK): the version chosen and who the server is.
 *
 * <pre>
 *  0         2      3      4        6      8
 *  +---------+------+------+--------+------+----------------+
 *  | version | role | rsvd | nodeId | rsvd | maxFrameLength |
 *  | u16     | u8   | u8   | u16    | u16  | u32            |
 *  +---------+------+------+--------+------+----------------+
 * </pre>
 */
public final class HelloResponse
{
    public static final int VERSION_OFFSET = 0;
    public static final int ROLE_OFFSET = 2;
    public static final int NODE_ID_OFFSET = 4;
    public static final int MAX_FRAME_LENGTH_OFFSET = 8;
    public static final int LENGTH = 12;

    private HelloResponse()
    {
    }

    public static void encode(
        final ByteBuf out,
        final long requestId,
        final int version,
        final byte role,
        final int nodeId,
        final int maxFrameLength)
    {
        FrameHeader.writeResponse(out, LENGTH, Opcodes.HELLO, StatusCodes.OK, requestId);
        out.writeShort(version);
        out.writeByte(role);
        out.writeByte(0);
        out.writeShort(nodeId);
        out.writeShort(0);
        out.writeInt(maxFrameLength);
    }

    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH;
    }

    public static int version(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + VERSION_OFFSET);
    }

    public static byte role(final ByteBuf buf, final int frame)
    {
        return buf.getByte(FrameHeader.payloadIndex(frame) + ROLE_OFFSET);
    }

    public static int nodeId(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + NODE_ID_OFFSET);
    }

    public static int maxFrameLength(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + MAX_FRAME_LENGTH_OFFSET);
    }
}
