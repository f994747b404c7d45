package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * REPAIR request, mond to mapd: re-replicate one key whose listed replicas are known bad. Answered by a
 * {@link RepairResponse}, or by {@link StatusCodes#STALE_VERSION} when the key changed since
 * {@code version} and nothing was done.
 *
 * <pre>
 *  0          8             10       11     12          14
 *  +----------+-------------+--------+------+-----------+-------------+
 *  | version  | versionNode | badCnt | rsvd | keyLength | key (bytes) |
 *  | u64      | u16         | u8     | u8   | u16       |             |
 *  +----------+-------------+--------+------+-----------+-------------+
 *  14 + keyLength
 *  +-----------------------------------------+
 *  | badCount x { logdId u16, offset u64 }   |
 *  +-----------------------------------------+
 * </pre>
 */
public final class RepairRequest
{
    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_NODE_OFFSET = 8;
    public static final int BAD_COUNT_OFFSET = 10;
    public static final int KEY_LENGTH_OFFSET = 12;
    public static final int KEY_OFFSET = 14;

    private RepairRequest()
    {
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
        return FrameHeader.payloadLength(buf, frame) ==
            KEY_OFFSET + keyLength(buf, frame) + badCount(buf, frame) * Change.REPLICA_LENGTH ?
            StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long version(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + VERSION_OFFSET);
    }

    public static int versionNode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + VERSION_NODE_OFFSET);
    }

    public static int badCount(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedByte(FrameHeader.payloadIndex(frame) + BAD_COUNT_OFFSET);
    }

    public static int keyLength(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + KEY_LENGTH_OFFSET);
    }

    public static int keyIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + KEY_OFFSET;
    }

    public static int badLogdId(final ByteBuf buf, final int frame, final int i)
    {
        return buf.getUnsignedShort(badIndex(buf, frame, i));
    }

    public static long badOffset(final ByteBuf buf, final int frame, final int i)
    {
        return buf.getLong(badIndex(buf, frame, i) + Change.REPLICA_OFFSET_OFFSET);
    }

    private static int badIndex(final ByteBuf buf, final int frame, final int i)
    {
        return keyIndex(frame) + keyLength(buf, frame) + i * Change.REPLICA_LENGTH;
    }
}
