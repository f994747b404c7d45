package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which mapd the walker probes (see {@link ProbeWalkerTestBase}): the serving mapds in turn, one PROBE in flight per
 * walker and per mapd, a new walk at zero when its mapd stops serving, and stopping and starting again.
 */
class ProbeWalkerTargetTest extends ProbeWalkerTestBase
{
    @Test
    void shouldTakeTheServingMapdsInTurn() throws Exception
    {
        start(3, 10_000);
        setServing(1, false);
        final ProbeWalker random = walker(ProbeRequest.MODE_RANDOM, 1_000, null);
        final StringBuilder order = new StringBuilder();
        for (int i = 0; i < 6; i++)
        {
            order.append(nextTarget(random));
        }
        assertEquals("020202", order.toString(), "the serving mapds in turn; mapd 1 is catching up");

        setServing(1, true);
        order.setLength(0);
        for (int i = 0; i < 3; i++)
        {
            order.append(nextTarget(random));
        }
        assertEquals("012", order.toString(), "serving again: back in the turn");
    }

    /**
     * @return the index of the mapd the walker's next PROBE went to.
     */
    private int nextTarget(final ProbeWalker walker) throws Exception
    {
        final int[] before = new int[mapds.size()];
        for (int m = 0; m < mapds.size(); m++)
        {
            before[m] = mapds.get(m).received(Opcodes.PROBE).size();
        }
        advanceUntilSent(walker);
        int target = -1;
        for (int m = 0; m < mapds.size(); m++)
        {
            final int received = mapds.get(m).received(Opcodes.PROBE).size() - before[m];
            assertTrue(received == 0 || (received == 1 && target < 0), "one PROBE to one mapd");
            target = received == 1 ? m : target;
        }
        return target;
    }

    @Test
    void shouldKeepOneProbeInFlightPerWalkerAndPerMapd() throws Exception
    {
        start(2, 10_000);
        final FakeNode.Held held = new FakeNode.Held();
        mapds.get(0).on(Opcodes.PROBE, held);
        mapds.get(1).on(Opcodes.PROBE, held);
        final ProbeWalker random = walker(ProbeRequest.MODE_RANDOM, 1_000, null);
        final ProbeWalker scrub = walker(ProbeRequest.MODE_SCAN, 1_000, null);

        assertEquals(1, doWork(random, now), "to mapd 0");
        assertEquals(0, doWork(random, now + SECOND), "one PROBE in flight per walker");
        assertEquals(1, doWork(scrub, now + SECOND), "mapd 0 is busy: the scrub takes mapd 1");
        assertEquals(0, doWork(random, now + 2 * SECOND));
        assertEquals(0, doWork(scrub, now + 2 * SECOND));
        final ProbeWalker third = walker(ProbeRequest.MODE_RANDOM, 1_000, null);
        assertEquals(0, doWork(third, now + 2 * SECOND), "every mapd has a PROBE in flight");
        harness.await("both PROBEs held", () -> held.size() == 2);
        assertEquals(1, mapds.get(0).received(Opcodes.PROBE).size());
        assertEquals(1, mapds.get(1).received(Opcodes.PROBE).size());

        held.answerAll((ctx, frame, at) -> FakeNode.reply(ctx, out ->
            ProbeResponse.encodeHeader(out, FrameHeader.requestId(frame, at), 0, 0, 0, 0)));
        awaitNoProbeInFlight();
        assertEquals(1, doWork(third, now + 3 * SECOND), "free again");
    }

    @Test
    void shouldStartTheWalkAgainAtZeroOnAnotherMapdWhenItsMapdStopsServing() throws Exception
    {
        final long seed = Long.getLong("ProbeWalkerTest.seed", System.nanoTime());
        start(2, 10_000);
        final Grid grid0 = new Grid(2_000, seed, 0);
        final Grid grid1 = new Grid(2_000, seed + 1, 0);
        mapds.get(0).on(Opcodes.PROBE, grid0);
        mapds.get(1).on(Opcodes.PROBE, grid1);
        final ProbeWalker scrub = walker(ProbeRequest.MODE_SCAN, 1_000, null);
        for (int i = 0; i < 3; i++)
        {
            advanceUntilSent(scrub);
        }
        assertEquals(3, mapds.get(0).received(Opcodes.PROBE).size(), "a walk stays on one mapd");
        assertEquals(0, mapds.get(1).received(Opcodes.PROBE).size());

        setServing(0, false);
        advanceUntilSent(scrub);
        assertEquals(1, mapds.get(1).received(Opcodes.PROBE).size());
        assertEquals(0, ProbeRequest.cursor(lastProbe(mapds.get(1)), 0),
            "cursors are positions in one mapd's grid: start again at 0");

        setServing(0, true);
        advanceUntilSent(scrub);
        assertEquals(2, mapds.get(1).received(Opcodes.PROBE).size(), "stays on mapd 1");
        assertEquals(grid1.answers().get(0)[2], ProbeRequest.cursor(lastProbe(mapds.get(1)), 0));

        final FakeNode.Held held = new FakeNode.Held();
        mapds.get(1).on(Opcodes.PROBE, held);
        now += SECOND;
        assertEquals(1, doWork(scrub, now));
        harness.await("PROBE held", () -> held.size() == 1);
        mapds.get(1).close();
        harness.await("the PROBE failed with the connection", () -> harness.counters().probesFailed.get() == 1);
        advanceUntilSent(scrub);
        assertEquals(4, mapds.get(0).received(Opcodes.PROBE).size());
        assertEquals(0, ProbeRequest.cursor(lastProbe(mapds.get(0)), 0), "mapd 1 is gone: again at 0 on mapd 0");
    }

    @Test
    void shouldStopWhenInactiveAndStartANewPassAtZeroWhenStarted() throws Exception
    {
        final long seed = Long.getLong("ProbeWalkerTest.seed", System.nanoTime());
        start(1, 10_000);
        final Grid grid = new Grid(5_000, seed, 0);
        mapds.get(0).on(Opcodes.PROBE, grid);
        final ProbeWalker sweep = walker(ProbeRequest.MODE_SCAN, 1_000, null);
        advanceUntilSent(sweep);
        advanceUntilSent(sweep);
        assertEquals(grid.answers().get(0)[2], ProbeRequest.cursor(lastProbe(mapds.get(0)), 0), "seed " + seed);

        harness.run(() -> sweep.active(false, now));
        assertFalse(sweep.isActive());
        assertEquals(0, step(sweep, now + 10 * SECOND));

        now += 20 * SECOND;
        final long startNs = now;
        harness.run(() -> sweep.active(true, startNs));
        assertTrue(sweep.isActive());
        assertEquals(1, step(sweep, now), "starts with one batch saved");
        assertEquals(0, ProbeRequest.cursor(lastProbe(mapds.get(0)), 0), "a new pass, seed " + seed);
        assertEquals(3, mapds.get(0).received(Opcodes.PROBE).size());
    }
}
