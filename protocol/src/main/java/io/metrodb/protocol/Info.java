package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * INFO, served by every role: a section name in, {@code name:value} lines out (as Redis INFO).
 *
 * <pre>
 *  request                              response (OK)
 *  0             2                      0             4
 *  +-------------+-----------------+    +-------------+----------------------+
 *  | sectionLen  | section (ASCII) |    | textLength  | text (UTF-8 lines)   |
 *  | u16         | empty = all     |    | u32         |                      |
 *  +-------------+-----------------+    +-------------+----------------------+
 * </pre>
 */
public final class Info
{
    public static final int SECTION_LENGTH_OFFSET = 0;
    public static final int SECTION_OFFSET = 2;
    public static final int TEXT_LENGTH_OFFSET = 0;
    public static final int TEXT_OFFSET = 4;

    private Info()
    {
    }

    public static void encodeRequest(final ByteBuf out, final long requestId, final String section)
    {
        final byte[] bytes = section.getBytes(StandardCharsets.US_ASCII);
        FrameHeader.writeRequest(out, SECTION_OFFSET + bytes.length, Opcodes.INFO, (byte)0, requestId);
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    public static void encodeResponse(final ByteBuf out, final long requestId, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        FrameHeader.writeResponse(out, TEXT_OFFSET + bytes.length, Opcodes.INFO, StatusCodes.OK, requestId);
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    public static short validateRequest(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= SECTION_OFFSET &&
            payloadLength == SECTION_OFFSET + buf.getUnsignedShort(FrameHeader.payloadIndex(frame)) ?
            StatusCodes.OK : StatusCodes.BAD_REQUEST;
    }

    public static boolean isValidResponse(final ByteBuf buf, final int frame)
    {
        final int payloadLength = FrameHeader.payloadLength(buf, frame);
        return payloadLength >= TEXT_OFFSET &&
            payloadLength - TEXT_OFFSET == buf.getInt(FrameHeader.payloadIndex(frame));
    }

    public static String section(final ByteBuf buf, final int frame)
    {
        final int payload = FrameHeader.payloadIndex(frame);
        return buf.toString(payload + SECTION_OFFSET, buf.getUnsignedShort(payload), StandardCharsets.US_ASCII);
    }

    public static String text(final ByteBuf buf, final int frame)
    {
        final int payload = FrameHeader.payloadIndex(frame);
        return buf.toString(payload + TEXT_OFFSET, buf.getInt(payload), StandardCharsets.UTF_8);
    }
}
