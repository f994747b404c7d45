package io.metrodb.log;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Layout of a record in a segment, little-endian, every record starting on an {@link #ALIGNMENT} boundary.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            Magic: 0x4C44 | salt(offset), stored last           |
 *  +---------------------------------------------------------------+
 *  |                     Payload Length                            |
 *  +---------------------------------------------------------------+
 *  |     CRC32C of payload (padding: bitwise NOT of length)        |
 *  +---------------------------------------------------------------+
 *  |                     Flags (0 or PADDING)                      |
 *  +---------------------------------------------------------------+
 *  |                     Payload                                  ...
 * ...                     zero fill to the next 8-byte boundary     |
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic carries 16 bits derived from the record's own offset, so a record image copied to another place
 * (a payload that embeds a record, a renamed segment file) does not validate there, and it is never zero, so
 * zero-filled space is never a record.
 */
public final class RecordHeader
{
    public static final int MAGIC_OFFSET = 0;
    public static final int LENGTH_OFFSET = 4;
    public static final int CRC_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int HEADER_LENGTH = 16;
    public static final int ALIGNMENT = 8;

    public static final int FLAG_PADDING = 0x1;
    public static final int MAGIC_HIGH = 0x4C44_0000;

    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final boolean NATIVE_IS_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private RecordHeader()
    {
    }

    /**
     * @param offset global position of the record.
     * @return the magic a record at this offset must carry.
     */
    public static int magic(final long offset)
    {
        return MAGIC_HIGH | (int)((offset * 0x9E37_79B9_7F4A_7C15L) >>> 48);
    }

    /**
     * @param payloadLength payload bytes.
     * @return bytes the record occupies including header and alignment.
     */
    public static int frameLength(final int payloadLength)
    {
        return BitUtil.align(HEADER_LENGTH + payloadLength, ALIGNMENT);
    }

    static int magicAcquire(final UnsafeBuffer buffer, final int index)
    {
        final int value = buffer.getIntAcquire(index + MAGIC_OFFSET);
        return NATIVE_IS_LITTLE_ENDIAN ? value : Integer.reverseBytes(value);
    }

    static void magicRelease(final UnsafeBuffer buffer, final int index, final int magic)
    {
        buffer.putIntRelease(index + MAGIC_OFFSET, NATIVE_IS_LITTLE_ENDIAN ? magic : Integer.reverseBytes(magic));
    }

    static int payloadLength(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + LENGTH_OFFSET, BYTE_ORDER);
    }

    static int crc(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + CRC_OFFSET, BYTE_ORDER);
    }

    static int flags(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + FLAGS_OFFSET, BYTE_ORDER);
    }

    /**
     * Write everything but the magic; the caller publishes with {@link #magicRelease} afterwards.
     */
    static void putFields(final UnsafeBuffer buffer, final int index, final int payloadLength, final int crc, final int flags)
    {
        buffer.putInt(index + LENGTH_OFFSET, payloadLength, BYTE_ORDER);
        buffer.putInt(index + CRC_OFFSET, crc, BYTE_ORDER);
        buffer.putInt(index + FLAGS_OFFSET, flags, BYTE_ORDER);
    }

    /**
     * Publish a padding record over {@code [index, index + frameLength)} so scans step over it.
     */
    static void putPadding(final UnsafeBuffer buffer, final int index, final long offset, final int frameLength)
    {
        final int length = frameLength - HEADER_LENGTH;
        putFields(buffer, index, length, ~length, FLAG_PADDING);
        magicRelease(buffer, index, magic(offset));
    }
}
