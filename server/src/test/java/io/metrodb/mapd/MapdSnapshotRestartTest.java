package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.mapd.store.GridSnapshot;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import java.util.SplittableRandom;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mapd restarted from a snapshot of a million keys holds every one of them as it was: its whole grid, walked as DUMP
 * walks it, equals the grid the snapshot was written from (key, version, version node, flags with
 * tombstones and REPAIRED, value length, checksum, every replica), not a sample; and a restart from that snapshot
 * plus a journal tail has the tail too.
 * <p>
 * {@code -DmapdSnapshotRestart.keys=N} sets the number of keys (default 1,000,000); {@code
 * -DmapdSnapshotRestart.seed} replays a run.
 */
class MapdSnapshotRestartTest
{
    private static final long SEED = Long.getLong("mapdSnapshotRestart.seed", System.nanoTime());
    private static final int KEYS = Integer.getInteger("mapdSnapshotRestart.keys", 1_000_000);

    @TempDir
    Path root;

    private TestCluster cluster;
    private KeyGrid source;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
        if (source != null)
        {
            source.close();
        }
    }

    /**
     * The grid a mapd would hold: keys "key:i:" plus 0..15 letters, versions of the past; about 5% tombstones and
     * 5% REPAIRED (1% both); 1..2 replicas (none for some tombstones) on the cluster's logds at random offsets
     * (nothing reads them here).
     */
    private static KeyGrid sourceGrid(final int keys)
    {
        final KeyGrid grid = new KeyGrid(2, keys * 10 / 7 + 1);
        final SplittableRandom random = new SplittableRandom(SEED);
        final long[] replicas = new long[2];
        final ByteBuf key = Unpooled.buffer(64);
        // Versions from an hour ago and older, so that the restarted mapd's clock writes newer ones.
        final long versionsBelow = (System.currentTimeMillis() - 3_600_000L) << HybridClock.COUNTER_BITS;
        for (int i = 0; i < keys; i++)
        {
            key.clear().writeCharSequence("key:" + i + ":", StandardCharsets.US_ASCII);
            final int letters = random.nextInt(16);
            for (int b = 0; b < letters; b++)
            {
                key.writeByte('a' + random.nextInt(26));
            }
            final int dice = random.nextInt(100);
            final int flags = dice < 5 ? GridEntry.TOMBSTONE : dice < 10 ? GridEntry.REPAIRED :
                dice < 11 ? GridEntry.TOMBSTONE | GridEntry.REPAIRED : 0;
            final int replicaCount = flags == GridEntry.TOMBSTONE ? 0 : 1 + random.nextInt(2);
            for (int r = 0; r < replicaCount; r++)
            {
                replicas[r] = GridReplica.pack(100 + r, random.nextLong(1L << 40));
            }
            GridKeys.apply(grid, key, 0, key.readableBytes(), random.nextLong(1, versionsBelow),
                random.nextInt(0x10000), flags, random.nextInt(1 << 20), random.nextInt(), replicaCount, replicas);
        }
        return grid;
    }

    /**
     * Walks the restarted mapd's whole grid (what DUMP pages through) and checks each entry against {@code expected}:
     * every field equal, every expected entry exactly once.
     *
     * @return the number of entries that {@code expected} does not hold (checked by the caller).
     */
    private static long assertGridHolds(final KeyGrid restored, final KeyGrid expected)
    {
        final GridEntry entry = new GridEntry();
        final BitSet seen = new BitSet();
        final long[] counts = new long[2];
        final byte[] key = new byte[KeyGrid.MAX_KEY_LENGTH];
        final ByteBuf keyView = Unpooled.wrappedBuffer(key);
        for (long cursor = 0; cursor >= 0; )
        {
            cursor = restored.forEach(cursor, 4096, (keyBuffer, keyIndex, keyLength, found) ->
            {
                keyBuffer.getBytes(keyIndex, key, 0, keyLength);
                if (!GridKeys.get(expected, keyView, 0, keyLength, entry))
                {
                    counts[1]++;
                    return;
                }
                if (found.version() != entry.version() || found.versionNode() != entry.versionNode() ||
                    found.flags() != entry.flags() || found.valueLength() != entry.valueLength() ||
                    found.checksum() != entry.checksum() || found.replicaCount() != entry.replicaCount() ||
                    seen.get((int)entry.entryIndex()))
                {
                    throw new AssertionError(keyBuffer.getStringWithoutLengthAscii(keyIndex, keyLength) + ": " +
                        entry + " came back as " + found + (seen.get((int)entry.entryIndex()) ? " twice" : "") +
                        ", seed " + SEED);
                }
                for (int r = 0; r < entry.replicaCount(); r++)
                {
                    if (found.replica(r) != entry.replica(r))
                    {
                        throw new AssertionError(keyBuffer.getStringWithoutLengthAscii(keyIndex, keyLength) + ": " +
                            entry + " came back as " + found + ", seed " + SEED);
                    }
                }
                seen.set((int)entry.entryIndex());
                counts[0]++;
            });
        }
        assertEquals(expected.size(), counts[0], "every key restored, seed " + SEED);
        return counts[1];
    }

    @Test
    void shouldServeEveryKeyAfterARestartFromAMillionKeySnapshot() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdConfig config = cluster.mapdConfig("mapd", 1, 2);
        Files.createDirectories(config.dir());
        source = sourceGrid(KEYS);
        final long[] lastApplied = new long[0x10000];
        lastApplied[2] = 41;
        GridSnapshot.write(config.dir(), source, 1, 0, 1_000, lastApplied);
        final Path snapshot = config.dir().resolve(GridSnapshot.FILE_NAME);
        final Path kept = config.dir().resolve("snapshot-kept.bin");
        Files.copy(snapshot, kept);

        long startNs = System.nanoTime();
        MapdServer mapd = cluster.startMapd(config, false);
        final long firstMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(KEYS, mapd.recovery().snapshotEntries(), "loaded the snapshot: " + mapd.recovery());
        assertEquals(0, mapd.recovery().journalEntries());
        assertEquals(source.liveKeys(), mapd.grid().liveKeys());
        assertEquals(0, assertGridHolds(mapd.grid(), source), "nothing but the snapshot's keys");

        final String liveKey = firstLiveKey();
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final MapdClient.Reply set = client.setSafe("after-the-snapshot", bytes("tail"));
            assertEquals(StatusCodes.OK, set.status(), set.message());
            assertEquals(StatusCodes.OK, client.del(liveKey).status());
        }
        mapd.close();
        cluster.forgetMapd();
        Files.move(kept, snapshot, StandardCopyOption.REPLACE_EXISTING);

        startNs = System.nanoTime();
        mapd = cluster.startMapd(config, false);
        final long secondMs = (System.nanoTime() - startNs) / 1_000_000;
        System.out.printf("MapdSnapshotRestartTest: %,d keys: restart %,d ms, restart with journal tail %,d ms " +
            "(seed %d)%n", KEYS, firstMs, secondMs, SEED);
        assertEquals(KEYS, mapd.recovery().snapshotEntries(), mapd.recovery().toString());
        assertEquals(2, mapd.recovery().journalEntries(), "the SETSAFE and the DEL replayed: " + mapd.recovery());
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertArrayEquals(bytes("tail"), client.get("after-the-snapshot").value());
            assertEquals(StatusCodes.NOT_FOUND, client.get(liveKey).status());
        }
        final GridEntry deleted = new GridEntry();
        assertTrue(GridKeys.get(mapd.grid(), bytes(liveKey), deleted));
        assertTrue(deleted.isTombstone(), "the DEL is a tombstone after the replay");
        final long[] tombstoneReplicas = new long[deleted.replicaCount()];
        for (int r = 0; r < tombstoneReplicas.length; r++)
        {
            tombstoneReplicas[r] = deleted.replica(r);
        }
        GridKeys.apply(source, bytes(liveKey), deleted.version(), deleted.versionNode(), deleted.flags(),
            deleted.valueLength(), deleted.checksum(), tombstoneReplicas.length, tombstoneReplicas);
        assertEquals(1, assertGridHolds(mapd.grid(), source), "the snapshot's keys, the DEL, and the new key");
    }

    /**
     * The key of the first entry of {@link #source} that is not a tombstone.
     */
    private String firstLiveKey()
    {
        final String[] key = {null};
        for (long cursor = 0; key[0] == null; cursor++)
        {
            source.forEach(cursor, 1, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                if (!entry.isTombstone())
                {
                    key[0] = keyBuffer.getStringWithoutLengthAscii(keyIndex, keyLength);
                }
            });
        }
        return key[0];
    }
}
