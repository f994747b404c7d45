package io.metrodb.mapd;

import io.metrodb.logd.LogdServer;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.protocol.mapd.RepairRequest;
import io.metrodb.protocol.mapd.RepairRequestFlyweight;
import io.metrodb.protocol.mapd.ValueRecord;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.metrodb.mapd.MapdClient.bytes;
import static io.metrodb.protocol.mond.ClusterView.NODE_DOWN;
import static io.metrodb.protocol.mond.ClusterView.NODE_SUSPECT;
import static io.metrodb.protocol.mond.ClusterView.NODE_UP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a mapd does for mond, against real logds on loopback: HEARTBEAT, CLUSTER_VIEW, PROBE and REPAIR, with
 * replicas corrupted by flipping bytes in the logds' segment files.
 */
class MondServingTest
{
    @TempDir
    Path root;

    private TestCluster cluster;
    private MapdServer mapd;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private MapdServer start() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        // These tests count the logds' READs to see which replicas a GET or PROBE reads: every read over the network.
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).withLocalReads(false), false);
        return mapd;
    }

    static Map<String, byte[]> entries(final String prefix, final int count)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            entries.put(prefix + i, bytes("value of " + prefix + i + " " + "x".repeat(i % 50)));
        }
        return entries;
    }

    static void writeAll(final int port, final Map<String, byte[]> entries) throws Exception
    {
        try (MapdClient client = new MapdClient(port))
        {
            client.setAll(Opcodes.SET, entries).forEach((key, reply) ->
                assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message()));
        }
    }

    static GridEntry entry(final MapdServer mapd, final String key)
    {
        final GridEntry entry = new GridEntry();
        assertTrue(GridKeys.get(mapd.grid(), bytes(key), entry), key);
        return entry;
    }

    static List<MondClient.Replica> replicas(final GridEntry entry)
    {
        final List<MondClient.Replica> replicas = new ArrayList<>();
        for (int i = 0; i < entry.replicaCount(); i++)
        {
            replicas.add(new MondClient.Replica(entry.logdId(i), entry.offset(i)));
        }
        return replicas;
    }

    private void flip(final String key, final GridEntry entry, final int replica)
        throws IOException
    {
        cluster.flipRecordByte(entry.logdId(replica), entry.offset(replica), key.length(), entry.valueLength());
    }

    private long totalReads()
    {
        long reads = 0;
        for (final LogdServer logd : cluster.logds())
        {
            reads += logd.store().stats().reads();
        }
        return reads;
    }

    /** Reads the replica straight from its logd and checks it is the key's record at that version. */
    static void assertGoodReplica(final TestCluster cluster, final MondClient.Replica replica, final String key,
        final byte[] value, final long version, final int versionNode) throws Exception
    {
        final byte[] record = MondClient.readFromLogd(cluster.logdByNodeId(replica.logdId()).port(), replica.offset());
        assertNotNull(record, replica + " reads");
        final ByteBuf buf = Unpooled.wrappedBuffer(record);
        assertEquals(StatusCodes.OK, ValueRecord.validate(buf, 0, record.length), replica + " is intact");
        assertEquals(key, buf.toString(ValueRecord.keyIndex(0), ValueRecord.keyLength(buf, 0), StandardCharsets.UTF_8));
        assertEquals(version, ValueRecord.version(buf, 0));
        assertEquals(versionNode, ValueRecord.versionNode(buf, 0));
        final byte[] stored = new byte[ValueRecord.valueLength(buf, 0)];
        buf.getBytes(ValueRecord.valueIndex(buf, 0), stored);
        assertArrayEquals(value, stored, replica + " holds the value");
    }

    private static MondClient.Bad only(final List<MondClient.Bad> bad, final String key)
    {
        final List<MondClient.Bad> found = bad.stream().filter(b -> b.key().equals(key)).toList();
        assertEquals(1, found.size(), "one bad replica of " + key + " in " + bad);
        return found.get(0);
    }

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
    void shouldFindAFlippedReplicaByRandomProbeAndReportTheVersionSeen() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 40));
        final GridEntry victim = entry(mapd, "k7");
        flip("k7", victim, 1);
        try (MondClient mond = new MondClient(mapd.port()))
        {
            final MondClient.Probe all = mond.probe(ProbeRequest.MODE_RANDOM, 1000, 0);
            assertEquals(StatusCodes.OK, all.status(), all.message());
            assertEquals(40, all.checked(), "a sample of distinct keys, at most every key");
            assertEquals(0, all.nextCursor());
            assertEquals(1, all.bad().size(), all.bad().toString());
            final MondClient.Bad bad = only(all.bad(), "k7");
            assertEquals(victim.logdId(1), bad.logdId());
            assertEquals(victim.offset(1), bad.offset());
            assertEquals(StatusCodes.CORRUPT_RECORD, bad.reason());
            assertEquals(victim.version(), bad.version());
            assertEquals(victim.versionNode(), bad.versionNode());

            final MondClient.Probe some = mond.probe(ProbeRequest.MODE_RANDOM, 5, 0);
            assertEquals(5, some.checked());
        }
    }

    @Test
    void shouldWalkEveryKeyOncePerWrapAndFindFlippedReplicasByScan() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 100));
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            for (final String key : List.of("k20", "k21", "k22"))
            {
                assertEquals(StatusCodes.OK, client.del(key).status());
            }
        }
        final GridEntry value = entry(mapd, "k10");
        flip("k10", value, 0);
        final GridEntry tombstone = entry(mapd, "k20");
        assertTrue(tombstone.isTombstone());
        flip("k20", tombstone, 1);

        try (MondClient mond = new MondClient(mapd.port()))
        {
            for (int wrap = 0; wrap < 2; wrap++)
            {
                final long readsBefore = totalReads();
                final List<MondClient.Bad> bad = new ArrayList<>();
                long checked = 0;
                long cursor = 0;
                int probes = 0;
                do
                {
                    final MondClient.Probe probe = mond.probe(ProbeRequest.MODE_SCAN, 7, cursor);
                    assertEquals(StatusCodes.OK, probe.status(), probe.message());
                    assertTrue(probe.nextCursor() == 0 || probe.nextCursor() > cursor, "the cursor moves forward");
                    checked += probe.checked();
                    bad.addAll(probe.bad());
                    cursor = probe.nextCursor();
                    probes++;
                }
                while (cursor != 0);
                assertEquals(15, probes, "100 entries, 7 per probe");
                assertEquals(100, checked, "every key once, tombstones with replicas included");
                assertEquals(200, totalReads() - readsBefore, "every replica read exactly once per wrap");
                assertEquals(2, bad.size(), bad.toString());
                assertEquals(value.offset(0), only(bad, "k10").offset());
                assertEquals(StatusCodes.CORRUPT_RECORD, only(bad, "k10").reason());
                assertEquals(tombstone.logdId(1), only(bad, "k20").logdId());
                assertEquals(tombstone.version(), only(bad, "k20").version());
            }
            final MondClient.Probe pastTheEnd = mond.probe(ProbeRequest.MODE_SCAN, 7, 1_000_000);
            assertEquals(0, pastTheEnd.nextCursor());
            assertEquals(0, pastTheEnd.checked());
        }
    }

    @Test
    void shouldReportReplicasOnDownOrUnconnectedLogdsUnavailableWithoutReadingThem() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 30));
        final int onDown = countReplicasOn(100, 30);
        final int onStopped = countReplicasOn(101, 30);
        try (MondClient mond = new MondClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, mond.pushView(1, Map.of(100, NODE_DOWN)).status());
            final long reads = cluster.logd(0).store().stats().reads();
            final MondClient.Probe probe = mond.probe(ProbeRequest.MODE_SCAN, 100, 0);
            assertEquals(30, probe.checked());
            assertEquals(onDown, probe.bad().size(), probe.bad().toString());
            assertTrue(probe.bad().stream().allMatch(b -> b.logdId() == 100 && b.reason() == StatusCodes.UNAVAILABLE));
            assertEquals(reads, cluster.logd(0).store().stats().reads(), "the DOWN logd is not read");

            assertEquals(StatusCodes.OK, mond.pushView(2, Map.of()).status());
            cluster.stopLogd(1);
            final List<List<MondClient.Bad>> probed = new ArrayList<>(List.of(List.of()));
            Await.until("every replica on the stopped logd reported UNAVAILABLE", 60_000, () ->
            {
                final List<MondClient.Bad> bad = mond.probe(ProbeRequest.MODE_SCAN, 100, 0).bad();
                probed.set(0, bad);
                return bad.size() == onStopped && bad.stream().allMatch(b -> b.reason() == StatusCodes.UNAVAILABLE);
            }, () -> "last probe: " + probed.get(0));
            assertTrue(probed.get(0).stream().allMatch(b -> b.logdId() == 101), probed.get(0).toString());
        }
    }

    private int countReplicasOn(final int logdId, final int count)
    {
        int replicas = 0;
        for (int i = 0; i < count; i++)
        {
            final GridEntry entry = entry(mapd, "k" + i);
            for (int r = 0; r < entry.replicaCount(); r++)
            {
                replicas += entry.logdId(r) == logdId ? 1 : 0;
            }
        }
        assertTrue(replicas > 0, "some replicas on logd " + logdId);
        return replicas;
    }

    @Test
    void shouldReportBadReplicasMetByGetsInTheNextProbe() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 10));
        final GridEntry victim = entry(mapd, "k4");
        flip("k4", victim, 0);
        try (MapdClient client = new MapdClient(mapd.port()); MondClient mond = new MondClient(mapd.port()))
        {
            assertArrayEquals(entries("k", 10).get("k4"), client.get("k4").value(), "the GET reads the other replica");
            assertArrayEquals(entries("k", 10).get("k4"), client.get("k4").value());

            final MondClient.Probe probe = mond.probe(ProbeRequest.MODE_SCAN, 0, 0);
            assertEquals(0, probe.checked(), "reports from GETs are not keys checked");
            assertEquals(1, probe.bad().size(), "queued once however often GETs met it: " + probe.bad());
            final MondClient.Bad bad = only(probe.bad(), "k4");
            assertEquals(new MondClient.Replica(victim.logdId(0), victim.offset(0)), bad.replica());
            assertEquals(StatusCodes.CORRUPT_RECORD, bad.reason());
            assertEquals(victim.version(), bad.version());

            assertTrue(mond.probe(ProbeRequest.MODE_SCAN, 0, 0).bad().isEmpty(), "handed over once");
        }
    }

    @Test
    void shouldRepairToRfGoodReplicasAndChangeNothingWhenRepeated() throws Exception
    {
        start();
        final Map<String, byte[]> entries = entries("k", 20);
        writeAll(mapd.port(), entries);
        final GridEntry before = entry(mapd, "k3");
        flip("k3", before, 0);
        try (MapdClient client = new MapdClient(mapd.port()); MondClient mond = new MondClient(mapd.port()))
        {
            final MondClient.Bad bad = only(mond.probe(ProbeRequest.MODE_RANDOM, 100, 0).bad(), "k3");
            final MondClient.Repair repair = mond.repair("k3", bad.version(), bad.versionNode(), List.of(bad.replica()));
            assertEquals(StatusCodes.OK, repair.status(), repair.message());
            assertEquals(2, repair.replicas().size());
            assertFalse(repair.replicas().contains(bad.replica()), "the bad replica is gone: " + repair.replicas());
            assertEquals(new MondClient.Replica(before.logdId(1), before.offset(1)), repair.replicas().get(0),
                "the good replica is kept, first");
            for (final MondClient.Replica replica : repair.replicas())
            {
                assertGoodReplica(cluster, replica, "k3", entries.get("k3"), before.version(), before.versionNode());
            }
            final GridEntry after = entry(mapd, "k3");
            assertEquals(repair.replicas(), replicas(after), "the grid holds the new list");
            assertEquals(before.version(), after.version(), "at the same version");
            assertEquals(GridEntry.REPAIRED, after.flags());
            assertArrayEquals(entries.get("k3"), client.get("k3").value());
            assertTrue(mond.probe(ProbeRequest.MODE_RANDOM, 100, 0).bad().isEmpty(), "no bad replica left");

            final long[] tails = new long[3];
            for (int i = 0; i < 3; i++)
            {
                tails[i] = cluster.logd(i).store().tailPosition();
            }
            final long copies = mapd.onDataPath(() -> mapd.counters().repairCopies());
            final MondClient.Repair again = mond.repair("k3", bad.version(), bad.versionNode(), List.of(bad.replica()));
            assertEquals(StatusCodes.OK, again.status());
            assertEquals(repair.replicas(), again.replicas(), "a repeated REPAIR answers the current list");
            assertEquals(copies, (long)mapd.onDataPath(() -> mapd.counters().repairCopies()));
            for (int i = 0; i < 3; i++)
            {
                assertEquals(tails[i], cluster.logd(i).store().tailPosition(), "nothing appended");
            }
            assertEquals(repair.replicas(), replicas(entry(mapd, "k3")));
        }
    }

    @Test
    void shouldAnswerStaleVersionAfterANewerSetAndNotFoundForAnUnknownKey() throws Exception
    {
        start();
        writeAll(mapd.port(), Map.of("k", bytes("old")));
        final GridEntry old = entry(mapd, "k");
        flip("k", old, 0);
        try (MapdClient client = new MapdClient(mapd.port()); MondClient mond = new MondClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, client.set("k", bytes("new")).status());
            final GridEntry current = entry(mapd, "k");
            final MondClient.Repair stale = mond.repair("k", old.version(), old.versionNode(),
                List.of(new MondClient.Replica(old.logdId(0), old.offset(0))));
            assertEquals(StatusCodes.STALE_VERSION, stale.status());
            assertEquals(replicas(current), replicas(entry(mapd, "k")), "nothing done");
            assertEquals(0, entry(mapd, "k").flags());

            assertEquals(StatusCodes.NOT_FOUND, mond.repair("nothing", 1, 1, List.of()).status());
        }
    }

    @Test
    void shouldChangeNothingWhenNoOtherReplicaVerifiesOrNoHealthyLogdTakesACopy() throws Exception
    {
        start();
        writeAll(mapd.port(), Map.of("both", bytes("flipped twice"), "one", bytes("flipped once")));
        final GridEntry both = entry(mapd, "both");
        flip("both", both, 0);
        flip("both", both, 1);
        final GridEntry one = entry(mapd, "one");
        flip("one", one, 0);
        try (MondClient mond = new MondClient(mapd.port()))
        {
            final MondClient.Repair unreadable = mond.repair("both", both.version(), both.versionNode(),
                List.of(new MondClient.Replica(both.logdId(0), both.offset(0))));
            assertEquals(StatusCodes.REPLICAS_UNREADABLE, unreadable.status());
            assertEquals(replicas(both), replicas(entry(mapd, "both")));

            final Map<Integer, Integer> view = new HashMap<>();
            for (int logd = 100; logd < 103; logd++)
            {
                view.put(logd, logd == one.logdId(1) ? NODE_UP : NODE_DOWN);
            }
            assertEquals(StatusCodes.OK, mond.pushView(1, view).status());
            final MondClient.Repair stuck = mond.repair("one", one.version(), one.versionNode(),
                List.of(new MondClient.Replica(one.logdId(0), one.offset(0))));
            assertEquals(StatusCodes.NOT_ENOUGH_REPLICAS, stuck.status(), stuck.message());
            assertEquals(replicas(one), replicas(entry(mapd, "one")), "nothing done");

            view.put(one.logdId(0), NODE_UP);
            assertEquals(StatusCodes.OK, mond.pushView(2, view).status());
            final MondClient.Repair ontoTheSameLogd = mond.repair("one", one.version(), one.versionNode(),
                List.of(new MondClient.Replica(one.logdId(0), one.offset(0))));
            assertEquals(StatusCodes.OK, ontoTheSameLogd.status(), "a logd holding only the bad replica takes a copy");
            assertEquals(one.logdId(0), ontoTheSameLogd.replicas().get(1).logdId());
            assertTrue(ontoTheSameLogd.replicas().get(1).offset() > one.offset(0));
        }
    }

    @Test
    void shouldAnswerOverloadedToAProbeWhileAnotherRuns() throws Exception
    {
        start();
        writeAll(mapd.port(), entries("k", 50));
        try (MondClient mond = new MondClient(mapd.port()))
        {
            final MondClient.Probe[] probes = mond.twoProbes(50);
            assertEquals(StatusCodes.OK, probes[0].status());
            assertEquals(50, probes[0].checked());
            assertEquals(StatusCodes.OVERLOADED, probes[1].status());
            assertEquals(StatusCodes.OK, mond.probe(ProbeRequest.MODE_SCAN, 50, 0).status(), "free again");
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
