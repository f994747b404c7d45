package io.metrodb.client;

import io.metrodb.protocol.testing.TestSeed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A mapd is killed while clients keep thousands of calls in flight: no call hangs, every read succeeds (moved to
 * a surviving mapd), every write succeeds or fails with a typed exception, and the cluster serves afterwards.
 */
class MetroClientFailoverTest
{
    private static final long TIMEOUT_MS = 10_000;
    /** A call must complete within about twice the timeout; more is a hang. */
    private static final long HANG_MS = 2 * TIMEOUT_MS + 20_000;
    private static final int PRELOADED = 300;
    private static final int THREADS = 4;
    private static final int BURST = 50;

    @RegisterExtension
    final TestSeed testSeed = new TestSeed("client.failover.seed");

    @TempDir
    Path root;

    private LocalCluster cluster;

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
        cluster = new LocalCluster(root);
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
            final LongAdder writeFailures = new LongAdder();
            final List<Future<?>> workers = new ArrayList<>();
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
                            writes.add(client.setAsync("w:" + thread + ":" + i, "r" + round));
                        }
                        for (int i = 0; i < BURST; i++)
                        {
                            assertEquals("v-" + readKeys.get(i), await(reads.get(i), true), "read of pre:" + readKeys.get(i));
                            completed.incrementAndGet();
                            if (await(writes.get(i), false) == null)
                            {
                                writeFailures.increment();
                            }
                            completed.incrementAndGet();
                        }
                        round++;
                    }
                    return null;
                }));
            }

            LocalCluster.awaitCondition("load running", () -> completed.get() >= 4_000);
            final long atKill = completed.get();
            cluster.killMapd(0);
            LocalCluster.awaitCondition("load after the kill", () -> completed.get() >= atKill + 4_000);
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
            System.out.println("completed " + completed.get() + ", write failures " + writeFailures.sum() +
                ", retries " + (plain.retries() + retrying.retries()));

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

    /**
     * @return the value, or null when a write failed with a typed exception; any other outcome fails the test.
     */
    private static <T> T await(final CompletableFuture<T> future, final boolean mustSucceed)
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
            if (mustSucceed || !(e.getCause() instanceof MetroException))
            {
                throw new AssertionError("unexpected failure", e.getCause());
            }
            return null;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
