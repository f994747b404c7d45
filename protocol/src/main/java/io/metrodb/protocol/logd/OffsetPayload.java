package io.metrodb.protocol.logd;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * A payload of one log offset: the APPEND response and the READ request.
 *
 * <pre>
 *  0
 *  +--------------+
 *  | offset (u64) |
 *  +--------------+
 * </pre>
 */
public final class OffsetPayload
{
    public static final int OFFSET_OFFSET = 0;
    public static final int LENGTH = 8;

    private OffsetPayload()
    {
    }

    /**
     * Writes the first answer to an offset-first durable APPEND ({@link AppendRequest#isOffsetFirst}): the offset,
     * flagged {@link FrameFlags#MORE}, before the entry is forced; the answer without MORE follows the force.
     */
    public static void encodeAppendOffsetFirst(final ByteBuf out, final long requestId, final long offset)
    {
        FrameHeader.write(out, LENGTH, Opcodes.APPEND, (byte)(FrameFlags.RESPONSE | FrameFlags.MORE), StatusCodes.OK,
            requestId);
        out.writeLong(offset);
    }

    /**
     * Writes the OK response to an APPEND.
     */
    public static void encodeAppendResponse(final ByteBuf out, final long requestId, final long offset)
    {
        FrameHeader.writeResponse(out, LENGTH, Opcodes.APPEND, StatusCodes.OK, requestId);
        out.writeLong(offset);
    }

    /**
     * Writes a READ request.
     */
    public static void encodeReadRequest(final ByteBuf out, final long requestId, final long offset)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.READ, (byte)0, requestId);
        out.writeLong(offset);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long offset(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + OFFSET_OFFSET);
    }
}
