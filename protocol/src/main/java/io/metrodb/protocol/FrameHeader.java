package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over the 16-byte header that starts every frame. Big-endian (network byte order).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Frame Length (whole frame, >= 16)             |
 *  +---------------+---------------+-------------------------------+
 *  |    Opcode     |     Flags     |      Status (0 in requests)   |
 *  +---------------+---------------+-------------------------------+
 *  |                                                               |
 *  +                          Request Id                           +
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Payload (Length - 16 bytes)               ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All accessors take the index of the frame's first byte, so a handler reads fields in place.
 */
public final class FrameHeader
{
    public static final int LENGTH_OFFSET = 0;
    public static final int OPCODE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int STATUS_OFFSET = 6;
    public static final int REQUEST_ID_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;

    private FrameHeader()
    {
    }

    public static int frameLength(final ByteBuf buf, final int frame)
    {
        return buf.getInt(frame + LENGTH_OFFSET);
    }

    public static byte opcode(final ByteBuf buf, final int frame)
    {
        return buf.getByte(frame + OPCODE_OFFSET);
    }

    public static byte flags(final ByteBuf buf, final int frame)
    {
        return buf.getByte(frame + FLAGS_OFFSET);
    }

    public static boolean hasFlag(final ByteBuf buf, final int frame, final byte flag)
    {
        return (buf.getByte(frame + FLAGS_OFFSET) & flag) != 0;
    }

    public static boolean isResponse(final ByteBuf buf, final int frame)
    {
        return hasFlag(buf, frame, FrameFlags.RESPONSE);
    }

    public static short status(final ByteBuf buf, final int frame)
    {
        return buf.getShort(frame + STATUS_OFFSET);
    }

    public static long requestId(final ByteBuf buf, final int frame)
    {
        return buf.getLong(frame + REQUEST_ID_OFFSET);
    }

    public static int payloadIndex(final int frame)
    {
        return frame + HEADER_LENGTH;
    }

    public static int payloadLength(final ByteBuf buf, final int frame)
    {
        return frameLength(buf, frame) - HEADER_LENGTH;
    }

    /**
     * Writes a header at the writer index and advances it.
     *
     * @param out           destination.
     * @param payloadLength bytes of payload that the caller writes next.
     * @param opcode        opcode.
     * @param flags         flags.
     * @param status        status, 0 in requests.
     * @param requestId     request id chosen by the requester and echoed in its responses.
     */
    public static void write(
        final ByteBuf out,
        final int payloadLength,
        final byte opcode,
        final byte flags,
        final short status,
        final long requestId)
    {
        out.writeInt(HEADER_LENGTH + payloadLength);
        out.writeByte(opcode);
        out.writeByte(flags);
        out.writeShort(status);
        out.writeLong(requestId);
    }

    /**
     * Writes the header of a request.
     */
    public static void writeRequest(
        final ByteBuf out, final int payloadLength, final byte opcode, final byte flags, final long requestId)
    {
        write(out, payloadLength, opcode, flags, StatusCodes.OK, requestId);
    }

    /**
     * Writes the header of a response to {@code opcode}.
     */
    public static void writeResponse(
        final ByteBuf out, final int payloadLength, final byte opcode, final short status, final long requestId)
    {
        write(out, payloadLength, opcode, FrameFlags.RESPONSE, status, requestId);
    }
}
