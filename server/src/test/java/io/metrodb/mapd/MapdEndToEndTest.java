package io.metrodb.mapd;

import io.metrodb.log.LogStats;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.server.IdleAwait;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One mapd with three real logds and RF 2, over real sockets and files.
 */
class MapdEndToEndTest
{
    @TempDir
    Path root;

    private TestCluster cluster;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    private static Map<String, byte[]> entries(final int count, final String prefix)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] value = new byte[(i * 131) % 3000];
            for (int b = 0; b < value.length; b++)
            {
                value[b] = (byte)(i + b * 7);
            }
            entries.put(prefix + i, value);
        }
        return entries;
    }

    private static void assertAllReadBack(final MapdClient client, final Map<String, byte[]> entries) throws Exception
    {
        final Map<String, MapdClient.Reply> replies = client.getAll(entries.keySet());
        entries.forEach((key, value) ->
        {
            final MapdClient.Reply reply = replies.get(key);
            assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message());
            assertArrayEquals(value, reply.value(), key);
        });
    }

    @Test
    void shouldSetGetExistsAndDelete() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(StatusCodes.NOT_FOUND, client.get("user:42").status());
            final MapdClient.Reply set = client.set("user:42", bytes("hello"));
            assertEquals(StatusCodes.OK, set.status(), set.message());
            assertEquals(1, set.versionNode());

            final MapdClient.Reply get = client.get("user:42");
            assertArrayEquals(bytes("hello"), get.value());
            assertEquals(set.version(), get.version());
            assertEquals(StatusCodes.OK, client.exists("user:42").status());

            final MapdClient.Reply safe = client.setSafe("user:42", bytes("world"));
            assertTrue(safe.version() > set.version(), "versions increase");
            assertArrayEquals(bytes("world"), client.get("user:42").value());

            assertEquals(StatusCodes.OK, client.set("empty", new byte[0]).status());
            assertArrayEquals(new byte[0], client.get("empty").value());

            assertEquals(StatusCodes.OK, client.del("user:42").status());
            assertEquals(StatusCodes.NOT_FOUND, client.get("user:42").status());
            assertEquals(StatusCodes.NOT_FOUND, client.exists("user:42").status());
            assertEquals(StatusCodes.NOT_FOUND, client.del("user:42").status());
        }
    }

    @Test
    void shouldServePipelinedWritesAndReads() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        final Map<String, byte[]> entries = entries(2000, "k");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.setAll(Opcodes.SET, entries).forEach((key, reply) ->
                assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message()));
            assertAllReadBack(client, entries);
        }
        final GridEntry entry = new GridEntry();
        assertTrue(GridKeys.get(mapd.grid(), bytes("k7"), entry));
        assertEquals(2, entry.replicaCount());
        assertNotEquals(entry.logdId(0), entry.logdId(1), "replicas on distinct logds");
    }

    @Test
    void shouldLetTheJournalAndTheLogdsSleepOnceTheWritesStop() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        final Map<String, byte[]> entries = entries(300, "idle");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.setAll(Opcodes.SETSAFE, entries).forEach((key, reply) ->
                assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message()));
        }
        final LogStats journal = mapd.journal().stats();
        assertTrue(journal.forces() > 0, "SETSAFE forced the journal: " + journal);
        // Polling sync threads ran ~10,000 cycles a second each; sleeping ones run ~1.
        IdleAwait.awaitQuiet("duty cycles of the idle journal's and logds' sync threads", 2_000, 20, 60_000,
            journal::syncCycles, cluster.logd(0).store().stats()::syncCycles,
            cluster.logd(1).store().stats()::syncCycles, cluster.logd(2).store().stats()::syncCycles);
        assertTrue(journal.syncSleeps() > 0, journal.toString());
        assertEquals(mapd.journal().tailPosition(), journal.durablePosition(), "the journal forced before sleeping");

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, client.setSafe("after-sleep", bytes("v")).status(),
                "a SETSAFE wakes the sleeping journal and logds");
            assertAllReadBack(client, entries);
        }
    }

    @Test
    void shouldReadTheOtherReplicaAndWriteToTheHealthyTwoWhenALogdDies() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        final Map<String, byte[]> before = entries(300, "a");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.setAll(Opcodes.SET, before).values().forEach(r -> assertEquals(StatusCodes.OK, r.status()));
            cluster.stopLogd(0);

            assertAllReadBack(client, before);
            final Map<String, byte[]> after = entries(300, "b");
            client.setAll(Opcodes.SETSAFE, after).forEach((key, reply) ->
                assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message()));
            assertAllReadBack(client, after);
            final GridEntry entry = new GridEntry();
            for (final String key : after.keySet())
            {
                assertTrue(GridKeys.get(mapd.grid(), bytes(key), entry));
                assertNotEquals(100, entry.logdId(0));
                assertNotEquals(100, entry.logdId(1));
            }

            cluster.stopLogd(1);
            final MapdClient.Reply refused = client.set("c", bytes("v"));
            assertEquals(StatusCodes.NOT_ENOUGH_REPLICAS, refused.status());
            assertEquals(StatusCodes.NOT_FOUND, client.get("c").status(), "a refused write changes nothing");
        }
    }

    @Test
    void shouldReturnTheRightBytesWhenOneReplicaIsCorrupt() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        final Map<String, byte[]> entries = entries(50, "x");
        entries.put("victim", bytes("the right bytes, every time"));
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.setAll(Opcodes.SET, entries).values().forEach(r -> assertEquals(StatusCodes.OK, r.status()));
            final GridEntry entry = new GridEntry();
            assertTrue(GridKeys.get(mapd.grid(), bytes("victim"), entry));
            cluster.flipRecordByte(entry.logdId(0), entry.offset(0), "victim".length(),
                "the right bytes, every time".length());

            for (int i = 0; i < 3; i++)
            {
                assertArrayEquals(bytes("the right bytes, every time"), client.get("victim").value());
            }
            assertTrue(mapd.onDataPath(() -> mapd.counters().badReplicas() + mapd.counters().replicaReadFailures()) >= 1,
                "the bad replica was counted");
            assertAllReadBack(client, entries);
        }
    }

    @Test
    void shouldRestoreEveryKeyAfterARestart() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        MapdServer mapd = cluster.startMapd(2);
        final Map<String, byte[]> entries = entries(500, "r");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.setAll(Opcodes.SET, entries).values().forEach(r -> assertEquals(StatusCodes.OK, r.status()));
            mapd.snapshot();
            client.setAll(Opcodes.SETSAFE, entries(100, "after-snapshot")).values()
                .forEach(r -> assertEquals(StatusCodes.OK, r.status()));
            assertEquals(StatusCodes.OK, client.del("r3").status());
        }
        mapd.close();
        cluster.forgetMapd();

        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2), false);
        assertTrue(mapd.recovery().snapshotEntries() >= 500, "loaded the snapshot: " + mapd.recovery());
        entries.remove("r3");
        entries.putAll(entries(100, "after-snapshot"));
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertAllReadBack(client, entries);
            assertEquals(StatusCodes.NOT_FOUND, client.get("r3").status());
        }
    }

    @Test
    void shouldRefuseBadKeysAndValuesAndStayUsable() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final MapdClient.Reply emptyKey = client.write(Opcodes.SET, "", bytes("v"));
            assertEquals(StatusCodes.INVALID_KEY, emptyKey.status());
            final MapdClient.Reply tooLarge = client.set("big", new byte[TestCluster.MAX_VALUE + 1]);
            assertEquals(StatusCodes.VALUE_TOO_LARGE, tooLarge.status());
            final MapdClient.Reply largest = client.set("big", new byte[TestCluster.MAX_VALUE]);
            assertEquals(StatusCodes.OK, largest.status(), largest.message());
            assertEquals(TestCluster.MAX_VALUE, client.get("big").value().length);
            assertEquals(StatusCodes.WRONG_ROLE, client.keyRequest(Opcodes.READ, "k", (byte)0).status());
            assertNull(client.get("nothing").value());
        }
    }

    @Test
    void shouldRebuildTheSameGridFromTheLogds() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).start();
        final MapdServer mapd = cluster.startMapd(2);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.setAll(Opcodes.SET, entries(400, "v")).values().forEach(r -> assertEquals(StatusCodes.OK, r.status()));
            client.setAll(Opcodes.SETSAFE, entries(100, "v")).values().forEach(r -> assertEquals(StatusCodes.OK, r.status()));
            for (int i = 0; i < 20; i++)
            {
                assertEquals(StatusCodes.OK, client.del("v" + (i * 3)).status());
            }
        }
        final Map<String, GridDump.Item> original = GridDump.of(mapd.port());
        assertEquals(400, original.size());

        final MapdServer rebuilt = MapdServer.start(cluster.mapdConfig("rebuilt", 2, 2), true);
        try
        {
            assertEquals(original, GridDump.of(rebuilt.port()), "the rebuilt grid equals the original");
            try (MapdClient client = new MapdClient(rebuilt.port()))
            {
                assertEquals(StatusCodes.NOT_FOUND, client.get("v0").status(), "tombstones honoured");
                assertArrayEquals(entries(400, "v").get("v1"), client.get("v1").value());
            }
        }
        finally
        {
            rebuilt.close();
        }
    }
}
