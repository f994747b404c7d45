package io.metrodb.bench.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a request picks its key among {@code keys}: {@code uniform}; {@code zipfian}, YCSB's scrambled zipfian
 * (zipfian ranks, theta 0.99, spread over the key space by an FNV-1a hash so the popular keys are not neighbours);
 * {@code latest}, zipfian by recency: the highest-numbered keys, which a preload writes last, are the most popular
 * (YCSB's "latest" without inserts).
 */
abstract class KeyDistribution
{
    final long keys;

    private KeyDistribution(final long keys)
    {
        this.keys = keys;
    }

    /**
     * @return a key index, {@code 0..keys-1}.
     */
    abstract long next(SplittableRandom random);

    /**
     * @param name uniform, zipfian or latest.
     * @param keys how many keys there are.
     * @return the distribution.
     */
    static KeyDistribution of(final String name, final long keys)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case "uniform":
                return new Uniform(keys);
            case "zipfian":
                return new Scrambled(new ZipfianGenerator(keys, ZipfianGenerator.DEFAULT_THETA));
            case "latest":
                return new Latest(new ZipfianGenerator(keys, ZipfianGenerator.DEFAULT_THETA));
            default:
                throw new IllegalArgumentException("unknown distribution " + name + " (uniform, zipfian, latest)");
        }
    }

    /**
     * @return FNV-1a over the 8 bytes of {@code value}, as YCSB's {@code Utils.fnvhash64}, made non-negative.
     */
    static long fnv64(final long value)
    {
        long hash = 0xCBF29CE484222325L;
        long rest = value;
        for (int i = 0; i < 8; i++)
        {
            hash ^= rest & 0xff;
            hash *= 0x100000001B3L;
            rest >>>= 8;
        }
        return hash & Long.MAX_VALUE;
    }

    private static final class Uniform extends KeyDistribution
    {
        Uniform(final long keys)
        {
            super(keys);
        }

        @Override
        long next(final SplittableRandom random)
        {
            return random.nextLong(keys);
        }
    }

    private static final class Scrambled extends KeyDistribution
    {
        private final ZipfianGenerator zipfian;

        Scrambled(final ZipfianGenerator zipfian)
        {
            super(zipfian.items());
            this.zipfian = zipfian;
        }

        @Override
        long next(final SplittableRandom random)
        {
            return fnv64(zipfian.next(random)) % keys;
        }
    }

    private static final class Latest extends KeyDistribution
    {
        private final ZipfianGenerator zipfian;

        Latest(final ZipfianGenerator zipfian)
        {
            super(zipfian.items());
            this.zipfian = zipfian;
        }

        @Override
        long next(final SplittableRandom random)
        {
            return keys - 1 - zipfian.next(random);
        }
    }
}
