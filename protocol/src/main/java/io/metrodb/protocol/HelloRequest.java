package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

/**
 * HELLO request: the first frame a connecting peer sends after the preface.
 *
 * <pre>
 *  0        2        4      5      6        8             10       12
 *  +--------+--------+------+------+--------+-------------+--------+-----------------+
 *  | minVer | maxVer | role | rsvd | nodeId | tokenLength | rsvd   | token (bytes)   |
 *  | u16    | u16    | u8   | u8   | u16    | u16         | u16    |                 |
 *  +--------+--------+------+------+--------+-------------+--------+-----------------+
 * </pre>
 */
public final class HelloRequest
{
    public static final int MIN_VERSION_OFFSET = 0;
    public static final int MAX_VERSION_OFFSET = 2;
    public static final int ROLE_OFFSET = 4;
    public static final int NODE_ID_OFFSET = 6;
    public static final int TOKEN_LENGTH_OFFSET = 8;
    public static final int TOKEN_OFFSET = 12;

    private HelloRequest()
    {
    }

    public static void encode(
        final ByteBuf out,
        final long requestId,
        final int minVersion,
        final int maxVersion,
        final byte role,
        final int nodeId,
        final byte[] token)
    {
        final int tokenLength = token == null ? 0 : token.length;
        if (tokenLength > ProtocolLimits.MAX_TOKEN_LENGTH)
        {
            throw new IllegalArgumentException("auth token longer than " + ProtocolLimits.MAX_TOKEN_LENGTH);
        }
        FrameHeader.writeRequest(out, TOKEN_OFFSET + tokenLength, Opcodes.HELLO, (byte)0, requestId);
        out.writeShort(minVersion);
        out.writeShort(maxVersion);
        out.writeByte(role);
        out.writeByte(0);
        out.writeShort(nodeId);
        out.writeShort(tokenLength);
        out.writeShort(0);
        if (tokenLength > 0)
        {
            out.writeBytes(token);
        }
    }

    /**
     * @return {@link StatusCodes#OK} or {@link StatusCodes#BAD_REQUEST}.
     */
    public static short validate(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        if (payloadLength < TOKEN_OFFSET ||
            payloadLength != TOKEN_OFFSET + tokenLength(buf, frame))
        {
            return StatusCodes.BAD_REQUEST;
        }
        return StatusCodes.OK;
    }

    public static int minVersion(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + MIN_VERSION_OFFSET);
    }

    public static int maxVersion(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + MAX_VERSION_OFFSET);
    }

    public static byte role(final ByteBuf buf, final int frame)
    {
        return buf.getByte(FrameHeader.payloadIndex(frame) + ROLE_OFFSET);
    }

    public static int nodeId(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + NODE_ID_OFFSET);
    }

    public static int tokenLength(final ByteBuf buf, final int frame)
    {
        return buf.getUnsignedShort(FrameHeader.payloadIndex(frame) + TOKEN_LENGTH_OFFSET);
    }

    public static int tokenIndex(final int frame)
    {
        return FrameHeader.payloadIndex(frame) + TOKEN_OFFSET;
    }
}
