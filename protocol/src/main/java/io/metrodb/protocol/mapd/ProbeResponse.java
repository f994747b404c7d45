package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * PROBE response (OK): how many keys were checked, the bad replicas found and where to continue.
 *
 * <pre>
 *  0               8         12         14     16
 *  +---------------+---------+----------+------+------------------------------+
 *  | nextCursor    | checked | badCount | rsvd | badCount x BadReplica        |
 *  | u64           | u32     | u16      | u16  |                              |
 *  +---------------+---------+----------+------+------------------------------+
 *
 *  BadReplica
 *  0         2        4           6             8          16         24
 *  +---------+--------+-----------+-------------+----------+----------+-------------+
 *  | logdId  | reason | keyLength | versionNode | offset   | version  | key (bytes) |
 *  | u16     | u16    | u16       | u16         | u64      | u64      |             |
 *  +---------+--------+-----------+-------------+----------+----------+-------------+
 * </pre>
 *
 * {@code nextCursor} 0 means the scan wrapped around. {@code reason} is a {@link StatusCodes} value such as
 * {@link StatusCodes#CORRUPT_RECORD}. {@code version} and {@code versionNode} are the grid entry's when the
 * replica was checked: a REPAIR of the key passes them back. Bad-replica accessors take {@code at}, the index
 * of its first byte.
 */
public final class ProbeResponse
{
    public static final int NEXT_CURSOR_OFFSET = 0;
    public static final int CHECKED_OFFSET = 8;
    public static final int BAD_COUNT_OFFSET = 12;
    public static final int BAD_REPLICAS_OFFSET = 16;

    public static final int BAD_LOGD_ID_OFFSET = 0;
    public static final int BAD_REASON_OFFSET = 2;
    public static final int BAD_KEY_LENGTH_OFFSET = 4;
    public static final int BAD_VERSION_NODE_OFFSET = 6;
    public static final int BAD_OFFSET_OFFSET = 8;
    public static final int BAD_VERSION_OFFSET = 16;
    public static final int BAD_KEY_OFFSET = 24;

    private ProbeResponse()
    {
    }

    /**
     * Writes the frame header and fixed fields; the caller then writes {@code badCount} bad replicas with
     * {@link BadReplicaFlyweight} totalling {@code badLength} bytes.
     */
    public static void encodeHeader(
        final ByteBuf out,
        final long requestId,
        final long nextCursor,
        final long checked,
        final int badCount,
        final int badLength)
    {
        FrameHeader.writeResponse(out, BAD_REPLICAS_OFFSET + badLength, Opcodes.PROBE, StatusCodes.OK, requestId);
        out.writeLong(nextCursor);
        out.writeInt((int)checked);
        out.writeShort(badCount);
        out.writeShort(0);
    }

    public static int badReplicaLength(final int keyLength)
    {
        return BAD_KEY_OFFSET + keyLength;
    }

    /**
     * @return true when the counted bad replicas, each with a non-empty key, exactly fill the payload.
     */
    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < BAD_REPLICAS_OFFSET)
        {
            return false;
        }
        final int end = FrameHeader.payloadIndex(frame) + payloadLength;
        int at = firstBadIndex(frame);
        for (int i = badCount(buf, frame); i > 0; i--)
        {
            if (end - at < BAD_KEY_OFFSET)
            {
                return false;
            }
            final int keyLength = badKeyLength(buf, at);
            if (keyLength == 0 || end - at - BAD_KEY_OFFSET < keyLength)
            {
                return false;
            }
            at += BAD_KEY_OFFSET + keyLength;
        }
        return at == end;
    }

    public static long nextCursor(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + NEXT_CURSOR_OFFSET);
    }

    public static long checked(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedInt(FrameHeader.payloadIndex(frame) + CHECKED_OFFSET);
    }

    public static int badCount(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + BAD_COUNT_OFFSET);
    }

    /** Index of the first bad replica; step with {@link #nextBadIndex(ByteBuf, int)}. */
    public static int firstBadIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + BAD_REPLICAS_OFFSET;
    }

    public static int nextBadIndex(final ByteBuf buf, final int at)
    {
        return at + BAD_KEY_OFFSET + badKeyLength(buf, at);
    }

    public static int badLogdId(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + BAD_LOGD_ID_OFFSET);
    }

    public static short badReason(final ByteBuf buf, final int at)
    {
        return buf.getShort(at + BAD_REASON_OFFSET);
    }

    public static int badKeyLength(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + BAD_KEY_LENGTH_OFFSET);
    }

    public static int badVersionNode(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + BAD_VERSION_NODE_OFFSET);
    }

    public static long badOffset(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + BAD_OFFSET_OFFSET);
    }

    public static long badVersion(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + BAD_VERSION_OFFSET);
    }

    public static int badKeyIndex(final int at)
    {
        return at + BAD_KEY_OFFSET;
    }
}
