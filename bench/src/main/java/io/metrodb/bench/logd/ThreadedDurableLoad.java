package io.metrodb.bench.logd;

import io.metrodb.log.LogStore;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Durable appends kept in flight by threads of this JVM appending to a {@link LogStore} directly: mode
 * {@code threads} (one {@link DurableAppender} per append in flight) or {@code async} ({@link DurableDriver}s, each
 * keeping several in flight through the listener API).
 */
final class ThreadedDurableLoad implements DurableLoad
{
    private final String role;
    private final Worker[] workers;

    private ThreadedDurableLoad(final String role, final Worker[] workers)
    {
        this.role = role;
        this.workers = workers;
    }

    /**
     * N threads, each: append durably, park until acknowledged, repeat.
     */
    static ThreadedDurableLoad threads(final LogStore store, final byte[] entry, final int count, final Window window)
    {
        final Worker[] appenders = new Worker[count];
        for (int i = 0; i < count; i++)
        {
            appenders[i] = new DurableAppender(store, entry, window);
        }
        return new ThreadedDurableLoad("an appender", appenders);
    }

    /**
     * N durable appends in flight, spread over D driver threads that re-append from acknowledgements.
     */
    static ThreadedDurableLoad async(
        final LogStore store, final byte[] entry, final int inFlight, final int driverCount, final Window window)
    {
        final int count = Math.min(driverCount, inFlight);
        final Worker[] drivers = new Worker[count];
        for (int i = 0; i < count; i++)
        {
            drivers[i] = new DurableDriver(store, entry, inFlight / count + (i < inFlight % count ? 1 : 0), window);
        }
        return new ThreadedDurableLoad("a driver", drivers);
    }

    @Override
    public void start()
    {
        for (final Worker worker : workers)
        {
            worker.thread.start();
        }
    }

    @Override
    public void finish() throws InterruptedException
    {
        String failure = null;
        for (final Worker worker : workers)
        {
            worker.thread.join(TimeUnit.NANOSECONDS.toMillis(WAIT_TIMEOUT_NS));
            if (worker.thread.isAlive())
            {
                failure = role + " did not finish within " + TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NS) +
                    " s of the window's end";
                worker.thread.interrupt();
            }
            else if (worker.failure != null)
            {
                failure = worker.failure;
            }
        }
        if (failure != null)
        {
            throw new IllegalStateException(failure);
        }
    }

    @Override
    public long completedInWindow()
    {
        long completed = 0;
        for (final Worker worker : workers)
        {
            completed += worker.completedInWindow;
        }
        return completed;
    }

    @Override
    public Histogram latency()
    {
        final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        for (final Worker worker : workers)
        {
            latency.add(worker.latencyNs);
        }
        return latency;
    }

    /**
     * A thread of the load: what it completed in the window, its latencies, and why it stopped early, if it did.
     */
    abstract static class Worker implements Runnable
    {
        final Thread thread;
        final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        long completedInWindow;
        String failure;

        Worker(final String threadName)
        {
            thread = new Thread(this, threadName);
        }
    }
}
