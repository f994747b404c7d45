package io.metrodb.protocol.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * STAT response (OK); the request has an empty payload. Mean group-commit size is
 * {@code durableAppends / groupCommits}.
 *
 * <pre>
 *  0           8              16            20              24
 *  +-----------+--------------+-------------+---------------+
 *  | tail u64  | durable u64  | segments u32| segmentLen u32|
 *  +-----------+--------------+-------------+---------------+
 *  24            32          40        48         56               64
 *  +-------------+-----------+---------+----------+----------------+--------------+
 *  | bytes u64   | appends   | reads   | forces   | durableAppends | groupCommits |
 *  +-------------+-----------+---------+----------+----------------+--------------+  72
 * </pre>
 */
public final class StatResponse
{
    public static final int TAIL_OFFSET = 0;
    public static final int DURABLE_OFFSET = 8;
    public static final int SEGMENTS_OFFSET = 16;
    public static final int SEGMENT_LENGTH_OFFSET = 20;
    public static final int BYTES_OFFSET = 24;
    public static final int APPENDS_OFFSET = 32;
    public static final int READS_OFFSET = 40;
    public static final int FORCES_OFFSET = 48;
    public static final int DURABLE_APPENDS_OFFSET = 56;
    public static final int GROUP_COMMITS_OFFSET = 64;
    public static final int LENGTH = 72;

    private StatResponse()
    {
    }

    public static void encodeRequest(final ByteBuf out, final long requestId)
    {
        FrameHeader.writeRequest(out, 0, Opcodes.STAT, (byte)0, requestId);
    }

    public static void encode(
        final ByteBuf out,
        final long requestId,
        final long tailOffset,
        final long durableOffset,
        final int segments,
        final int segmentLength,
        final long bytes,
        final long appends,
        final long reads,
        final long forces,
        final long durableAppends,
        final long groupCommits)
    {
        FrameHeader.writeResponse(out, LENGTH, Opcodes.STAT, StatusCodes.OK, requestId);
        out.writeLong(tailOffset);
        out.writeLong(durableOffset);
        out.writeInt(segments);
        out.writeInt(segmentLength);
        out.writeLong(bytes);
        out.writeLong(appends);
        out.writeLong(reads);
        out.writeLong(forces);
        out.writeLong(durableAppends);
        out.writeLong(groupCommits);
    }

    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH;
    }

    public static long tailOffset(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + TAIL_OFFSET);
    }

    public static long durableOffset(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + DURABLE_OFFSET);
    }

    public static int segments(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + SEGMENTS_OFFSET);
    }

    public static int segmentLength(final ByteBuf buf, final int frame)
    {
        return buf.getInt(FrameHeader.payloadIndex(frame) + SEGMENT_LENGTH_OFFSET);
    }

    public static long bytes(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + BYTES_OFFSET);
    }

    public static long appends(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + APPENDS_OFFSET);
    }

    public static long reads(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + READS_OFFSET);
    }

    public static long forces(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + FORCES_OFFSET);
    }

    public static long durableAppends(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + DURABLE_APPENDS_OFFSET);
    }

    public static long groupCommits(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + GROUP_COMMITS_OFFSET);
    }
}
