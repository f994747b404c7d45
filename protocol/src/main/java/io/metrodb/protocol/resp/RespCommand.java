package io.metrodb.protocol.resp;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * One parsed command: its arguments as (index, length) pairs into a source buffer, valid until the parser is
 * called again. Reused for every command of a connection; the arrays grow as arguments arrive, never to the
 * count a client merely claims.
 */
public final class RespCommand
{
    private static final int INITIAL_ARGS = 8;

    ByteBuf source;
    int base;
    int argCount;
    int[] argOffsets = new int[INITIAL_ARGS];
    int[] argLengths = new int[INITIAL_ARGS];

    void reset()
    {
        source = null;
        base = 0;
        argCount = 0;
    }

    void add(final int offset, final int length)
    {
        if (argCount == argOffsets.length)
        {
            argOffsets = Arrays.copyOf(argOffsets, argCount * 2);
            argLengths = Arrays.copyOf(argLengths, argCount * 2);
        }
        argOffsets[argCount] = offset;
        argLengths[argCount] = length;
        argCount++;
    }

    /**
     * @return the number of arguments, the command name included; 0 for an empty line or {@code *0}.
     */
    public int argCount()
    {
        return argCount;
    }

    /**
     * @return the buffer the arguments are in.
     */
    public ByteBuf source()
    {
        return source;
    }

    /**
     * @return the index in {@link #source()} of argument {@code i}'s first byte.
     */
    public int argIndex(final int i)
    {
        return base + argOffsets[i];
    }

    public int argLength(final int i)
    {
        return argLengths[i];
    }

    /**
     * @param upperCase an ASCII name in upper case.
     * @return true when argument {@code i} is that name in any case.
     */
    public boolean argIs(final int i, final byte[] upperCase)
    {
        if (argLengths[i] != upperCase.length)
        {
            return false;
        }
        final int index = argIndex(i);
        for (int b = 0; b < upperCase.length; b++)
        {
            if (toUpper(source.getByte(index + b)) != upperCase[b])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Packs argument {@code i}, upper-cased, into a long (first byte highest): a name of up to 8 bytes compared
     * with one {@code ==} and no String.
     *
     * @return the packed name, or 0 when the argument is empty or longer than 8 bytes.
     */
    public long packedName(final int i)
    {
        final int length = argLengths[i];
        if (length == 0 || length > Long.BYTES)
        {
            return 0;
        }
        final int index = argIndex(i);
        long packed = 0;
        for (int b = 0; b < length; b++)
        {
            packed = (packed << 8) | (toUpper(source.getByte(index + b)) & 0xFF);
        }
        return packed;
    }

    /**
     * @return argument {@code i} parsed as a decimal long, or {@code missing} when it is not one.
     */
    public long argAsLong(final int i, final long missing)
    {
        return RespParser.parseLong(source, argIndex(i), argLengths[i], missing);
    }

    /**
     * @return a copy of argument {@code i} (error paths and tests only).
     */
    public byte[] argBytes(final int i)
    {
        final byte[] bytes = new byte[argLengths[i]];
        source.getBytes(argIndex(i), bytes);
        return bytes;
    }

    /**
     * Packs an upper-case ASCII name of up to 8 bytes as {@link #packedName(int)} does.
     */
    public static long pack(final String upperCase)
    {
        if (upperCase.isEmpty() || upperCase.length() > Long.BYTES)
        {
            throw new IllegalArgumentException("names are 1..8 bytes: " + upperCase);
        }
        long packed = 0;
        for (int b = 0; b < upperCase.length(); b++)
        {
            packed = (packed << 8) | (upperCase.charAt(b) & 0xFF);
        }
        return packed;
    }

    private static byte toUpper(final byte b)
    {
        return b >= 'a' && b <= 'z' ? (byte)(b - ('a' - 'A')) : b;
    }
}
