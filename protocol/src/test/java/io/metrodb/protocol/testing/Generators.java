package io.metrodb.protocol.testing;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random inputs biased toward the edges where codecs break: the bounds and their neighbours, powers of two
 * and their neighbours, small values; the rest uniform. Everything comes from the caller's seeded generator.
 */
public final class Generators
{
    private static final long[] LONG_EDGES =
    {
        0, 1, 2, -1, -2, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1,
        Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE, 0xFFFF_FFFFL, 1L << 32
    };

    private Generators()
    {
    }

    /**
     * A size in {@code [min, max]}: a quarter each a bound or its neighbour, near a power of two, small
     * (log-uniform), or uniform.
     */
    public static int size(final SplittableRandom random, final int min, final int max)
    {
        if (min == max)
        {
            return min;
        }
        final int size;
        switch (random.nextInt(4))
        {
            case 0:
                size = edge(random, min, max);
                break;
            case 1:
            {
                final int lowest = 31 - Integer.numberOfLeadingZeros(Math.max(1, min));
                final int highest = 31 - Integer.numberOfLeadingZeros(max);
                size = (1 << random.nextInt(lowest, highest + 1)) + random.nextInt(3) - 1;
                break;
            }
            case 2:
                size = min + logUniform(random, max - min);
                break;
            default:
                size = (int)random.nextLong(min, (long)max + 1);
                break;
        }
        return Math.max(min, Math.min(max, size));
    }

    /**
     * {@code target - 1}, {@code target} or {@code target + 1}, clamped to {@code [min, max]}.
     */
    public static int near(final SplittableRandom random, final int min, final int max, final int target)
    {
        return (int)Math.max(min, Math.min(max, (long)target + random.nextInt(3) - 1));
    }

    /**
     * An int in {@code [min, max]}: half the time a bound or its neighbour, else uniform.
     */
    public static int intIn(final SplittableRandom random, final int min, final int max)
    {
        if (random.nextBoolean())
        {
            return edge(random, min, max);
        }
        return (int)random.nextLong(min, (long)max + 1);
    }

    /**
     * Any long: a third of the time an edge ({@code 0}, {@code +-1}, the signed and unsigned extremes, the 32-bit
     * boundaries), else uniform over all 64 bits.
     */
    public static long anyLong(final SplittableRandom random)
    {
        if (random.nextInt(3) == 0)
        {
            return LONG_EDGES[random.nextInt(LONG_EDGES.length)];
        }
        return random.nextLong();
    }

    /**
     * Bytes of a {@link #size} length: mostly random, sometimes all zero or all ones.
     */
    public static byte[] bytes(final SplittableRandom random, final int minLength, final int maxLength)
    {
        final byte[] bytes = new byte[size(random, minLength, maxLength)];
        switch (random.nextInt(8))
        {
            case 0:
                break;
            case 1:
                Arrays.fill(bytes, (byte)0xFF);
                break;
            default:
                random.nextBytes(bytes);
                break;
        }
        return bytes;
    }

    /**
     * @param weights relative weights; returns the index picked.
     */
    public static int weighted(final SplittableRandom random, final int... weights)
    {
        int total = 0;
        for (final int weight : weights)
        {
            total += weight;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weights.length; i++)
        {
            pick -= weights[i];
            if (pick < 0)
            {
                return i;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static int edge(final SplittableRandom random, final int min, final int max)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return min;
            case 1:
                return min < max ? min + 1 : min;
            case 2:
                return max > min ? max - 1 : max;
            default:
                return max;
        }
    }

    /** A bit length uniformly, then a value uniform below 2^bits: sizes under 16 about as likely as over 1024. */
    private static int logUniform(final SplittableRandom random, final int bound)
    {
        if (bound <= 0)
        {
            return 0;
        }
        final int bits = random.nextInt(33 - Integer.numberOfLeadingZeros(bound));
        final long below = Math.min((long)bound + 1, 1L << bits);
        return (int)random.nextLong(below);
    }
}
