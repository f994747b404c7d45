package io.metrodb.bench.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What every connection of a run does, immutable: the operation mix, the keys and how they are picked, the values,
 * the window and the pacing (closed loop, or open loop at a total rate). Values are made once, up front: a fixed
 * size is one array; a range is up to {@link #MAX_VALUE_ARRAYS} arrays with sizes spread evenly over it, picked at
 * random per request.
 */
final class Workload
{
    /** Distinct value arrays made for a value-size range at most. */
    static final int MAX_VALUE_ARRAYS = 1024;

    /** Share of each operation, by {@link Op} ordinal, summing to 1. */
    final double[] shares;
    private final double[] cumulative;
    final long keys;
    final KeyDistribution distribution;
    final String distributionName;
    final byte[][] values;
    final int minValue;
    final int maxValue;
    final int connections;
    final int inFlight;
    /** Requests per second in total, or 0 for the closed loop. */
    final long rate;
    final long seed;

    /**
     * @param weights      weight of each operation by {@link Op} ordinal (any scale, at least one positive).
     * @param keys         keys, numbered from 0.
     * @param distribution uniform, zipfian or latest.
     * @param minValue     smallest value in bytes.
     * @param maxValue     largest value in bytes.
     * @param connections  load connections.
     * @param inFlight     requests in flight per connection at most.
     * @param rate         total requests per second (open loop), or 0 (closed loop).
     * @param seed         seeds the values here, and each connection's choices with {@link #connectionSeed}.
     */
    Workload(final double[] weights, final long keys, final String distribution, final int minValue,
        final int maxValue, final int connections, final int inFlight, final long rate, final long seed)
    {
        double total = 0;
        for (final double weight : weights)
        {
            if (weight < 0)
            {
                throw new IllegalArgumentException("an operation's weight cannot be negative");
            }
            total += weight;
        }
        if (weights.length != Op.ALL.length || total <= 0)
        {
            throw new IllegalArgumentException("the mix needs a positive weight for at least one operation");
        }
        if (keys < 1 || keys > Keys.MAX_KEYS)
        {
            throw new IllegalArgumentException("keys must be in 1.." + Keys.MAX_KEYS + ", was " + keys);
        }
        if (minValue < 0 || maxValue < minValue)
        {
            throw new IllegalArgumentException("value sizes must be 0 <= min <= max, were " + minValue + ".." +
                maxValue);
        }
        shares = new double[weights.length];
        cumulative = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++)
        {
            shares[i] = weights[i] / total;
            sum += shares[i];
            cumulative[i] = sum;
        }
        cumulative[weights.length - 1] = 1.0;
        this.keys = keys;
        this.distributionName = distribution.toLowerCase(Locale.ROOT);
        this.distribution = KeyDistribution.of(distribution, keys);
        this.minValue = minValue;
        this.maxValue = maxValue;
        this.connections = connections;
        this.inFlight = inFlight;
        this.rate = rate;
        this.seed = seed;
        this.values = makeValues(minValue, maxValue, seed);
    }

    private static byte[][] makeValues(final int min, final int max, final long seed)
    {
        final int count = (int)Math.min(MAX_VALUE_ARRAYS, (long)max - min + 1);
        final byte[][] made = new byte[count][];
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < count; i++)
        {
            final int size = count == 1 ? min : (int)(min + ((long)(max - min) * i) / (count - 1));
            made[i] = new byte[size];
            for (int b = 0; b < size; b++)
            {
                // Printable bytes, so a value read back with redis-cli is readable.
                made[i][b] = (byte)('a' + random.nextInt(26));
            }
        }
        return made;
    }

    boolean openLoop()
    {
        return rate > 0;
    }

    boolean uses(final Op op)
    {
        return shares[op.ordinal()] > 0;
    }

    /**
     * @return the seed of connection {@code index}'s choices (operations, keys, values).
     */
    long connectionSeed(final int index)
    {
        return seed * 0x9E3779B97F4A7C15L + index;
    }

    Op pickOp(final SplittableRandom random)
    {
        final double u = random.nextDouble();
        for (int i = 0; i < cumulative.length; i++)
        {
            if (u < cumulative[i])
            {
                return Op.ALL[i];
            }
        }
        return Op.ALL[cumulative.length - 1];
    }

    byte[] pickValue(final SplittableRandom random)
    {
        return values.length == 1 ? values[0] : values[random.nextInt(values.length)];
    }

    /**
     * @return e.g. {@code get=90% set=10%}.
     */
    String describeMix()
    {
        final StringBuilder text = new StringBuilder();
        for (final Op op : Op.ALL)
        {
            if (uses(op))
            {
                text.append(text.length() == 0 ? "" : " ").append(op.label()).append('=')
                    .append(percent(shares[op.ordinal()])).append('%');
            }
        }
        return text.toString();
    }

    /**
     * @return {@code share} in percent with at most two decimals and no trailing zeros, e.g. 90, 12.5.
     */
    static String percent(final double share)
    {
        final String text = String.format(Locale.ROOT, "%.2f", share * 100);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
