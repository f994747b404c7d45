package io.metrodb.protocol.logd;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * APPEND request: one opaque entry. {@link FrameFlags#DURABLE} asks for the reply only once the entry is
 * forced to disk.
 *
 * <pre>
 *  0              4
 *  +--------------+------------------+
 *  | entryLength  | entry (bytes)    |
 *  | u32          |                  |
 *  +--------------+------------------+
 * </pre>
 */
public final class AppendRequest
{
    public static final int ENTRY_LENGTH_OFFSET = 0;
    public static final int ENTRY_OFFSET = 4;

    private AppendRequest()
    {
    }

    public static void encode(
        final ByteBuf out, final long requestId, final boolean durable, final ByteBuf entry, final int index,
        final int length)
    {
        writeHeader(out, requestId, durable, length);
        out.writeBytes(entry, index, length);
    }

    public static void encode(final ByteBuf out, final long requestId, final boolean durable, final byte[] entry)
    {
        writeHeader(out, requestId, durable, entry.length);
        out.writeBytes(entry);
    }

    private static void writeHeader(final ByteBuf out, final long requestId, final boolean durable, final int length)
    {
        FrameHeader.writeRequest(
            out, ENTRY_OFFSET + length, Opcodes.APPEND, durable ? FrameFlags.DURABLE : 0, requestId);
        out.writeInt(length);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= ENTRY_OFFSET && payloadLength - ENTRY_OFFSET == entryLength(buf, frame) ?
            StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static boolean isDurable(final ByteBuf buf, final int frame)
    {
        return FrameHeader.hasFlag(buf, frame, FrameFlags.DURABLE);
    }

    /**
     * @return true for a durable APPEND that asks for its offset at once and a second answer once forced: both
     * {@link FrameFlags#DURABLE} and {@link FrameFlags#MORE} are set.
     */
    public static boolean isOffsetFirst(final ByteBuf buf, final int frame)
    {
        return FrameHeader.hasFlag(buf, frame, FrameFlags.DURABLE) && FrameHeader.hasFlag(buf, frame, FrameFlags.MORE);
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
