package io.metrodb.tools.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which failed writes chaos reports as not in flight at a killed mapd: all but an UNAVAILABLE whose call was
 * running when a mapd was killed, or began within a second after.
 */
class FailureAttributionTest
{
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldBlameOnlyUnavailableWritesAroundAMapdKill()
    {
        final List<Long> kills = List.of(10 * S, 30 * S);
        final Writers.Failure during = new Writers.Failure("SETSAFE", "UNAVAILABLE", 9 * S, 11 * S);
        final Writers.Failure justAfter = new Writers.Failure("SET", "UNAVAILABLE", 10 * S + S / 2, 10 * S + S);
        final Writers.Failure longAfter = new Writers.Failure("SET", "UNAVAILABLE", 12 * S, 12 * S + S / 10);
        final Writers.Failure before = new Writers.Failure("SET", "UNAVAILABLE", 8 * S, 9 * S);
        final Writers.Failure otherStatus = new Writers.Failure("SETSAFE", "STORAGE_ERROR", 29 * S, 31 * S);
        final Writers.Failure timeout = new Writers.Failure("SETSAFE", "TIMEOUT", 29 * S, 31 * S);

        assertEquals(List.of(longAfter, before, otherStatus, timeout), FailureAttribution.notAtAKilledMapd(
            List.of(during, justAfter, longAfter, before, otherStatus, timeout), kills));
        assertEquals(List.of(during), FailureAttribution.notAtAKilledMapd(List.of(during), List.of()),
            "no mapd killed: every failure is another's");
    }
}
