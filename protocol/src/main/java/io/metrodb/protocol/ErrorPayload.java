package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Payload of every response whose status is an error, and of the ERROR frame.
 *
 * <pre>
 *  0       2
 *  +-------+---------------------------+
 *  | u16   | message (UTF-8, u16 bytes)|
 *  +-------+---------------------------+
 * </pre>
 */
public final class ErrorPayload
{
    public static final int MESSAGE_LENGTH_OFFSET = 0;
    public static final int MESSAGE_OFFSET = 2;

    private ErrorPayload()
    {
    }

    /**
     * Writes a whole error response frame.
     *
     * @param out       destination.
     * @param opcode    opcode of the request answered, or {@link Opcodes#ERROR}.
     * @param status    an error status.
     * @param requestId request id answered, 0 when none applies.
     * @param message   human-readable reason; truncated to fit 65535 UTF-8 bytes.
     */
    public static void encode(
        final ByteBuf out, final byte opcode, final short status, final long requestId, final String message)
    {
        byte[] bytes = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > ProtocolLimits.MAX_ERROR_MESSAGE_LENGTH)
        {
            bytes = java.util.Arrays.copyOf(bytes, ProtocolLimits.MAX_ERROR_MESSAGE_LENGTH);
        }
        FrameHeader.writeResponse(out, MESSAGE_OFFSET + bytes.length, opcode, status, requestId);
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    /**
     * @return true when the payload of the frame at {@code frame} is a well-formed error payload.
     */
    public static boolean isValid(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= MESSAGE_OFFSET &&
            payloadLength == MESSAGE_OFFSET + buf.getUnsignedShort(FrameHeader.payloadIndex(frame));
    }

    /**
     * @return the message of the error frame at {@code frame}, or an empty string when malformed.
     */
    public static String message(final ByteBuf buf, final int frame)
    {
        if (!isValid(buf, frame))
        {
            return "";
        }
        final int payload = FrameHeader.payloadIndex(frame);
        return buf.toString(payload + MESSAGE_OFFSET, buf.getUnsignedShort(payload), StandardCharsets.UTF_8);
    }
}
