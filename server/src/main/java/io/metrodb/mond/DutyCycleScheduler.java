package io.metrodb.mond;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Runs a duty cycle on an event loop, each cycle at the time the one before asked for, never sooner than
 * {@code minGapNs} after the last, and sooner than asked when woken ({@link #wakeAt}) by an event that makes work.
 * For {@link MondAgent}; its event-loop thread only (but {@link #start} and {@link #close} are called there too).
 */
final class DutyCycleScheduler
{
    /**
     * One cycle of work.
     */
    interface Cycle
    {
        /**
         * @return when the next cycle should run.
         */
        long doCycle(long nowNs);
    }

    private final EventLoop loop;
    private final long minGapNs;
    private final Cycle cycle;
    private final Runnable task = this::run;
    private ScheduledFuture<?> scheduled;
    private long scheduledAtNs;
    private long lastCycleNs;
    private boolean closed;

    DutyCycleScheduler(final EventLoop loop, final long minGapNs, final Cycle cycle)
    {
        this.loop = loop;
        this.minGapNs = minGapNs;
        this.cycle = cycle;
    }

    /**
     * Schedules the first cycle, {@code minGapNs} from {@code nowNs}. On the event loop.
     */
    void start(final long nowNs)
    {
        lastCycleNs = nowNs;
        if (!closed)
        {
            schedule(nowNs + minGapNs, nowNs);
        }
    }

    private void run()
    {
        scheduled = null;
        final long nowNs = System.nanoTime();
        lastCycleNs = nowNs;
        final long nextNs = cycle.doCycle(nowNs);
        if (!closed)
        {
            schedule(nextNs, nowNs);
        }
    }

    private void schedule(final long atNs, final long nowNs)
    {
        scheduledAtNs = atNs;
        scheduled = loop.schedule(task, Math.max(0, atNs - nowNs), TimeUnit.NANOSECONDS);
    }

    /**
     * Have the next cycle run by {@code atNs}, though not sooner than {@code minGapNs} after the last: for events
     * that make work sooner than the scheduled cycle would see it. On the event loop.
     */
    void wakeAt(final long atNs)
    {
        final long runAtNs = atNs - (lastCycleNs + minGapNs) < 0 ? lastCycleNs + minGapNs : atNs;
        if (closed || scheduled == null || runAtNs - scheduledAtNs >= 0)
        {
            // Not started, running now (it schedules the next when done), closed, or soon enough already.
            return;
        }
        scheduled.cancel(false);
        schedule(runAtNs, System.nanoTime());
    }

    /**
     * Stops: no cycle runs after this. On the event loop.
     */
    void close()
    {
        closed = true;
        if (scheduled != null)
        {
            scheduled.cancel(false);
        }
    }
}
