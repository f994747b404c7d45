package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.metrodb.mapd.MapdClient.bytes;
import static io.metrodb.protocol.mond.ClusterView.NODE_DOWN;
import static io.metrodb.protocol.mond.ClusterView.NODE_UP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REPAIR as a mapd does it, against real logds on loopback (see {@link MondServingTestBase}): back to RF from good
 * replicas, a stale version or an unknown key, and nothing changed when no replica verifies or no logd takes a copy.
 */
class MondRepairServingTest extends MondServingTestBase
{
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
}
