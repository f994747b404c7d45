package io.metrodb.protocol.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * SCAN request: read records forward from an offset (a record start or 0), for rebuilding an index.
 *
 * <pre>
 *  0                8              12            14
 *  +----------------+--------------+-------------+------+
 *  | fromOffset u64 | maxBytes u32 | maxRecs u16 | rsvd |
 *  +----------------+--------------+-------------+------+
 * </pre>
 */
public final class ScanRequest
{
    public static final int FROM_OFFSET_OFFSET = 0;
    public static final int MAX_BYTES_OFFSET = 8;
    public static final int MAX_RECORDS_OFFSET = 12;
    public static final int LENGTH = 16;

    private ScanRequest()
    {
    }

    public static void encode(
        final ByteBuf out, final long requestId, final long fromOffset, final int maxBytes, final int maxRecords)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.SCAN, (byte)0, requestId);
        out.writeLong(fromOffset);
        out.writeInt(maxBytes);
        out.writeShort(maxRecords);
        out.writeShort(0);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH && maxBytes(buf, frame) >= 0 ?
            StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long fromOffset(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + FROM_OFFSET_OFFSET);
    }

    public static int maxBytes(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + MAX_BYTES_OFFSET);
    }

    public static int maxRecords(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + MAX_RECORDS_OFFSET);
    }
}
