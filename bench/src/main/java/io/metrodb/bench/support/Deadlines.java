package io.metrodb.bench.support;

import java.util.concurrent.locks.LockSupport;

/**
 * Waiting for a point in time on {@link System#nanoTime()}, as the harnesses' warm-up and measured windows do.
 */
public final class Deadlines
{
    private Deadlines()
    {
    }

    /**
     * Parks the calling thread until {@code deadlineNs} (a {@link System#nanoTime()} value) has passed.
     */
    public static void parkUntil(final long deadlineNs)
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remainingNs);
        }
    }
}
