package io.metrodb.mapd;

import io.metrodb.mapd.Convergence.Expected;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.fault.LinkProxy;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

    private TestCluster cluster;
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
        cluster = TestCluster.builder(root).logds(3).start();
        // Each mapd lists the others' ports before they bind them: start over on new ports if one was taken.
        Ports.retryOnBindFailure(() ->
        {
            System.arraycopy(Ports.unused(3), 0, ports, 0, 3);
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    mapds.add(start(i, backlog, peersOf(i)));
                }
                return null;
            }
            catch (final Exception e)
            {
                mapds.forEach(MapdServer::close);
                mapds.clear();
                throw e;
            }
        });
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

    /**
     * @return each key's acknowledged write (every reply must be OK).
     */
    private static Map<String, Expected> writeAll(final int port, final byte opcode, final Map<String, byte[]> entries)
        throws Exception
    {
        try (MapdClient client = new MapdClient(port))
        {
            return Convergence.acknowledged(entries, client.setAll(opcode, entries));
        }
    }

    /**
     * Every mapd holds exactly the {@code expected} writes (grids compared over DUMP), and serves each value.
     *
     * @return how long convergence took, in ms.
     */
    private static long assertConvergedOn(final Map<String, Expected> expected, final int... ports) throws Exception
    {
        final long ms = Convergence.awaitConverged(CONVERGE_MS, expected, ports);
        Convergence.assertEveryMapdServes(expected, ports);
        return ms;
    }

    @Test
    void shouldConvergeWritesSpreadOverEveryMapd() throws Exception
    {
        startThree(1 << 16);
        final Map<String, Expected> expected = new HashMap<>();
        final ExecutorService clients = Executors.newFixedThreadPool(3);
        try
        {
            final List<Future<Map<String, Expected>>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int m = i;
                writers.add(clients.submit(() ->
                {
                    final Map<String, Expected> written = new HashMap<>();
                    for (int round = 0; round < 5; round++)
                    {
                        final String prefix = "m" + m + "-r" + round + "-";
                        written.putAll(writeAll(ports[m], Opcodes.SET, entries(prefix, 200, "v")));
                    }
                    return written;
                }));
            }
            for (final Future<Map<String, Expected>> writer : writers)
            {
                Convergence.keepWinners(expected, writer.get(60, TimeUnit.SECONDS));
            }
        }
        finally
        {
            clients.shutdownNow();
        }
        assertEquals(3000, expected.size());
        System.out.println("converged in " + assertConvergedOn(expected, ports) + " ms");
    }

    @Test
    void shouldConvergeConflictingWritesToOneWinnerEverywhere() throws Exception
    {
        startThree(1 << 16);
        final Map<String, Expected> winners = new HashMap<>();
        final ExecutorService clients = Executors.newFixedThreadPool(3);
        try
        {
            final List<Future<List<Map<String, Expected>>>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int m = i;
                writers.add(clients.submit(() ->
                {
                    final List<Map<String, Expected>> rounds = new ArrayList<>();
                    for (int round = 0; round < 3; round++)
                    {
                        rounds.add(writeAll(ports[m], Opcodes.SET, entries("same-", 300, "from-" + m + "-" + round)));
                    }
                    return rounds;
                }));
            }
            for (final Future<List<Map<String, Expected>>> writer : writers)
            {
                for (final Map<String, Expected> round : writer.get(60, TimeUnit.SECONDS))
                {
                    // Nine acknowledged writes of each key; last-writer-wins must keep the highest version.
                    Convergence.keepWinners(winners, round);
                }
            }
        }
        finally
        {
            clients.shutdownNow();
        }
        assertEquals(300, winners.size());
        final Set<String> winningMapds = new TreeSet<>();
        winners.values().forEach(w -> winningMapds.add(new String(w.value(), StandardCharsets.UTF_8).split("-")[1]));
        System.out.println("conflicting writes won by mapds " + winningMapds);
        assertConvergedOn(winners, ports);
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
        final Map<String, Expected> expected = new HashMap<>();
        expected.putAll(writeAll(ports[0], Opcodes.SET, entries("before-", 200, "v")));
        mapds.get(2).close();
        mapds.set(2, null);
        expected.putAll(writeAll(ports[0], Opcodes.SET, entries("while-down-a-", 300, "a")));
        expected.putAll(writeAll(ports[1], Opcodes.SETSAFE, entries("while-down-b-", 300, "b")));
        mapds.set(2, start(2, 1 << 16, peersOf(2)));
        assertEquals(800, expected.size());
        assertConvergedOn(expected, ports);
    }

    @Test
    void shouldCatchUpByFullSyncWhenTheBacklogMovedOn() throws Exception
    {
        startThree(4);
        final Map<String, Expected> expected = new HashMap<>();
        expected.putAll(writeAll(ports[0], Opcodes.SET, entries("before-", 50, "v")));
        Convergence.awaitConverged(CONVERGE_MS, expected, ports);
        mapds.get(2).close();
        mapds.set(2, null);
        expected.putAll(writeAll(ports[0], Opcodes.SET, entries("while-down-", 200, "w")));
        mapds.set(2, start(2, 4, peersOf(2)));
        assertEquals(250, expected.size());
        assertConvergedOn(expected, ports);
        assertTrue(mapds.get(2).onDataPath(() -> info(mapds.get(2))).contains("snapshots=1"),
            "caught up through a snapshot stream");
    }

    @Test
    void shouldLetABlankMapdJoinByFullSync() throws Exception
    {
        startThree(1 << 16);
        final Map<String, Expected> expected = new HashMap<>();
        expected.putAll(writeAll(ports[0], Opcodes.SET, entries("a-", 300, "a")));
        expected.putAll(writeAll(ports[1], Opcodes.SET, entries("b-", 300, "b")));
        final int[] four = {ports[0], ports[1], ports[2], Ports.unused(1)[0]};
        final MapdServer blank = MapdServer.start(cluster.peerConfig("blank", 9, four[3],
            List.of(ports[0], ports[1], ports[2]), 1 << 16));
        mapds.add(blank);
        assertEquals(600, expected.size());
        assertConvergedOn(expected, four);
    }

    @Test
    void shouldHealAPartitionAndConverge() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        ports[0] = Ports.unused(1)[0];
        ports[1] = Ports.unused(1)[0];
        final LinkProxy toB = new LinkProxy("a->b", TestCluster.HOST, ports[1]);
        final LinkProxy toA = new LinkProxy("b->a", TestCluster.HOST, ports[0]);
        closeables.add(toB);
        closeables.add(toA);
        mapds.add(start(0, 1 << 16, List.of(toB.port())));
        mapds.add(start(1, 1 << 16, List.of(toA.port())));
        final Map<String, Expected> expected = new HashMap<>();
        Convergence.keepWinners(expected, writeAll(ports[0], Opcodes.SET, entries("before-", 100, "v")));
        Convergence.keepWinners(expected, writeAll(ports[0], Opcodes.SET, Map.of("stale-key", bytes("v1"))));
        Convergence.awaitConverged(CONVERGE_MS, expected, ports[0], ports[1]);

        toA.drop();
        toB.drop();
        Convergence.keepWinners(expected, writeAll(ports[0], Opcodes.SET, Map.of("stale-key", bytes("v2"))));
        try (MapdClient client = new MapdClient(ports[1]))
        {
            assertArrayEquals(bytes("v1"), client.get("stale-key").value(),
                "a mapd cut off from its peers serves what it has (documented staleness)");
        }
        Convergence.keepWinners(expected, writeAll(ports[0], Opcodes.SET, entries("a-side-", 200, "a")));
        Convergence.keepWinners(expected, writeAll(ports[1], Opcodes.SETSAFE, entries("b-side-", 200, "b")));
        Convergence.keepWinners(expected, writeAll(ports[0], Opcodes.SET, entries("both-", 50, "a")));
        Convergence.keepWinners(expected, writeAll(ports[1], Opcodes.SET, entries("both-", 50, "b")));
        final Set<String> aSide = entries("a-side-", 200, "").keySet();
        final Set<String> bSide = entries("b-side-", 200, "").keySet();
        final Set<String> atA = GridDump.of(ports[0]).keySet();
        final Set<String> atB = GridDump.of(ports[1]).keySet();
        assertTrue(atA.containsAll(aSide) && Collections.disjoint(atA, bSide), "the partition separates them (A)");
        assertTrue(atB.containsAll(bSide) && Collections.disjoint(atB, aSide), "the partition separates them (B)");
        assertEquals(551, expected.size());

        toA.heal();
        toB.heal();
        try
        {
            assertConvergedOn(expected, ports[0], ports[1]);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError(e.getMessage() + "\nA: " + mapds.get(0).onDataPath(() -> info(mapds.get(0))) +
                "\nB: " + mapds.get(1).onDataPath(() -> info(mapds.get(1))), e);
        }
        assertArrayEquals(bytes("v2"), expected.get("stale-key").value(), "the newer write of one mapd wins");
    }

    private static String info(final MapdServer mapd)
    {
        return mapd.replicationInfo();
    }
}
