package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * SET and SETSAFE request: a key and its new value. SETSAFE is acknowledged only once the value is forced
 * to disk on its replicas.
 *
 * <pre>
 *  0             2               6
 *  +-------------+---------------+-------------+--------------------+
 *  | keyLength   | valueLength   | key (bytes) | value (bytes)      |
 *  | u16         | u32           |             | at 6 + keyLength   |
 *  +-------------+---------------+-------------+--------------------+
 * </pre>
 */
public final class SetRequest
{
    public static final int KEY_LENGTH_OFFSET = 0;
    public static final int VALUE_LENGTH_OFFSET = 2;
    public static final int KEY_OFFSET = 6;

    private SetRequest()
    {
    }

    /**
     * @param opcode {@link Opcodes#SET} or {@link Opcodes#SETSAFE}.
     */
    public static void encode(
        final ByteBuf out, final long requestId, final byte opcode, final byte[] key, final byte[] value)
    {
        writeHeader(out, requestId, opcode, key.length, value.length);
        out.writeBytes(key);
        out.writeBytes(value);
    }

    public static void encode(
        final ByteBuf out,
        final long requestId,
        final byte opcode,
        final ByteBuf key,
        final int keyIndex,
        final int keyLength,
        final ByteBuf value,
        final int valueIndex,
        final int valueLength)
    {
        writeHeader(out, requestId, opcode, keyLength, valueLength);
        out.writeBytes(key, keyIndex, keyLength);
        out.writeBytes(value, valueIndex, valueLength);
    }

    private static void writeHeader(
        final ByteBuf out, final long requestId, final byte opcode, final int keyLength, final int valueLength)
    {
        Keys.checkLength(keyLength);
        FrameHeader.writeRequest(out, KEY_OFFSET + keyLength + valueLength, opcode, (byte)0, requestId);
        out.writeShort(keyLength);
        out.writeInt(valueLength);
    }

    /**
     * @param maxValueLength the largest value this server accepts.
     * @return {@link StatusCodes#OK}, {@link StatusCodes#INVALID_KEY}, {@link StatusCodes#VALUE_TOO_LARGE}
     * or {@link StatusCodes#BAD_REQUEST}.
     */
    public static short validate(final ByteBuf buf, final int frame, final int maxValueLength)
    {
        final short keyStatus = Keys.validate(buf, frame, KEY_LENGTH_OFFSET, KEY_OFFSET);
        if (keyStatus != StatusCodes.OK)
        {
            return keyStatus;
        }
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        final int keyLength = keyLength(buf, frame);
        final int valueLength = valueLength(buf, frame);
        if (valueLength < 0 || valueLength > maxValueLength)
        {
            return StatusCodes.VALUE_TOO_LARGE;
        }
        return payloadLength - KEY_OFFSET - keyLength == valueLength ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static int keyLength(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + KEY_LENGTH_OFFSET);
    }

    public static int keyIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + KEY_OFFSET;
    }

    public static int valueLength(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + VALUE_LENGTH_OFFSET);
    }

    public static int valueIndex(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadIndex(frame) + KEY_OFFSET + keyLength(buf, frame);
    }
}
