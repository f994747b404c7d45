package io.metrodb.bench.support;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The latency columns of the harnesses' Markdown tables: p50, p99, p99.9, max and mean of a histogram recorded in
 * ns, in us with one decimal, separated by {@code " | "}.
 */
public final class LatencyColumns
{
    /** The header cells of {@link #us}. */
    public static final String HEADER = "p50 | p99 | p99.9 | max | mean";

    private LatencyColumns()
    {
    }

    /**
     * @param histogram values in ns.
     * @return "p50 | p99 | p99.9 | max | mean" in us, e.g. {@code 31.3 | 96.6 | 258.3 | 4878.3 | 59.9}.
     */
    public static String us(final Histogram histogram)
    {
        return String.format(Locale.ROOT, "%.1f | %.1f | %.1f | %.1f | %.1f", histogram.getValueAtPercentile(50) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getMaxValue() / 1e3, histogram.getMean() / 1e3);
    }
}
