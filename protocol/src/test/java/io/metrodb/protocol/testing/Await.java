package io.metrodb.protocol.testing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Polls a condition until it holds or a deadline passes: the only way MetroDB's tests wait. This copy is for the
 * protocol module's own tests only; the other modules use {@code io.metrodb.testing.Await} from test-support (which
 * depends on protocol, so protocol's tests cannot use it).
 */
public final class Await
{
    /** A condition that may do I/O. */
    @FunctionalInterface
    public interface Condition
    {
        boolean holds() throws Exception;
    }

    /** Describes the state for the failure message. */
    @FunctionalInterface
    public interface Detail
    {
        String describe() throws Exception;
    }

    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await()
    {
    }

    /**
     * @return how long it took, in ms.
     */
    public static long until(final String what, final long timeoutMs, final Condition condition) throws Exception
    {
        return until(what, timeoutMs, condition, () -> "");
    }

    /**
     * @param detail what to add to the failure message.
     * @return how long it took, in ms.
     */
    public static long until(final String what, final long timeoutMs, final Condition condition, final Detail detail)
        throws Exception
    {
        final long start = System.nanoTime();
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.holds())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within " + timeoutMs + " ms: " + what + " " + detail.describe());
            }
            LockSupport.parkNanos(POLL_NS);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
