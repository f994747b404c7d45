package io.metrodb.bench.mapd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The harnesses' key set: key i is 16 bytes, a mixed word then i (little-endian), all distinct; and a cheap
 * uniform index picker.
 */
final class MapdKeys
{
    static final int KEY_LENGTH = 16;

    private MapdKeys()
    {
    }

    /**
     * Writes key i into the first 16 bytes of {@code key} (indexes untouched).
     */
    static void key(final ByteBuf key, final long i)
    {
        key.setLongLE(0, mix(i));
        key.setLongLE(8, i);
    }

    /**
     * @return keys 0 to {@code count - 1}, each as its own array.
     */
    static byte[][] keyArrays(final int count)
    {
        final byte[][] keys = new byte[count][];
        final ByteBuf scratch = Unpooled.buffer(KEY_LENGTH);
        for (int i = 0; i < count; i++)
        {
            key(scratch, i);
            keys[i] = new byte[KEY_LENGTH];
            scratch.getBytes(0, keys[i]);
        }
        return keys;
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
     */
    static long index(final long state, final long bound)
    {
        return Math.floorMod(state >>> 1, bound);
    }
}
