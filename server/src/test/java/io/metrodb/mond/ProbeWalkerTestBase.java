package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.ProbeResponse;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mond.AgentHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fixtures shared by the {@link ProbeWalker} tests: one walker at a time against fake mapds on 127.0.0.1, its
 * {@code doWork(nowNs)} called by the test with a fake clock (mond's own duty cycle is not running), and a fake grid
 * the fake mapds answer SCAN probes from.
 */
abstract class ProbeWalkerTestBase
{
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    final List<FakeNode> mapds = new ArrayList<>();
    final List<FakeNode> logds = new ArrayList<>();
    AgentHarness harness;
    long now;

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

    void start(final int mapdCount, final long requestTimeoutMs) throws Exception
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

    ProbeWalker walker(final int mode, final int keysPerSec, final ProbeWalker.PassListener passes)
    {
        return new ProbeWalker("test", harness.agent, mode, keysPerSec, passes, now);
    }

    /**
     * Runs {@code walker.doWork(atNs)} on mond's loop without waiting for any answer.
     *
     * @return PROBEs sent (0 or 1).
     */
    int doWork(final ProbeWalker walker, final long atNs) throws Exception
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
    int step(final ProbeWalker walker, final long atNs) throws Exception
    {
        final int sent = doWork(walker, atNs);
        if (sent > 0)
        {
            awaitNoProbeInFlight();
        }
        return sent;
    }

    void awaitNoProbeInFlight() throws Exception
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
    void advanceUntilSent(final ProbeWalker walker) throws Exception
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

    static int totalProbes(final List<FakeNode> nodes)
    {
        int total = 0;
        for (final FakeNode node : nodes)
        {
            total += node.received(Opcodes.PROBE).size();
        }
        return total;
    }

    static ByteBuf lastProbe(final FakeNode node)
    {
        final List<FakeNode.Request> probes = node.received(Opcodes.PROBE);
        return probes.get(probes.size() - 1).buf();
    }

    void setServing(final int mapd, final boolean serving) throws Exception
    {
        mapds.get(mapd).heartbeatState =
            serving ? HeartbeatResponse.STATE_SERVING : HeartbeatResponse.STATE_CATCHING_UP;
        harness.heartbeat(harness.mapd(mapd));
        assertEquals(serving, harness.call(harness.mapd(mapd)::isServing));
    }

    static void assertEveryKeyOnce(final int[] visits, final long seed)
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
    static final class Grid implements FakeNode.Responder
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
