package io.metrodb.bench.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadConnectionTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long US = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long START_NS = 10 * MS;
    private static final long END_NS = START_NS + 1_000 * MS;

    /** Every request takes 10 us but request 100, which stalls 200 ms. */
    private static long stallAt100(final long n)
    {
        return n == 100 ? 200 * MS : 10 * US;
    }

    private static LoadConnection run(final Workload workload, final FakeTarget target, final ManualLane lane,
        final AtomicInteger finished)
    {
        final LoadConnection connection = new LoadConnection(0, workload, lane, target, finished::incrementAndGet);
        connection.start(START_NS, START_NS, END_NS);
        lane.runUntil(END_NS + 1_000 * MS);
        return connection;
    }

    private static long countAtLeast(final Histogram histogram, final long valueNs)
    {
        return histogram.getTotalCount() - histogram.getCountBetweenValues(0, valueNs - 1);
    }

    @Test
    void shouldCountTheWaitOfRequestsHeldUpByAStallInTheOpenLoop()
    {
        final ManualLane lane = new ManualLane(0);
        final FakeTarget target = new FakeTarget(lane, LoadConnectionTest::stallAt100);
        final AtomicInteger finished = new AtomicInteger();
        final LoadConnection connection = run(Workloads.getOnly(1, 1, 1_000), target, lane, finished);

        final Histogram latencies = connection.measured(Op.GET);
        assertEquals(1, finished.get(), "finished once");
        // Every request of the second was sent: the backlog drained after the stall, at 10 us each.
        assertEquals(1_000, latencies.getTotalCount());
        assertEquals(0, connection.unsent());
        // The stalled request took 200 ms; the 199 meant to start during the stall waited for it, from their
        // intended start: request 100 + j waited about 200 - j ms. About 100 of them waited 100 ms or more.
        assertEquals(200 * MS, latencies.getMaxValue(), 200 * MS / 500.0, "max");
        final long slow = countAtLeast(latencies, 100 * MS);
        assertTrue(slow >= 99 && slow <= 102, "requests with 100 ms or more: " + slow);
        assertTrue(countAtLeast(latencies, MS) >= 199, "requests with 1 ms or more: " + countAtLeast(latencies, MS));
        // The rest kept the service time.
        assertTrue(latencies.getValueAtPercentile(50) < 20 * US, "p50 " + latencies.getValueAtPercentile(50));
        // The requests after the stall were sent late (back to back), not at their intended times.
        assertEquals(300 * MS + START_NS, target.sentAtNs.get(101).longValue(), "request 101 sent when 100 answered");
    }

    @Test
    void shouldHideTheStallFromTheClosedLoopAsAClosedLoopDoes()
    {
        // The contrast: timed from the send, a closed loop sees one slow request, the coordinated omission the
        // open loop corrects.
        final ManualLane lane = new ManualLane(0);
        final FakeTarget target = new FakeTarget(lane, LoadConnectionTest::stallAt100);
        final LoadConnection connection = run(Workloads.getOnly(1, 1, 0), target, lane, new AtomicInteger());

        final Histogram latencies = connection.measured(Op.GET);
        assertEquals(1, countAtLeast(latencies, 100 * MS), "slow requests");
        assertEquals(200 * MS, latencies.getMaxValue(), 200 * MS / 500.0);
        // 800 ms of 10 us requests, one at a time.
        assertEquals(80_000, latencies.getTotalCount(), 100);
    }

    @Test
    void shouldCountRequestsTheTargetHeldUpPastTheEndAsUnsent()
    {
        final ManualLane lane = new ManualLane(0);
        // Request 900 (meant at 900 ms) stalls 500 ms, past the end at 1000 ms.
        final FakeTarget target = new FakeTarget(lane, n -> n == 900 ? 500 * MS : 10 * US);
        final AtomicInteger finished = new AtomicInteger();
        final LoadConnection connection = run(Workloads.getOnly(1, 1, 1_000), target, lane, finished);

        assertEquals(99, connection.unsent(), "requests 901..999 were never sent");
        assertEquals(901, connection.measured(Op.GET).getTotalCount());
        assertEquals(1, finished.get(), "finished once the stalled request came back");
    }

    @Test
    void shouldKeepTheWindowFullInTheClosedLoop()
    {
        final ManualLane lane = new ManualLane(0);
        final FakeTarget target = new FakeTarget(lane, n -> 100 * US);
        final LoadConnection connection = run(Workloads.getOnly(1, 8, 0), target, lane, new AtomicInteger());

        // 8 in flight, 100 us each: 80,000 per second, each timed at 100 us.
        assertEquals(80_000, connection.measured(Op.GET).getTotalCount(), 8);
        assertEquals(100 * US, connection.measured(Op.GET).getValueAtPercentile(99), 100 * US / 500.0);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(START_NS, target.sentAtNs.get(i).longValue(), "request " + i + " went out at the start");
        }
    }

    @Test
    void shouldNotSpinOnATargetThatFailsEverything()
    {
        final ManualLane lane = new ManualLane(0);
        final AtomicInteger calls = new AtomicInteger();
        final TargetConnection failing = new FakeTarget(lane, n -> 0)
        {
            @Override
            public void get(final Request request)
            {
                calls.incrementAndGet();
                request.failed("refused");
            }
        };
        final AtomicInteger finished = new AtomicInteger();
        final LoadConnection connection = new LoadConnection(0, Workloads.getOnly(1, 2, 0), lane, failing,
            finished::incrementAndGet);
        connection.start(START_NS, START_NS, END_NS);
        lane.runUntil(END_NS + 1_000 * MS);

        // Each slot waits 1 ms after a failure: about 2 x 1000 attempts in the second, not millions.
        assertTrue(calls.get() >= 1_000 && calls.get() <= 2_002, "attempts " + calls.get());
        assertEquals(calls.get(), connection.errors(Op.GET));
        assertEquals(0, connection.measured(Op.GET).getTotalCount());
        assertEquals("refused", connection.lastError());
        assertEquals(1, finished.get());
    }

    @Test
    void shouldMergeTheConnectionsHistogramsAndCounts()
    {
        final Workload workload = new Workload(new double[] {1, 1, 0, 0}, 1_000, "uniform", 10, 10, 2, 1, 0, 7);
        final LoadConnection[] connections = new LoadConnection[2];
        final long[] serviceNs = {10 * US, 1_000 * US};
        for (int c = 0; c < 2; c++)
        {
            final ManualLane lane = new ManualLane(0);
            final long service = serviceNs[c];
            connections[c] = new LoadConnection(c, workload, lane, new FakeTarget(lane, n -> service), () -> { });
            connections[c].start(START_NS, START_NS, END_NS);
            lane.runUntil(END_NS + 1_000 * MS);
        }
        final RunResult result = new RunResult("fake", workload, 0, 1, 0, 0);
        result.collect(connections);

        long total = 0;
        for (final Op op : new Op[] {Op.GET, Op.SET})
        {
            total += connections[0].measured(op).getTotalCount() + connections[1].measured(op).getTotalCount();
        }
        assertEquals(2, result.ops.size(), "get and set");
        assertEquals(total, result.all.histogram.getTotalCount());
        assertEquals(total, result.all.answered());
        assertEquals(connections[0].measured(Op.GET).getTotalCount() + connections[1].measured(Op.GET)
            .getTotalCount(), result.ops.get(0).histogram.getTotalCount());
        // 100,000 fast requests and 1,000 slow ones: the merge has both ends.
        assertEquals(10 * US, result.all.histogram.getMinValue(), 10 * US / 500.0);
        assertEquals(1_000 * US, result.all.histogram.getMaxValue(), 1_000 * US / 500.0);
        assertEquals(10 * US, result.all.histogram.getValueAtPercentile(50), 10 * US / 500.0);
        assertEquals(101_000, total, 2);
    }
}
