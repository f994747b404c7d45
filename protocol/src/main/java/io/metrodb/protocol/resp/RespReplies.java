package io.metrodb.protocol.resp;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes RESP2 replies into a buffer: simple strings, errors, integers, bulk strings and array headers. Numbers are
 * written digit by digit, never through a String.
 * <pre>
 *  +OK\r\n   -ERR message\r\n   :42\r\n   $5\r\nhello\r\n   $-1\r\n (null)   *2\r\n ... (array of two)
 * </pre>
 */
public final class RespReplies
{
    public static final byte[] OK = bytes("+OK\r\n");
    public static final byte[] PONG = bytes("+PONG\r\n");
    public static final byte[] NULL_BULK = bytes("$-1\r\n");
    public static final byte[] EMPTY_ARRAY = bytes("*0\r\n");
    public static final byte[] ZERO = bytes(":0\r\n");
    public static final byte[] ONE = bytes(":1\r\n");
    public static final byte[] CRLF = bytes("\r\n");
    /** The most bytes {@link #writeLong} writes. */
    public static final int MAX_LONG_LENGTH = 20;
    /** The most bytes a bulk or array header takes: type, digits, CR LF. */
    public static final int MAX_HEADER_LENGTH = 1 + MAX_LONG_LENGTH + 2;

    private RespReplies()
    {
    }

    public static byte[] bytes(final String ascii)
    {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Writes {@code -message\r\n}; CR and LF in the message become spaces, which RESP cannot carry.
     *
     * @param message the text after the '-', starting with its code, e.g. {@code ERR unknown command}.
     */
    public static void writeError(final ByteBuf out, final String message)
    {
        out.writeByte('-');
        for (int i = 0; i < message.length(); i++)
        {
            final char c = message.charAt(i);
            if (c == '\r' || c == '\n')
            {
                out.writeByte(' ');
            }
            else if (c < 0x80)
            {
                out.writeByte(c);
            }
            else
            {
                out.writeCharSequence(String.valueOf(c), StandardCharsets.UTF_8);
            }
        }
        out.writeBytes(CRLF);
    }

    public static void writeInteger(final ByteBuf out, final long value)
    {
        out.writeByte(':');
        writeLong(out, value);
        out.writeBytes(CRLF);
    }

    /**
     * Writes {@code $length\r\n}; the caller writes the bytes and a CR LF after it.
     */
    public static void writeBulkHeader(final ByteBuf out, final int length)
    {
        out.writeByte('$');
        writeLong(out, length);
        out.writeBytes(CRLF);
    }

    public static void writeBulk(final ByteBuf out, final byte[] value)
    {
        writeBulkHeader(out, value.length);
        out.writeBytes(value);
        out.writeBytes(CRLF);
    }

    public static void writeBulk(final ByteBuf out, final ByteBuf value, final int index, final int length)
    {
        writeBulkHeader(out, length);
        out.writeBytes(value, index, length);
        out.writeBytes(CRLF);
    }

    public static void writeBulk(final ByteBuf out, final String value)
    {
        writeBulk(out, value.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeArrayHeader(final ByteBuf out, final int count)
    {
        out.writeByte('*');
        writeLong(out, count);
        out.writeBytes(CRLF);
    }

    /**
     * @return the bytes of {@code $length\r\n<length bytes>\r\n}.
     */
    public static int bulkLength(final int length)
    {
        return 1 + digits(length) + 2 + length + 2;
    }

    /**
     * Writes {@code value} in decimal ASCII.
     */
    public static void writeLong(final ByteBuf out, final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            out.writeBytes(bytes("-9223372036854775808"));
            return;
        }
        long v = value;
        if (v < 0)
        {
            out.writeByte('-');
            v = -v;
        }
        final int length = digits(v);
        final int at = out.writerIndex();
        out.ensureWritable(length);
        for (int i = length - 1; i >= 0; i--)
        {
            out.setByte(at + i, (int)('0' + v % 10));
            v /= 10;
        }
        out.writerIndex(at + length);
    }

    private static int digits(final long nonNegative)
    {
        int digits = 1;
        long v = nonNegative;
        while (v >= 10)
        {
            v /= 10;
            digits++;
        }
        return digits;
    }
}
