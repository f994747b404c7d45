package io.metrodb.mapd;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long requests spend inside this mapd, from the data-path thread reading them to the answer it writes, and the
 * stages of a write: where a request's time goes on the server side, next to what a client measures end to end.
 * Recorded and read on the data-path thread only (INFO is served there), so plain histograms suffice; recording
 * allocates nothing. INFO shows each as {@code latency_NAME_us:count=..,p50=..,p90=..,p99=..,max=..}; INFO with
 * section {@code latency-reset} shows only these and then clears them. The counters file holds the same figures as
 * gauges ({@code latency_NAME_p50_ns}, {@code _p99_ns}, {@code _max_ns}, {@code _count}), refreshed by
 * {@link #publishIfDue} at most once a second and only after requests were recorded.
 */
final class RequestTimings
{
    /** GET answered, found or not. */
    static final int GET = 0;
    /** SET answered OK. */
    static final int SET = 1;
    /** SETSAFE answered OK. */
    static final int SETSAFE = 2;
    /** DEL answered OK. */
    static final int DEL = 3;
    /** Any write: from the request to every replica's offset in (the logd round trip). */
    static final int WRITE_APPENDED = 4;
    /** Durable write: from the offsets in to the journal entry forced. */
    static final int DURABLE_JOURNAL = 5;
    /** Durable write: from the request to the last logd's forced answer. */
    static final int DURABLE_LOGDS_FORCED = 6;
    /** Durable write: from the offsets in to the last peer's acknowledgement. */
    static final int DURABLE_PEERS = 7;

    private static final String[] NAMES =
        { "get", "set", "setsafe", "del", "write_appended", "durable_journal", "durable_logds_forced",
            "durable_peers" };
    private static final long HIGHEST_NS = TimeUnit.MINUTES.toNanos(1);

    /** Type id of the latency gauges in the counters file. */
    static final int GAUGE_TYPE_ID = 5;
    private static final long PUBLISH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int GAUGES_PER_MEASURE = 4;

    private final Histogram[] histograms = new Histogram[NAMES.length];
    private final AtomicCounter[] gauges;
    private boolean recorded;
    private long lastPublishNs;

    /**
     * Timings without gauges (tests).
     */
    RequestTimings()
    {
        this(null);
    }

    /**
     * @param manager where to allocate the latency gauges; null: none.
     */
    RequestTimings(final CountersManager manager)
    {
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i] = new Histogram(HIGHEST_NS, 2);
        }
        lastPublishNs = System.nanoTime() - PUBLISH_INTERVAL_NS;
        gauges = new AtomicCounter[null == manager ? 0 : NAMES.length * GAUGES_PER_MEASURE];
        for (int i = 0; i < gauges.length; i += GAUGES_PER_MEASURE)
        {
            final String name = "latency_" + NAMES[i / GAUGES_PER_MEASURE];
            gauges[i] = manager.newCounter(name + "_p50_ns", GAUGE_TYPE_ID);
            gauges[i + 1] = manager.newCounter(name + "_p99_ns", GAUGE_TYPE_ID);
            gauges[i + 2] = manager.newCounter(name + "_max_ns", GAUGE_TYPE_ID);
            gauges[i + 3] = manager.newCounter(name + "_count", GAUGE_TYPE_ID);
        }
    }

    /**
     * Data-path thread, after a batch of reads: refreshes the gauges when requests were recorded since the last
     * refresh and a second has passed (an idle mapd does nothing here).
     */
    void publishIfDue(final long nowNs)
    {
        if (!recorded || nowNs - lastPublishNs < PUBLISH_INTERVAL_NS)
        {
            return;
        }
        recorded = false;
        lastPublishNs = nowNs;
        for (int i = 0; i < gauges.length; i += GAUGES_PER_MEASURE)
        {
            final Histogram histogram = histograms[i / GAUGES_PER_MEASURE];
            gauges[i].setRelease(histogram.getValueAtPercentile(50));
            gauges[i + 1].setRelease(histogram.getValueAtPercentile(99));
            gauges[i + 2].setRelease(histogram.getMaxValue());
            gauges[i + 3].setRelease(histogram.getTotalCount());
        }
    }

    void record(final int measure, final long elapsedNs)
    {
        histograms[measure].recordValue(Math.max(0, Math.min(elapsedNs, HIGHEST_NS)));
        recorded = true;
    }

    void appendInfo(final StringBuilder text)
    {
        for (int i = 0; i < histograms.length; i++)
        {
            final Histogram histogram = histograms[i];
            text.append("latency_").append(NAMES[i]).append("_us:count=").append(histogram.getTotalCount());
            if (histogram.getTotalCount() > 0)
            {
                text.append(",p50=").append(micros(histogram.getValueAtPercentile(50)))
                    .append(",p90=").append(micros(histogram.getValueAtPercentile(90)))
                    .append(",p99=").append(micros(histogram.getValueAtPercentile(99)))
                    .append(",max=").append(micros(histogram.getMaxValue()));
            }
            text.append('\n');
        }
    }

    void reset()
    {
        for (final Histogram histogram : histograms)
        {
            histogram.reset();
        }
    }

    private static String micros(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f", ns / 1000.0);
    }
}
