package io.metrodb.server;

import picocli.CommandLine;

import java.util.Locale;

/**
 * Parses sizes such as {@code 4096}, {@code 64k}, {@code 128m}, {@code 1g} (binary units; a trailing
 * {@code b}/{@code ib} is accepted: {@code 128MiB}).
 */
public final class ByteSize implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        return parse(value);
    }

    /**
     * @param text a size.
     * @return the number of bytes.
     * @throws IllegalArgumentException when the text is not a size (a negative one included).
     */
    public static long parse(final String text)
    {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib"))
        {
            s = s.substring(0, s.length() - 2);
        }
        else if (s.endsWith("b"))
        {
            s = s.substring(0, s.length() - 1);
        }
        long multiplier = 1;
        if (!s.isEmpty())
        {
            switch (s.charAt(s.length() - 1))
            {
                case 'k' -> multiplier = 1L << 10;
                case 'm' -> multiplier = 1L << 20;
                case 'g' -> multiplier = 1L << 30;
                case 't' -> multiplier = 1L << 40;
                default -> multiplier = 1;
            }
            if (multiplier != 1)
            {
                s = s.substring(0, s.length() - 1);
            }
        }
        try
        {
            final long bytes = Math.multiplyExact(Long.parseLong(s), multiplier);
            if (bytes >= 0)
            {
                return bytes;
            }
        }
        catch (final NumberFormatException | ArithmeticException e)
        {
            // not a number, or too large: said below
        }
        throw new IllegalArgumentException("not a size: '" + text + "' (examples: 4096, 64k, 128m, 1g)");
    }

    /**
     * @param bytes a size in bytes that must fit an int.
     * @param name  option name for the error message.
     * @return the size as an int.
     */
    public static int toInt(final long bytes, final String name)
    {
        if (bytes < 0 || bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(name + " must be in 0.." + Integer.MAX_VALUE + " bytes, was " + bytes);
        }
        return (int)bytes;
    }
}
