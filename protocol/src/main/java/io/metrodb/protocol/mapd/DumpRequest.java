package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * DUMP request, from the convergence checker: up to {@code maxKeys} entries of the grid from
 * {@code cursor} (0 = the start), answered by a {@link DumpResponse}.
 *
 * <pre>
 *  0             8         10     12
 *  +-------------+---------+------+
 *  | cursor      | maxKeys | rsvd |
 *  | u64         | u16     | u16  |
 *  +-------------+---------+------+
 * </pre>
 */
public final class DumpRequest
{
    public static final int CURSOR_OFFSET = 0;
    public static final int MAX_KEYS_OFFSET = 8;
    public static final int LENGTH = 12;

    private DumpRequest()
    {
    }

    public static void encode(final ByteBuf out, final long requestId, final long cursor, final int maxKeys)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.DUMP, (byte)0, requestId);
        out.writeLong(cursor);
        out.writeShort(maxKeys);
        out.writeShort(0);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long cursor(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + CURSOR_OFFSET);
    }

    public static int maxKeys(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + MAX_KEYS_OFFSET);
    }
}
