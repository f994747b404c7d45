package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * PROBE request, mond to mapd: read back the replicas of up to {@code maxKeys} keys and report the bad
 * ones in a {@link ProbeResponse}.
 *
 * <pre>
 *  0      1      2         4      8
 *  +------+------+---------+------+-------------+
 *  | mode | rsvd | maxKeys | rsvd | cursor      |
 *  | u8   | u8   | u16     | u32  | u64         |
 *  +------+------+---------+------+-------------+
 * </pre>
 */
public final class ProbeRequest
{
    public static final int MODE_OFFSET = 0;
    public static final int MAX_KEYS_OFFSET = 2;
    public static final int CURSOR_OFFSET = 8;
    public static final int LENGTH = 16;

    /** A random sample of keys; the cursor is ignored. */
    public static final int MODE_RANDOM = 0;
    /** Walk the grid from the cursor (0 = the start). */
    public static final int MODE_SCAN = 1;

    private ProbeRequest()
    {
    }

    public static void encode(
        final ByteBuf out, final long requestId, final int mode, final int maxKeys, final long cursor)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.PROBE, (byte)0, requestId);
        out.writeByte(mode);
        out.writeByte(0);
        out.writeShort(maxKeys);
        out.writeInt(0);
        out.writeLong(cursor);
    }

    /**
     * @return {@link StatusCodes#OK}, or {@link StatusCodes#BAD_REQUEST} for a wrong length or unknown mode.
     */
    public static short validate(final ByteBuf buf, final int frame)
    {
        if (FrameHeader.payloadLength(buf, frame) != LENGTH)
        {
            return StatusCodes.BAD_REQUEST;
        }
        final int mode = mode(buf, frame);
        return mode == MODE_RANDOM || mode == MODE_SCAN ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static int mode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedByte(FrameHeader.payloadIndex(frame) + MODE_OFFSET);
    }

    public static int maxKeys(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + MAX_KEYS_OFFSET);
    }

    public static long cursor(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + CURSOR_OFFSET);
    }
}
