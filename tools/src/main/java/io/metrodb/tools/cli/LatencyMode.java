package io.metrodb.tools.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code --latency}, like redis-cli's: one request every 10 ms (a PING, or a GET of {@code --latency-key}), and
 * the min, max and average round trip so far in milliseconds, updated in place on a terminal (else a line a
 * second), until Ctrl-C or {@code --count} samples.
 */
final class LatencyMode
{
    /** Pause between samples, as redis-cli's. */
    static final long SAMPLE_INTERVAL_MS = 10;
    private static final long PRINT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    /** One timed request. */
    interface Sampler
    {
        /**
         * @return the round trip in nanoseconds.
         * @throws Exception when the request failed.
         */
        long sampleNs() throws Exception;
    }

    private long minNs = Long.MAX_VALUE;
    private long maxNs;
    private long totalNs;
    private long samples;

    /**
     * @param sampler what to time.
     * @param count   samples to take, 0 for no end.
     * @param inPlace true to rewrite one line after every sample (a terminal).
     * @param out     where the line goes.
     * @throws Exception the failure of a sample, which ends the run.
     */
    void run(final Sampler sampler, final long count, final boolean inPlace, final PrintStream out) throws Exception
    {
        long lastPrintNs = System.nanoTime();
        long printedSamples = 0;
        try
        {
            while (count == 0 || samples < count)
            {
                if (samples > 0)
                {
                    Thread.sleep(SAMPLE_INTERVAL_MS);
                }
                add(sampler.sampleNs());
                final long nowNs = System.nanoTime();
                if (inPlace)
                {
                    // back to the line's start, rewrite it, clear what a longer previous line left
                    out.print("\r" + line() + "\u001b[K");
                    out.flush();
                    printedSamples = samples;
                }
                else if (nowNs - lastPrintNs >= PRINT_INTERVAL_NS)
                {
                    out.println(line());
                    lastPrintNs = nowNs;
                    printedSamples = samples;
                }
            }
        }
        finally
        {
            if (inPlace && samples > 0)
            {
                out.println();
            }
            else if (samples > printedSamples)
            {
                out.println(line());
            }
            out.flush();
        }
    }

    void add(final long rttNs)
    {
        minNs = Math.min(minNs, rttNs);
        maxNs = Math.max(maxNs, rttNs);
        totalNs += rttNs;
        samples++;
    }

    /**
     * @return {@code min: 0.105, max: 0.412, avg: 0.187 (42 samples) ms}.
     */
    String line()
    {
        return String.format(Locale.ROOT, "min: %.3f, max: %.3f, avg: %.3f (%d samples) ms",
            minNs / 1e6, maxNs / 1e6, samples == 0 ? 0.0 : totalNs / 1e6 / samples, samples);
    }
}
