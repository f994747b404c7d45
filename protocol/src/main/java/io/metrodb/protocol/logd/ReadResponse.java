package io.metrodb.protocol.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * READ response (OK): the entry stored at the requested offset.
 *
 * <pre>
 *  0              4
 *  +--------------+------------------+
 *  | entryLength  | entry (bytes)    |
 *  | u32          |                  |
 *  +--------------+------------------+
 * </pre>
 */
public final class ReadResponse
{
    public static final int ENTRY_LENGTH_OFFSET = 0;
    public static final int ENTRY_OFFSET = 4;

    private ReadResponse()
    {
    }

    /**
     * Writes the header and length field only; the caller writes (or composes) the entry bytes after it.
     */
    public static void encodeHeader(final ByteBuf out, final long requestId, final int entryLength)
    {
        FrameHeader.writeResponse(out, ENTRY_OFFSET + entryLength, Opcodes.READ, StatusCodes.OK, requestId);
        out.writeInt(entryLength);
    }

    public static void encode(final ByteBuf out, final long requestId, final byte[] entry)
    {
        encodeHeader(out, requestId, entry.length);
        out.writeBytes(entry);
    }

    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= ENTRY_OFFSET && payloadLength - ENTRY_OFFSET == entryLength(buf, frame);
    }

    public static int entryLength(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + ENTRY_LENGTH_OFFSET);
    }

    public static int entryIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + ENTRY_OFFSET;
    }
}
