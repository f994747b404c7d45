package io.metrodb.mond;

import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.OncePerSuite;
import io.metrodb.testing.Await;
import io.metrodb.testing.DaemonProcess;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mond holds no data: killing and restarting it (a real process) under write load disturbs no client, and the
 * restarted mond's view replaces the old one at the mapds; two monds side by side are safe. Once per suite: mond's
 * restarts depend on no JDK feature, so bin/verify's later JDK passes ({@code -Dmetrodb.test.secondPass=true}) skip
 * these four process-level runs.
 */
class MondRestartIT
{
    /** Generous: the test waits for each event, however slowly a loaded 2-core machine gets there. */
    private static final long AWAIT_MS = 60_000;
    /** For all the keys to be repaired, at the configured rates, on a loaded machine. */
    private static final long REPAIRED_MS = 120_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private DaemonProcess mondProcess;
    private final List<MondServer> monds = new ArrayList<>();

    @BeforeAll
    static void oncePerSuite()
    {
        OncePerSuite.assume("MondRestartIT");
    }

    @AfterEach
    void stop() throws Exception
    {
        if (mondProcess != null)
        {
            mondProcess.close();
        }
        for (final MondServer mond : monds)
        {
            mond.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private DaemonProcess startMondProcess(final int port) throws Exception
    {
        return DaemonProcess.start("mond", root.resolve("logs"), "mond", "--port", Integer.toString(port),
            "--mapds", cluster.mapdList(), "--logds", cluster.logdList(), "--repair-grace-ms", "5000");
    }

    private static long mapdEpoch(final int port) throws IOException
    {
        return MondTestClient.view(port).epoch();
    }

    private void awaitMapdsHold(final int mondPort, final String what) throws Exception
    {
        Await.until("every node UP at mond (" + what + ")", AWAIT_MS,
            () -> MondTestClient.allUp(MondTestClient.view(mondPort), 6),
            () -> MondTestClient.view(mondPort).toString());
        for (final int port : cluster.mapdPorts())
        {
            Await.until("mapd " + port + " holds mond's view (" + what + ")", AWAIT_MS,
                () -> mapdEpoch(port) == MondTestClient.view(mondPort).epoch() &&
                    MondTestClient.allUp(MondTestClient.view(port), 6),
                () -> MondTestClient.view(port) + " vs " + MondTestClient.view(mondPort));
        }
    }

    @Test
    void shouldDisturbNoClientWhenMondIsKilledAndRestartedUnderWrites() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final int mondPort = freePort();
        mondProcess = startMondProcess(mondPort);
        awaitMapdsHold(mondPort, "first mond");

        final Writers writers = new Writers(cluster.mapdPorts());
        writers.start();
        try
        {
            Await.until("writers writing", AWAIT_MS, () -> writers.acknowledged.get() > 500);
            mondProcess.kill();
            mondProcess = null;
            // The whole view, not only its epoch: a heartbeat missed on a loaded machine may have made the last
            // push before the kill show a node SUSPECT, and the mapd must keep that one as it is too.
            final List<MondTestClient.View> held = new ArrayList<>();
            for (final int port : cluster.mapdPorts())
            {
                held.add(MondTestClient.view(port));
            }
            final long firstEpoch = held.stream().mapToLong(MondTestClient.View::epoch).max().orElseThrow();
            final long whileDead = writers.acknowledged.get();
            Await.until("writes go on without mond", AWAIT_MS, () -> writers.acknowledged.get() > whileDead + 2_000);
            for (int i = 0; i < held.size(); i++)
            {
                assertEquals(held.get(i), MondTestClient.view(cluster.mapdPorts()[i]),
                    "a mapd keeps the last view it got");
            }

            mondProcess = startMondProcess(mondPort);
            awaitMapdsHold(mondPort, "restarted mond");
            final long secondEpoch = MondTestClient.view(mondPort).epoch();
            assertTrue(secondEpoch > firstEpoch, "the restarted mond's epoch " + secondEpoch + " is above " + firstEpoch);
            final long afterRestart = writers.acknowledged.get();
            Await.until("writes go on after the restart", AWAIT_MS,
                () -> writers.acknowledged.get() > afterRestart + 2_000);

            assertEquals(143, mondProcess.stop(), "SIGTERM: a clean stop");
            mondProcess = startMondProcess(mondPort);
            awaitMapdsHold(mondPort, "mond after SIGTERM");
            assertTrue(MondTestClient.view(mondPort).epoch() > secondEpoch);
            final long afterSecondRestart = writers.acknowledged.get();
            Await.until("writes go on", AWAIT_MS, () -> writers.acknowledged.get() > afterSecondRestart + 1_000);
        }
        finally
        {
            writers.stop();
        }
        assertEquals(List.of(), new ArrayList<>(writers.failures), "no client error");
        System.out.println(writers.acknowledged.get() + " writes acknowledged across 2 mond restarts, no error");

        try (MapdClient client = new MapdClient(cluster.mapdPorts()[2]))
        {
            final List<String> keys = new ArrayList<>(writers.written.keySet());
            for (int from = 0; from < keys.size(); from += 500)
            {
                final List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
                final Map<String, MapdClient.Reply> replies = client.getAll(batch);
                for (final String key : batch)
                {
                    final MapdClient.Reply reply = replies.get(key);
                    if (reply.status() == StatusCodes.OK)
                    {
                        assertArrayEquals(writers.written.get(key), reply.value(), key);
                    }
                    else
                    {
                        // SET is answered before the peers have it: allow for replication, then read again.
                        Await.until(key + " replicated to the third mapd", AWAIT_MS, () ->
                        {
                            try (MapdClient again = new MapdClient(cluster.mapdPorts()[2]))
                            {
                                return again.getAll(List.of(key)).get(key).status() == StatusCodes.OK;
                            }
                        });
                    }
                }
            }
        }
    }

    @Test
    void shouldRunTwoMondsSideBySide() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final Map<String, byte[]> entries = MondRepairTest.entries(200, "two-");
        try (MapdClient client = new MapdClient(cluster.mapdPorts()[0]))
        {
            assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SETSAFE, entries)));
        }
        for (final int port : cluster.mapdPorts())
        {
            Await.until("mapd " + port + " has every key", AWAIT_MS,
                () -> Replicas.dump(port).size() == entries.size());
        }
        final MondServer a = MondServer.start(cluster.mondConfig().withRates(500, 2_000, 500));
        monds.add(a);
        final MondServer b = MondServer.start(cluster.mondConfig().withRates(500, 2_000, 500));
        monds.add(b);
        for (final MondServer mond : monds)
        {
            Await.until("every node UP at mond " + mond.port(), AWAIT_MS,
                () -> MondTestClient.allUp(MondTestClient.view(mond.port()), 6));
        }
        // No epoch ping-pong between the two monds: a mapd takes a new view only when a mond saw a change (a
        // heartbeat missed on a loaded machine is one), never because the other mond pushed. Counted so that no
        // push in flight can be miscounted, however slowly it travels: changes are read before the newest epoch,
        // and the mapds hold that epoch before their count is taken; so every view a mapd applies later has a
        // higher epoch, made by a change counted after changesBefore. At the end, applied views are read first.
        final long changesBefore = viewChanges(a) + viewChanges(b);
        final long newest = Math.max(MondTestClient.view(a.port()).epoch(), MondTestClient.view(b.port()).epoch());
        for (final int port : cluster.mapdPorts())
        {
            Await.until("mapd " + port + " holds the newest view", AWAIT_MS, () -> mapdEpoch(port) >= newest,
                () -> mapdEpoch(port) + " vs " + newest);
        }
        final long[] appliedBefore = new long[cluster.mapdPorts().length];
        for (int i = 0; i < appliedBefore.length; i++)
        {
            appliedBefore[i] = viewsApplied(cluster.mapdPorts()[i]);
        }
        final long heartbeats = MondTestClient.infoLong(MondTestClient.info(a.port()), "heartbeats_answered");
        Await.until("20 more heartbeat rounds", AWAIT_MS,
            () -> MondTestClient.infoLong(MondTestClient.info(a.port()), "heartbeats_answered") > heartbeats + 20 * 6);
        final long[] appliedAfter = new long[cluster.mapdPorts().length];
        for (int i = 0; i < appliedAfter.length; i++)
        {
            appliedAfter[i] = viewsApplied(cluster.mapdPorts()[i]);
        }
        final long changes = viewChanges(a) + viewChanges(b) - changesBefore;
        for (int i = 0; i < appliedBefore.length; i++)
        {
            final long applied = appliedAfter[i] - appliedBefore[i];
            System.out.println("mapd " + cluster.mapdPorts()[i] + " took " + applied +
                " views over 20 heartbeat rounds; " +
                "the monds made " + changes);
            assertTrue(applied <= changes, "views applied " + applied + " <= view changes " + changes);
        }

        // Both monds find the same bad replicas and ask for the same repairs: REPAIR is idempotent.
        int flipped = 0;
        for (final Replicas.Entry entry : Replicas.dump(cluster.mapdPorts()[0]).values())
        {
            final Replicas.Replica replica = entry.replicas().get(0);
            if (flipped < 20)
            {
                Replicas.flipValueByte(cluster.logdDir(replica.logdId() - TestCluster.FIRST_LOGD_ID),
                    TestCluster.SEGMENT_LENGTH, entry, replica);
                flipped++;
            }
        }
        final Map<Integer, Integer> live = cluster.logdPortsById();
        for (final int port : cluster.mapdPorts())
        {
            Await.until("every key at RF through mapd " + port, REPAIRED_MS,
                () -> Replicas.problems(port, live, TestCluster.DEFAULT_RF).isEmpty(),
                () -> Replicas.problems(port, live, TestCluster.DEFAULT_RF).toString());
        }
        final long done = MondTestClient.infoLong(MondTestClient.info(a.port()), "repairs_done") +
            MondTestClient.infoLong(MondTestClient.info(b.port()), "repairs_done");
        System.out.println("two monds: " + done + " REPAIRs answered OK for 20 flipped replicas");
        assertTrue(done >= 20);
        for (final Replicas.Entry entry : Replicas.dump(cluster.mapdPorts()[0]).values())
        {
            assertEquals(TestCluster.DEFAULT_RF, entry.replicas().size(), "exactly RF replicas, never more: " + entry);
        }
    }

    @Test
    void shouldRepairALogdThatDiedUnderThePreviousMond() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final Map<String, byte[]> entries = MondRepairTest.entries(300, "prev-");
        writeEverywhere(entries);
        final MondServer first = MondServer.start(cluster.mondConfig().withRepairGraceMs(600_000));
        monds.add(first);
        Await.until("every node UP", AWAIT_MS,
            () -> MondTestClient.allUp(MondTestClient.view(first.port()), 6));
        final int victimId = TestCluster.logdId(2);
        cluster.stopLogd(2);
        MondRepairTest.deleteRecursively(cluster.logdDir(2));
        for (final int port : cluster.mapdPorts())
        {
            Await.until("mapd " + port + " holds logd " + victimId + " DOWN", AWAIT_MS,
                () -> MondTestClient.view(port).byId(victimId).state() == io.metrodb.protocol.mond.ClusterView.NODE_DOWN);
        }
        first.close();
        monds.remove(first);

        // The new mond never reaches the dead logd: it learns its id from the views the mapds hold.
        final MondServer second = MondServer.start(cluster.mondConfig().withRepairGraceMs(1_000));
        monds.add(second);
        Await.until("the new mond has logd " + victimId + " DOWN", AWAIT_MS, () ->
        {
            final MondTestClient.Node node = MondTestClient.view(second.port()).byPort(cluster.logdPorts()[2]);
            return node.id() == victimId && node.state() == io.metrodb.protocol.mond.ClusterView.NODE_DOWN;
        }, () -> MondTestClient.view(second.port()).toString());
        awaitAtRfWithout(2, second);
    }

    @Test
    void shouldRepairReplicasOnALogdNoOneKnows() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final Map<String, byte[]> entries = MondRepairTest.entries(300, "lost-");
        writeEverywhere(entries);
        // Lost before any mond ran: no view names it, so its id is unknown to mond (0 in its view).
        cluster.stopLogd(2);
        MondRepairTest.deleteRecursively(cluster.logdDir(2));
        final MondServer mond = MondServer.start(cluster.mondConfig().withRepairGraceMs(1_000));
        monds.add(mond);
        Await.until("logd at port " + cluster.logdPorts()[2] + " DOWN, id unknown", AWAIT_MS, () ->
        {
            final MondTestClient.Node node = MondTestClient.view(mond.port()).byPort(cluster.logdPorts()[2]);
            return node.id() == 0 && node.state() == io.metrodb.protocol.mond.ClusterView.NODE_DOWN;
        });
        awaitAtRfWithout(2, mond);
    }

    private void writeEverywhere(final Map<String, byte[]> entries) throws Exception
    {
        try (MapdClient client = new MapdClient(cluster.mapdPorts()[0]))
        {
            assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SETSAFE, entries)));
        }
        for (final int port : cluster.mapdPorts())
        {
            Await.until("mapd " + port + " has every key", AWAIT_MS,
                () -> Replicas.dump(port).size() == entries.size());
        }
    }

    private void awaitAtRfWithout(final int deadLogd, final MondServer mond) throws Exception
    {
        final Map<Integer, Integer> live = cluster.logdPortsById(deadLogd);
        for (final int port : cluster.mapdPorts())
        {
            final long ms = Await.until("every key at RF without logd " + TestCluster.logdId(deadLogd) + " via mapd " +
                port, REPAIRED_MS, () -> Replicas.problems(port, live, TestCluster.DEFAULT_RF).isEmpty(),
                () -> Replicas.problems(port, live, TestCluster.DEFAULT_RF).size() + " short\n" + mond.info());
            System.out.println("every key at RF without the lost logd through mapd " + port + " after " + ms + " ms");
        }
    }

    private static long viewChanges(final MondServer mond) throws IOException
    {
        return MondTestClient.infoLong(MondTestClient.info(mond.port()), "view_changes");
    }

    private static long viewsApplied(final int mapdPort) throws IOException
    {
        return MondTestClient.infoLong(MondTestClient.info(mapdPort), "cluster_views_applied");
    }

    private static int freePort() throws IOException
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
            java.net.InetAddress.getByName(TestCluster.HOST)))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * One writer thread per mapd, SETting new keys in pipelined batches; keeps every acknowledged value and every
     * failure.
     */
    static final class Writers
    {
        final AtomicLong acknowledged = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final Map<String, byte[]> written = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Writers(final int[] mapdPorts)
        {
            for (int i = 0; i < 2; i++)
            {
                final int port = mapdPorts[i];
                final String prefix = "w" + i + "-";
                threads.add(new Thread(() -> run(port, prefix), "writer-" + i));
            }
        }

        void start()
        {
            threads.forEach(Thread::start);
        }

        private void run(final int port, final String prefix)
        {
            long n = 0;
            try (MapdClient client = new MapdClient(port))
            {
                while (running.get())
                {
                    final Map<String, byte[]> batch = new LinkedHashMap<>();
                    for (int i = 0; i < 50; i++, n++)
                    {
                        batch.put(prefix + n, MapdClient.bytes("value " + n + " of " + prefix));
                    }
                    client.setAll(Opcodes.SET, batch).forEach((key, reply) ->
                    {
                        if (reply.status() == StatusCodes.OK)
                        {
                            written.put(key, batch.get(key));
                            acknowledged.incrementAndGet();
                        }
                        else
                        {
                            failures.add(key + "=" + StatusCodes.name(reply.status()));
                        }
                    });
                }
            }
            catch (final IOException | RuntimeException | AssertionError e)
            {
                failures.add(prefix + " writer failed: " + e);
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            for (final Thread thread : threads)
            {
                thread.join(30_000);
            }
        }
    }
}
