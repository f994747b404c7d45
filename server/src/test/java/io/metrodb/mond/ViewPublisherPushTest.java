package io.metrodb.mond;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.metrodb.mond.AgentHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pushes of the cluster view through {@link MondAgent#doWork} against fake mapds and logds on 127.0.0.1, the test
 * calling {@code doWork(nowNs)} with a fake clock one heartbeat interval at a time (mond's own duty cycle is not
 * running): nothing before the view settles, every change to every mapd, nothing when nothing changed, again to a
 * mapd that reports an older epoch or comes back, one push in flight per mapd, and never an epoch below what a mapd
 * holds.
 */
class ViewPublisherPushTest extends ViewPublisherTestBase
{
    // ---- pushes, through the agent's duty cycle ----

    private void startCluster(final long requestTimeoutMs, final int downAfter) throws Exception
    {
        mapds.add(new FakeNode(Roles.MAPD, 11));
        mapds.add(new FakeNode(Roles.MAPD, 12));
        logds.add(new FakeNode(Roles.LOGD, 21));
        logds.add(new FakeNode(Roles.LOGD, 22));
        harness = new AgentHarness(AgentHarness.config(mapds, logds, 0, 0, 500, downAfter, requestTimeoutMs));
    }

    private void connect() throws Exception
    {
        harness.connect();
        for (int i = 0; i < logds.size(); i++)
        {
            final MonitoredNode logd = harness.agent.nodes()[mapds.size() + i];
            if (logds.get(i).answerHeartbeats)
            {
                harness.await(logd + " UP", logd.health::isUp);
            }
        }
        now = System.nanoTime();
    }

    private int answering()
    {
        int count = 0;
        for (final FakeNode node : mapds)
        {
            count += node.answerHeartbeats ? 1 : 0;
        }
        for (final FakeNode node : logds)
        {
            count += node.answerHeartbeats ? 1 : 0;
        }
        return count;
    }

    /**
     * One heartbeat interval later: runs the duty cycle at the interval boundary and waits until every node
     * that answers heartbeats has been heard.
     */
    private void tick() throws Exception
    {
        now += INTERVAL_NS;
        final long at = now;
        final int answering = answering();
        final long answered = harness.call(() -> harness.counters().heartbeatsAnswered.get());
        harness.run(() -> harness.agent.doWork(at));
        harness.await(answering + " heartbeats answered",
            () -> harness.counters().heartbeatsAnswered.get() >= answered + answering);
    }

    /**
     * Runs the duty cycle once more within the interval (no heartbeat tick).
     */
    private void dutyCycle() throws Exception
    {
        now += MondAgent.DUTY_CYCLE_MS * MS;
        final long at = now;
        harness.run(() -> harness.agent.doWork(at));
    }

    private void awaitPushAnswered(final int mapd) throws Exception
    {
        harness.await("the push to mapd " + mapd + " answered", () -> harness.mapd(mapd).pushInFlightEpoch == 0);
    }

    private void awaitPushes(final int mapd, final int count) throws Exception
    {
        harness.await(count + " pushes to mapd " + mapd, () -> mapds.get(mapd).pushedEpochs().size() >= count);
        awaitPushAnswered(mapd);
        assertEquals(count, mapds.get(mapd).pushedEpochs().size(), "pushes to mapd " + mapd);
    }

    private long epoch() throws Exception
    {
        return harness.call(() -> harness.agent.view().epoch());
    }

    private long viewChanges() throws Exception
    {
        return harness.call(() -> harness.counters().viewChanges.get());
    }

    /**
     * @return the state of every node in the last view pushed to {@code mapd}, by node id.
     */
    private String lastPushedStates(final int mapd)
    {
        final List<FakeNode.Request> views = mapds.get(mapd).received(Opcodes.CLUSTER_VIEW);
        final ByteBuf frame = views.get(views.size() - 1).buf();
        final StringBuilder states = new StringBuilder();
        int at = ClusterView.firstNodeIndex(0);
        for (int i = ClusterView.nodeCount(frame, 0); i > 0; i--)
        {
            states.append(ClusterView.nodeId(frame, at)).append('=')
                .append(NodeHealth.name(ClusterView.nodeState(frame, at))).append(i > 1 ? "," : "");
            at = ClusterView.nextNodeIndex(frame, at);
        }
        return states.toString();
    }

    private void assertNeverAnOlderEpoch()
    {
        for (int m = 0; m < mapds.size(); m++)
        {
            final List<Long> epochs = mapds.get(m).pushedEpochs();
            for (int i = 1; i < epochs.size(); i++)
            {
                assertTrue(epochs.get(i) >= epochs.get(i - 1), "mapd " + m + " got " + epochs);
            }
            assertEquals(List.of(), mapds.get(m).stalePushes(),
                "pushes to mapd " + m + " not above the epoch it held: " + epochs);
        }
    }

    @Test
    void shouldPushNothingUntilTheViewSettlesThenTheViewToEveryMapd() throws Exception
    {
        startCluster(10_000, 2);
        logds.get(0).answerHeartbeats = false;
        connect();

        tick();
        assertFalse(harness.call(harness.agent::isSettled), "logd 21 has neither answered nor gone DOWN");
        for (int m = 0; m < mapds.size(); m++)
        {
            final MonitoredNode mapd = harness.mapd(m);
            assertEquals(0, harness.call(() -> mapd.pushInFlightEpoch + mapd.ackedEpoch), "mapd " + m);
        }

        tick();
        assertTrue(harness.call(harness.agent::isSettled), "logd 21 DOWN after 2 misses");
        awaitPushes(0, 1);
        awaitPushes(1, 1);
        final long epoch = epoch();
        for (int m = 0; m < mapds.size(); m++)
        {
            assertEquals(List.of(epoch), mapds.get(m).pushedEpochs());
            assertEquals("11=UP,12=UP,21=DOWN,22=UP", lastPushedStates(m));
            assertEquals(epoch, mapds.get(m).heldEpoch());
        }
        assertEquals(2, harness.call(() -> harness.counters().viewsPushed.get()));
        assertNeverAnOlderEpoch();
    }

    @Test
    void shouldPushEveryChangeToEveryMapdAndNothingWhenNothingChanged() throws Exception
    {
        startCluster(10_000, 2);
        connect();
        tick();
        awaitPushes(0, 1);
        awaitPushes(1, 1);
        final long first = epoch();
        assertEquals("11=UP,12=UP,21=UP,22=UP", lastPushedStates(0));

        final long changes = viewChanges();
        for (int i = 1; i <= 4; i++)
        {
            for (final FakeNode node : mapds)
            {
                node.dataBytes = 1_000L * i;
            }
            logds.get(1).dataBytes = 1L << (20 + i);
            tick();
            dutyCycle();
        }
        assertEquals(changes, viewChanges(), "data and RTT changes are not view changes");
        assertEquals(first, epoch());
        assertEquals(1, mapds.get(0).pushedEpochs().size());
        assertEquals(1, mapds.get(1).pushedEpochs().size());
        assertEquals(2, harness.call(() -> harness.counters().viewsPushed.get()));

        logds.get(0).answerHeartbeats = false;
        logds.get(1).answerHeartbeats = false;
        tick();
        assertEquals(changes, viewChanges(), "both answered during the interval that just ended");
        tick();
        assertEquals(changes + 1, viewChanges(), "two nodes SUSPECT in one cycle: one new epoch");
        awaitPushes(0, 2);
        awaitPushes(1, 2);
        final long second = epoch();
        assertTrue(second > first);
        assertEquals("11=UP,12=UP,21=SUSPECT,22=SUSPECT", lastPushedStates(1));

        tick();
        assertEquals(changes + 2, viewChanges());
        awaitPushes(0, 3);
        awaitPushes(1, 3);
        final long third = epoch();
        assertTrue(third > second);
        assertEquals("11=UP,12=UP,21=DOWN,22=DOWN", lastPushedStates(0));

        logds.get(0).answerHeartbeats = true;
        tick();
        harness.await("logd 21 UP again", harness.agent.nodes()[2].health::isUp);
        dutyCycle();
        awaitPushes(0, 4);
        awaitPushes(1, 4);
        assertTrue(epoch() > third);
        assertEquals("11=UP,12=UP,21=UP,22=DOWN", lastPushedStates(0));
        for (int m = 0; m < mapds.size(); m++)
        {
            assertEquals(List.of(first, second, third, epoch()), mapds.get(m).pushedEpochs());
        }
        assertNeverAnOlderEpoch();
    }

    @Test
    void shouldPushAgainToAMapdThatReportsAnOlderEpochOrComesBack() throws Exception
    {
        startCluster(10_000, 2);
        final FakeNode refusing = mapds.get(1);
        final AtomicInteger pushes = new AtomicInteger();
        refusing.on(Opcodes.CLUSTER_VIEW, (ctx, frame, at) ->
        {
            if (!ClusterView.isQuery(frame, at) && pushes.incrementAndGet() == 1)
            {
                FakeNode.error(StatusCodes.OVERLOADED).respond(ctx, frame, at);
            }
            else
            {
                refusing.acceptView(ctx, frame, at);
            }
        });
        connect();
        tick();
        awaitPushes(0, 1);
        awaitPushes(1, 1);
        final long epoch = epoch();
        assertEquals(0, refusing.heldEpoch(), "refused");
        assertEquals(0, harness.call(() -> harness.mapd(1).ackedEpoch));
        final long changes = viewChanges();

        tick();
        awaitPushes(1, 2);
        assertEquals(List.of(epoch, epoch), refusing.pushedEpochs(), "reported epoch 0 < " + epoch + ": again");
        assertEquals(epoch, refusing.heldEpoch());
        assertEquals(1, mapds.get(0).pushedEpochs().size(), "mapd 11 holds it: not again");

        tick();
        tick();
        assertEquals(2, refusing.pushedEpochs().size(), "holds it now");
        assertEquals(1, mapds.get(0).pushedEpochs().size());

        refusing.forgetView();
        refusing.dropConnections();
        harness.await("mapd 12 back", () -> harness.mapd(1).connection.connects() == 2 &&
            harness.mapd(1).connection.isReady());
        awaitPushes(1, 3);
        assertEquals(List.of(epoch, epoch, epoch), refusing.pushedEpochs(), "a mapd that comes back gets it at once");
        tick();
        assertEquals(3, refusing.pushedEpochs().size());
        assertEquals(1, mapds.get(0).pushedEpochs().size());
        assertEquals(changes, viewChanges(), "the same view each time");
        assertEquals(epoch, epoch());
        assertNeverAnOlderEpoch();
    }

    @Test
    void shouldKeepOnePushInFlightPerMapdAndSendTheNewestWhenItFails() throws Exception
    {
        // DOWN after 4 misses: logd 22 stays SUSPECT (no new epoch) while the failed push is healed.
        startCluster(10_000, 4);
        final FakeNode slow = mapds.get(0);
        final FakeNode.Held held = new FakeNode.Held();
        slow.on(Opcodes.CLUSTER_VIEW, (ctx, frame, at) ->
        {
            if (ClusterView.isQuery(frame, at))
            {
                slow.acceptView(ctx, frame, at);
            }
            else
            {
                held.respond(ctx, frame, at);
            }
        });
        connect();
        tick();
        awaitPushes(1, 1);
        harness.await("the push to mapd 11 held", () -> held.size() == 1);
        final long first = epoch();

        logds.get(1).answerHeartbeats = false;
        tick();
        tick();
        awaitPushes(1, 2);
        final long second = epoch();
        assertTrue(second > first);
        assertEquals(first, harness.call(() -> harness.mapd(0).pushInFlightEpoch), "one push in flight per mapd");
        assertEquals(List.of(first), slow.pushedEpochs());

        held.answerAll(FakeNode.error(StatusCodes.SHUTTING_DOWN));
        awaitPushAnswered(0);
        assertEquals(0, harness.call(() -> harness.mapd(0).ackedEpoch));
        slow.on(Opcodes.CLUSTER_VIEW, slow::acceptView);
        tick();
        awaitPushes(0, 2);
        assertEquals(List.of(first, second), slow.pushedEpochs(), "the newest view, never the failed one again");
        assertEquals(second, slow.heldEpoch());
        assertNeverAnOlderEpoch();
    }

    @Test
    void shouldPushAgainAfterAPushTimedOut() throws Exception
    {
        startCluster(500, 2);
        final FakeNode silent = mapds.get(1);
        silent.on(Opcodes.CLUSTER_VIEW, (ctx, frame, at) ->
        {
            if (ClusterView.isQuery(frame, at))
            {
                silent.acceptView(ctx, frame, at);
            }
        });
        connect();
        tick();
        awaitPushes(0, 1);
        harness.await("the push to mapd 12 timed out", () -> harness.mapd(1).pushInFlightEpoch == 0 &&
            silent.pushedEpochs().size() == 1);
        assertEquals(0, harness.call(() -> harness.mapd(1).ackedEpoch));

        silent.on(Opcodes.CLUSTER_VIEW, silent::acceptView);
        tick();
        awaitPushes(1, 2);
        assertEquals(epoch(), silent.heldEpoch());
        assertEquals(1, mapds.get(0).pushedEpochs().size());
        assertNeverAnOlderEpoch();
    }

    @Test
    void shouldPushAboveAnEpochAnotherMondGaveTheMapds() throws Exception
    {
        startCluster(10_000, 2);
        connect();
        tick();
        awaitPushes(0, 1);
        awaitPushes(1, 1);
        final long first = epoch();

        final long otherMonds = first + 1_000_000_000L;
        mapds.get(0).reportedEpochOverride = otherMonds;
        tick();
        tick();
        assertEquals(1, mapds.get(0).pushedEpochs().size(), "holds a newer view: nothing to push");
        assertEquals(1, mapds.get(1).pushedEpochs().size());
        assertEquals(first, epoch(), "hearing is not a change: two monds do not push back and forth");

        logds.get(1).answerHeartbeats = false;
        tick();
        tick();
        awaitPushes(0, 2);
        awaitPushes(1, 2);
        assertEquals(otherMonds + 1, epoch(), "the next change lands above what the mapds hold");
        assertEquals(List.of(first, otherMonds + 1), mapds.get(0).pushedEpochs());
        assertEquals(List.of(first, otherMonds + 1), mapds.get(1).pushedEpochs());
        assertNeverAnOlderEpoch();
    }
}
