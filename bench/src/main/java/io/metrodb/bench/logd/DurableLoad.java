package io.metrodb.bench.logd;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * One way of keeping N durable appends in flight for {@link DurableAppendHarness}.
 */
interface DurableLoad extends AutoCloseable
{
    long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long after the window's end the appends in flight may take to be answered. */
    long WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    void start() throws Exception;

    /**
     * Wait for the load to stop after the window (every append in flight answered).
     *
     * @throws IllegalStateException when an append failed or the load did not stop in time.
     */
    void finish() throws Exception;

    long completedInWindow();

    Histogram latency();

    @Override
    default void close()
    {
    }

    /**
     * When the load starts, and the measured window within it, in {@link System#nanoTime()}.
     */
    record Window(long startNs, long measureStartNs, long measureEndNs)
    {
        boolean inWindow(final long nowNs)
        {
            return nowNs - measureStartNs >= 0 && nowNs - measureEndNs < 0;
        }

        boolean over(final long nowNs)
        {
            return nowNs - measureEndNs >= 0;
        }

        void awaitStart()
        {
            while (System.nanoTime() - startNs < 0)
            {
                Thread.onSpinWait();
            }
        }
    }
}
