package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.BadReplicaFlyweight;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mond.AgentHarness.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One walker at a time against fake mapds on 127.0.0.1, its {@code doWork(nowNs)} called by the test with a fake
 * clock (mond's own duty cycle is not running): the key rate and batch bounds, one PROBE in flight and one per
 * mapd, the mapds in turn, the SCAN walk over the whole grid exactly once per pass from the cursor each answer
 * gives, what a refused, failed, malformed, timed-out or disconnected PROBE does, and the bad replicas an answer
 * reports reaching the pending set.
 */
class ProbeWalkerTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final List<FakeNode> mapds = new ArrayList<>();
    private final List<FakeNode> logds = new ArrayList<>();
    private AgentHarness harness;
    private long now;

    @AfterEach
    void stop()
    {
        if (harness != null)
        {
            harness.close();
        }
        for (final FakeNode node : mapds)
        {
            node.close();
        }
        for (final FakeNode node : logds)
        {
            node.close();
        }
    }

    private void start(final int mapdCount, final long requestTimeoutMs) throws Exception
    {
        for (int i = 0; i < mapdCount; i++)
        {
            mapds.add(new FakeNode(Roles.MAPD, 11 + i));
        }
        logds.add(new FakeNode(Roles.LOGD, 21));
        harness = new AgentHarness(AgentHarness.config(mapds, logds, 200, 1_000, 500, 4, requestTimeoutMs));
        harness.connect();
        now = System.nanoTime();
    }

    private ProbeWalker walker(final int mode, final int keysPerSec, final ProbeWalker.PassListener passes)
    {
        return new ProbeWalker("test", harness.agent, mode, keysPerSec, passes, now);
    }

    /**
     * Runs {@code walker.doWork(atNs)} on mond's loop without waiting for any answer.
     *
     * @return PROBEs sent (0 or 1).
     */
    private int doWork(final ProbeWalker walker, final long atNs) throws Exception
    {
        return harness.call(() ->
        {
            final long before = harness.counters().probesSent.get();
            walker.doWork(atNs);
            return (int)(harness.counters().probesSent.get() - before);
        });
    }

    /**
     * As {@link #doWork}, then waits for the outcome of the PROBE sent, if any.
     */
    private int step(final ProbeWalker walker, final long atNs) throws Exception
    {
        final int sent = doWork(walker, atNs);
        if (sent > 0)
        {
            awaitNoProbeInFlight();
        }
        return sent;
    }

    private void awaitNoProbeInFlight() throws Exception
    {
        harness.await("the PROBE's outcome handled", () ->
        {
            for (final MonitoredNode mapd : harness.agent.mapds())
            {
                if (mapd.probeInFlight)
                {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Moves the fake clock on 10 ms at a time until the walker sends a PROBE, then waits for its outcome.
     */
    private void advanceUntilSent(final ProbeWalker walker) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AgentHarness.DEADLINE_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            now += 10 * MS;
            if (step(walker, now) == 1)
            {
                return;
            }
            harness.await("a serving mapd", () ->
            {
                for (final MonitoredNode mapd : harness.agent.mapds())
                {
                    if (mapd.isServing())
                    {
                        return true;
                    }
                }
                return false;
            });
        }
        fail("no PROBE sent within " + AgentHarness.DEADLINE_MS + " ms");
    }

    private static int totalProbes(final List<FakeNode> nodes)
    {
        int total = 0;
        for (final FakeNode node : nodes)
        {
            total += node.received(Opcodes.PROBE).size();
        }
        return total;
    }

    private static ByteBuf lastProbe(final FakeNode node)
    {
        final List<FakeNode.Request> probes = node.received(Opcodes.PROBE);
        return probes.get(probes.size() - 1).buf();
    }

    private void setServing(final int mapd, final boolean serving) throws Exception
    {
        mapds.get(mapd).heartbeatState =
            serving ? HeartbeatResponse.STATE_SERVING : HeartbeatResponse.STATE_CATCHING_UP;
        harness.heartbeat(harness.mapd(mapd));
        assertEquals(serving, harness.call(harness.mapd(mapd)::isServing));
    }

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
    void shouldWalkTheWholeGridOncePerPassFollowingTheCursorOfEachAnswer() throws Exception
    {
        final long seed = Long.getLong("ProbeWalkerTest.seed", System.nanoTime());
        start(1, 10_000);
        final Grid grid = new Grid(500 + new Random(seed).nextInt(1_000), seed, 0);
        mapds.get(0).on(Opcodes.PROBE, grid);
        final List<ProbeWalker> passes = new ArrayList<>();
        final ProbeWalker scrub = walker(ProbeRequest.MODE_SCAN, 1_000, passes::add);

        while (passes.size() < 2)
        {
            advanceUntilSent(scrub);
        }
        assertEquals(2, grid.passes().size(), "seed " + seed);
        for (final int[] visits : grid.passes())
        {
            assertEveryKeyOnce(visits, seed);
        }
        assertEquals(scrub, passes.get(0));
        grid.assertCursorsFollowed(seed);
        assertEquals(grid.checked(), harness.call(() -> harness.counters().keysChecked.get()), "seed " + seed);

        advanceUntilSent(scrub);
        assertEquals(0, ProbeRequest.cursor(lastProbe(mapds.get(0)), 0), "a new pass starts at 0, seed " + seed);
        final StringBuilder info = new StringBuilder();
        harness.run(() -> scrub.appendInfo(info));
        assertTrue(info.toString().contains("test_active:1\n"), info.toString());
        assertTrue(info.toString().contains("test_mapd:" + FakeNode.HOST + ":" + mapds.get(0).address().getPort()),
            info.toString());
        assertTrue(info.toString().contains("test_cursor:" + grid.lastNextCursor() + "\n"),
            info + " seed " + seed);
    }

    @Test
    void shouldRetryTheSameCursorAfterARefusedFailedMalformedOrLostProbe() throws Exception
    {
        final long seed = Long.getLong("ProbeWalkerTest.seed", System.nanoTime());
        start(1, 10_000);
        final Grid grid = new Grid(1_000 + new Random(seed).nextInt(1_000), seed, 0.2);
        mapds.get(0).on(Opcodes.PROBE, grid);
        final List<ProbeWalker> passes = new ArrayList<>();
        final ProbeWalker scrub = walker(ProbeRequest.MODE_SCAN, 1_000, passes::add);

        while (passes.size() < 2)
        {
            advanceUntilSent(scrub);
        }
        for (final int[] visits : grid.passes())
        {
            assertEveryKeyOnce(visits, seed);
        }
        grid.assertCursorsFollowed(seed);
        assertTrue(grid.failures() >= 4, "seed " + seed);
        assertEquals(grid.refused(), harness.call(() -> harness.counters().probesRefused.get()), "seed " + seed);
        assertEquals(grid.failures() - grid.refused(), harness.call(() -> harness.counters().probesFailed.get()),
            "seed " + seed);
        assertEquals(grid.checked(), harness.call(() -> harness.counters().keysChecked.get()), "seed " + seed);
    }

    @Test
    void shouldTimeOutAProbeNeverAnsweredAndTryTheSameCursorAgain() throws Exception
    {
        final long seed = Long.getLong("ProbeWalkerTest.seed", System.nanoTime());
        start(1, 300);
        final Grid grid = new Grid(1_000, seed, 0);
        final FakeNode mapd = mapds.get(0);
        mapd.on(Opcodes.PROBE, grid);
        final ProbeWalker scrub = walker(ProbeRequest.MODE_SCAN, 1_000, null);
        advanceUntilSent(scrub);
        final long cursor = grid.lastNextCursor();
        assertTrue(cursor > 0, "seed " + seed);

        mapd.on(Opcodes.PROBE, FakeNode.SILENT);
        now += SECOND;
        assertEquals(1, doWork(scrub, now));
        assertEquals(0, doWork(scrub, now + 10 * SECOND), "still in flight");
        harness.await("the PROBE timed out", () -> harness.counters().probesFailed.get() == 1);
        assertEquals(cursor, ProbeRequest.cursor(lastProbe(mapd), 0));
        // The mapd sent nothing for a whole request timeout, so its connection was taken for dead and renewed.
        harness.await("mapd reconnected", harness.mapd(0)::isServing);

        mapd.on(Opcodes.PROBE, grid);
        now += 10 * SECOND;
        assertEquals(1, step(scrub, now));
        assertEquals(3, mapd.received(Opcodes.PROBE).size());
        assertEquals(cursor, ProbeRequest.cursor(lastProbe(mapd), 0), "the keys of the lost PROBE are not skipped");
        assertEquals(0, harness.call(() -> harness.counters().probesRefused.get()));
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

    @Test
    void shouldQueueEveryBadReplicaAProbeReports() throws Exception
    {
        start(2, 10_000);
        final byte[] alpha = "alpha".getBytes(StandardCharsets.UTF_8);
        final byte[] b = "b".getBytes(StandardCharsets.UTF_8);
        final byte[] slow = "slow-key".getBytes(StandardCharsets.UTF_8);
        final byte[] lost = "on-a-lost-logd".getBytes(StandardCharsets.UTF_8);
        mapds.get(1).on(Opcodes.PROBE, (ctx, frame, at) -> FakeNode.reply(ctx, out ->
        {
            ProbeResponse.encodeHeader(out, FrameHeader.requestId(frame, at), 0, 77, 4,
                ProbeResponse.badReplicaLength(alpha.length) + ProbeResponse.badReplicaLength(b.length) +
                ProbeResponse.badReplicaLength(slow.length) + ProbeResponse.badReplicaLength(lost.length));
            final BadReplicaFlyweight bad = new BadReplicaFlyweight();
            bad.wrapForAppend(out, alpha.length).logdId(21).reason(StatusCodes.CORRUPT_RECORD).offset(4096)
                .version(1_000).versionNode(3).key(alpha).commit();
            bad.wrapForAppend(out, b.length).logdId(22).reason(StatusCodes.REPLICA_MISMATCH).offset(8192)
                .version(2_000).versionNode(4).key(b).commit();
            bad.wrapForAppend(out, slow.length).logdId(21).reason(StatusCodes.TIMEOUT).offset(512)
                .version(3_000).versionNode(5).key(slow).commit();
            bad.wrapForAppend(out, lost.length).logdId(99).reason(StatusCodes.UNAVAILABLE).offset(1024)
                .version(4_000).versionNode(6).key(lost).commit();
        }));
        final ProbeWalker random = walker(ProbeRequest.MODE_RANDOM, 1_000, null);
        advanceUntilSent(random);
        advanceUntilSent(random);
        assertEquals(1, mapds.get(1).received(Opcodes.PROBE).size());

        final RepairQueue repairs = harness.agent.repairs();
        assertEquals(77, harness.call(() -> harness.counters().keysChecked.get()));
        assertEquals(3, harness.call(() -> harness.counters().badReplicasFound.get()));
        assertEquals(1, harness.call(() -> harness.counters().replicasUnchecked.get()), "TIMEOUT: not checked now");
        assertEquals(3, harness.call(repairs::size));

        // The answer was handled at the real time: due from then on.
        final long realNow = System.nanoTime();
        final PendingRepair first = harness.call(() -> repairs.pollDue(realNow));
        final PendingRepair second = harness.call(() -> repairs.pollDue(realNow));
        assertNull(harness.call(() -> repairs.pollDue(realNow)), "the lost logd's replica waits for its grace period");
        assertNotNull(first);
        assertNotNull(second);
        assertArrayEquals(alpha, first.key);
        assertEquals(1_000, first.version);
        assertEquals(3, first.versionNode);
        assertEquals(1, first.count);
        assertEquals(21, first.logdIds[0]);
        assertEquals(4096, first.offsets[0]);
        assertEquals(1, first.mapd, "the mapd that found it");
        assertArrayEquals(b, second.key);
        assertEquals(2_000, second.version);
        assertEquals(4, second.versionNode);
        assertEquals(22, second.logdIds[0]);
        assertEquals(8192, second.offsets[0]);
    }

    private static void assertEveryKeyOnce(final int[] visits, final long seed)
    {
        for (int position = 0; position < visits.length; position++)
        {
            if (visits[position] != 1)
            {
                fail("position " + position + " of " + visits.length + " visited " + visits[position] +
                    " times in one pass, seed " + seed + ": " + Arrays.toString(visits));
            }
        }
    }

    /**
     * A mapd's grid of {@code size} positions served as PROBE SCAN says: from the cursor, at most max keys (here a
     * random number of them, as a mapd that stopped early for its answer's size), next cursor 0 at the end. With
     * {@code failureRate} above 0, PROBEs 1, 3, 5 and 7 and then that share of the others at random are instead
     * refused (OVERLOADED), failed (STORAGE_ERROR), answered with a malformed OK, or have their connection
     * closed; such a PROBE visits nothing.
     */
    private static final class Grid implements FakeNode.Responder
    {
        private final int size;
        private final Random random;
        private final double failureRate;
        private final int[] visits;
        private final List<int[]> passes = new ArrayList<>();
        /** {cursor asked, keys checked, next cursor}, or {cursor asked, -1, -1} for a failure. */
        private final List<long[]> answers = new ArrayList<>();
        private long checked;
        private int probes;
        private int failures;
        private int refused;

        Grid(final int size, final long seed, final double failureRate)
        {
            this.size = size;
            this.random = new Random(seed);
            this.failureRate = failureRate;
            this.visits = new int[size];
        }

        @Override
        public synchronized void respond(final ChannelHandlerContext ctx, final ByteBuf frame, final int at)
        {
            final long requestId = FrameHeader.requestId(frame, at);
            final long cursor = ProbeRequest.cursor(frame, at);
            final int maxKeys = ProbeRequest.maxKeys(frame, at);
            if (ProbeRequest.mode(frame, at) != ProbeRequest.MODE_SCAN || cursor < 0 || cursor >= size)
            {
                FakeNode.error(StatusCodes.BAD_REQUEST).respond(ctx, frame, at);
                answers.add(new long[] {cursor, -2, -2});
                return;
            }
            final int probe = probes++;
            final int failure;
            if (failureRate > 0 && probe < 8)
            {
                // Every kind of failure once, in the first pass, between good answers.
                failure = probe % 2 == 1 ? probe / 2 : -1;
            }
            else
            {
                failure = random.nextDouble() < failureRate ? random.nextInt(4) : -1;
            }
            if (failure >= 0)
            {
                failures++;
                answers.add(new long[] {cursor, -1, -1});
                switch (failure)
                {
                    case 0 ->
                    {
                        refused++;
                        FakeNode.error(StatusCodes.OVERLOADED).respond(ctx, frame, at);
                    }
                    case 1 -> FakeNode.error(StatusCodes.STORAGE_ERROR).respond(ctx, frame, at);
                    case 2 -> FakeNode.reply(ctx, out ->
                    {
                        // Claims a bad replica and carries none.
                        FrameHeader.writeResponse(out, ProbeResponse.BAD_REPLICAS_OFFSET, Opcodes.PROBE,
                            StatusCodes.OK, requestId);
                        out.writeLong(cursor + 1);
                        out.writeInt(1);
                        out.writeShort(1);
                        out.writeShort(0);
                    });
                    default -> FakeNode.DISCONNECT.respond(ctx, frame, at);
                }
                return;
            }
            final int keys = 1 + random.nextInt(maxKeys);
            final int end = (int)Math.min(size, cursor + keys);
            for (int position = (int)cursor; position < end; position++)
            {
                visits[position]++;
            }
            final long next = end == size ? 0 : end;
            if (next == 0)
            {
                passes.add(visits.clone());
                Arrays.fill(visits, 0);
            }
            checked += end - cursor;
            answers.add(new long[] {cursor, end - cursor, next});
            FakeNode.reply(ctx, out -> ProbeResponse.encodeHeader(out, requestId, next, end - cursor, 0, 0));
        }

        synchronized List<int[]> passes()
        {
            return new ArrayList<>(passes);
        }

        synchronized List<long[]> answers()
        {
            return new ArrayList<>(answers);
        }

        synchronized long checked()
        {
            return checked;
        }

        synchronized int failures()
        {
            return failures;
        }

        synchronized int refused()
        {
            return refused;
        }

        synchronized long lastNextCursor()
        {
            for (int i = answers.size() - 1; i >= 0; i--)
            {
                if (answers.get(i)[2] >= 0)
                {
                    return answers.get(i)[2];
                }
            }
            return 0;
        }

        /**
         * Every PROBE asked for the cursor the last good answer gave (0 at first), and never a bad request.
         */
        synchronized void assertCursorsFollowed(final long seed)
        {
            long expected = 0;
            for (int i = 0; i < answers.size(); i++)
            {
                final long[] answer = answers.get(i);
                assertEquals(expected, answer[0], "PROBE " + i + " of " + answers.size() + ", seed " + seed);
                if (answer[2] >= 0)
                {
                    expected = answer[2];
                }
            }
        }
    }
}
