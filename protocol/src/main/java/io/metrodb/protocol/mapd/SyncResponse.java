package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * SYNC response: a stream of frames, every one but the last flagged {@link FrameFlags#MORE}.
 * <ul>
 *   <li>{@link #MODE_BACKLOG}: changes from the origin's backlog, numbered consecutively from
 *   {@code sequence}.</li>
 *   <li>{@link #MODE_SNAPSHOT}: a full snapshot of the grid, all origins; {@code sequence} is the origin's
 *   sequence the snapshot is consistent with.</li>
 * </ul>
 * The last frame ({@code MORE} clear) may carry no changes; its {@code sequence} is the next one to expect
 * on the live REPLICATE stream.
 *
 * <pre>
 *  0      1      2             4      8             16
 *  +------+------+-------------+------+-------------+-------------------------+
 *  | mode | rsvd | changeCount | rsvd | sequence    | changeCount x Change    |
 *  | u8   | u8   | u16         | u32  | u64         |                         |
 *  +------+------+-------------+------+-------------+-------------------------+
 * </pre>
 */
public final class SyncResponse
{
    public static final int MODE_OFFSET = 0;
    public static final int CHANGE_COUNT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int CHANGES_OFFSET = 16;

    public static final int MODE_BACKLOG = 1;
    public static final int MODE_SNAPSHOT = 2;

    private SyncResponse()
    {
    }

    /**
     * Writes the frame header and fixed fields; the caller then writes {@code changeCount} changes with
     * {@link ChangeFlyweight}s totalling {@code changesLength} bytes.
     *
     * @param more true on every frame of the stream but the last.
     */
    public static void encodeHeader(
        final ByteBuf out,
        final long requestId,
        final boolean more,
        final int mode,
        final int changeCount,
        final long sequence,
        final int changesLength)
    {
        FrameHeader.write(
            out,
            CHANGES_OFFSET + changesLength,
            Opcodes.SYNC,
            more ? (byte)(FrameFlags.RESPONSE | FrameFlags.MORE) : FrameFlags.RESPONSE,
            StatusCodes.OK,
            requestId);
        out.writeByte(mode);
        out.writeByte(0);
        out.writeShort(changeCount);
        out.writeInt(0);
        out.writeLong(sequence);
    }

    /**
     * @return true when the mode is known and the counted changes are valid and exactly fill the payload.
     */
    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < CHANGES_OFFSET)
        {
            return false;
        }
        final int mode = mode(buf, frame);
        if (mode != MODE_BACKLOG && mode != MODE_SNAPSHOT)
        {
            return false;
        }
        final int payload = FrameHeader.payloadIndex(frame);
        return Change.isValidRun(buf, payload + CHANGES_OFFSET, payload + payloadLength, changeCount(buf, frame));
    }

    public static boolean hasMore(final ByteBuf buf, final int frame)
    {
        return FrameHeader.hasFlag(buf, frame, FrameFlags.MORE);
    }

    public static int mode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedByte(FrameHeader.payloadIndex(frame) + MODE_OFFSET);
    }

    public static int changeCount(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + CHANGE_COUNT_OFFSET);
    }

    public static long sequence(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + SEQUENCE_OFFSET);
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
