package io.metrodb.mond;

import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.Opcodes;
import io.metrodb.testing.Await;
import io.metrodb.testing.EventLines;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mond's event lines: one "corrupt replica found" and one "repair done" (key, version, bad replica, replicas after)
 * per flipped replica, however many probe passes see it meanwhile.
 */
class MondEventLinesTest
{
    private static final long AWAIT_MS = 60_000;
    private static final long REPAIRED_MS = 120_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MondServer mond;
    private EventLines events;

    @AfterEach
    void stop() throws Exception
    {
        if (mond != null)
        {
            mond.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
        if (events != null)
        {
            events.close();
        }
    }

    @Test
    void shouldLogEachCorruptReplicaFoundAndEachRepairOnce() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(1).start();
        final Map<String, byte[]> entries = MondRepairTest.entries(50, "ev-");
        try (MapdClient client = new MapdClient(cluster.mapdPorts()[0]))
        {
            assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SETSAFE, entries)));
        }
        final int victim = 1;
        final int victimId = TestCluster.logdId(victim);
        final List<Replicas.Entry> flipped = new ArrayList<>();
        final List<Replicas.Replica> bad = new ArrayList<>();
        for (final Replicas.Entry entry : Replicas.dump(cluster.mapdPorts()[0]).values())
        {
            for (final Replicas.Replica replica : entry.replicas())
            {
                if (replica.logdId() == victimId && flipped.size() < 3)
                {
                    Replicas.flipValueByte(cluster.logdDir(victim), TestCluster.SEGMENT_LENGTH, entry, replica);
                    flipped.add(entry);
                    bad.add(replica);
                }
            }
        }
        assertEquals(3, flipped.size());

        events = EventLines.capture();
        mond = MondServer.start(cluster.mondConfig().withRates(200, 2_000, 500));
        Await.until("every key at RF", REPAIRED_MS,
            () -> Replicas.problems(cluster.mapdPorts()[0], cluster.logdPortsById(), TestCluster.DEFAULT_RF).isEmpty(),
            events::dump);
        final String mapd = "by mapd " + TestCluster.HOST + ":" + cluster.mapdPorts()[0];
        for (int i = 0; i < flipped.size(); i++)
        {
            final Replicas.Entry entry = flipped.get(i);
            final String replica = "logd " + victimId + " @ " + bad.get(i).offset();
            assertEquals(1, events.count("WARNING mond: corrupt replica found " + mapd + ": key " + entry.key() +
                " version " + entry.version() + ", replica on logd " + victimId + " at offset " + bad.get(i).offset() +
                " (CORRUPT_RECORD); repair queued"), events.dump());
            final List<String> repaired = events.matching("INFO mond: repair done " + mapd + ": key " + entry.key() +
                " version " + entry.version() + ", bad [" + replica + "] -> replicas [");
            assertEquals(1, repaired.size(), events.dump());
            final String after = repaired.get(0).substring(repaired.get(0).indexOf("-> replicas ["));
            assertEquals(TestCluster.DEFAULT_RF, after.split("logd ").length - 1, repaired.get(0));
            assertTrue(!after.contains(replica), "the bad replica is gone: " + repaired.get(0));
        }
        assertEquals(flipped.size(), events.count("corrupt replica found"), events.dump());
        assertEquals(flipped.size(), events.count("repair done"), events.dump());
    }
}
