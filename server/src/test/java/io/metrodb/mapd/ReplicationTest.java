package io.metrodb.mapd;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three mapds replicating to each other over real sockets, with three real logds.
 */
class ReplicationTest
{
    private static final long CONVERGE_MS = 15_000;

    @TempDir
    Path root;

    private MapdCluster cluster;
    private final List<MapdServer> mapds = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final int[] ports = new int[3];

    @AfterEach
    void stop() throws Exception
    {
        for (final MapdServer mapd : mapds)
        {
            if (mapd != null)
            {
                mapd.close();
            }
        }
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private void startThree(final int backlog) throws Exception
    {
        cluster = new MapdCluster(root, 3);
        for (int i = 0; i < 3; i++)
        {
            ports[i] = MapdCluster.freePort();
        }
        for (int i = 0; i < 3; i++)
        {
            mapds.add(start(i, backlog, peersOf(i)));
        }
    }

    private List<Integer> peersOf(final int i)
    {
        final List<Integer> peers = new ArrayList<>();
        for (int p = 0; p < 3; p++)
        {
            if (p != i)
            {
                peers.add(ports[p]);
            }
        }
        return peers;
    }

    private MapdServer start(final int i, final int backlog, final List<Integer> peers) throws Exception
    {
        final MapdServer mapd = MapdServer.start(cluster.peerConfig("mapd" + i, i + 1, ports[i], peers, backlog));
        mapd.whenLogdsHealthy(3).get(10, TimeUnit.SECONDS);
        return mapd;
    }

    private static Map<String, byte[]> entries(final String prefix, final int count, final String tag)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            entries.put(prefix + i, bytes(tag + "-" + i));
        }
        return entries;
    }

    private static void writeAll(final int port, final byte opcode, final Map<String, byte[]> entries) throws Exception
    {
        try (MapdClient client = new MapdClient(port))
        {
            client.setAll(opcode, entries).forEach((key, reply) ->
                assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message()));
        }
    }

    @Test
    void shouldConvergeWritesSpreadOverEveryMapd() throws Exception
    {
        startThree(1 << 16);
        final ExecutorService clients = Executors.newFixedThreadPool(3);
        try
        {
            final List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int m = i;
                writers.add(clients.submit(() ->
                {
                    for (int round = 0; round < 5; round++)
                    {
                        writeAll(ports[m], Opcodes.SET, entries("m" + m + "-r" + round + "-", 200, "v"));
                    }
                    return null;
                }));
            }
            for (final Future<?> writer : writers)
            {
                writer.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            clients.shutdownNow();
        }
        System.out.println("converged in " + Convergence.awaitConverged(CONVERGE_MS, ports) + " ms");
        assertEquals(3000, GridDump.of(ports[0]).size());
        try (MapdClient client = new MapdClient(ports[2]))
        {
            assertArrayEquals(bytes("v-7"), client.get("m0-r3-7").value(), "a change from mapd 0 read at mapd 2");
        }
    }

    @Test
    void shouldConvergeConflictingWritesToOneWinnerEverywhere() throws Exception
    {
        startThree(1 << 16);
        final ExecutorService clients = Executors.newFixedThreadPool(3);
        try
        {
            final List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int m = i;
                writers.add(clients.submit(() ->
                {
                    for (int round = 0; round < 3; round++)
                    {
                        writeAll(ports[m], Opcodes.SET, entries("same-", 300, "from-" + m + "-" + round));
                    }
                    return null;
                }));
            }
            for (final Future<?> writer : writers)
            {
                writer.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            clients.shutdownNow();
        }
        Convergence.awaitConverged(CONVERGE_MS, ports);
        final List<Map<String, MapdClient.Reply>> reads = new ArrayList<>();
        for (final int port : ports)
        {
            try (MapdClient client = new MapdClient(port))
            {
                reads.add(client.getAll(entries("same-", 300, "").keySet()));
            }
        }
        for (final String key : reads.get(0).keySet())
        {
            assertArrayEquals(reads.get(0).get(key).value(), reads.get(1).get(key).value(), key);
            assertArrayEquals(reads.get(0).get(key).value(), reads.get(2).get(key).value(), key);
        }
    }

    @Test
    void shouldAnswerSetSafeAfterEveryLivePeerAcknowledged() throws Exception
    {
        startThree(1 << 16);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (mapds.get(0).onDataPath(mapds.get(0)::livePeers) < 2)
        {
            assertTrue(System.nanoTime() - deadline < 0, "peers did not connect within 10 s");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        try (MapdClient client = new MapdClient(ports[0]))
        {
            final MapdClient.Reply reply = client.setSafe("safe", bytes("v"));
            assertEquals(StatusCodes.OK, reply.status());
            assertEquals(2, reply.peersLive(), "both peers were live");
            assertEquals(2, reply.peersAcked(), "both peers acknowledged before the answer");
        }
        try (MapdClient client = new MapdClient(ports[1]))
        {
            assertArrayEquals(bytes("v"), client.get("safe").value(), "visible at a peer once SETSAFE answered");
        }
    }

    @Test
    void shouldCatchUpFromTheBacklogAfterARestart() throws Exception
    {
        startThree(1 << 16);
        writeAll(ports[0], Opcodes.SET, entries("before-", 200, "v"));
        mapds.get(2).close();
        mapds.set(2, null);
        writeAll(ports[0], Opcodes.SET, entries("while-down-a-", 300, "v"));
        writeAll(ports[1], Opcodes.SETSAFE, entries("while-down-b-", 300, "v"));
        mapds.set(2, start(2, 1 << 16, peersOf(2)));
        Convergence.awaitConverged(CONVERGE_MS, ports);
        assertEquals(800, GridDump.of(ports[2]).size());
    }

    @Test
    void shouldCatchUpByFullSyncWhenTheBacklogMovedOn() throws Exception
    {
        startThree(4);
        writeAll(ports[0], Opcodes.SET, entries("before-", 50, "v"));
        Convergence.awaitConverged(CONVERGE_MS, ports);
        mapds.get(2).close();
        mapds.set(2, null);
        writeAll(ports[0], Opcodes.SET, entries("while-down-", 200, "v"));
        mapds.set(2, start(2, 4, peersOf(2)));
        Convergence.awaitConverged(CONVERGE_MS, ports);
        assertEquals(250, GridDump.of(ports[2]).size());
        assertTrue(mapds.get(2).onDataPath(() -> info(mapds.get(2))).contains("snapshots=1"),
            "caught up through a snapshot stream");
    }

    @Test
    void shouldLetABlankMapdJoinByFullSync() throws Exception
    {
        startThree(1 << 16);
        writeAll(ports[0], Opcodes.SET, entries("a-", 300, "v"));
        writeAll(ports[1], Opcodes.SET, entries("b-", 300, "v"));
        final int[] four = {ports[0], ports[1], ports[2], MapdCluster.freePort()};
        final MapdServer blank = MapdServer.start(cluster.peerConfig("blank", 9, four[3],
            List.of(ports[0], ports[1], ports[2]), 1 << 16));
        mapds.add(blank);
        Convergence.awaitConverged(CONVERGE_MS, four);
        assertEquals(600, GridDump.of(four[3]).size());
    }

    @Test
    void shouldHealAPartitionAndConverge() throws Exception
    {
        cluster = new MapdCluster(root, 3);
        ports[0] = MapdCluster.freePort();
        ports[1] = MapdCluster.freePort();
        final FaultyProxy toB = new FaultyProxy(ports[1]);
        final FaultyProxy toA = new FaultyProxy(ports[0]);
        closeables.add(toB);
        closeables.add(toA);
        mapds.add(start(0, 1 << 16, List.of(toB.port())));
        mapds.add(start(1, 1 << 16, List.of(toA.port())));
        writeAll(ports[0], Opcodes.SET, entries("before-", 100, "v"));
        writeAll(ports[0], Opcodes.SET, Map.of("stale-key", bytes("v1")));
        Convergence.awaitConverged(CONVERGE_MS, ports[0], ports[1]);

        toA.partition();
        toB.partition();
        writeAll(ports[0], Opcodes.SET, Map.of("stale-key", bytes("v2")));
        try (MapdClient client = new MapdClient(ports[1]))
        {
            assertArrayEquals(bytes("v1"), client.get("stale-key").value(),
                "a mapd cut off from its peers serves what it has (documented staleness)");
        }
        writeAll(ports[0], Opcodes.SET, entries("a-side-", 200, "v"));
        writeAll(ports[1], Opcodes.SETSAFE, entries("b-side-", 200, "v"));
        writeAll(ports[0], Opcodes.SET, entries("both-", 50, "a"));
        writeAll(ports[1], Opcodes.SET, entries("both-", 50, "b"));
        assertTrue(!Convergence.differences(ports[0], ports[1]).isEmpty(), "the partition separates them");

        toA.heal();
        toB.heal();
        try
        {
            Convergence.awaitConverged(CONVERGE_MS, ports[0], ports[1]);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError(e.getMessage() + "\nA: " + mapds.get(0).onDataPath(() -> info(mapds.get(0))) +
                "\nB: " + mapds.get(1).onDataPath(() -> info(mapds.get(1))), e);
        }
        assertEquals(551, GridDump.of(ports[0]).size());
        try (MapdClient client = new MapdClient(ports[1]))
        {
            assertArrayEquals(bytes("v2"), client.get("stale-key").value(), "the newer write wins after the heal");
        }
    }

    private static String info(final MapdServer mapd)
    {
        return mapd.replicationInfo();
    }
}
