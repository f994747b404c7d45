package io.metrodb.bench.load;

import java.util.SplittableRandom;

/**
 * Zipfian ranks over {@code 0..items-1} as YCSB's {@code ZipfianGenerator} draws them (Gray et al., "Quickly
 * Generating Billion-Record Synthetic Databases", SIGMOD 1994): rank 0 is the most popular, rank {@code r} is drawn
 * with probability {@code 1 / ((r + 1)^theta * zeta(items, theta))}. Immutable once built (zeta is summed in the
 * constructor, at most a million terms); the randomness comes from the caller, so one generator serves every connection and a
 * seeded caller gets the same ranks run after run.
 */
final class ZipfianGenerator
{
    /** YCSB's default skew. */
    static final double DEFAULT_THETA = 0.99;

    private final long items;
    private final double theta;
    private final double zetan;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    ZipfianGenerator(final long items, final double theta)
    {
        if (items < 1)
        {
            throw new IllegalArgumentException("items must be at least 1, was " + items);
        }
        if (theta <= 0 || theta >= 1)
        {
            throw new IllegalArgumentException("theta must be in (0, 1), was " + theta);
        }
        this.items = items;
        this.theta = theta;
        this.zetan = zeta(items, theta);
        final double zeta2 = zeta(2, theta);
        this.alpha = 1.0 / (1.0 - theta);
        this.eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetan);
        this.halfPowTheta = Math.pow(0.5, theta);
    }

    /** Terms of zeta summed one by one; past them, the sum's tail is an integral. */
    static final long EXACT_TERMS = 1_000_000;

    /**
     * @return {@code sum(1 / i^theta)} for {@code i = 1..n}: exact up to {@link #EXACT_TERMS} terms, the rest as
     * the integral of {@code x^-theta} from {@code EXACT_TERMS + 1/2} to {@code n + 1/2} (the midpoint rule, whose
     * error is far below a double's precision there), so a billion keys cost no more than a million.
     */
    static double zeta(final long n, final double theta)
    {
        return zetaExact(Math.min(n, EXACT_TERMS), theta) + (n <= EXACT_TERMS ? 0 :
            (Math.pow(n + 0.5, 1 - theta) - Math.pow(EXACT_TERMS + 0.5, 1 - theta)) / (1 - theta));
    }

    /**
     * @return {@code sum(1 / i^theta)} for {@code i = 1..n}, term by term.
     */
    static double zetaExact(final long n, final double theta)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1 / Math.pow(i, theta);
        }
        return sum;
    }

    /**
     * @return the probability of rank {@code rank} (the exact distribution the draws approximate).
     */
    double probability(final long rank)
    {
        return 1 / (Math.pow(rank + 1, theta) * zetan);
    }

    long items()
    {
        return items;
    }

    /**
     * @return a rank, 0 the most popular.
     */
    long next(final SplittableRandom random)
    {
        final double u = random.nextDouble();
        final double uz = u * zetan;
        if (uz < 1.0)
        {
            return 0;
        }
        if (uz < 1.0 + halfPowTheta)
        {
            return Math.min(1, items - 1);
        }
        return Math.min(items - 1, (long)(items * Math.pow(eta * u - eta + 1, alpha)));
    }
}
