package io.metrodb.protocol.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;

/**
 * HEARTBEAT request, mond to any node. The node echoes {@code sendTimeNs} in its
 * {@link HeartbeatResponse}, so mond measures the round trip on its own clock; {@code viewEpoch} is the
 * newest cluster view mond has, so a node can tell it is behind.
 *
 * <pre>
 *  0               8
 *  +---------------+---------------+
 *  | sendTimeNs    | viewEpoch     |
 *  | u64           | u64           |
 *  +---------------+---------------+
 * </pre>
 */
public final class HeartbeatRequest
{
    public static final int SEND_TIME_NS_OFFSET = 0;
    public static final int VIEW_EPOCH_OFFSET = 8;
    public static final int LENGTH = 16;

    private HeartbeatRequest()
    {
    }

    public static void encode(final ByteBuf out, final long requestId, final long sendTimeNs, final long viewEpoch)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.HEARTBEAT, (byte)0, requestId);
        out.writeLong(sendTimeNs);
        out.writeLong(viewEpoch);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long sendTimeNs(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + SEND_TIME_NS_OFFSET);
    }

    public static long viewEpoch(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + VIEW_EPOCH_OFFSET);
    }
}
