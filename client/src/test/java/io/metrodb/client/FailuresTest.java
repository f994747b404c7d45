package io.metrodb.client;

import io.metrodb.protocol.StatusCodes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The error mapping from reply statuses to typed exceptions.
 */
class FailuresTest
{
    @Test
    void shouldMapEveryStatusToItsExceptionType()
    {
        assertType(NotEnoughReplicasException.class, StatusCodes.NOT_ENOUGH_REPLICAS);
        assertType(MetroAuthException.class, StatusCodes.AUTH_REQUIRED);
        assertType(MetroAuthException.class, StatusCodes.AUTH_FAILED);
        assertType(MetroTimeoutException.class, StatusCodes.TIMEOUT);
        assertType(MetroUnavailableException.class, StatusCodes.UNAVAILABLE);
        assertType(MetroUnavailableException.class, StatusCodes.SHUTTING_DOWN);
        assertType(MetroProtocolException.class, StatusCodes.VALUE_TOO_LARGE);
        assertType(MetroProtocolException.class, StatusCodes.INTERNAL_ERROR);
    }

    @Test
    void shouldNameTheStatusAndKeepTheServersMessage()
    {
        assertEquals("VALUE_TOO_LARGE: too big", Failures.fromStatus(StatusCodes.VALUE_TOO_LARGE, "too big").getMessage());
        assertEquals("TIMEOUT", Failures.fromStatus(StatusCodes.TIMEOUT, "").getMessage());
    }

    private static void assertType(final Class<? extends MetroException> type, final short status)
    {
        final MetroException failure = Failures.fromStatus(status, "m");
        assertSame(type, failure.getClass(), StatusCodes.name(status));
        assertEquals(status, failure.status(), StatusCodes.name(status));
    }
}
