package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.BadReplicaFlyweight;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One pass of the walk (see {@link ProbeWalkerTestBase}): the SCAN walk over the whole grid exactly once per pass
 * from the cursor each answer gives, what a refused, failed, malformed, timed-out or disconnected PROBE does, and
 * the bad replicas an answer reports reaching the pending set.
 */
class ProbeWalkerPassTest extends ProbeWalkerTestBase
{
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
}
