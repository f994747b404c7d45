package io.metrodb.mapd;

import io.metrodb.mapd.Convergence.Expected;
import io.metrodb.mapd.store.GridJournal;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mapd whose journal refuses appends (its byte budget is spent, as on a full disk) fails its writes with
 * STORAGE_FULL and changes nothing: not its grid, not its change numbering. Its peer then holds every number it
 * issued, and once the journal has room again (a restart with a larger budget) the peer carries on in order, with
 * no gap and no full-snapshot SYNC.
 */
class JournalFullTest
{
    private static final int SEGMENT = 128 * 1024;
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MapdServer a;
    private MapdServer b;

    @AfterEach
    void stop()
    {
        if (a != null)
        {
            a.close();
        }
        if (b != null)
        {
            b.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldNeitherChangeTheGridNorTakeAChangeNumberWhenTheJournalIsFull() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int portA = Ports.unused(1)[0];
        final int portB = Ports.unused(1)[0];
        final MapdConfig configA = cluster.peerConfig("mapdA", 1, portA, List.of(portB), 1 << 10);
        a = startA(configA, SEGMENT);
        b = MapdServer.start(cluster.peerConfig("mapdB", 2, portB, List.of(portA), 1 << 10));
        b.whenLogdsHealthy(2).get(WAIT_MS, TimeUnit.MILLISECONDS);
        Await.until("the mapds are linked", WAIT_MS,
            () -> a.onDataPath(a::livePeers) == 1 && b.onDataPath(b::livePeers) == 1);

        final long firstSequence = ownSequence(a);
        Await.until("the peer's first SYNC from the new origin ended", WAIT_MS,
            () -> lastApplied(b, 1) == firstSequence && !b.onDataPath(() -> b.node().replicator().isCatchingUp()));
        final String infoBefore = b.onDataPath(b::replicationInfo);

        final String pad = "k".repeat(1000);
        final Map<String, Expected> acknowledged = new HashMap<>();
        String refused = null;
        try (MapdClient client = new MapdClient(portA))
        {
            for (int i = 0; i < 1000 && refused == null; i++)
            {
                final String key = pad + i;
                final MapdClient.Reply reply = client.set(key, bytes("v" + i));
                if (reply.status() == StatusCodes.OK)
                {
                    acknowledged.put(key, new Expected(reply.version(), reply.versionNode(), bytes("v" + i)));
                }
                else
                {
                    assertEquals(StatusCodes.name(StatusCodes.STORAGE_FULL), StatusCodes.name(reply.status()),
                        key + ": " + reply.message());
                    refused = key;
                }
            }
            assertTrue(refused != null, "a 128 KiB journal fills up within 1000 writes of 1 KB keys");
            assertTrue(acknowledged.size() > 10, "the journal took writes before it filled: " + acknowledged.size());

            assertEquals(StatusCodes.STORAGE_FULL, client.setSafe(pad + "safe", bytes("s")).status(), "SETSAFE");
            final String deleted = acknowledged.keySet().iterator().next();
            assertEquals(StatusCodes.STORAGE_FULL, client.del(deleted).status(), "DEL");
            assertEquals(StatusCodes.STORAGE_FULL, client.set(refused, bytes("again")).status(), "SET again");

            assertEquals(firstSequence + acknowledged.size(), ownSequence(a),
                "one change number per write the journal took, none for a refused one");
            assertEquals(StatusCodes.NOT_FOUND, client.get(refused).status(), "a refused SET left the grid unchanged");
            assertEquals(StatusCodes.NOT_FOUND, client.get(pad + "safe").status(), "a refused SETSAFE too");
            assertEquals(StatusCodes.OK, client.get(deleted).status(), "a refused DEL too");
        }
        final long issued = ownSequence(a);
        Await.until("the peer applied, in order, every number the full mapd issued", WAIT_MS,
            () -> lastApplied(b, 1) == issued, () -> "peer at " + lastApplied(b, 1) + ", origin at " + issued);
        try (MapdClient client = new MapdClient(portB))
        {
            assertEquals(StatusCodes.NOT_FOUND, client.get(refused).status(), "the peer never saw the refused SET");
        }

        // Room again: the same journal with a second segment allowed.
        a.close();
        a = null;
        a = startA(configA, 2L * SEGMENT);
        assertEquals(issued, ownSequence(a), "the numbering resumes where the journal left it");
        final Map<String, byte[]> more = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++)
        {
            more.put("after-" + i, bytes("w" + i));
        }
        try (MapdClient client = new MapdClient(portA))
        {
            acknowledged.putAll(Convergence.acknowledged(more, client.setAll(Opcodes.SET, more)));
        }
        final long last = ownSequence(a);
        assertEquals(issued + more.size(), last, "one number per write");
        Await.until("the peer applied every change in order", WAIT_MS,
            () -> lastApplied(b, 1) == last, () -> "peer at " + lastApplied(b, 1) + ", origin at " + last);
        final String info = b.onDataPath(b::replicationInfo);
        assertEquals(field(infoBefore, "replication_gaps:"), field(info, "replication_gaps:"),
            "the peer never met a gap in the numbering:\n" + infoBefore + "then\n" + info);
        assertEquals(field(infoBefore, ",snapshots="), field(info, ",snapshots="),
            "nor needed a full snapshot to catch up:\n" + infoBefore + "then\n" + info);
        Convergence.awaitConverged(WAIT_MS, acknowledged, portA, portB);
        Convergence.assertEveryMapdServes(acknowledged, portA, portB);
    }

    private MapdServer startA(final MapdConfig config, final long journalBudget) throws Exception
    {
        final MapdServer mapd = MapdServer.start(config, false,
            dir -> GridJournal.open(dir, SEGMENT, journalBudget));
        mapd.whenLogdsHealthy(2).get(WAIT_MS, TimeUnit.MILLISECONDS);
        return mapd;
    }

    /**
     * @return the number after {@code name} in an INFO text.
     */
    private static long field(final String info, final String name)
    {
        final int at = info.indexOf(name);
        assertTrue(at >= 0, name + " in\n" + info);
        int end = at + name.length();
        while (end < info.length() && Character.isDigit(info.charAt(end)))
        {
            end++;
        }
        return Long.parseLong(info.substring(at + name.length(), end));
    }

    private static long ownSequence(final MapdServer mapd) throws Exception
    {
        return mapd.onDataPath(() -> mapd.node().ownSequence());
    }

    private static long lastApplied(final MapdServer mapd, final int origin) throws Exception
    {
        return mapd.onDataPath(() -> mapd.node().replicator().lastApplied(origin));
    }
}
