package io.metrodb.mond;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.metrodb.mond.AgentHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walker's pace (see {@link ProbeWalkerTestBase}): whole batches only, resting, the key rate and the batch bounds. */
class ProbeWalkerRateTest extends ProbeWalkerTestBase
{
    @Test
    void shouldSendABatchOnlyWhenAWholeBatchIsSaved() throws Exception
    {
        start(1, 10_000);
        final FakeNode mapd = mapds.get(0);
        final ProbeWalker random = walker(ProbeRequest.MODE_RANDOM, 1_000, null);

        assertEquals(1, step(random, now), "starts with one batch saved");
        final ByteBuf first = lastProbe(mapd);
        assertEquals(ProbeRequest.MODE_RANDOM, ProbeRequest.mode(first, 0));
        assertEquals(100, ProbeRequest.maxKeys(first, 0), "a batch is a tenth of the rate");

        assertEquals(0, step(random, now + 99 * MS), "99 keys saved of 100");
        assertEquals(1, step(random, now + 101 * MS), "a whole batch saved");

        final long later = now + 101 * MS + 10 * SECOND;
        assertEquals(1, step(random, later), "after a pause of 10 s");
        assertEquals(0, step(random, later), "credit does not pile up during a pause: no burst");
        assertEquals(0, step(random, later + 99 * MS));
        assertEquals(1, step(random, later + 100 * MS + 1));
        assertEquals(4, mapd.received(Opcodes.PROBE).size());
        assertEquals(4, harness.call(() -> harness.counters().probesSent.get()));
    }

    @Test
    void shouldSendNothingWhileRestingAndGoOnAtItsRateAfterwards() throws Exception
    {
        start(1, 10_000);
        final ProbeWalker random = walker(ProbeRequest.MODE_RANDOM, 1_000, null);
        assertEquals(1, step(random, now));

        harness.call(() ->
        {
            random.rest(now + 10 * SECOND);
            return null;
        });
        assertEquals(0, step(random, now + SECOND), "resting");
        assertEquals(9 * SECOND, (long)harness.call(() -> random.untilNextSendNs(now + SECOND)),
            "the agent may sleep until the rest is over");
        assertEquals(0, step(random, now + 10 * SECOND - 1), "still resting");
        assertEquals(1, step(random, now + 10 * SECOND), "the rest is over, with one batch saved");
        assertEquals(0, step(random, now + 10 * SECOND), "no credit saved up while resting: no burst");

        final long later = now + 20 * SECOND;
        harness.call(() ->
        {
            random.rest(later + 100 * SECOND);
            random.endRest(later);
            return null;
        });
        assertFalse(harness.call(random::isResting));
        assertEquals(1, step(random, later), "a rest ended early: on at once");
        assertEquals(3, mapds.get(0).received(Opcodes.PROBE).size());
    }

    @Test
    void shouldNeverAskForMoreKeysThanTheRateNorMoreThanTenProbesASecond() throws Exception
    {
        final long seed = Long.getLong("ProbeWalkerTest.seed", System.nanoTime());
        final Random random = new Random(seed);
        start(1, 10_000);
        final FakeNode mapd = mapds.get(0);
        final long seconds = 4;
        final int[] rates = {1, 15, 1_000, 10_240};
        for (int r = 0; r < rates.length; r++)
        {
            // The probe (RANDOM) and the scrub and sweep (SCAN) save credit the same way.
            final int rate = rates[r];
            final int batch = ProbeWalker.batchFor(rate);
            final ProbeWalker walker =
                walker(r % 2 == 0 ? ProbeRequest.MODE_RANDOM : ProbeRequest.MODE_SCAN, rate, null);
            final int probesBefore = mapd.received(Opcodes.PROBE).size();
            final long startNs = now;
            while (now - startNs < seconds * SECOND)
            {
                now = Math.min(startNs + seconds * SECOND, now + (1 + random.nextInt(10)) * MS);
                step(walker, now);
            }
            long keys = 0;
            final List<FakeNode.Request> probes = mapd.received(Opcodes.PROBE);
            for (int i = probesBefore; i < probes.size(); i++)
            {
                final int maxKeys = ProbeRequest.maxKeys(probes.get(i).buf(), 0);
                assertEquals(batch, maxKeys, "rate " + rate + ", seed " + seed);
                keys += maxKeys;
            }
            final int sent = probes.size() - probesBefore;
            final String what = "rate " + rate + ": " + sent + " PROBEs, " + keys + " keys in " + seconds +
                " s, seed " + seed;
            assertTrue(keys <= batch + rate * seconds, "at most one batch saved plus the rate: " + what);
            assertTrue(keys >= rate * seconds * 8 / 10, "keeps up with its rate: " + what);
            assertTrue(sent <= 10 * seconds + 1, "at most ten PROBEs a second: " + what);
        }
    }

    @Test
    void shouldBoundTheBatchAndStayOffAtRateZero() throws Exception
    {
        assertEquals(1, ProbeWalker.batchFor(1));
        assertEquals(1, ProbeWalker.batchFor(10));
        assertEquals(2, ProbeWalker.batchFor(11));
        assertEquals(100, ProbeWalker.batchFor(1_000));
        assertEquals(1_024, ProbeWalker.batchFor(10_240));
        assertEquals(ProbeWalker.MAX_BATCH, ProbeWalker.batchFor(MondConfig.MAX_RATE), "a mapd checks 1024 at most");

        start(1, 10_000);
        final ProbeWalker fastest = walker(ProbeRequest.MODE_SCAN, MondConfig.MAX_RATE, null);
        assertEquals(1, step(fastest, now));
        assertEquals(ProbeWalker.MAX_BATCH, ProbeRequest.maxKeys(lastProbe(mapds.get(0)), 0));

        final ProbeWalker off = walker(ProbeRequest.MODE_SCAN, 0, null);
        assertFalse(off.isActive());
        harness.run(() -> off.active(true, now));
        assertFalse(off.isActive(), "a rate of 0 cannot be started");
        for (int i = 1; i <= 20; i++)
        {
            assertEquals(0, step(off, now + i * SECOND));
        }
        assertEquals(1, mapds.get(0).received(Opcodes.PROBE).size());
    }
}
