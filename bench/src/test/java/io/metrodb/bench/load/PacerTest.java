package io.metrodb.bench.load;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacerTest
{
    private static final long START_NS = 123_456_789L;

    @Test
    void shouldPutEveryRequestOnItsExactIntendedStartWithoutDrift()
    {
        // 3/s and 7/s do not divide a second evenly: an accumulated period would drift by now.
        for (final long rate : new long[] {1, 3, 7, 1_000, 33_333, 1_000_000})
        {
            final Pacer pacer = new Pacer(START_NS, rate, 1, 0);
            for (final long n : new long[] {0, 1, 2, rate - 1, rate, 10 * rate + 1, 123_456_789, 9_000_000_000L})
            {
                final long exact = BigInteger.valueOf(n).multiply(BigInteger.valueOf(1_000_000_000L))
                    .divide(BigInteger.valueOf(rate)).longValueExact();
                assertEquals(START_NS + exact, pacer.globalIntendedNs(n), "rate " + rate + " request " + n);
            }
            // Whole seconds land exactly on the second, however many requests came before.
            assertEquals(START_NS + 86_400L * 1_000_000_000L, pacer.globalIntendedNs(86_400L * rate), "rate " + rate);
        }
    }

    @Test
    void shouldInterleaveConnectionsIntoTheGlobalScheduleWithNoGapOrDuplicate()
    {
        final long rate = 7_919;
        final int connections = 4;
        final List<Long> times = new ArrayList<>();
        for (int c = 0; c < connections; c++)
        {
            final Pacer pacer = new Pacer(START_NS, rate, connections, c);
            for (long k = 0; k < 5_000; k++)
            {
                times.add(pacer.intendedNs(k));
            }
        }
        Collections.sort(times);
        final Pacer global = new Pacer(START_NS, rate, 1, 0);
        for (int n = 0; n < times.size(); n++)
        {
            assertEquals(global.globalIntendedNs(n), times.get(n).longValue(), "request " + n);
        }
    }

    @Test
    void shouldSendOpenLoopRequestsAtTheirIntendedTimesWhenTheTargetKeepsUp()
    {
        final ManualLane lane = new ManualLane(0);
        final FakeTarget target = new FakeTarget(lane, n -> 50_000);
        final long rate = 3_000;
        final Workload workload = Workloads.getOnly(1, 4, rate);
        final LoadConnection connection = new LoadConnection(0, workload, lane, target, () -> { });
        final long startNs = 1_000_000;
        final long endNs = startNs + 1_000_000_000L;
        connection.start(startNs, startNs, endNs);
        lane.runUntil(endNs + 1_000_000_000L);

        final Pacer pacer = new Pacer(startNs, rate, 1, 0);
        assertEquals(rate, target.sentAtNs.size(), "requests sent in one second at " + rate + "/s");
        for (int k = 0; k < target.sentAtNs.size(); k++)
        {
            assertEquals(pacer.intendedNs(k), target.sentAtNs.get(k).longValue(), "request " + k + " sent late");
        }
        assertEquals(0, connection.unsent());
        assertEquals(rate, connection.measured(Op.GET).getTotalCount());
        // Each latency is the 50 us service time (3 significant digits).
        assertTrue(connection.measured(Op.GET).getMaxValue() < 50_100, "max " +
            connection.measured(Op.GET).getMaxValue());
    }
}
