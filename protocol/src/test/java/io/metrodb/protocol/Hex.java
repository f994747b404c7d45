package io.metrodb.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Hex text in the spec's format: lower-case byte pairs, 16 to a line.
 */
public final class Hex
{
    private Hex()
    {
    }

    public static String format(final ByteBuf buf)
    {
        final byte[] bytes = ByteBufUtil.getBytes(buf);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++)
        {
            if (i > 0)
            {
                sb.append(i % 16 == 0 ? '\n' : ' ');
            }
            sb.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return sb.toString();
    }

    public static byte[] parse(final String text)
    {
        final String digits = text.replaceAll("\\s+", "");
        if (digits.length() % 2 != 0)
        {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        final byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
