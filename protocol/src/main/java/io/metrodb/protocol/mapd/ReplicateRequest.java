package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * REPLICATE request, origin mapd to peer mapd: one {@link Change}, numbered per origin from 1 so a peer
 * sees a gap and asks for the missing ones with SYNC. The response is OK with an empty payload
 * ({@link #encodeAck}).
 *
 * <pre>
 *  0             8            10     12
 *  +-------------+------------+------+-------------------+
 *  | sequence    | originNode | rsvd | change            |
 *  | u64         | u16        | u16  | (see Change)      |
 *  +-------------+------------+------+-------------------+
 * </pre>
 */
public final class ReplicateRequest
{
    public static final int SEQUENCE_OFFSET = 0;
    public static final int ORIGIN_NODE_OFFSET = 8;
    public static final int CHANGE_OFFSET = 12;

    private ReplicateRequest()
    {
    }

    public static void encodeAck(final ByteBuf out, final long requestId)
    {
        FrameHeader.writeResponse(out, 0, Opcodes.REPLICATE, StatusCodes.OK, requestId);
    }

    /**
     * @return {@link StatusCodes#OK} or {@link StatusCodes#BAD_REQUEST}.
     */
    public static short validate(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < CHANGE_OFFSET)
        {
            return StatusCodes.BAD_REQUEST;
        }
        final int payload = FrameHeader.payloadIndex(frame);
        return Change.validLength(buf, payload + CHANGE_OFFSET, payload + payloadLength) ==
            payloadLength - CHANGE_OFFSET ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static boolean isValidAck(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == 0;
    }

    public static long sequence(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + SEQUENCE_OFFSET);
    }

    public static int originNode(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + ORIGIN_NODE_OFFSET);
    }

    /**
     * @return index of the change, for the {@link Change} accessors.
     */
    public static int changeIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + CHANGE_OFFSET;
    }
}
