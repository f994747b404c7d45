package io.metrodb.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one operation (or all of them, {@code label} "all") did in the measured period, merged over the
 * connections: latencies in ns, requests answered (values and misses), misses, failures.
 */
final class OpResult
{
    final String label;
    final Histogram histogram = new Histogram(LoadConnection.HIGHEST_NS, 3);
    long succeeded;
    long misses;
    long errors;

    OpResult(final String label)
    {
        this.label = label;
    }

    /**
     * Adds a connection's histogram and counts (merging across connections).
     */
    void add(final Histogram latencies, final long answered, final long missed, final long failed)
    {
        histogram.add(latencies);
        succeeded += answered;
        misses += missed;
        errors += failed;
    }

    void add(final OpResult other)
    {
        add(other.histogram, other.succeeded, other.misses, other.errors);
    }

    /**
     * @return requests answered (values, writes, misses), errors excluded.
     */
    long answered()
    {
        return succeeded + misses;
    }

    double opsPerSecond(final double seconds)
    {
        return seconds > 0 ? answered() / seconds : 0;
    }

    /**
     * @return the latency at {@code percentile} in us (0 when nothing was recorded).
     */
    double us(final double percentile)
    {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1e3;
    }

    double maxUs()
    {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1e3;
    }

    double meanUs()
    {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMean() / 1e3;
    }
}
