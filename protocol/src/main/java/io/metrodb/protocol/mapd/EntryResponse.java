package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * OK response to GET (with the value) and EXISTS (without value bytes; {@code valueLength} is the stored
 * value's length). A key that does not exist gets NOT_FOUND with an empty payload.
 *
 * <pre>
 *  0             8             10     12            16
 *  +-------------+-------------+------+-------------+---------------------+
 *  | version     | versionNode | rsvd | valueLength | value (GET only)    |
 *  | u64         | u16         | u16  | u32         |                     |
 *  +-------------+-------------+------+-------------+---------------------+
 * </pre>
 */
public final class EntryResponse
{
    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_NODE_OFFSET = 8;
    public static final int VALUE_LENGTH_OFFSET = 12;
    public static final int VALUE_OFFSET = 16;

    private EntryResponse()
    {
    }

    /**
     * Writes the header and fixed fields of a GET response; the caller writes (or composes) the
     * {@code valueLength} value bytes after it.
     */
    public static void encodeGetHeader(
        final ByteBuf out, final long requestId, final long version, final int versionNode, final int valueLength)
    {
        writeHeader(out, Opcodes.GET, VALUE_OFFSET + valueLength, requestId, version, versionNode, valueLength);
    }

    public static void encodeGet(
        final ByteBuf out, final long requestId, final long version, final int versionNode, final byte[] value)
    {
        encodeGetHeader(out, requestId, version, versionNode, value.length);
        out.writeBytes(value);
    }

    public static void encodeExists(
        final ByteBuf out, final long requestId, final long version, final int versionNode, final int valueLength)
    {
        writeHeader(out, Opcodes.EXISTS, VALUE_OFFSET, requestId, version, versionNode, valueLength);
    }

    private static void writeHeader(
        final ByteBuf out,
        final byte opcode,
        final int payloadLength,
        final long requestId,
        final long version,
        final int versionNode,
        final int valueLength)
    {
        FrameHeader.writeResponse(out, payloadLength, opcode, StatusCodes.OK, requestId);
        out.writeLong(version);
        out.writeShort(versionNode);
        out.writeShort(0);
        out.writeInt(valueLength);
    }

    public static boolean isValidGet(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= VALUE_OFFSET && payloadLength - VALUE_OFFSET == valueLength(buf, frame);
    }

    public static boolean isValidExists(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == VALUE_OFFSET && valueLength(buf, frame) >= 0;
    }

    public static long version(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + VERSION_OFFSET);
    }

    public static int versionNode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + VERSION_NODE_OFFSET);
    }

    public static int valueLength(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + VALUE_LENGTH_OFFSET);
    }

    public static int valueIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + VALUE_OFFSET;
    }
}
