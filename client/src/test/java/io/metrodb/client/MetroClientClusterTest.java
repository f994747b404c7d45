package io.metrodb.client;

import io.metrodb.testing.Await;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a real 3-logd, 3-mapd cluster in this JVM.
 */
class MetroClientClusterTest
{
    @TempDir
    static Path root;

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).firstMapdId(1)
            .requestTimeoutMs(10_000).peerTimeoutMs(10_000).awaitPeers(true).start();
    }

    @AfterAll
    static void stopCluster()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private static MetroClient.Builder client()
    {
        return MetroClient.builder(cluster.mapdAddresses()).requestTimeoutMs(10_000);
    }

    @Test
    void shouldServeEveryOperationSyncAndAsync() throws Exception
    {
        try (MetroClient client = client().build())
        {
            final WriteResult safe = client.setSafe("user:42", "hello");
            assertTrue(safe.version() > 0);
            assertEquals(2, safe.replicas());
            assertEquals("hello", client.get("user:42"));
            assertTrue(client.exists("user:42"));

            final WriteResult plain = client.set("user:42", "world");
            assertTrue(plain.version() > safe.version() || plain.versionNode() != safe.versionNode());
            assertEquals("world", client.getAsync("user:42").get(30, TimeUnit.SECONDS));

            assertNull(client.get("missing"), "a missing key is null, not an error");
            assertNull(client.getAsync("missing".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS));
            assertFalse(client.exists("missing"));
            assertFalse(client.delete("missing"));

            assertTrue(client.delete("user:42"));
            assertNull(client.get("user:42"));
            assertFalse(client.existsAsync("user:42").get(30, TimeUnit.SECONDS));

            client.set(ByteBuffer.wrap(bytes("buf")), ByteBuffer.wrap(new byte[0]));
            assertEquals(0, client.get(ByteBuffer.wrap(bytes("buf"))).remaining(), "empty values are values");
            assertTrue(client.deleteSafe(bytes("buf")));

            final Map<String, String> entries = new LinkedHashMap<>();
            for (int i = 0; i < 100; i++)
            {
                entries.put("batch:" + i, "v" + i);
            }
            client.setAllStrings(entries);
            final List<String> keys = new ArrayList<>(entries.keySet());
            keys.add("batch:missing");
            assertEquals(entries, client.getAllStrings(keys));
            final List<byte[]> values = client.getAll(List.of(bytes("batch:1"), bytes("nope"), bytes("batch:2")));
            assertArrayEquals(bytes("v1"), values.get(0));
            assertNull(values.get(1));
            assertArrayEquals(bytes("v2"), values.get(2));

            assertThrows(IllegalArgumentException.class, () -> client.get(new byte[0]));
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void shouldPipelineThousandsOfAsyncCallsFromManyThreads() throws Exception
    {
        final int threads = 4;
        final int perThread = 2_500;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try (MetroClient client = client().maxInFlight(512).connectionsPerNode(2).build())
        {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                results.add(executor.submit(() ->
                {
                    final List<CompletableFuture<WriteResult>> writes = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++)
                    {
                        writes.add(client.setAsync(key(thread, i), value(thread, i)));
                    }
                    // Each key is read back once, as soon as its write is acknowledged. Every call for a key goes
                    // to its home mapd, which reads its own writes at once (MetroClient, "Routing"), so no read may
                    // miss; and with every mapd up every write must have been taken by its home mapd (a write's
                    // version node is the mapd that took it: mapd i is node i + 1). The writes start as soon as
                    // the client is built, before its connections are up.
                    final List<CompletableFuture<byte[]>> reads = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++)
                    {
                        final WriteResult written = writes.get(i).get(60, TimeUnit.SECONDS);
                        reads.add(client.getAsync(key(thread, i)));
                        assertEquals(2, written.replicas());
                        assertEquals(MetroClient.homeNode(key(thread, i), 3) + 1, written.versionNode(),
                            "write of key " + thread + ":" + i + " taken by its home mapd");
                    }
                    int checked = 0;
                    for (int i = 0; i < perThread; i++)
                    {
                        assertArrayEquals(value(thread, i), reads.get(i).get(60, TimeUnit.SECONDS),
                            "read-your-writes: value of key " + thread + ":" + i);
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (final Future<Integer> result : results)
            {
                total += result.get(180, TimeUnit.SECONDS);
            }
            assertEquals(threads * perThread, total);
            assertEquals(0, client.inFlight());
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    /**
     * Read-your-writes, tightly: from a client's first call, each read follows its acknowledged write at once and
     * must see it, with no retry (the mapds only converge within milliseconds, so a read at another mapd than the
     * one that took the write could miss it).
     */
    @Test
    void shouldReadEachWriteBackAtOnceFromTheFirstCall() throws Exception
    {
        final int threads = 4;
        final int perThread = 200;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try (MetroClient client = client().connectionsPerNode(2).build())
        {
            final List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                results.add(executor.submit(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final String key = "ryw:" + thread + ":" + i;
                        final WriteResult written = client.set(key, "v" + i);
                        assertEquals("v" + i, client.get(key), "read-your-writes of " + key);
                        assertEquals(MetroClient.homeNode(bytes(key), 3) + 1, written.versionNode(),
                            "write of " + key + " taken by its home mapd");
                    }
                    return null;
                }));
            }
            for (final Future<?> result : results)
            {
                result.get(180, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldLeaveNoThreadsOrConnectionsAfterClose() throws Exception
    {
        final MetroClient client = client().connectionsPerNode(2).build();
        client.set("close:1", "x");
        Await.until("all connections up", 30_000, () -> client.readyConnections() == 6);
        final String prefix = client.threadNamePrefix();
        assertTrue(hasThread(prefix));

        client.close();
        client.close();

        assertEquals(0, client.readyConnections());
        assertFalse(hasThread(prefix), "client threads left after close()");
        assertThrows(MetroUnavailableException.class, () -> client.get("close:1"));
    }

    static boolean hasThread(final String prefix)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith(prefix) && thread.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(final int thread, final int i)
    {
        return bytes("pipe:" + thread + ":" + i);
    }

    private static byte[] value(final int thread, final int i)
    {
        return bytes("value-" + thread + "-" + i + "-" + "x".repeat(i % 64));
    }
}
