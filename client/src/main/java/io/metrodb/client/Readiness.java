package io.metrodb.client;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Wakes the threads waiting for a client's connections ({@link MetroClient#awaitConnected}) when one becomes ready,
 * is lost or fails an attempt. Connection events are rare: a monitor is enough, and calls never touch it.
 */
final class Readiness
{
    private final Object monitor = new Object();

    /** A connection's state changed: the waiters look again. */
    void changed()
    {
        synchronized (monitor)
        {
            monitor.notifyAll();
        }
    }

    /**
     * Waits until {@code ready} reaches {@code count}, or the timeout passes.
     *
     * @return whether it did.
     */
    boolean await(final IntSupplier ready, final int count, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (monitor)
        {
            while (ready.getAsInt() < count)
            {
                final long leftNs = deadline - System.nanoTime();
                if (leftNs <= 0)
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, leftNs);
            }
            return true;
        }
    }
}
