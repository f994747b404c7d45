package io.metrodb.protocol.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * SCAN response (OK): consecutive records and where to continue. {@code nextOffset} equal to the tail
 * means the scan reached the end; the scan stops before a corrupt record, and a SCAN that starts on one
 * gets CORRUPT_RECORD.
 *
 * <pre>
 *  0                8              12
 *  +----------------+--------------+------------------------------------------+
 *  | nextOffset u64 | count u32    | count x { offset u64, length u32, bytes } |
 *  +----------------+--------------+------------------------------------------+
 * </pre>
 */
public final class ScanResponse
{
    public static final int NEXT_OFFSET_OFFSET = 0;
    public static final int COUNT_OFFSET = 8;
    public static final int RECORDS_OFFSET = 12;
    public static final int RECORD_HEADER_LENGTH = 12;

    private ScanResponse()
    {
    }

    /**
     * Writes the frame header and fixed fields; the caller then appends {@code count} records with
     * {@link #writeRecord(ByteBuf, long, ByteBuf, int, int)} totalling {@code recordsLength} bytes.
     */
    public static void encodeHeader(
        final ByteBuf out, final long requestId, final long nextOffset, final int count, final int recordsLength)
    {
        FrameHeader.writeResponse(out, RECORDS_OFFSET + recordsLength, Opcodes.SCAN, StatusCodes.OK, requestId);
        out.writeLong(nextOffset);
        out.writeInt(count);
    }

    public static void writeRecord(
        final ByteBuf out, final long offset, final ByteBuf src, final int index, final int length)
    {
        out.writeLong(offset);
        out.writeInt(length);
        out.writeBytes(src, index, length);
    }

    /**
     * @return true when the counted records exactly fill the payload.
     */
    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < RECORDS_OFFSET)
        {
            return false;
        }
        final int end = FrameHeader.payloadIndex(frame) + payloadLength;
        int record = FrameHeader.payloadIndex(frame) + RECORDS_OFFSET;
        for (long i = count(buf, frame) & 0xFFFFFFFFL; i > 0; i--)
        {
            if (end - record < RECORD_HEADER_LENGTH)
            {
                return false;
            }
            final int length = buf.getInt(record + 8);
            if (length < 0 || end - record - RECORD_HEADER_LENGTH < length)
            {
                return false;
            }
            record += RECORD_HEADER_LENGTH + length;
        }
        return record == end;
    }

    public static long nextOffset(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + NEXT_OFFSET_OFFSET);
    }

    public static int count(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + COUNT_OFFSET);
    }

    /** Index of the first record; step with {@link #nextRecordIndex(ByteBuf, int)}. */
    public static int firstRecordIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + RECORDS_OFFSET;
    }

    public static long recordOffset(final ByteBuf buf, final int record)
    {
        return buf.getLong(record);
    }

    public static int recordLength(final ByteBuf buf, final int record)
    {
        return buf.getInt(record + 8);
    }

    public static int recordBytesIndex(final int record)
    {
        return record + RECORD_HEADER_LENGTH;
    }

    public static int nextRecordIndex(final ByteBuf buf, final int record)
    {
        return record + RECORD_HEADER_LENGTH + recordLength(buf, record);
    }
}
