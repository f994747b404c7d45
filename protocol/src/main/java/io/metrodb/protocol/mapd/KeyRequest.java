package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * GET, DEL and EXISTS request: one key. DEL with {@link FrameFlags#DURABLE} deletes with SETSAFE
 * durability: the reply waits until the tombstone is as durable as a SETSAFE write.
 *
 * <pre>
 *  0             2
 *  +-------------+------------------+
 *  | keyLength   | key (bytes)      |
 *  | u16         |                  |
 *  +-------------+------------------+
 * </pre>
 */
public final class KeyRequest
{
    public static final int KEY_LENGTH_OFFSET = 0;
    public static final int KEY_OFFSET = 2;

    private KeyRequest()
    {
    }

    /**
     * @param opcode {@link Opcodes#GET}, {@link Opcodes#DEL} or {@link Opcodes#EXISTS}.
     * @param flags  0, or {@link FrameFlags#DURABLE} for a durable DEL.
     */
    public static void encode(
        final ByteBuf out, final long requestId, final byte opcode, final byte flags, final byte[] key)
    {
        writeHeader(out, requestId, opcode, flags, key.length);
        out.writeBytes(key);
    }

    public static void encode(
        final ByteBuf out,
        final long requestId,
        final byte opcode,
        final byte flags,
        final ByteBuf key,
        final int index,
        final int length)
    {
        writeHeader(out, requestId, opcode, flags, length);
        out.writeBytes(key, index, length);
    }

    private static void writeHeader(
        final ByteBuf out, final long requestId, final byte opcode, final byte flags, final int keyLength)
    {
        Keys.checkLength(keyLength);
        FrameHeader.writeRequest(out, KEY_OFFSET + keyLength, opcode, flags, requestId);
        out.writeShort(keyLength);
    }

    /**
     * @return {@link StatusCodes#OK}, {@link StatusCodes#INVALID_KEY} or {@link StatusCodes#BAD_REQUEST}.
     */
    public static short validate(final ByteBuf buf, final int frame)
    {
        final short keyStatus = Keys.validate(buf, frame, KEY_LENGTH_OFFSET, KEY_OFFSET);
        if (keyStatus != StatusCodes.OK)
        {
            return keyStatus;
        }
        return FrameHeader.payloadLength(buf, frame) == KEY_OFFSET + keyLength(buf, frame) ?
            StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static boolean isDurable(final ByteBuf buf, final int frame)
    {
        return FrameHeader.hasFlag(buf, frame, FrameFlags.DURABLE);
    }

    public static int keyLength(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + KEY_LENGTH_OFFSET);
    }

    public static int keyIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + KEY_OFFSET;
    }
}
