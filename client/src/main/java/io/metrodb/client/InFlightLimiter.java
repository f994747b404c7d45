package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;

import java.util.concurrent.Semaphore;

/**
 * Admission: at most {@code maxInFlight} requests of a client in flight; past that a call waits or fails as its
 * {@link OverflowPolicy} says. A caller on the client's own I/O thread never waits (it would deadlock).
 */
final class InFlightLimiter
{
    private final int maxInFlight;
    private final OverflowPolicy policy;
    private final Semaphore permits;

    InFlightLimiter(final int maxInFlight, final OverflowPolicy policy)
    {
        this.maxInFlight = maxInFlight;
        this.policy = policy;
        this.permits = new Semaphore(maxInFlight);
    }

    /**
     * @return true when a batch must get all its permits at once (fail fast, or on the I/O thread).
     */
    boolean failsFast(final boolean onOwnEventLoop)
    {
        return policy == OverflowPolicy.FAIL_FAST || onOwnEventLoop;
    }

    /**
     * Takes {@code count} permits, waiting for them under {@link OverflowPolicy#WAIT} unless on the I/O thread.
     *
     * @param count          permits to take.
     * @param onOwnEventLoop whether the caller runs on the client's own I/O thread.
     * @return null once the permits are held, else the failure to report (nothing is held then).
     */
    MetroException acquire(final int count, final boolean onOwnEventLoop)
    {
        if (failsFast(onOwnEventLoop))
        {
            return permits.tryAcquire(count) ? null : new MetroOverloadedException(StatusCodes.OVERLOADED,
                "more than " + maxInFlight + " requests in flight");
        }
        try
        {
            permits.acquire(count);
            return null;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new MetroException((short)0, "interrupted while waiting for an in-flight slot");
        }
    }

    /**
     * Gives back one permit, when a call completed.
     */
    void release()
    {
        permits.release();
    }

    /**
     * @return requests in flight now.
     */
    int inFlight()
    {
        return maxInFlight - permits.availablePermits();
    }

    int maxInFlight()
    {
        return maxInFlight;
    }
}
