package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * DUMP response (OK): one {@link Change} per key and where to continue; {@code nextCursor} 0 means done.
 *
 * <pre>
 *  0               8         10     12
 *  +---------------+---------+------+-------------------------+
 *  | nextCursor    | count   | rsvd | count x Change          |
 *  | u64           | u16     | u16  |                         |
 *  +---------------+---------+------+-------------------------+
 * </pre>
 */
public final class DumpResponse
{
    public static final int NEXT_CURSOR_OFFSET = 0;
    public static final int COUNT_OFFSET = 8;
    public static final int CHANGES_OFFSET = 12;

    private DumpResponse()
    {
    }

    /**
     * Writes the frame header and fixed fields; the caller then writes {@code count} changes with
     * {@link ChangeFlyweight}s totalling {@code changesLength} bytes.
     */
    public static void encodeHeader(
        final ByteBuf out, final long requestId, final long nextCursor, final int count, final int changesLength)
    {
        FrameHeader.writeResponse(out, CHANGES_OFFSET + changesLength, Opcodes.DUMP, StatusCodes.OK, requestId);
        out.writeLong(nextCursor);
        out.writeShort(count);
        out.writeShort(0);
    }

    /**
     * @return true when the counted changes are valid and exactly fill the payload.
     */
    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < CHANGES_OFFSET)
        {
            return false;
        }
        final int payload = FrameHeader.payloadIndex(frame);
        return Change.isValidRun(buf, payload + CHANGES_OFFSET, payload + payloadLength, count(buf, frame));
    }

    public static long nextCursor(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + NEXT_CURSOR_OFFSET);
    }

    public static int count(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + COUNT_OFFSET);
    }

    /** Index of the first change; step with {@link #nextChangeIndex(ByteBuf, int)}. */
    public static int firstChangeIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + CHANGES_OFFSET;
    }

    public static int nextChangeIndex(final ByteBuf buf, final int at)
    {
        return at + Change.length(buf, at);
    }
}
