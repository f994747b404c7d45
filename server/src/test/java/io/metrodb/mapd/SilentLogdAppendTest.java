package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.fault.LinkProxy;
import io.metrodb.testing.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A logd behind a link cut without a FIN (the proxy holds every byte, the connection stays open) does not hold a
 * write for the whole request timeout: the append to it fails after {@code --append-timeout-ms} and the write goes
 * to another logd; the late answers, once the link heals, are dropped. With no other logd to take it, the append
 * waits for the silent one instead. Real logds (in this JVM), a real mapd (RF 2), the first logd behind
 * {@link LinkProxy}.
 */
class SilentLogdAppendTest
{
    private static final long REQUEST_TIMEOUT_MS = 20_000;
    private static final long APPEND_TIMEOUT_MS = 300;
    private static final int WRITES = 12;

    @TempDir
    Path root;

    private TestCluster cluster;
    private LinkProxy proxy;
    private MapdServer mapd;

    @AfterEach
    void stop() throws Exception
    {
        if (mapd != null)
        {
            mapd.close();
        }
        if (proxy != null)
        {
            proxy.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldMoveAnAppendOffASilentLogdAfterTheAppendTimeout() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        proxy = new LinkProxy("mapd->logd1", TestCluster.HOST, cluster.logdPorts()[0]);
        final List<InetSocketAddress> real = cluster.logdAddresses();
        final List<InetSocketAddress> logds = List.of(new InetSocketAddress(TestCluster.HOST, proxy.port()),
            real.get(1), real.get(2));
        mapd = MapdServer.start(new MapdConfig(TestCluster.HOST, 0, root.resolve("mapd"), 7, logds, 2,
            TestCluster.MAX_VALUE, null, REQUEST_TIMEOUT_MS, 0, 0).appendTimeoutMs(APPEND_TIMEOUT_MS), false);
        mapd.whenLogdsHealthy(3).get(30, TimeUnit.SECONDS);
        final int silent = TestCluster.logdId(0);

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            proxy.stall();
            // Pipelined, so the appends in flight on the two logds that answer make the silent one the least loaded:
            // it gets appends even if a request of the mapd's own was already held there when the link went silent.
            for (final byte opcode : new byte[] {Opcodes.SETSAFE, Opcodes.SET})
            {
                final Map<String, byte[]> batch = new LinkedHashMap<>();
                for (int i = 0; i < WRITES; i++)
                {
                    batch.put(Opcodes.name(opcode) + "-k" + i, bytes("v" + i));
                }
                final long start = System.nanoTime();
                final Map<String, MapdClient.Reply> replies = client.setAll(opcode, batch);
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(List.of(), MapdClient.failures(replies), "every " + Opcodes.name(opcode) + " answered OK");
                // A write held by the silent logd for the whole request timeout would take 20 s.
                assertTrue(tookMs < REQUEST_TIMEOUT_MS / 2, Opcodes.name(opcode) + "s took " + tookMs + " ms");
                for (final String key : batch.keySet())
                {
                    assertTrue(!replicas(key).contains(silent), key + " is on the two logds that answer: " +
                        replicas(key));
                }
            }
            assertTrue(mapd.counters().appendRetries() >= 1, "some append went to the silent logd and was moved: " +
                mapd.counters().appendRetries());

            proxy.heal();
            for (final byte opcode : new byte[] {Opcodes.SETSAFE, Opcodes.SET})
            {
                for (int i = 0; i < WRITES; i++)
                {
                    final String key = Opcodes.name(opcode) + "-k" + i;
                    assertArrayEquals(bytes("v" + i), client.get(key).value(), key + " reads back");
                }
            }
            assertEquals(StatusCodes.OK, client.setSafe("after", bytes("after")).status(), "writes go on");
        }
    }

    @Test
    void shouldWaitForASilentLogdWhenNoOtherCanTakeTheAppend() throws Exception
    {
        // RF 2 over 2 logds: an append moved off the silent one would have nowhere to go.
        cluster = TestCluster.builder(root).logds(2).start();
        proxy = new LinkProxy("mapd->logd1", TestCluster.HOST, cluster.logdPorts()[0]);
        final List<InetSocketAddress> logds = List.of(new InetSocketAddress(TestCluster.HOST, proxy.port()),
            cluster.logdAddresses().get(1));
        mapd = MapdServer.start(new MapdConfig(TestCluster.HOST, 0, root.resolve("mapd"), 7, logds, 2,
            TestCluster.MAX_VALUE, null, REQUEST_TIMEOUT_MS, 0, 0).appendTimeoutMs(APPEND_TIMEOUT_MS), false);
        mapd.whenLogdsHealthy(2).get(30, TimeUnit.SECONDS);

        proxy.stall();
        final CompletableFuture<MapdClient.Reply> write = CompletableFuture.supplyAsync(() ->
        {
            try (MapdClient client = new MapdClient(mapd.port()))
            {
                return client.write(Opcodes.SETSAFE, "held", bytes("held"));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
        // Three append timeouts pass with the write held (a timer that must not fire: nothing to wait on).
        Thread.sleep(3 * APPEND_TIMEOUT_MS);
        assertTrue(!write.isDone(), "the write waits for the silent logd: " + (write.isDone() ? write.get() : ""));
        proxy.heal();
        final MapdClient.Reply reply = write.get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertEquals(StatusCodes.OK, reply.status(), reply.message());
        assertEquals(0, mapd.counters().appendRetries(), "no append was moved: no other logd could take it");
        assertEquals(java.util.Set.of(TestCluster.logdId(0), TestCluster.logdId(1)), replicas("held"));
    }

    private java.util.Set<Integer> replicas(final String key)
    {
        final GridEntry entry = new GridEntry();
        final java.util.Set<Integer> logds = new java.util.TreeSet<>();
        assertTrue(GridKeys.get(mapd.grid(), bytes(key), entry), key);
        for (int r = 0; r < entry.replicaCount(); r++)
        {
            logds.add(entry.logdId(r));
        }
        return logds;
    }
}
