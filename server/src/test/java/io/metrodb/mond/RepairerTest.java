package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairResponse;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mond.AgentHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repairer against fake mapds on 127.0.0.1, its {@code doWork(nowNs)} called by the test with a fake clock
 * (mond's own duty cycle is not running), fed through mond's pending set: what a REPAIR carries and where it
 * goes, the rate and the in-flight bound per mapd, dedupe, and the outcome of every answer: done, stale,
 * retried after a doubling backoff (error, timeout, lost connection), abandoned after 16 attempts.
 * <p>
 * A failed REPAIR is handled at the real time ({@code System.nanoTime()} in the answer callback), so a retry's
 * earliest time is only known to lie between the real times read before its send and after its failure was
 * seen; the backoff checks test both ends of that window.
 */
class RepairerTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final List<FakeNode> mapds = new ArrayList<>();
    private final List<FakeNode> logds = new ArrayList<>();
    private AgentHarness harness;
    private RepairQueue queue;
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

    private Repairer start(final int mapdCount, final int repairsPerSec, final long requestTimeoutMs)
        throws Exception
    {
        for (int i = 0; i < mapdCount; i++)
        {
            mapds.add(new FakeNode(Roles.MAPD, 11 + i));
        }
        logds.add(new FakeNode(Roles.LOGD, 21));
        harness = new AgentHarness(AgentHarness.config(mapds, logds, 200, 1_000, repairsPerSec, 4,
            requestTimeoutMs));
        harness.connect();
        queue = harness.agent.repairs();
        now = System.nanoTime();
        return new Repairer(harness.agent, queue, repairsPerSec, now);
    }

    private static byte[] key(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Offers a replica with bad bytes (due at once) found by {@code mapd}.
     */
    private int offer(final String key, final long version, final int logdId, final long offset, final int mapd)
        throws Exception
    {
        final long at = now;
        return harness.call(() -> queue.offer(key(key), version, 1, logdId, offset, false, mapd, at));
    }

    /**
     * Runs {@code repairer.doWork(atNs)} on mond's loop.
     *
     * @return REPAIRs sent.
     */
    private long doWork(final Repairer repairer, final long atNs) throws Exception
    {
        return harness.call(() ->
        {
            final long before = harness.counters().repairsSent.get();
            repairer.doWork(atNs);
            return harness.counters().repairsSent.get() - before;
        });
    }

    private void awaitNoRepairInFlight() throws Exception
    {
        harness.await("every REPAIR's outcome handled", () -> queue.inFlight() == 0);
    }

    private int repairsInFlight(final int mapd) throws Exception
    {
        return harness.call(() -> harness.mapd(mapd).repairsInFlight);
    }

    private static String keyOf(final ByteBuf frame)
    {
        return frame.toString(RepairRequest.keyIndex(0), RepairRequest.keyLength(frame, 0), StandardCharsets.UTF_8);
    }

    private static Set<String> replicasOf(final ByteBuf frame)
    {
        final Set<String> replicas = new TreeSet<>();
        for (int i = 0; i < RepairRequest.badCount(frame, 0); i++)
        {
            replicas.add(RepairRequest.badLogdId(frame, 0, i) + "@" + RepairRequest.badOffset(frame, 0, i));
        }
        return replicas;
    }

    private static ByteBuf lastRepair(final FakeNode node)
    {
        final List<FakeNode.Request> repairs = node.received(Opcodes.REPAIR);
        return repairs.get(repairs.size() - 1).buf();
    }

    @Test
    void shouldSendTheFindersMapdTheVersionAndEveryBadReplica() throws Exception
    {
        final Repairer repairer = start(3, 500, 10_000);
        assertEquals(RepairQueue.ADDED, offer("user:42", 7, 21, 4096, 2));
        assertEquals(RepairQueue.MERGED, offer("user:42", 7, 22, 8192, 0));

        assertEquals(1, doWork(repairer, now));
        awaitNoRepairInFlight();
        assertEquals(0, mapds.get(0).received(Opcodes.REPAIR).size());
        assertEquals(0, mapds.get(1).received(Opcodes.REPAIR).size());
        assertEquals(1, mapds.get(2).received(Opcodes.REPAIR).size(), "to the mapd whose probe found it first");
        final ByteBuf repair = lastRepair(mapds.get(2));
        assertEquals(StatusCodes.OK, RepairRequest.validate(repair, 0));
        assertEquals("user:42", keyOf(repair));
        assertEquals(7, RepairRequest.version(repair, 0));
        assertEquals(1, RepairRequest.versionNode(repair, 0));
        assertEquals(Set.of("21@4096", "22@8192"), replicasOf(repair), "one REPAIR lists both bad replicas");

        assertEquals(1, harness.call(() -> harness.counters().repairsSent.get()));
        assertEquals(1, harness.call(() -> harness.counters().repairsDone.get()));
        assertEquals(0, harness.call(queue::size), "OK: done");
        assertEquals(0, repairsInFlight(2));
        assertEquals(0, doWork(repairer, now + 60 * SECOND), "nothing left to send");
    }

    @Test
    void shouldGoToAnotherServingMapdWhenTheFinderIsNotServing() throws Exception
    {
        final Repairer repairer = start(3, 500, 10_000);
        mapds.get(1).heartbeatState = HeartbeatResponse.STATE_CATCHING_UP;
        harness.heartbeat(harness.mapd(1));
        assertFalse(harness.call(harness.mapd(1)::isServing));

        offer("k", 7, 21, 4096, 1);
        assertEquals(1, doWork(repairer, now));
        awaitNoRepairInFlight();
        assertEquals(0, mapds.get(1).received(Opcodes.REPAIR).size(), "catching up: not asked to repair");
        assertEquals(1, mapds.get(2).received(Opcodes.REPAIR).size(), "the next serving mapd");
        assertEquals(0, harness.call(queue::size));
    }

    @Test
    void shouldKeepAtMostFourRepairsInFlightPerMapd() throws Exception
    {
        final Repairer repairer = start(2, 1_000, 10_000);
        final FakeNode.Held held = new FakeNode.Held();
        mapds.get(0).on(Opcodes.REPAIR, held);
        mapds.get(1).on(Opcodes.REPAIR, held);
        for (int i = 0; i < 20; i++)
        {
            offer("key-" + i, 7, 21, 4096L * i, 0);
        }

        assertEquals(8, doWork(repairer, now), "4 to the finder, then 4 to the other mapd");
        assertEquals(4, repairsInFlight(0));
        assertEquals(4, repairsInFlight(1));
        assertEquals(0, doWork(repairer, now + 10 * SECOND), "every mapd has 4 in flight");
        harness.await("8 REPAIRs held", () -> held.size() == 8);
        assertEquals(4, mapds.get(0).received(Opcodes.REPAIR).size());
        assertEquals(4, mapds.get(1).received(Opcodes.REPAIR).size());
        assertEquals(8, harness.call(queue::inFlight));
        assertEquals(20, harness.call(queue::size));

        assertEquals(8, held.answerAll(FakeNode.error(StatusCodes.STALE_VERSION)));
        awaitNoRepairInFlight();
        assertEquals(0, repairsInFlight(0), "every outcome gives its slot back");
        assertEquals(0, repairsInFlight(1));
        assertEquals(8, doWork(repairer, now + 10 * SECOND));
        assertEquals(8, harness.call(() -> harness.counters().repairsStale.get()));
        assertEquals(12, harness.call(queue::size));
    }

    @Test
    void shouldNotSendMoreThanTheRate() throws Exception
    {
        final Repairer repairer = start(4, 100, 10_000);
        for (int i = 0; i < 400; i++)
        {
            offer("key-" + i, 7, 21, 4096L * i, i % 4);
        }

        assertEquals(10, doWork(repairer, now), "a burst of a tenth of a second");
        awaitNoRepairInFlight();
        assertEquals(0, doWork(repairer, now), "no token left");
        assertEquals(0, doWork(repairer, now + 9 * MS));
        assertEquals(1, doWork(repairer, now + 11 * MS), "one per 10 ms at 100 a second");
        awaitNoRepairInFlight();

        final long startNs = now + 11 * MS;
        final long endNs = startNs + SECOND;
        long sent = 11;
        for (long at = startNs + 10 * MS; at <= endNs; at += 10 * MS)
        {
            sent += doWork(repairer, at);
            awaitNoRepairInFlight();
        }
        final double tokens = 10 + 100 * (endNs - now) / 1e9;
        assertTrue(sent <= tokens, "a burst of 10 plus 100 a second at most: " + sent + " > " + tokens);
        assertTrue(sent >= tokens - 10, "keeps up with its rate: " + sent + " of " + tokens);
        assertEquals(sent, harness.call(() -> harness.counters().repairsDone.get()));
        long received = 0;
        for (final FakeNode mapd : mapds)
        {
            received += mapd.received(Opcodes.REPAIR).size();
        }
        assertEquals(sent, received);
    }

    @Test
    void shouldTreatStaleVersionAndNotFoundAsNothingToDo() throws Exception
    {
        final Repairer repairer = start(1, 500, 10_000);
        mapds.get(0).on(Opcodes.REPAIR, (ctx, frame, at) ->
        {
            if (keyOf(frame.slice(at, FrameHeader.frameLength(frame, at))).equals("changed"))
            {
                FakeNode.error(StatusCodes.STALE_VERSION).respond(ctx, frame, at);
            }
            else
            {
                FakeNode.reply(ctx, out -> FrameHeader.writeResponse(out, 0, Opcodes.REPAIR, StatusCodes.NOT_FOUND,
                    FrameHeader.requestId(frame, at)));
            }
        });
        offer("changed", 7, 21, 4096, 0);
        offer("deleted", 7, 21, 8192, 0);

        assertEquals(2, doWork(repairer, now));
        awaitNoRepairInFlight();
        assertEquals(2, harness.call(() -> harness.counters().repairsStale.get()));
        assertEquals(0, harness.call(() -> harness.counters().repairsFailed.get()));
        assertEquals(0, harness.call(() -> harness.counters().repairsDone.get()));
        assertEquals(0, harness.call(queue::size));
        assertEquals(0, doWork(repairer, now + 60 * SECOND), "not retried");
    }

    @Test
    void shouldRetryAfterADoublingBackoffAndAbandonAfterSixteenAttempts() throws Exception
    {
        final Repairer repairer = start(1, 1_000, 10_000);
        final FakeNode mapd = mapds.get(0);
        mapd.on(Opcodes.REPAIR, FakeNode.error(StatusCodes.OVERLOADED));
        offer("k", 7, 21, 4096, 0);

        long sendAt = now;
        for (int attempt = 1; attempt <= RepairQueue.MAX_ATTEMPTS; attempt++)
        {
            final long beforeSend = System.nanoTime();
            assertEquals(1, doWork(repairer, sendAt), "attempt " + attempt);
            final int failed = attempt;
            harness.await("attempt " + attempt + " failed", () -> harness.counters().repairsFailed.get() == failed);
            final long afterFailure = System.nanoTime();
            assertEquals(attempt, mapd.received(Opcodes.REPAIR).size());
            assertEquals("k", keyOf(lastRepair(mapd)));
            assertEquals(Set.of("21@4096"), replicasOf(lastRepair(mapd)), "attempt " + attempt);
            if (attempt == RepairQueue.MAX_ATTEMPTS)
            {
                break;
            }
            final long backoffNs = Math.min(10_000, 100L << (attempt - 1)) * MS;
            assertEquals(backoffNs, RepairQueue.backoffNs(attempt));
            assertEquals(1, harness.call(queue::size), "pending until abandoned");
            assertEquals(0, doWork(repairer, beforeSend + backoffNs - MS),
                "attempt " + attempt + ": not before its backoff of " + backoffNs / MS + " ms");
            sendAt = afterFailure + backoffNs;
        }
        assertEquals(0, harness.call(queue::size), "abandoned after " + RepairQueue.MAX_ATTEMPTS + " attempts");
        assertEquals(1, harness.call(queue::abandoned));
        assertEquals(0, doWork(repairer, sendAt + 60 * SECOND));
        assertEquals(RepairQueue.MAX_ATTEMPTS, mapd.received(Opcodes.REPAIR).size());
        assertEquals(RepairQueue.MAX_ATTEMPTS, harness.call(() -> harness.counters().repairsSent.get()));
        assertEquals(0, harness.call(() -> harness.counters().repairsDone.get()));
        assertEquals(0, repairsInFlight(0));
    }

    @Test
    void shouldRetryARepairThatTimedOutOrLostItsConnection() throws Exception
    {
        final Repairer repairer = start(1, 1_000, 300);
        final FakeNode mapd = mapds.get(0);
        mapd.on(Opcodes.REPAIR, FakeNode.SILENT);
        offer("k", 7, 21, 4096, 0);

        assertEquals(1, doWork(repairer, now));
        assertEquals(0, doWork(repairer, now + 10 * SECOND), "in flight");
        harness.await("the REPAIR timed out", () -> harness.counters().repairsFailed.get() == 1);
        assertEquals(0, repairsInFlight(0));
        assertEquals(1, harness.call(queue::size));
        // The mapd sent nothing for a whole request timeout, so its connection was taken for dead and renewed.
        harness.await("mapd reconnected", harness.mapd(0)::isServing);

        mapd.on(Opcodes.REPAIR, FakeNode.DISCONNECT);
        now = System.nanoTime() + RepairQueue.backoffNs(1);
        assertEquals(1, doWork(repairer, now), "retried after its backoff");
        harness.await("the REPAIR failed with its connection", () -> harness.counters().repairsFailed.get() == 2);
        assertEquals(0, repairsInFlight(0));
        harness.await("mapd reconnected", harness.mapd(0)::isServing);

        mapd.on(Opcodes.REPAIR, (ctx, frame, at) -> FakeNode.reply(ctx, out ->
            RepairResponse.encode(out, FrameHeader.requestId(frame, at), 1,
                new short[] {23}, new long[] {512})));
        now = System.nanoTime() + RepairQueue.backoffNs(2);
        assertEquals(1, doWork(repairer, now));
        awaitNoRepairInFlight();
        assertEquals(3, mapd.received(Opcodes.REPAIR).size());
        assertEquals(1, harness.call(() -> harness.counters().repairsDone.get()));
        assertEquals(0, harness.call(queue::size));
    }

    @Test
    void shouldSendOneRepairPerKeyVersionWhateverTheDuplicates() throws Exception
    {
        final Repairer repairer = start(1, 1_000, 10_000);
        final FakeNode mapd = mapds.get(0);
        final FakeNode.Held held = new FakeNode.Held();
        mapd.on(Opcodes.REPAIR, held);
        assertEquals(RepairQueue.ADDED, offer("k", 7, 21, 4096, 0));
        assertEquals(RepairQueue.DUPLICATE, offer("k", 7, 21, 4096, 0), "reported again by another probe");
        assertEquals(1, doWork(repairer, now));
        assertEquals(RepairQueue.DUPLICATE, offer("k", 7, 21, 4096, 0), "reported again while in flight");
        assertEquals(RepairQueue.MERGED, offer("k", 7, 22, 8192, 0), "another replica while in flight");
        assertEquals(RepairQueue.ADDED, offer("k", 8, 21, 12288, 0), "a newer version: a key of its own");
        assertEquals(1, doWork(repairer, now + SECOND), "only the newer version");
        harness.await("2 REPAIRs held", () -> held.size() == 2);

        final List<FakeNode.Request> sent = mapd.received(Opcodes.REPAIR);
        assertEquals(7, RepairRequest.version(sent.get(0).buf(), 0));
        assertEquals(Set.of("21@4096"), replicasOf(sent.get(0).buf()));
        assertEquals(8, RepairRequest.version(sent.get(1).buf(), 0));
        assertEquals(Set.of("21@12288"), replicasOf(sent.get(1).buf()));

        mapd.on(Opcodes.REPAIR, FakeNode.REPAIRED);
        held.answerAll(FakeNode.REPAIRED);
        awaitNoRepairInFlight();
        assertEquals(1, harness.call(queue::size), "the replica that joined in flight is still to repair");
        // Requeued when the answer was handled, at the real time.
        assertEquals(1, doWork(repairer, System.nanoTime()));
        awaitNoRepairInFlight();
        assertEquals(3, mapd.received(Opcodes.REPAIR).size());
        assertEquals(7, RepairRequest.version(lastRepair(mapd), 0));
        assertEquals(Set.of("22@8192"), replicasOf(lastRepair(mapd)), "lists only what the first did not");
        assertEquals(0, harness.call(queue::size));
        assertEquals(3, harness.call(() -> harness.counters().repairsDone.get()));
    }

    @Test
    void shouldListAtMost255BadReplicasPerRepair() throws Exception
    {
        final Repairer repairer = start(1, 1_000, 10_000);
        final FakeNode mapd = mapds.get(0);
        for (int i = 0; i < 300; i++)
        {
            offer("k", 7, 100 + i, 4096, 0);
        }
        assertEquals(1, harness.call(queue::size));

        assertEquals(1, doWork(repairer, now));
        awaitNoRepairInFlight();
        // Requeued when the answer was handled, at the real time.
        assertEquals(1, doWork(repairer, System.nanoTime()), "the rest once the first is done");
        awaitNoRepairInFlight();
        final List<FakeNode.Request> sent = mapd.received(Opcodes.REPAIR);
        assertEquals(2, sent.size());
        assertEquals(StatusCodes.OK, RepairRequest.validate(sent.get(0).buf(), 0));
        assertEquals(Repairer.MAX_BAD_PER_REPAIR, RepairRequest.badCount(sent.get(0).buf(), 0));
        assertEquals(StatusCodes.OK, RepairRequest.validate(sent.get(1).buf(), 0));
        assertEquals(300 - Repairer.MAX_BAD_PER_REPAIR, RepairRequest.badCount(sent.get(1).buf(), 0));
        final Set<String> all = new TreeSet<>(replicasOf(sent.get(0).buf()));
        all.addAll(replicasOf(sent.get(1).buf()));
        assertEquals(300, all.size(), "every replica listed once");
        assertEquals(0, harness.call(queue::size));
    }
}
