package io.metrodb.protocol.mapd;

import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

import java.util.zip.CRC32C;

/**
 * The entry mapd appends to logd for each SET and DEL (not a frame), so that scanning the logds rebuilds a
 * grid. A DEL writes a {@link #TOMBSTONE} with an empty value.
 *
 * <pre>
 *  0        1       2           4             6      8          16            20         24
 *  +--------+-------+-----------+-------------+------+----------+-------------+----------+
 *  | format | flags | keyLength | versionNode | rsvd | version  | valueLength | checksum |
 *  | u8     | u8    | u16       | u16         | u16  | u64      | u32         | u32      |
 *  +--------+-------+-----------+-------------+------+----------+-------------+----------+
 *  24              24 + keyLength
 *  +---------------+-----------------+
 *  | key (bytes)   | value (bytes)   |
 *  +---------------+-----------------+
 * </pre>
 *
 * {@code checksum} is the CRC32C of the value. Accessors take {@code at}, the index of the record's first
 * byte.
 */
public final class ValueRecord
{
    public static final int FORMAT_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int KEY_LENGTH_OFFSET = 2;
    public static final int VERSION_NODE_OFFSET = 4;
    public static final int VERSION_OFFSET = 8;
    public static final int VALUE_LENGTH_OFFSET = 16;
    public static final int CHECKSUM_OFFSET = 20;
    public static final int KEY_OFFSET = 24;
    public static final int HEADER_LENGTH = 24;

    public static final int FORMAT_V1 = 1;
    public static final int TOMBSTONE = 0x01;

    private ValueRecord()
    {
    }

    public static int length(final int keyLength, final int valueLength)
    {
        return HEADER_LENGTH + keyLength + valueLength;
    }

    /**
     * Checks the record in {@code [at, at + length)}, typically a logd entry.
     *
     * @return {@link StatusCodes#OK}; {@link StatusCodes#BAD_REQUEST} for an unknown format, an empty key,
     * a tombstone with a value or lengths that do not exactly fill {@code length}; or
     * {@link StatusCodes#CORRUPT_RECORD} when the value does not match its checksum.
     */
    public static short validate(final ByteBuf buf, final int at, final int length)
    {
        if (length < HEADER_LENGTH || format(buf, at) != FORMAT_V1)
        {
            return StatusCodes.BAD_REQUEST;
        }
        final int keyLength = keyLength(buf, at);
        final int valueLength = valueLength(buf, at);
        if (keyLength == 0 || valueLength < 0 || length - HEADER_LENGTH - keyLength != valueLength ||
            (isTombstone(buf, at) && valueLength != 0))
        {
            return StatusCodes.BAD_REQUEST;
        }
        return checksum(buf, at + KEY_OFFSET + keyLength, valueLength) == checksum(buf, at) ?
            StatusCodes.OK : StatusCodes.CORRUPT_RECORD;
    }

    /**
     * @return the CRC32C of {@code length} bytes at {@code index}.
     */
    public static int checksum(final ByteBuf buf, final int index, final int length)
    {
        return checksum(new CRC32C(), buf, index, length);
    }

    /**
     * CRC32C of a range with a caller's reusable {@link CRC32C}: no allocation for a single-buffer range.
     */
    public static int checksum(final CRC32C crc, final ByteBuf buf, final int index, final int length)
    {
        crc.reset();
        if (buf.nioBufferCount() == 1)
        {
            crc.update(buf.internalNioBuffer(index, length));
        }
        else
        {
            crc.update(buf.nioBuffer(index, length));
        }
        return (int)crc.getValue();
    }

    public static int checksum(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        return (int)crc.getValue();
    }

    public static int format(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedByte(at + FORMAT_OFFSET);
    }

    public static int flags(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedByte(at + FLAGS_OFFSET);
    }

    public static boolean isTombstone(final ByteBuf buf, final int at)
    {
        return (buf.getByte(at + FLAGS_OFFSET) & TOMBSTONE) != 0;
    }

    public static int keyLength(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + KEY_LENGTH_OFFSET);
    }

    public static int versionNode(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + VERSION_NODE_OFFSET);
    }

    public static long version(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + VERSION_OFFSET);
    }

    public static int valueLength(final ByteBuf buf, final int at)
    {
        return buf.getInt(at + VALUE_LENGTH_OFFSET);
    }

    /**
     * @return the stored checksum field; compare with {@link #checksum(ByteBuf, int, int)} of the value.
     */
    public static int checksum(final ByteBuf buf, final int at)
    {
        return buf.getInt(at + CHECKSUM_OFFSET);
    }

    public static int keyIndex(final int at)
    {
        return at + KEY_OFFSET;
    }

    public static int valueIndex(final ByteBuf buf, final int at)
    {
        return at + KEY_OFFSET + keyLength(buf, at);
    }
}
