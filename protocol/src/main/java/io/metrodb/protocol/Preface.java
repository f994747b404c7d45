package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The eight bytes a connecting peer sends before its first frame: {@code 0x89 'M' 'E' 'T' 'R' 'O' CR LF}.
 * The first byte is not ASCII, so the preface can never start a text command line or a RESP message,
 * and one port can tell binary, text and RESP clients apart by the first byte. The CR LF pair catches a
 * transport that rewrites line endings.
 */
public final class Preface
{
    public static final int LENGTH = 8;
    public static final byte FIRST_BYTE = (byte)0x89;

    private static final byte[] BYTES = { FIRST_BYTE, 'M', 'E', 'T', 'R', 'O', '\r', '\n' };

    private Preface()
    {
    }

    /**
     * @param index position within the preface, 0..7.
     * @return the expected byte at that position.
     */
    public static byte byteAt(final int index)
    {
        return BYTES[index];
    }

    /**
     * Writes the preface at the writer index.
     */
    public static void write(final ByteBuf out)
    {
        out.writeBytes(BYTES);
    }
}
