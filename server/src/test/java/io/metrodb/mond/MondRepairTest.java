package io.metrodb.mond;

import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.testing.OncePerSuite;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mond finding and repairing bad replicas in a real cluster (3 logds, 3 peer mapds, RF 2), checked by reading
 * every replica of every key straight from the logds, through every mapd's grid.
 */
class MondRepairTest
{
    /** Generous: the test waits for each event, however slowly a loaded 2-core machine gets there. */
    private static final long AWAIT_MS = 60_000;
    /** For all the keys to be repaired, at the configured rates, on a loaded machine. */
    private static final long REPAIRED_MS = 120_000;
    /** mond's wall-clock times are its start time plus monotonic time: allow for the two clocks drifting. */
    private static final long CLOCK_SLACK_MS = 100;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MondServer mond;

    /** Heavy, and depends on no JDK feature the later passes' other tests do not exercise. */
    @BeforeAll
    static void oncePerSuite()
    {
        OncePerSuite.assume("MondRepairTest");
    }

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

    static Map<String, byte[]> entries(final int count, final String prefix)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] value = new byte[64 + (i * 131) % 1500];
            for (int b = 0; b < value.length; b++)
            {
                value[b] = (byte)(i * 31 + b * 7);
            }
            entries.put(prefix + i, value);
        }
        return entries;
    }

    private void write(final Map<String, byte[]> entries) throws Exception
    {
        try (MapdClient client = new MapdClient(cluster.mapdPorts()[0]))
        {
            assertEquals(List.of(), MapdClient.failures(client.setAll(Opcodes.SETSAFE, entries)));
        }
        // Every mapd holds every key before the test looks at replicas through each of them.
        for (final int port : cluster.mapdPorts())
        {
            Await.until("mapd " + port + " has every key", AWAIT_MS,
                () -> Replicas.dump(port).size() == entries.size());
        }
    }

    private void startMond(final MondConfig config) throws Exception
    {
        mond = MondServer.start(config);
        Await.until("every node UP", AWAIT_MS,
            () -> MondTestClient.allUp(MondTestClient.view(mond.port()), 6),
            () -> MondTestClient.view(mond.port()).toString());
    }

    private void awaitEveryKeyAtRf(final long timeoutMs, final int... deadLogds) throws Exception
    {
        final Map<Integer, Integer> live = cluster.logdPortsById(deadLogds);
        for (final int port : cluster.mapdPorts())
        {
            final long ms = Await.until("every key at RF on good replicas through mapd " + port, timeoutMs,
                () -> Replicas.problems(port, live, TestCluster.DEFAULT_RF).isEmpty(), () ->
                {
                    final List<String> problems = Replicas.problems(port, live, TestCluster.DEFAULT_RF);
                    return problems.size() + " keys short, e.g. " + problems.subList(0, Math.min(5, problems.size())) +
                        "\n" + mond.info();
                });
            System.out.println("every key at RF through mapd " + port + " after " + ms + " ms more");
        }
    }

    private void assertEveryValueReadsBack(final Map<String, byte[]> entries) throws Exception
    {
        for (final int port : cluster.mapdPorts())
        {
            try (MapdClient client = new MapdClient(port))
            {
                final Map<String, MapdClient.Reply> replies = client.getAll(new ArrayList<>(entries.keySet()));
                entries.forEach((key, value) ->
                {
                    assertEquals(StatusCodes.OK, replies.get(key).status(), key);
                    assertArrayEquals(value, replies.get(key).value(), key);
                });
            }
        }
    }

    @Test
    void shouldFindFlippedBytesAndRepairThemBackToRf() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final Map<String, byte[]> entries = entries(400, "flip-");
        write(entries);

        final int victim = 1;
        final int victimId = TestCluster.logdId(victim);
        final List<Replicas.Entry> flipped = new ArrayList<>();
        for (final Replicas.Entry entry : Replicas.dump(cluster.mapdPorts()[0]).values())
        {
            for (final Replicas.Replica replica : entry.replicas())
            {
                if (replica.logdId() == victimId && flipped.size() < 30)
                {
                    Replicas.flipValueByte(cluster.logdDir(victim), TestCluster.SEGMENT_LENGTH, entry, replica);
                    flipped.add(entry);
                }
            }
        }
        assertEquals(30, flipped.size());
        final int shortBefore =
            Replicas.problems(cluster.mapdPorts()[0], cluster.logdPortsById(), TestCluster.DEFAULT_RF).size();
        assertEquals(30, shortBefore, "the replica checker sees the flipped replicas");

        // Started after the check: a mond already scrubbing could repair some before the test counts them.
        startMond(cluster.mondConfig().withRates(200, 2_000, 500));
        awaitEveryKeyAtRf(REPAIRED_MS);
        final Map<String, Replicas.Entry> after = Replicas.dump(cluster.mapdPorts()[0]);
        for (final Replicas.Entry entry : flipped)
        {
            final Replicas.Entry repaired = after.get(entry.key());
            assertEquals(entry.version(), repaired.version(), "a repair keeps the version");
            assertTrue(repaired.replicas().stream().noneMatch(r -> entry.replicas().contains(r) &&
                r.logdId() == victimId), "the flipped replica is gone from " + repaired);
        }
        assertEveryValueReadsBack(entries);

        final Map<String, String> info = MondTestClient.info(mond.port());
        System.out.println(info);
        assertTrue(MondTestClient.infoLong(info, "bad_replicas_found") >= 30, "found: " + info);
        assertTrue(MondTestClient.infoLong(info, "repairs_done") >= 30, "done: " + info);
        assertTrue(MondTestClient.infoLong(info, "keys_checked") >= 400, "checked: " + info);
        final MondTestClient.View view = MondTestClient.view(mond.port());
        assertTrue(view.repairsDone() >= 30 && view.badReplicas() >= 30, "the view's counters: " + view);
    }

    @Test
    void shouldRestoreRfAfterALogdIsWipedWhileEveryReadSucceeds() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final Map<String, byte[]> entries = entries(600, "wipe-");
        write(entries);
        final long graceMs = 2_000;
        startMond(cluster.mondConfig().withRepairGraceMs(graceMs));
        final MondTestClient.View before = MondTestClient.view(mond.port());
        assertEquals(0, before.repairsDone(), "nothing to repair yet: " + before);

        final int victim = 2;
        final int victimId = TestCluster.logdId(victim);
        final long onVictim = Replicas.dump(cluster.mapdPorts()[0]).values().stream()
            .filter(e -> e.replicas().stream().anyMatch(r -> r.logdId() == victimId)).count();
        assertTrue(onVictim > 100, "keys with a replica on the victim: " + onVictim);

        final Reader reader = new Reader(cluster.mapdPorts()[1], entries);
        reader.start();
        try
        {
            Await.until("the reader is reading", AWAIT_MS, () -> reader.rounds.get() > 2);
            cluster.stopLogd(victim);
            deleteRecursively(cluster.logdDir(victim));
            // Every view mond serves is one snapshot of its state: whenever one shows a repair done, the victim
            // must have been DOWN for the whole grace period by then, however late the test looks.
            final long downMs = Await.until("logd " + victimId + " DOWN", AWAIT_MS,
                () -> repairedOnlyAfterGrace(victimId, graceMs).byId(victimId).state() == ClusterView.NODE_DOWN);
            System.out.println("wiped logd DOWN after " + downMs + " ms");
            final long repairingMs = Await.until("repairs begin once the grace period is over", AWAIT_MS,
                () -> repairedOnlyAfterGrace(victimId, graceMs).repairsDone() > 0,
                () -> mond.info());
            System.out.println("first repair seen " + repairingMs + " ms after the test saw DOWN (grace " + graceMs +
                " ms)");

            awaitEveryKeyAtRf(REPAIRED_MS, victim);
            Await.until("the reader did a round after the repairs", AWAIT_MS,
                () -> reader.rounds.get() > 1 + reader.mark());
        }
        finally
        {
            reader.stop();
        }
        assertEquals(List.of(), new ArrayList<>(reader.failures), "no GET failed while the logd was lost and repaired");
        System.out.println("reader: " + reader.rounds.get() + " rounds of " + entries.size() + " GETs, no failure");

        final Map<String, String> info = MondTestClient.info(mond.port());
        System.out.println(info);
        assertTrue(MondTestClient.infoLong(info, "repairs_done") >= onVictim, "done: " + info);
        assertTrue(MondTestClient.infoLong(info, "sweeps_started") >= 1, "a sweep followed the grace period");
        for (final Replicas.Entry entry : Replicas.dump(cluster.mapdPorts()[0]).values())
        {
            assertTrue(entry.replicas().stream().noneMatch(r -> r.logdId() == victimId), "moved off: " + entry);
        }
        assertEveryValueReadsBack(entries);
    }

    @Test
    void shouldLeaveTheReplicasOfALogdBackWithinTheGracePeriod() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final Map<String, byte[]> entries = entries(300, "grace-");
        write(entries);
        // A grace period far beyond every wait below: the logd is back within it however slow the machine is.
        startMond(cluster.mondConfig().withRepairGraceMs(3_600_000).withRates(1_000, 2_000, 500));
        final Map<String, Replicas.Entry> before = Replicas.dump(cluster.mapdPorts()[0]);

        final int victim = 0;
        final int victimId = TestCluster.logdId(victim);
        cluster.stopLogd(victim);
        Await.until("logd " + victimId + " DOWN", AWAIT_MS,
            () -> MondTestClient.view(mond.port()).byId(victimId).state() == ClusterView.NODE_DOWN);
        Await.until("probes found replicas on the DOWN logd", AWAIT_MS,
            () -> MondTestClient.infoLong(MondTestClient.info(mond.port()), "repairs_pending") > 0,
            () -> MondTestClient.info(mond.port()).toString());

        cluster.startLogd(victim);
        Await.until("logd " + victimId + " UP again", AWAIT_MS,
            () -> MondTestClient.view(mond.port()).byId(victimId).state() == ClusterView.NODE_UP,
            () -> mond.info());
        final Map<String, String> info = MondTestClient.info(mond.port());
        System.out.println(info);
        assertEquals(0, MondTestClient.infoLong(info, "repairs_pending"), "dropped when it came back");
        assertTrue(MondTestClient.infoLong(info, "repairs_cancelled") > 0);
        assertEquals(0, MondTestClient.infoLong(info, "repairs_sent"), "nothing was re-replicated");
        assertEquals(before, Replicas.dump(cluster.mapdPorts()[0]), "every replica list as it was");
        awaitEveryKeyAtRf(AWAIT_MS);
    }

    /**
     * Reads mond's view and fails if it shows a repair done before the victim had been DOWN for the grace period
     * (only the victim's replicas need repair in the test that calls this).
     *
     * @return the view.
     */
    private MondTestClient.View repairedOnlyAfterGrace(final int victimId, final long graceMs) throws Exception
    {
        final MondTestClient.View view = MondTestClient.view(mond.port());
        final long readMs = System.currentTimeMillis();
        if (view.repairsDone() > 0)
        {
            final MondTestClient.Node victim = view.byId(victimId);
            assertEquals(ClusterView.NODE_DOWN, victim.state(), "repairs while the victim is not DOWN: " + view);
            assertTrue(readMs - victim.sinceMs() >= graceMs - CLOCK_SLACK_MS, "repairs done " +
                (readMs - victim.sinceMs()) + " ms after DOWN at the latest, within the grace period of " + graceMs +
                " ms: " + view);
        }
        return view;
    }

    static void deleteRecursively(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }

    /**
     * GETs every key in a loop, in pipelined batches, and keeps what failed.
     */
    static final class Reader
    {
        final AtomicLong rounds = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final int port;
        private final Map<String, byte[]> entries;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private volatile long mark;

        Reader(final int port, final Map<String, byte[]> entries)
        {
            this.port = port;
            this.entries = entries;
            this.thread = new Thread(this::run, "reader");
        }

        void start()
        {
            thread.start();
        }

        /**
         * @return the rounds done when first asked (later calls return the same).
         */
        long mark()
        {
            if (mark == 0)
            {
                mark = rounds.get();
            }
            return mark;
        }

        private void run()
        {
            final List<String> keys = new ArrayList<>(entries.keySet());
            try (MapdClient client = new MapdClient(port))
            {
                while (running.get())
                {
                    for (int from = 0; from < keys.size(); from += 100)
                    {
                        final Map<String, MapdClient.Reply> replies =
                            client.getAll(keys.subList(from, Math.min(keys.size(), from + 100)));
                        replies.forEach((key, reply) ->
                        {
                            if (reply.status() != StatusCodes.OK)
                            {
                                failures.add(key + "=" + StatusCodes.name(reply.status()));
                            }
                            else if (!Arrays.equals(entries.get(key), reply.value()))
                            {
                                failures.add(key + ": wrong bytes");
                            }
                        });
                    }
                    rounds.incrementAndGet();
                }
            }
            catch (final IOException | RuntimeException | AssertionError e)
            {
                failures.add("reader failed: " + e);
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            thread.join(30_000);
        }
    }
}
