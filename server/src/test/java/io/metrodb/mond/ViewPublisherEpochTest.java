package io.metrodb.mond;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.validation.FrameValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static io.metrodb.mond.AgentHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster view on {@link ViewPublisher} alone: the epoch rule and the encoding. */
class ViewPublisherEpochTest extends ViewPublisherTestBase
{
    /**
     * A mond over nodes that are never connected, for the publisher alone.
     */
    private MondAgent unconnectedAgent()
    {
        harness = new AgentHarness(MondConfig.defaults(
            List.of(new InetSocketAddress("127.0.0.1", 7550), InetSocketAddress.createUnresolved("mapd-b", 7551)),
            List.of(new InetSocketAddress("127.0.0.1", 7558),
                InetSocketAddress.createUnresolved("logd.example", 7559))));
        return harness.agent;
    }

    private static RepairQueue emptyQueue()
    {
        return new RepairQueue(100, 0, (id, nowNs) -> -1);
    }

    @Test
    void shouldStartAtTheStartTimeAndRiseWithEveryChange()
    {
        final MondCounters counters = new MondCounters();
        final long startNs = 1_000 * MS;
        final ViewPublisher view =
            new ViewPublisher(unconnectedAgent().nodes(), counters, emptyQueue(), startNs, START_WALL_MS);
        assertEquals(START_WALL_MS, view.epoch(), "the first epoch is the start time in ms");
        assertEquals(START_WALL_MS + 1_500, view.wallMs(startNs + 1_500 * MS));
        assertEquals(START_WALL_MS - 2_000, view.wallMs(startNs - 2_000 * MS));

        view.bump(startNs);
        assertEquals(START_WALL_MS + 1, view.epoch(), "the clock has not moved: epoch + 1");
        view.bump(startNs + MS / 2);
        assertEquals(START_WALL_MS + 2, view.epoch(), "two changes in one ms still rise");
        view.bump(startNs + 5_000 * MS);
        assertEquals(START_WALL_MS + 5_000, view.epoch(), "the clock");
        view.bump(startNs - 60_000 * MS);
        assertEquals(START_WALL_MS + 5_001, view.epoch(), "the clock went back: epoch + 1");
        assertEquals(4, counters.viewChanges.get());

        final long otherMonds = START_WALL_MS + 1_000_000;
        view.heard(otherMonds);
        view.heard(5);
        assertEquals(START_WALL_MS + 5_001, view.epoch(), "hearing alone changes nothing");
        view.bump(startNs + 6_000 * MS);
        assertEquals(otherMonds + 1, view.epoch(), "above the highest epoch a mapd holds");

        assertEquals(1, new ViewPublisher(harness.agent.nodes(), counters, emptyQueue(), 0, 0).epoch(),
            "an epoch is never 0 (a mapd's 'no view')");
    }

    @Test
    void shouldCatchUpWithWhatTheMapdsHoldBeforeTheFirstPush()
    {
        final ViewPublisher view =
            new ViewPublisher(unconnectedAgent().nodes(), new MondCounters(), emptyQueue(), 0, START_WALL_MS);
        view.heard(START_WALL_MS - 10);
        view.catchUpWithHeard();
        assertEquals(START_WALL_MS, view.epoch(), "a mapd holds an older epoch: keep ours");
        view.heard(START_WALL_MS + 10);
        view.catchUpWithHeard();
        assertEquals(START_WALL_MS + 11, view.epoch(), "the clock went back past what a mapd holds");
        view.heard(START_WALL_MS + 5);
        view.catchUpWithHeard();
        assertEquals(START_WALL_MS + 11, view.epoch(), "never lower");
    }

    @Test
    void shouldNeverGoBackWhateverTheClockAndTheMapdsSay()
    {
        final long seed = Long.getLong("ViewPublisherTest.seed", System.nanoTime());
        final Random random = new Random(seed);
        final long startNs = random.nextLong() / 2;
        final ViewPublisher view =
            new ViewPublisher(unconnectedAgent().nodes(), new MondCounters(), emptyQueue(), startNs, START_WALL_MS);
        long highestHeard = 0;
        long previous = view.epoch();
        long clockNs = startNs;
        for (int i = 0; i < 10_000; i++)
        {
            clockNs += (random.nextInt(2_000) - 500) * MS;
            switch (random.nextInt(3))
            {
                case 0 ->
                {
                    final long heard = view.epoch() + random.nextInt(20_000) - 10_000;
                    highestHeard = Math.max(highestHeard, heard);
                    view.heard(heard);
                }
                case 1 -> view.catchUpWithHeard();
                default ->
                {
                    view.bump(clockNs);
                    assertTrue(view.epoch() > previous, "step " + i + ", seed " + seed);
                    assertTrue(view.epoch() > highestHeard, "step " + i + ", seed " + seed);
                    assertTrue(view.epoch() >= view.wallMs(clockNs), "step " + i + ", seed " + seed);
                }
            }
            assertTrue(view.epoch() >= previous, "step " + i + ", seed " + seed);
            previous = view.epoch();
        }
    }

    @Test
    void shouldEncodeEveryNodeInViewOrderWithTheCounters()
    {
        final long startNs = System.nanoTime() - 10_000 * MS;
        final MondAgent agent = unconnectedAgent();
        final MonitoredNode[] nodes = agent.nodes();
        final MondCounters counters = new MondCounters();
        counters.keysChecked.set(123_456);
        counters.badReplicasFound.set(78);
        counters.repairsDone.set(9);
        final RepairQueue repairs = emptyQueue();
        repairs.offer("a".getBytes(StandardCharsets.UTF_8), 1, 1, 21, 0, false, 0, startNs);
        repairs.offer("b".getBytes(StandardCharsets.UTF_8), 1, 1, 21, 0, false, 0, startNs);
        final ViewPublisher view = new ViewPublisher(nodes, counters, repairs, startNs, START_WALL_MS);

        final long upAtNs = System.nanoTime() + 3_000 * MS;
        nodes[0].nodeId = 11;
        nodes[0].health.onAnswer(upAtNs);
        nodes[0].lastRttUs = 250;
        nodes[0].dataBytes = 1_000_000;
        nodes[2].nodeId = 21;
        nodes[2].lastRttUs = 0x1_0000_0000L + 5;
        nodes[2].dataBytes = 1L << 40;
        for (int i = 0; i < 4; i++)
        {
            nodes[3].health.onIntervalEnd(upAtNs + i * INTERVAL_NS);
        }
        view.bump(upAtNs);

        for (final boolean isResponse : new boolean[] {false, true})
        {
            final ByteBuf frame = Unpooled.buffer();
            try
            {
                view.encode(frame, 42, isResponse);
                assertEquals(view.frameLength(), frame.writerIndex(), "frameLength() is what encode writes");
                assertEquals(isResponse, FrameHeader.isResponse(frame, 0));
                assertEquals(Opcodes.CLUSTER_VIEW, FrameHeader.opcode(frame, 0));
                assertEquals(42, FrameHeader.requestId(frame, 0));
                if (isResponse)
                {
                    assertTrue(FrameValidator.isValidResponse(frame, 0));
                }
                else
                {
                    assertEquals(StatusCodes.OK,
                        FrameValidator.validateRequest(frame, 0, ProtocolLimits.DEFAULT_MAX_VALUE_LENGTH));
                    assertFalse(ClusterView.isQuery(frame, 0), "a push carries the view");
                }
                assertEquals(view.epoch(), ClusterView.epoch(frame, 0));
                assertEquals(123_456, ClusterView.keysChecked(frame, 0));
                assertEquals(78, ClusterView.badReplicas(frame, 0));
                assertEquals(9, ClusterView.repairsDone(frame, 0));
                assertEquals(2, ClusterView.repairsPending(frame, 0));
                assertEquals(4, ClusterView.nodeCount(frame, 0));

                int at = ClusterView.firstNodeIndex(0);
                final int[] ids = {11, 0, 21, 0};
                final byte[] roles = {Roles.MAPD, Roles.MAPD, Roles.LOGD, Roles.LOGD};
                final int[] states = {ClusterView.NODE_UP, ClusterView.NODE_SUSPECT, ClusterView.NODE_SUSPECT,
                    ClusterView.NODE_DOWN};
                final String[] hosts = {"127.0.0.1", "mapd-b", "127.0.0.1", "logd.example"};
                final int[] ports = {7550, 7551, 7558, 7559};
                final long[] rtts = {250, 0, 0xFFFF_FFFFL, 0};
                final long[] data = {1_000_000, 0, 1L << 40, 0};
                for (int i = 0; i < 4; i++)
                {
                    assertEquals(ids[i], ClusterView.nodeId(frame, at), "node " + i);
                    assertEquals(roles[i], ClusterView.nodeRole(frame, at), "node " + i);
                    assertEquals(states[i], ClusterView.nodeState(frame, at), "node " + i);
                    assertEquals(hosts[i], ClusterView.nodeHost(frame, at), "node " + i);
                    assertEquals(ports[i], ClusterView.nodePort(frame, at), "node " + i);
                    assertEquals(rtts[i], ClusterView.nodeLastRttUs(frame, at), "node " + i + ": RTT capped to u32");
                    assertEquals(data[i], ClusterView.nodeDataBytes(frame, at), "node " + i);
                    final long sinceMs = START_WALL_MS + (nodes[i].health.sinceNs() - startNs) / 1_000_000;
                    assertEquals(sinceMs, ClusterView.nodeSinceMs(frame, at), "node " + i);
                    at = ClusterView.nextNodeIndex(frame, at);
                }
                assertEquals(frame.writerIndex(), at);
                assertEquals(START_WALL_MS + (upAtNs - startNs) / 1_000_000, ClusterView.nodeSinceMs(frame,
                    ClusterView.firstNodeIndex(0)), "since: when mapd 0 answered, on the wall clock");
            }
            finally
            {
                frame.release();
            }
        }
    }
}
