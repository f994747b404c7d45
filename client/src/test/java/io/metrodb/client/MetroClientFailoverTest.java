package io.metrodb.client;

import io.metrodb.protocol.testing.TestSeed;
import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mapd is killed while clients keep thousands of calls in flight: no call hangs, every read succeeds (moved to
 * a surviving mapd), only writes in flight on the killed mapd fail (with a typed exception), every acknowledged
 * write reads back afterwards, and the cluster serves afterwards.
 */
class MetroClientFailoverTest
{
    private static final long TIMEOUT_MS = 10_000;
    /** A call must complete within about twice the timeout; more is a hang. */
    private static final long HANG_MS = 2 * TIMEOUT_MS + 20_000;
    private static final int PRELOADED = 300;
    private static final int THREADS = 4;
    private static final int BURST = 50;
    private static final int KILLED = 0;

    @RegisterExtension
    final TestSeed testSeed = new TestSeed("client.failover.seed");

    @TempDir
    Path root;

    private TestCluster cluster;
    private final AtomicLong killedAtNs = new AtomicLong(Long.MAX_VALUE);

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldFailOverWhenAMapdDiesUnderLoad() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).firstMapdId(1)
            .requestTimeoutMs(10_000).peerTimeoutMs(10_000).awaitPeers(true).start();
        final long seed = testSeed.value();
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try (MetroClient plain = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(TIMEOUT_MS).build();
            MetroClient retrying = MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(TIMEOUT_MS)
                .retryWrites(true).connectionsPerNode(2).build())
        {
            for (int i = 0; i < PRELOADED; i++)
            {
                plain.setSafe("pre:" + i, "v-" + i);
            }

            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong completed = new AtomicLong();
            final List<Future<?>> workers = new ArrayList<>();
            // Every key is written once: key -> value of each acknowledged write, and of each failed one (which may
            // or may not have been applied), with the round it failed in per thread.
            final Map<String, String> acknowledged = new ConcurrentHashMap<>();
            final Map<String, String> failed = new ConcurrentHashMap<>();
            final Map<Integer, Set<Long>> failedRounds = new ConcurrentHashMap<>();
            final AtomicLong takenByKilled = new AtomicLong();
            for (int t = 0; t < THREADS; t++)
            {
                final MetroClient client = t % 2 == 0 ? plain : retrying;
                final SplittableRandom random = new SplittableRandom(seed + t);
                final int thread = t;
                workers.add(executor.submit(() ->
                {
                    long round = 0;
                    while (!stop.get())
                    {
                        final List<CompletableFuture<String>> reads = new ArrayList<>(BURST);
                        final List<Integer> readKeys = new ArrayList<>(BURST);
                        final List<CompletableFuture<WriteResult>> writes = new ArrayList<>(BURST);
                        for (int i = 0; i < BURST; i++)
                        {
                            final int key = random.nextInt(PRELOADED);
                            readKeys.add(key);
                            reads.add(client.getAsync("pre:" + key));
                            writes.add(client.setAsync(writeKey(thread, round, i), "v" + round + "-" + i));
                        }
                        for (int i = 0; i < BURST; i++)
                        {
                            assertEquals("v-" + readKeys.get(i), await(reads.get(i)), "read of pre:" + readKeys.get(i));
                            completed.incrementAndGet();
                            final String key = writeKey(thread, round, i);
                            final Object outcome = writeOutcome(writes.get(i));
                            if (outcome instanceof MetroException)
                            {
                                final long sinceKillNs = System.nanoTime() - killedAtNs.get();
                                assertTrue(killedAtNs.get() != Long.MAX_VALUE, "a write of " + key +
                                    " failed before the kill: " + outcome);
                                failed.put(key, "v" + round + "-" + i);
                                failedRounds.computeIfAbsent(thread, k -> ConcurrentHashMap.newKeySet()).add(round);
                                System.out.println(key + " failed, seen " + sinceKillNs / 1_000_000 +
                                    " ms after the kill: " + outcome);
                            }
                            else
                            {
                                acknowledged.put(key, "v" + round + "-" + i);
                                if (((WriteResult)outcome).versionNode() == KILLED + 1)
                                {
                                    takenByKilled.incrementAndGet();
                                }
                            }
                            completed.incrementAndGet();
                        }
                        round++;
                    }
                    return null;
                }));
            }

            Await.until("load running", 30_000, () -> completed.get() >= 4_000);
            final long atKill = completed.get();
            killedAtNs.set(System.nanoTime());
            cluster.stopMapd(KILLED);
            Await.until("load after the kill", 30_000, () -> completed.get() >= atKill + 4_000);
            stop.set(true);
            for (final Future<?> worker : workers)
            {
                try
                {
                    worker.get(HANG_MS * 2, TimeUnit.MILLISECONDS);
                }
                catch (final ExecutionException e)
                {
                    throw new AssertionError("worker failed", e.getCause());
                }
            }
            System.out.println("completed " + completed.get() + ", retries " + (plain.retries() + retrying.retries()) +
                ", acknowledged writes " + acknowledged.size() + " (" + takenByKilled.get() + " by the killed mapd)" +
                ", failed writes " + failed.size() + " in rounds " + failedRounds);

            // Only writes in flight on the killed mapd when it died may fail: a write refused or never sent moves to
            // another mapd, and one lost in flight is retried there by the retrying client. A key's calls go to its
            // home mapd, and a worker has one burst in flight at a time (it waits for the whole burst before the
            // next), so what was in flight there when it died, hence the bound on failed writes, is per worker the
            // keys of one burst that are homed at the killed mapd (a burst that fails is the last sent there).
            failed.keySet().forEach(key -> assertEquals(KILLED, homeOf(key),
                "a write failed whose key is not homed at the killed mapd: " + key + ", seed " + seed));
            failedRounds.forEach((thread, rounds) -> assertEquals(1, rounds.size(),
                "writes of thread " + thread + " failed in more than one burst: rounds " + rounds + ", seed " + seed));

            // Every acknowledged write is read back through the client from the surviving mapds, those the killed
            // mapd acknowledged before it died too; a failed write is either applied or not, nothing else.
            assertTrue(takenByKilled.get() > 0, "no acknowledged write was taken by the killed mapd");
            final Map<String, String> read = plain.getAllStrings(acknowledged.keySet());
            acknowledged.forEach((key, value) -> assertEquals(value, read.get(key),
                "acknowledged write of " + key + " read back, seed " + seed));
            final Map<String, String> readFailed = plain.getAllStrings(failed.keySet());
            failed.forEach((key, value) -> assertTrue(readFailed.get(key) == null || value.equals(readFailed.get(key)),
                "failed write of " + key + " reads " + readFailed.get(key) + ", seed " + seed));

            // The survivors serve every operation, from both clients.
            for (final MetroClient client : List.of(plain, retrying))
            {
                for (int i = 0; i < 100; i++)
                {
                    client.set("after:" + i, "a" + i);
                    assertEquals("v-" + i, client.get("pre:" + i));
                }
                assertEquals(2, client.setSafe("after:safe", "s").replicas());
            }
            assertEquals(0, plain.inFlight());
            assertEquals(0, retrying.inFlight());
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    private static String writeKey(final int thread, final long round, final int i)
    {
        return "w:" + thread + ":" + round + ":" + i;
    }

    private static int homeOf(final String key)
    {
        return MetroClient.homeNode(key.getBytes(StandardCharsets.UTF_8), 3);
    }

    /**
     * @return the call's value; a failure, or a call that does not complete within {@link #HANG_MS}, fails the test.
     */
    private static <T> T await(final CompletableFuture<T> future) throws InterruptedException
    {
        try
        {
            return future.get(HANG_MS, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException e)
        {
            throw new AssertionError("a call hung for " + HANG_MS + " ms");
        }
        catch (final ExecutionException e)
        {
            throw new AssertionError("unexpected failure", e.getCause());
        }
    }

    /**
     * @return the write's result, or the typed exception it failed with; any other outcome, or a call that does not
     * complete within {@link #HANG_MS}, fails the test.
     */
    private static Object writeOutcome(final CompletableFuture<WriteResult> write) throws InterruptedException
    {
        try
        {
            return write.get(HANG_MS, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException e)
        {
            throw new AssertionError("a write hung for " + HANG_MS + " ms");
        }
        catch (final ExecutionException e)
        {
            if (e.getCause() instanceof MetroException)
            {
                return e.getCause();
            }
            throw new AssertionError("unexpected failure", e.getCause());
        }
    }
}
