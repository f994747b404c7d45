package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.mond.MondConfig;
import io.metrodb.mond.MondServer;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write availability around logd restarts, with real logds, a real mapd (RF 2 over 3 logds) and a real mond: a logd
 * the mapd is connected to takes writes whatever mond's last view said, also while mond is down, and no write is
 * answered NOT_ENOUGH_REPLICAS while RF logds are up, even when a second logd dies right after another came back.
 * <p>
 * Logds run in this JVM and are stopped and started; to the mapd a stopped logd is the same as a killed one (its
 * connection closes). {@code -Davail.cycles=N} repeats the kill/restart sequence (default 1) and the test prints
 * the number of writes and of NOT_ENOUGH_REPLICAS answers it saw.
 */
class WriteAvailabilityTest
{
    /** Generous: the test waits for each event, however slowly a loaded 2-core machine gets there. */
    private static final long AWAIT_MS = 60_000;
    private static final int CYCLES = Integer.getInteger("avail.cycles", 1);
    /** Writes that must succeed after the second logd died, per cycle. */
    private static final int WRITES_AFTER_KILL = 100;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MondServer mond;
    private MapdServer mapd;

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
    }

    /**
     * mond marks a stopped logd DOWN and is then stopped itself; the logd restarts. The mapd's own connection to it
     * must count: it takes writes again, and when another logd dies the writes go on over the two left.
     */
    @Test
    void shouldWriteToARestartedLogdWhileMondIsDown() throws Exception
    {
        startClusterAndMond(MapdConfig.DEFAULT_REQUEST_TIMEOUT_MS);

        cluster.stopLogd(0);
        awaitMarkedDown(100, true, "mond's view marks the stopped logd 100 DOWN at the mapd");
        mond.close();
        mond = null;
        cluster.startLogd(0);
        awaitConnected(100);

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            writeAll(client, "a", 30);
            assertTrue(logdsHolding("a", 30).contains(100),
                "the restarted logd takes writes with mond down and its last view saying DOWN: " +
                    logdsHolding("a", 30));

            cluster.stopLogd(1);
            awaitConnectionLost(101);
            writeAll(client, "b", 30);
            assertEquals(Set.of(100, 102), logdsHolding("b", 30), "the two logds left hold every new record");
            readAll(client, "a", 30);
            readAll(client, "b", 30);
        }
        assertEquals(0, counter(MapdCounter.NOT_ENOUGH_REPLICAS));
    }

    /**
     * The sequence: logd A dies (mond marks it DOWN), comes back, and logd B dies at once. A writer writes
     * all along, SET and SETSAFE in turn, one at a time; none of its writes may answer NOT_ENOUGH_REPLICAS (A and C
     * are up), and every write must succeed: also a SETSAFE whose record a logd took and then died before forcing
     * it (the record goes to another logd, {@link SetSafeReappendTest}). Every acknowledged write reads back.
     */
    @Test
    void shouldNotAnswerNotEnoughReplicasWhenASecondLogdDiesRightAfterAnotherCameBack() throws Exception
    {
        startClusterAndMond(MapdConfig.DEFAULT_REQUEST_TIMEOUT_MS);
        final Map<Integer, MapdClient.Reply> failures = new ConcurrentHashMap<>();
        final AtomicInteger written = new AtomicInteger();
        final AtomicBoolean stopWriting = new AtomicBoolean();
        final List<Throwable> writerErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        final Thread writer = new Thread(() ->
        {
            try (MapdClient client = new MapdClient(mapd.port()))
            {
                for (int i = 0; !stopWriting.get(); i++)
                {
                    final MapdClient.Reply reply =
                        client.write(isSetSafe(i) ? Opcodes.SETSAFE : Opcodes.SET, "w" + i, bytes("v" + i));
                    if (reply.status() != StatusCodes.OK)
                    {
                        failures.put(i, reply);
                    }
                    written.set(i + 1);
                }
            }
            catch (final Exception | AssertionError e)
            {
                writerErrors.add(e);
            }
        }, "avail-writer");
        writer.start();
        try
        {
            for (int cycle = 0; cycle < CYCLES; cycle++)
            {
                final int a = cycle % 3;
                final int b = (cycle + 1) % 3;
                cluster.stopLogd(a);
                awaitMarkedDown(TestCluster.logdId(a), true, "cycle " + cycle + ": logd A (" +
                    TestCluster.logdId(a) + ") marked DOWN at the mapd");
                cluster.startLogd(a);
                cluster.stopLogd(b);
                final int before = written.get();
                Await.until("cycle " + cycle + ": " + WRITES_AFTER_KILL + " writes after logd B (" +
                    TestCluster.logdId(b) + ") died", AWAIT_MS,
                    () -> written.get() >= before + WRITES_AFTER_KILL || !writer.isAlive());

                cluster.startLogd(b);
                awaitConnected(TestCluster.logdId(b));
                // mond must see both back before the next cycle, or its view would not change (and not be pushed)
                // when the next cycle stops one of them again.
                Await.until("cycle " + cycle + ": every node UP in mond's view", AWAIT_MS,
                    () -> mond.info().contains("\nnodes_up:4\n"), () -> mond.info());
                awaitMarkedDown(TestCluster.logdId(a), false, "cycle " + cycle + ": logd A not marked down");
                awaitMarkedDown(TestCluster.logdId(b), false, "cycle " + cycle + ": logd B not marked down");
            }
        }
        finally
        {
            stopWriting.set(true);
            writer.join(AWAIT_MS);
        }
        final long notEnoughReplicas = failures.values().stream()
            .filter(reply -> reply.status() == StatusCodes.NOT_ENOUGH_REPLICAS).count();
        System.out.println("WriteAvailabilityTest: " + CYCLES + " cycles, " + written.get() + " writes, " +
            notEnoughReplicas + " NOT_ENOUGH_REPLICAS, " + failures.size() + " failed writes");
        assertEquals(List.of(), writerErrors);
        final List<String> unexpected = new ArrayList<>();
        for (final Map.Entry<Integer, MapdClient.Reply> failure : new TreeMap<>(failures).entrySet())
        {
            final MapdClient.Reply reply = failure.getValue();
            unexpected.add("w" + failure.getKey() + ": " + StatusCodes.name(reply.status()) + " " + reply.message());
        }
        assertEquals(List.of(), unexpected, unexpected.size() + " unexpected failed writes of " + written.get());
        assertEquals(notEnoughReplicas, counter(MapdCounter.NOT_ENOUGH_REPLICAS));

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            for (int i = 0; i < written.get(); i++)
            {
                if (failures.containsKey(i))
                {
                    continue;
                }
                final MapdClient.Reply read = client.get("w" + i);
                assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(read.status()), "w" + i);
                assertArrayEquals(bytes("v" + i), read.value(), "w" + i);
            }
        }
    }

    /**
     * mond's view says a logd the mapd is connected to is DOWN (as when mond alone lost sight of it), and another
     * logd dies: the logd marked DOWN takes the writes RF needs rather than the writes failing.
     */
    @Test
    void shouldWriteToALogdMondCallsDownWhenRfNeedsIt() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        mapd = cluster.startMapd(2);
        try (MondClient mond = new MondClient(mapd.port()); MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, mond.pushView(1, Map.of(100, ClusterView.NODE_DOWN, 101,
                ClusterView.NODE_UP, 102, ClusterView.NODE_UP)).status());
            writeAll(client, "a", 20);
            assertEquals(Set.of(101, 102), logdsHolding("a", 20), "the logd marked DOWN is avoided while it can be");

            cluster.stopLogd(1);
            awaitConnectionLost(101);
            writeAll(client, "b", 20);
            assertEquals(Set.of(100, 102), logdsHolding("b", 20), "and used when RF needs it");
            assertTrue(mapd.onDataPath(() -> mapd.node().logds().isMarkedDown(100)), "still marked DOWN");
        }
    }

    /**
     * RF 2 over 2 logds, one of them stopped: a write waits for it (INFO: writes_waiting_for_logds) instead of
     * failing, and succeeds on both logds once it is back.
     */
    @Test
    void shouldFinishAWriteThatWaitedForALogdToComeBack() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).logdWaitMs(AWAIT_MS), false);
        cluster.stopLogd(1);
        awaitConnectionLost(101);
        final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final java.util.concurrent.Future<MapdClient.Reply> write =
                background.submit(() -> client.setSafe("k0", bytes("waited")));
            Await.until("the write waits for a logd", AWAIT_MS,
                () -> mapd.onDataPath(() -> mapd.node().logds().waitingWrites()) == 1);
            assertEquals(1, counter(MapdCounter.WRITES_WAITED_FOR_LOGDS));
            assertTrue(!write.isDone(), "not answered while it waits");

            cluster.startLogd(1);
            final MapdClient.Reply reply = write.get(AWAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(reply.status()), reply.message());
            assertEquals(Set.of(100, 101), logdsHolding("k", 1));
            assertArrayEquals(bytes("waited"), client.get("k0").value());
            assertEquals(0, (int)mapd.onDataPath(() -> mapd.node().logds().waitingWrites()));
            assertEquals(1, counter(MapdCounter.WRITES_WAITED_FOR_LOGDS), "counted once");
            assertEquals(0, counter(MapdCounter.NOT_ENOUGH_REPLICAS));
        }
        finally
        {
            background.shutdownNow();
        }
    }

    /**
     * With fewer than RF logds up a write still fails with NOT_ENOUGH_REPLICAS, once its wait is over (and at once
     * with {@code --logd-wait-ms 0}), and changes nothing.
     */
    @Test
    void shouldAnswerNotEnoughReplicasOnceTheWaitIsOver() throws Exception
    {
        final long waitMs = 300;
        cluster = TestCluster.builder(root).logds(3).start();
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).logdWaitMs(waitMs), false);
        cluster.stopLogd(1);
        cluster.stopLogd(2);
        awaitConnectionLost(101);
        awaitConnectionLost(102);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final long startNs = System.nanoTime();
            final MapdClient.Reply refused = client.set("k", bytes("v"));
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            assertEquals(StatusCodes.name(StatusCodes.NOT_ENOUGH_REPLICAS), StatusCodes.name(refused.status()));
            assertTrue(refused.message().contains("1 of 3 logds connected, after waiting"), refused.message());
            assertTrue(tookMs >= waitMs, "answered after " + tookMs + " ms, before the " + waitMs + " ms wait");
            assertEquals(1, counter(MapdCounter.WRITES_WAITED_FOR_LOGDS));
            assertEquals(1, counter(MapdCounter.NOT_ENOUGH_REPLICAS));
            assertEquals(0, (int)mapd.onDataPath(() -> mapd.node().logds().waitingWrites()));
            assertEquals(StatusCodes.NOT_FOUND, client.get("k").status(), "a refused write changes nothing");
        }
        cluster.close();
        cluster = null;

        cluster = TestCluster.builder(root.resolve("no-wait")).logds(3).start();
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).logdWaitMs(0), false);
        cluster.stopLogd(1);
        cluster.stopLogd(2);
        awaitConnectionLost(101);
        awaitConnectionLost(102);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final MapdClient.Reply refused = client.set("k", bytes("v"));
            assertEquals(StatusCodes.name(StatusCodes.NOT_ENOUGH_REPLICAS), StatusCodes.name(refused.status()));
            assertTrue(!refused.message().contains("waiting"), refused.message());
            assertEquals(0, counter(MapdCounter.WRITES_WAITED_FOR_LOGDS), "--logd-wait-ms 0: no wait");
        }
    }

    private static boolean isSetSafe(final int i)
    {
        return (i & 1) == 1;
    }

    private void startClusterAndMond(final long requestTimeoutMs) throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).rf(2).requestTimeoutMs(requestTimeoutMs).start();
        mapd = cluster.startMapd(2);
        mond = MondServer.start(MondConfig.defaults(
            List.of(InetSocketAddress.createUnresolved(TestCluster.HOST, mapd.port())), unresolved(cluster)));
        Await.until("the mapd holds a view from mond with every logd UP", AWAIT_MS, () -> mapd.onDataPath(() ->
            mapd.node().clusterView().epoch() > 0 && !mapd.node().logds().isMarkedDown(100) &&
                !mapd.node().logds().isMarkedDown(101) && !mapd.node().logds().isMarkedDown(102) &&
                mapd.node().logds().readRank(100) + mapd.node().logds().readRank(101) +
                    mapd.node().logds().readRank(102) == 0));
    }

    private static List<InetSocketAddress> unresolved(final TestCluster cluster)
    {
        final List<InetSocketAddress> logds = new ArrayList<>();
        for (final int port : cluster.logdPorts())
        {
            logds.add(InetSocketAddress.createUnresolved(TestCluster.HOST, port));
        }
        return logds;
    }

    private void awaitMarkedDown(final int logdId, final boolean down, final String what) throws Exception
    {
        Await.until(what, AWAIT_MS, () -> mapd.onDataPath(() -> mapd.node().logds().isMarkedDown(logdId) == down));
    }

    private void awaitConnected(final int logdId) throws Exception
    {
        Await.until("the mapd connected to logd " + logdId, AWAIT_MS,
            () -> mapd.onDataPath(() -> mapd.node().logds().byNodeId(logdId) != null));
    }

    private void awaitConnectionLost(final int logdId) throws Exception
    {
        Await.until("the mapd lost its connection to logd " + logdId, AWAIT_MS,
            () -> mapd.onDataPath(() -> mapd.node().logds().byNodeId(logdId) == null));
    }

    private long counter(final MapdCounter counter) throws Exception
    {
        return mapd.onDataPath(() -> mapd.counters().get(counter));
    }

    private static void writeAll(final MapdClient client, final String prefix, final int count) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            final MapdClient.Reply reply = client.setSafe(prefix + i, bytes(prefix + "-value-" + i));
            assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(reply.status()),
                prefix + i + ": " + reply.message());
        }
    }

    private static void readAll(final MapdClient client, final String prefix, final int count) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            assertArrayEquals(bytes(prefix + "-value-" + i), client.get(prefix + i).value(), prefix + i);
        }
    }

    private Set<Integer> logdsHolding(final String prefix, final int count)
    {
        final Set<Integer> logds = new HashSet<>();
        final GridEntry entry = new GridEntry();
        for (int i = 0; i < count; i++)
        {
            assertTrue(GridKeys.get(mapd.grid(), bytes(prefix + i), entry), prefix + i);
            for (int r = 0; r < entry.replicaCount(); r++)
            {
                logds.add(entry.logdId(r));
            }
        }
        return logds;
    }
}
