package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairRequestFlyweight;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.metrodb.mapd.MapdClient.bytes;
import static io.metrodb.protocol.mond.ClusterView.NODE_DOWN;
import static io.metrodb.protocol.mond.ClusterView.NODE_SUSPECT;
import static io.metrodb.protocol.mond.ClusterView.NODE_UP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a mapd does for mond, against real logds on loopback (see {@link MondServingTestBase}): HEARTBEAT, the
 * CLUSTER_VIEW it is pushed and what it changes for writes and reads, and malformed mond requests.
 */
class MondServingTest extends MondServingTestBase
{
    @Test
    void shouldAnswerHeartbeatWithRoleLiveKeysAndTheHeldViewEpoch() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 10));
        try (MapdClient client = new MapdClient(mapd.port()); MondClient mond = new MondClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, client.del("k0").status());
            MondClient.Heartbeat heartbeat = mond.heartbeat(123_456_789L, 0);
            assertEquals(123_456_789L, heartbeat.sendTimeNs());
            assertEquals(Roles.MAPD, heartbeat.role());
            assertEquals(HeartbeatResponse.STATE_SERVING, heartbeat.state());
            assertEquals(1, heartbeat.nodeId());
            assertEquals(9, heartbeat.data(), "live keys; the tombstone is not counted");
            assertEquals(0, heartbeat.viewEpoch());

            assertEquals(StatusCodes.OK, mond.pushView(7, Map.of(100, NODE_UP, 101, NODE_UP, 102, NODE_UP)).status());
            heartbeat = mond.heartbeat(-1L, 7);
            assertEquals(-1L, heartbeat.sendTimeNs());
            assertEquals(7, heartbeat.viewEpoch());
        }
        assertTrue(mapd.onDataPath(() -> mapd.counters().heartbeats.get()) >= 2);
    }

    @Test
    void shouldSkipADownLogdForWritesKeepTheNewestViewAndAnswerQueries() throws Exception
    {
        start();
        try (MondClient mond = new MondClient(mapd.port()))
        {
            final MondClient.View none = mond.queryView();
            assertEquals(0, none.epoch(), "no view yet: an empty one of epoch 0");
            assertTrue(none.states().isEmpty());

            assertEquals(StatusCodes.OK, mond.pushView(5, Map.of(100, NODE_DOWN, 101, NODE_UP, 102, NODE_UP)).status());
            final MondClient.View held = mond.queryView();
            assertEquals(5, held.epoch());
            assertEquals(Map.of(100, NODE_DOWN, 101, NODE_UP, 102, NODE_UP), held.states());

            writeAll(mapd.port(), entries("a", 30));
            assertEquals(Set.of(101, 102), logdsHolding("a", 30), "no replica on the DOWN logd");

            assertEquals(StatusCodes.OK, mond.pushView(4, Map.of(100, NODE_UP, 101, NODE_DOWN, 102, NODE_UP)).status(),
                "an older view is acknowledged");
            assertEquals(5, mond.queryView().epoch(), "but ignored");
            assertEquals(5, mond.heartbeat(1, 4).viewEpoch());
            writeAll(mapd.port(), entries("b", 30));
            assertEquals(Set.of(101, 102), logdsHolding("b", 30));

            assertEquals(StatusCodes.OK, mond.pushView(6, Map.of(100, NODE_UP, 101, NODE_UP, 102, NODE_UP)).status());
            writeAll(mapd.port(), entries("c", 30));
            assertEquals(Set.of(100, 101, 102), logdsHolding("c", 30), "the logd is used again once UP");
        }
    }

    private Set<Integer> logdsHolding(final String prefix, final int count)
    {
        final Set<Integer> logds = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            final GridEntry entry = entry(mapd, prefix + i);
            for (int r = 0; r < entry.replicaCount(); r++)
            {
                logds.add(entry.logdId(r));
            }
        }
        return logds;
    }

    @Test
    void shouldReadReplicasOnUpLogdsBeforeSuspectOnes() throws Exception
    {
        start();
        writeAll(mapd.port(), Map.of("k", bytes("v")));
        final GridEntry entry = entry(mapd, "k");
        final int first = entry.logdId(0);
        final int second = entry.logdId(1);
        try (MapdClient client = new MapdClient(mapd.port()); MondClient mond = new MondClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, mond.pushView(1, Map.of(first, NODE_SUSPECT)).status());
            final long firstReads = cluster.logdByNodeId(first).store().stats().reads();
            final long secondReads = cluster.logdByNodeId(second).store().stats().reads();
            for (int i = 0; i < 20; i++)
            {
                assertArrayEquals(bytes("v"), client.get("k").value());
            }
            assertEquals(firstReads, cluster.logdByNodeId(first).store().stats().reads(), "the SUSPECT logd is not read");
            assertEquals(secondReads + 20, cluster.logdByNodeId(second).store().stats().reads());

            assertEquals(StatusCodes.OK, mond.pushView(2, Map.of(second, NODE_DOWN)).status());
            assertArrayEquals(bytes("v"), client.get("k").value());
            assertEquals(firstReads + 1, cluster.logdByNodeId(first).store().stats().reads(), "UP before DOWN");
        }
    }

    @Test
    void shouldRefuseMalformedMondRequestsAndStayUsable() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 5));
        try (MondClient mond = new MondClient(mapd.port()))
        {
            assertEquals(StatusCodes.BAD_REQUEST, mond.raw((out, id) ->
            {
                FrameHeader.writeRequest(out, 15, Opcodes.PROBE, (byte)0, id);
                out.writeZero(15);
            }).status(), "truncated PROBE");
            assertEquals(StatusCodes.BAD_REQUEST, mond.raw((out, id) -> ProbeRequest.encode(out, id, 9, 10, 0)).status(),
                "unknown PROBE mode");
            assertEquals(StatusCodes.BAD_REQUEST, mond.raw((out, id) ->
            {
                FrameHeader.writeRequest(out, 13, Opcodes.REPAIR, (byte)0, id);
                out.writeZero(13);
            }).status(), "truncated REPAIR");
            assertEquals(StatusCodes.BAD_REQUEST, mond.raw((out, id) ->
            {
                final ByteBuf full = Unpooled.buffer();
                new RepairRequestFlyweight().wrapForAppend(full, id, 2, 1).version(1).versionNode(1).key(bytes("k1"))
                    .badReplicas(1, new short[] {100}, new long[] {0}).commit();
                full.setInt(FrameHeader.LENGTH_OFFSET, full.readableBytes() - 3);
                out.writeBytes(full, 0, full.readableBytes() - 3);
                full.release();
            }).status(), "REPAIR cut inside its bad replicas");
            assertEquals(StatusCodes.INVALID_KEY, mond.raw((out, id) ->
            {
                FrameHeader.writeRequest(out, RepairRequest.KEY_OFFSET, Opcodes.REPAIR, (byte)0, id);
                out.writeZero(RepairRequest.KEY_OFFSET);
            }).status(), "REPAIR of an empty key");
            assertEquals(StatusCodes.BAD_REQUEST, mond.raw((out, id) ->
            {
                FrameHeader.writeRequest(out, 15, Opcodes.HEARTBEAT, (byte)0, id);
                out.writeZero(15);
            }).status(), "truncated HEARTBEAT");
            assertEquals(StatusCodes.BAD_REQUEST, mond.raw((out, id) ->
            {
                ClusterView.encodeViewHeader(out, id, false, 9, 2, 0, 0, 0, 0, ClusterView.nodeLength(1));
                ClusterView.writeNode(out, 100, Roles.LOGD, NODE_DOWN, 1, 0, 0, 0, "h");
            }).status(), "a view with fewer nodes than counted");
            assertEquals(0, mond.queryView().epoch(), "and not taken");

            assertEquals(HeartbeatResponse.STATE_SERVING, mond.heartbeat(1, 0).state(), "the connection stays usable");
            assertEquals(5, mond.probe(ProbeRequest.MODE_SCAN, 10, 0).checked());
        }
    }
}
