package io.metrodb.server;


import io.metrodb.testing.Await;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Waits for an idle process's threads to show it: a window in which counters of their duty cycles (or wake-ups)
 * grow by at most a bound. A bound far from what a polling thread does (thousands a second) is a behaviour
 * check, not a timing test.
 */
public final class IdleAwait
{
    private IdleAwait()
    {
    }

    /**
     * Waits (up to {@code timeoutMs}) for a window of {@code windowMs} in which every counter grew by at most
     * {@code maxPerWindow}.
     */
    public static void awaitQuiet(
        final String what,
        final long windowMs,
        final long maxPerWindow,
        final long timeoutMs,
        final LongSupplier... counters) throws Exception
    {
        final long windowNs = TimeUnit.MILLISECONDS.toNanos(windowMs);
        final long[] startCounts = new long[counters.length];
        final long[] lastCounts = new long[counters.length];
        final long[] startNs = { System.nanoTime() };
        for (int i = 0; i < counters.length; i++)
        {
            startCounts[i] = counters[i].getAsLong();
        }
        Arrays.fill(lastCounts, -1);
        final String condition = what + ": at most " + maxPerWindow + " in " + windowMs + " ms";
        final long tookMs = Await.until(condition, timeoutMs, () ->
        {
            final long nowNs = System.nanoTime();
            if (nowNs - startNs[0] < windowNs)
            {
                return false;
            }
            boolean quiet = true;
            for (int i = 0; i < counters.length; i++)
            {
                final long count = counters[i].getAsLong();
                lastCounts[i] = count - startCounts[i];
                quiet &= lastCounts[i] <= maxPerWindow;
                startCounts[i] = count;
            }
            startNs[0] = nowNs;
            return quiet;
        }, () -> "counts in the last window: " + Arrays.toString(lastCounts));
        System.out.println(what + ": " + Arrays.toString(lastCounts) + " in " + windowMs + " ms (quiet after " +
            tookMs + " ms)");
    }
}
