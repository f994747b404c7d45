package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.metrodb.protocol.mond.ClusterView.NODE_DOWN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROBE as a mapd answers it, against real logds on loopback (see {@link MondServingTestBase}): flipped replicas
 * found by random probe and by scan, replicas on down logds, bad replicas met by GETs, and one probe at a time.
 */
class MondProbeServingTest extends MondServingTestBase
{
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
}
