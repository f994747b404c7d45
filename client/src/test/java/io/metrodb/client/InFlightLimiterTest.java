package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-flight limiter as a unit.
 */
class InFlightLimiterTest
{
    @Test
    void shouldFailFastPastTheBoundAndAdmitAgainAfterARelease()
    {
        final InFlightLimiter limiter = new InFlightLimiter(2, OverflowPolicy.FAIL_FAST);
        assertNull(limiter.acquire(1, false));
        assertNull(limiter.acquire(1, false));
        final MetroException refused = limiter.acquire(1, false);
        assertInstanceOf(MetroOverloadedException.class, refused);
        assertEquals(StatusCodes.OVERLOADED, refused.status());
        assertEquals(2, limiter.inFlight());
        limiter.release();
        assertEquals(1, limiter.inFlight());
        assertNull(limiter.acquire(1, false), "a released permit admits the next call");
    }

    @Test
    void shouldAdmitABatchWholeOrNotAtAll()
    {
        final InFlightLimiter limiter = new InFlightLimiter(4, OverflowPolicy.FAIL_FAST);
        assertNull(limiter.acquire(2, false));
        assertInstanceOf(MetroOverloadedException.class, limiter.acquire(3, false));
        assertEquals(2, limiter.inFlight(), "a refused batch holds no permit");
        assertNull(limiter.acquire(2, false));
        assertEquals(4, limiter.inFlight());
    }

    @Test
    void shouldWaitForARelease() throws Exception
    {
        final InFlightLimiter limiter = new InFlightLimiter(1, OverflowPolicy.WAIT);
        assertNull(limiter.acquire(1, false));
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final Thread waiter = new Thread(() -> outcome.set(String.valueOf(limiter.acquire(1, false))), "waiter");
        waiter.start();
        try
        {
            Await.until("the waiter blocks", 30_000, () -> waiter.getState() == Thread.State.WAITING);
            assertNull(outcome.get(), "admitted past the bound without a release");
            limiter.release();
            waiter.join(30_000);
            assertEquals("null", outcome.get(), "admitted once a permit was released");
            assertEquals(1, limiter.inFlight());
        }
        finally
        {
            waiter.interrupt();
            waiter.join(30_000);
        }
    }

    @Test
    void shouldNotWaitOnTheClientsOwnEventLoop()
    {
        final InFlightLimiter limiter = new InFlightLimiter(1, OverflowPolicy.WAIT);
        assertNull(limiter.acquire(1, true));
        assertTrue(limiter.failsFast(true));
        assertFalse(limiter.failsFast(false));
        assertInstanceOf(MetroOverloadedException.class, limiter.acquire(1, true), "waiting there would deadlock");
    }

    @Test
    void shouldStopWaitingWhenInterrupted()
    {
        final InFlightLimiter limiter = new InFlightLimiter(1, OverflowPolicy.WAIT);
        assertNull(limiter.acquire(1, false));
        Thread.currentThread().interrupt();
        try
        {
            final MetroException failure = limiter.acquire(1, false);
            assertNotNull(failure);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
            assertEquals(1, limiter.inFlight());
        }
        finally
        {
            Thread.interrupted();
        }
    }
}
