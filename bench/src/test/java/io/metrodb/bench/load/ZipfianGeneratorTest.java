package io.metrodb.bench.load;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZipfianGeneratorTest
{
    private static final long SEED = Long.getLong("zipfian.seed", System.nanoTime());
    private static final int ITEMS = 1_000;
    private static final int DRAWS = 300_000;

    private static long[] draw(final KeyDistribution distribution, final long seed)
    {
        final long[] counts = new long[ITEMS];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < DRAWS; i++)
        {
            counts[(int)distribution.next(random)]++;
        }
        return counts;
    }

    @Test
    void shouldDrawRanksWithZipfsLawShape()
    {
        final String seed = "seed " + SEED + " (-Dzipfian.seed)";
        final ZipfianGenerator zipfian = new ZipfianGenerator(ITEMS, ZipfianGenerator.DEFAULT_THETA);
        final long[] counts = new long[ITEMS];
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < DRAWS; i++)
        {
            final long rank = zipfian.next(random);
            assertTrue(rank >= 0 && rank < ITEMS, "rank " + rank + ", " + seed);
            counts[(int)rank]++;
        }
        // Ranks 0 and 1 are drawn exactly with their probability (about 13.4 % and 6.7 % for 1000 items).
        for (int rank = 0; rank < 2; rank++)
        {
            final double expected = zipfian.probability(rank) * DRAWS;
            assertEquals(expected, counts[rank], 0.03 * expected, "rank " + rank + ", " + seed);
        }
        // Each decade of ranks holds about the share Zipf's law gives it (Gray's method approximates the middle).
        for (final int[] band : new int[][] {{2, 10}, {10, 100}, {100, 1_000}})
        {
            double expected = 0;
            long drawn = 0;
            for (int rank = band[0]; rank < band[1]; rank++)
            {
                expected += zipfian.probability(rank) * DRAWS;
                drawn += counts[rank];
            }
            assertEquals(expected, drawn, 0.1 * expected, "ranks " + band[0] + ".." + band[1] + ", " + seed);
        }
        // Skewed: the first 10 ranks take far more than their 1 %.
        long top = 0;
        for (int rank = 0; rank < 10; rank++)
        {
            top += counts[rank];
        }
        assertTrue(top > 0.35 * DRAWS, "top 10 ranks drew " + top + ", " + seed);
    }

    @Test
    void shouldSumZetaOfManyItemsAsTheExactSumDoes()
    {
        final long n = 4 * ZipfianGenerator.EXACT_TERMS;
        final double exact = ZipfianGenerator.zetaExact(n, ZipfianGenerator.DEFAULT_THETA);
        assertEquals(exact, ZipfianGenerator.zeta(n, ZipfianGenerator.DEFAULT_THETA), exact * 1e-12);
        assertEquals(ZipfianGenerator.zetaExact(1_000, 0.5), ZipfianGenerator.zeta(1_000, 0.5), 0);
    }

    @Test
    void shouldDrawTheSameKeysForTheSameSeed()
    {
        final KeyDistribution first = KeyDistribution.of("zipfian", ITEMS);
        final KeyDistribution second = KeyDistribution.of("zipfian", ITEMS);
        final SplittableRandom a = new SplittableRandom(SEED);
        final SplittableRandom b = new SplittableRandom(SEED);
        for (int i = 0; i < 10_000; i++)
        {
            assertEquals(first.next(a), second.next(b), "draw " + i + ", seed " + SEED);
        }
    }

    @Test
    void shouldScatterTheHottestKeyAndPutLatestAtTheEnd()
    {
        final long[] scrambled = draw(KeyDistribution.of("zipfian", ITEMS), SEED);
        final long[] latest = draw(KeyDistribution.of("latest", ITEMS), SEED);
        final long[] uniform = draw(KeyDistribution.of("uniform", ITEMS), SEED);
        assertEquals(KeyDistribution.fnv64(0) % ITEMS, argMax(scrambled), "zipfian's hottest key, seed " + SEED);
        assertEquals(ITEMS - 1, argMax(latest), "latest's hottest key, seed " + SEED);
        for (int key = 0; key < ITEMS; key++)
        {
            // DRAWS / ITEMS expected per key, within 6 standard deviations.
            final double expected = DRAWS / (double)ITEMS;
            assertEquals(expected, uniform[key], 6 * Math.sqrt(expected), "uniform key " + key + ", seed " + SEED);
        }
    }

    private static int argMax(final long[] counts)
    {
        int best = 0;
        for (int i = 1; i < counts.length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }
        return best;
    }
}
