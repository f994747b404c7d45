package io.metrodb.bench.grid;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The benchmark key set: key i is 16 bytes, a mixed word then i, all distinct; and a cheap uniform index picker.
 */
final class BenchKeys
{
    static final int KEY_LENGTH = 16;

    private BenchKeys()
    {
    }

    static void key(final MutableDirectBuffer buffer, final long i)
    {
        buffer.putLong(0, mix(i), ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(8, i, ByteOrder.LITTLE_ENDIAN);
    }

    static void key(final byte[] bytes, final long i)
    {
        final long first = mix(i);
        for (int b = 0; b < 8; b++)
        {
            bytes[b] = (byte)(first >>> (b << 3));
            bytes[8 + b] = (byte)(i >>> (b << 3));
        }
    }

    static long mix(final long i)
    {
        long z = i + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * xorshift64 step.
     *
     * @param state previous state, non-zero.
     * @return next state.
     */
    static long next(final long state)
    {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /**
     * Maps a random state to 0..bound-1 without division.
     *
     * @param state random state.
     * @param bound exclusive bound.
     * @return the index.
     */
    static int index(final long state, final int bound)
    {
        return (int)(((state >>> 32) * bound) >>> 32);
    }
}
