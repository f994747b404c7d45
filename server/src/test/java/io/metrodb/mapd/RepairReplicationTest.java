package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ProbeRequest;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.metrodb.mapd.MondServingTest.assertGoodReplica;
import static io.metrodb.mapd.MondServingTest.entries;
import static io.metrodb.mapd.MondServingTest.entry;
import static io.metrodb.mapd.MondServingTest.replicas;
import static io.metrodb.mapd.MondServingTest.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A repaired replica list reaches the peer mapds (change flagged REPAIR, applied at an equal version), a blank
 * mapd joining by full sync, and survives restarts of the repairing mapd from its snapshot and from its journal.
 */
class RepairReplicationTest
{
    private static final long WAIT_MS = 15_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private final List<MapdServer> mapds = new ArrayList<>();

    @AfterEach
    void stop()
    {
        for (final MapdServer mapd : mapds)
        {
            mapd.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private MapdServer startMapd(final String dir, final int nodeId, final int port, final List<Integer> peers)
        throws Exception
    {
        final MapdServer mapd = MapdServer.start(cluster.peerConfig(dir, nodeId, port, peers, 1 << 16));
        mapd.whenLogdsHealthy(3).get(10, TimeUnit.SECONDS);
        mapds.add(mapd);
        return mapd;
    }

    private void close(final MapdServer mapd)
    {
        mapds.remove(mapd);
        mapd.close();
    }

    private static Set<String> dumpedReplicas(final int port, final String key) throws Exception
    {
        final GridDump.Item item = GridDump.of(port).get(key);
        return item == null ? Set.of() : item.replicas();
    }

    private static Set<String> asDumped(final List<MondClient.Replica> replicas)
    {
        final Set<String> dumped = new TreeSet<>();
        replicas.forEach(r -> dumped.add(r.logdId() + "@" + r.offset()));
        return dumped;
    }

    private static void awaitReplicas(final int port, final String key, final Set<String> expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        Set<String> seen = dumpedReplicas(port, key);
        while (!seen.equals(expected))
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("mapd@" + port + " holds " + key + " at " + seen + ", expected " + expected);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            seen = dumpedReplicas(port, key);
        }
    }

    @Test
    void shouldSendTheRepairedListToPeersAndKeepItAcrossRestarts() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final int portA = Ports.unused(1)[0];
        final int portB = Ports.unused(1)[0];
        MapdServer a = startMapd("a", 1, portA, List.of(portB));
        final MapdServer b = startMapd("b", 2, portB, List.of(portA));
        final Map<String, byte[]> entries = entries("k", 30);
        writeAll(portA, entries);
        Convergence.awaitConverged(WAIT_MS, entries.keySet(), portA, portB);

        final GridEntry before = entry(a, "k5");
        cluster.flipRecordByte(before.logdId(0), before.offset(0), 2, before.valueLength());
        final MondClient.Repair repair;
        try (MondClient mond = new MondClient(portA))
        {
            final MondClient.Probe probe = mond.probe(ProbeRequest.MODE_SCAN, 100, 0);
            assertEquals(1, probe.bad().size(), probe.bad().toString());
            final MondClient.Bad bad = probe.bad().get(0);
            repair = mond.repair("k5", bad.version(), bad.versionNode(), List.of(bad.replica()));
        }
        assertEquals(StatusCodes.OK, repair.status(), repair.message());
        final Set<String> repaired = asDumped(repair.replicas());
        assertNotEquals(asDumped(replicas(before)), repaired);

        awaitReplicas(portB, "k5", repaired);
        assertEquals(before.version(), entry(b, "k5").version(), "the peer holds the same version");
        assertEquals(Change.REPAIR, GridDump.of(portB).get("k5").flags() & Change.REPAIR, "flagged repaired");
        Convergence.awaitConverged(WAIT_MS, entries.keySet(), portA, portB);
        try (MapdClient client = new MapdClient(portB))
        {
            assertArrayEquals(entries.get("k5"), client.get("k5").value());
        }

        final int portC = Ports.unused(1)[0];
        startMapd("blank", 3, portC, List.of(portA, portB));
        awaitReplicas(portC, "k5", repaired);
        Convergence.awaitConverged(WAIT_MS, entries.keySet(), portA, portB, portC);

        close(a);
        a = startMapd("a", 1, portA, List.of(portB));
        assertTrue(a.recovery().snapshotEntries() >= 30, "restarted from the snapshot: " + a.recovery());
        assertEquals(repaired, dumpedReplicas(portA, "k5"), "the snapshot keeps the repaired list");

        close(a);
        Files.delete(root.resolve("a").resolve(GridSnapshot.FILE_NAME));
        a = startMapd("a", 1, portA, List.of(portB));
        assertEquals(0, a.recovery().snapshotEntries());
        assertEquals(repaired, dumpedReplicas(portA, "k5"), "replaying the journal alone gives the repaired list");
        for (final MondClient.Replica replica : repair.replicas())
        {
            assertGoodReplica(cluster, replica, "k5", entries.get("k5"), before.version(), before.versionNode());
        }
    }
}
