package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

/**
 * PING request and response: an 8-byte nonce the responder echoes.
 *
 * <pre>
 *  0
 *  +-------------+
 *  | nonce (u64) |
 *  +-------------+
 * </pre>
 */
public final class Ping
{
    public static final int NONCE_OFFSET = 0;
    public static final int LENGTH = 8;

    private Ping()
    {
    }

    public static void encodeRequest(final ByteBuf out, final long requestId, final long nonce)
    {
        FrameHeader.writeRequest(out, LENGTH, Opcodes.PING, (byte)0, requestId);
        out.writeLong(nonce);
    }

    public static void encodeResponse(final ByteBuf out, final long requestId, final long nonce)
    {
        FrameHeader.writeResponse(out, LENGTH, Opcodes.PING, StatusCodes.OK, requestId);
        out.writeLong(nonce);
    }

    public static short validate(final ByteBuf buf, final int frame)
    {
        return FrameHeader.payloadLength(buf, frame) == LENGTH ? StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static long nonce(final ByteBuf buf, final int frame)
    {
        return buf.getLong(FrameHeader.payloadIndex(frame) + NONCE_OFFSET);
    }
}
