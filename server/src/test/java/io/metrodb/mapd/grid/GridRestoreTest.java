package io.metrodb.mapd.grid;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static io.metrodb.mapd.grid.KeyGrid.APPLIED;
import static io.metrodb.mapd.grid.KeyGrid.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bulk restore of a grid from an image of its entries and keys: every field, key and flag of every entry comes back,
 * in both the copy path and the per-record path, whatever the chunk sizes and however the image is split; an image
 * that does not add up is refused and leaves the grid empty.
 */
class GridRestoreTest
{
    private static final long SEED = Long.getLong("gridRestore.seed", System.nanoTime());

    private final List<KeyGrid> grids = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(SEED);

    @AfterEach
    void closeGrids()
    {
        grids.forEach(KeyGrid::close);
    }

    private KeyGrid grid(final int maxReplicas, final int entriesPerChunk, final int keyChunkBytes)
    {
        final KeyGrid grid = new KeyGrid(maxReplicas, 4, entriesPerChunk, keyChunkBytes, true);
        grids.add(grid);
        return grid;
    }

    /**
     * A grid of {@code count} random entries: keys of 1..40 bytes and now and then 20..64 KiB (so keys leave chunk
     * tails unused), unsigned versions, every flag combination, 0..maxReplicas replicas, some keys written twice.
     */
    private KeyGrid randomGrid(final int maxReplicas, final int entriesPerChunk, final int count)
    {
        final KeyGrid grid = grid(maxReplicas, entriesPerChunk, KeyArena.MIN_CHUNK_BYTES);
        final long[] replicas = new long[maxReplicas];
        final Set<ByteBuffer> keys = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            final int length = random.nextInt(50) == 0 ? 20_000 + random.nextInt(KeyGrid.MAX_KEY_LENGTH - 19_999) :
                1 + random.nextInt(40);
            final byte[] key = TestKeys.key(i, length);
            if (!keys.add(ByteBuffer.wrap(key)))
            {
                continue;
            }
            final int replicaCount = random.nextInt(maxReplicas + 1);
            for (int r = 0; r < replicaCount; r++)
            {
                replicas[r] = GridReplica.pack(random.nextInt(0x10000), random.nextLong(GridReplica.MAX_OFFSET + 1));
            }
            final int writes = random.nextInt(8) == 0 ? 2 : 1;
            for (int w = 0; w < writes; w++)
            {
                assertEquals(APPLIED, GridKeys.apply(grid, key, random.nextLong() >>> 1 | (long)w << 63,
                    random.nextInt(0x10000), random.nextInt(4), random.nextInt(), random.nextInt(), replicaCount,
                    replicas), "seed " + SEED);
            }
        }
        return grid;
    }

    private static final class Image
    {
        final ByteBuf records = Unpooled.buffer();
        final ByteBuf keys = Unpooled.buffer();
        long count;
    }

    private static Image image(final KeyGrid grid, final int recordReplicas)
    {
        final Image image = new Image();
        final byte[] key = new byte[KeyGrid.MAX_KEY_LENGTH];
        final ByteBuffer records = ByteBuffer.allocate((int)grid.size() * GridRestore.recordLength(recordReplicas));
        for (long cursor = 0; cursor >= 0; )
        {
            cursor = grid.forEach(cursor, 100, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                GridRestore.writeRecord(records, keyLength, entry, recordReplicas);
                keyBuffer.getBytes(keyIndex, key, 0, keyLength);
                image.keys.writeBytes(key, 0, keyLength);
                image.count++;
            });
        }
        assertEquals(ByteOrder.BIG_ENDIAN, records.order(), "writeRecord keeps the buffer's order");
        image.records.writeBytes(records.flip());
        return image;
    }

    /**
     * Feeds the image in random pieces (whole records; keys split anywhere), from direct or heap buffers.
     */
    private GridRestore restore(final KeyGrid target, final Image image, final int recordReplicas)
    {
        final GridRestore restore = target.beginRestore(image.count, image.keys.readableBytes(), recordReplicas);
        final int recordLength = GridRestore.recordLength(recordReplicas);
        for (int at = 0; at < image.records.readableBytes(); )
        {
            final int length = Math.min(image.records.readableBytes() - at, recordLength * (1 + random.nextInt(40)));
            restore.entries(piece(image.records, at, length));
            at += length;
        }
        for (int at = 0; at < image.keys.readableBytes(); )
        {
            final int length = Math.min(image.keys.readableBytes() - at, 1 + random.nextInt(200_000));
            restore.keys(piece(image.keys, at, length));
            at += length;
        }
        return restore;
    }

    private ByteBuffer piece(final ByteBuf from, final int at, final int length)
    {
        final ByteBuffer piece = random.nextBoolean() ? ByteBuffer.allocateDirect(length + 3) : ByteBuffer.allocate(
            length + 3);
        piece.position(3);
        from.getBytes(at, piece);
        piece.position(3);
        return piece;
    }

    /**
     * Every entry of {@code expected}, in entry order, equals the same entry of {@code actual}: key bytes and every
     * field (replicas kept: at most {@code keptReplicas}), and {@code actual} finds it by its key.
     */
    private static void assertSameEntries(final KeyGrid expected, final KeyGrid actual, final int keptReplicas)
    {
        assertEquals(expected.size(), actual.size(), "size, seed " + SEED);
        assertEquals(expected.liveKeys(), actual.liveKeys(), "live keys, seed " + SEED);
        final GridEntry found = new GridEntry();
        final GridEntry other = new GridEntry();
        for (long cursor = 0; cursor >= 0; )
        {
            cursor = expected.forEach(cursor, 100, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                final byte[] key = new byte[keyLength];
                keyBuffer.getBytes(keyIndex, key);
                final String where = "entry " + entry.entryIndex() + ", seed " + SEED;
                assertTrue(GridKeys.get(actual, key, found), where);
                assertEquals(entry.entryIndex(), found.entryIndex(), where);
                assertEquals(entry.version(), found.version(), where);
                assertEquals(entry.versionNode(), found.versionNode(), where);
                assertEquals(entry.flags(), found.flags(), where);
                assertEquals(entry.valueLength(), found.valueLength(), where);
                assertEquals(entry.checksum(), found.checksum(), where);
                assertEquals(Math.min(entry.replicaCount(), keptReplicas), found.replicaCount(), where);
                for (int r = 0; r < found.replicaCount(); r++)
                {
                    assertEquals(entry.replica(r), found.replica(r), where + ", replica " + r);
                }
            });
        }
        final long[] seen = new long[1];
        for (long cursor = 0; cursor >= 0; )
        {
            cursor = actual.forEach(cursor, 100, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                final byte[] key = new byte[keyLength];
                keyBuffer.getBytes(keyIndex, key);
                assertTrue(GridKeys.get(expected, key, other),
                    "restored entry " + entry.entryIndex() + " was in the source");
                assertEquals(entry.entryIndex(), other.entryIndex());
                seen[0]++;
            });
        }
        assertEquals(expected.size(), seen[0], "seed " + SEED);
    }

    @Test
    void shouldRestoreEveryEntryByCopyingRecords()
    {
        final KeyGrid source = randomGrid(2, 8, 3_000);
        final Image image = image(source, 2);
        final KeyGrid target = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);

        final GridRestore restore = restore(target, image, 2);
        assertTrue(restore.copiesRecords());
        assertEquals(0, target.size(), "nothing visible before finish()");
        assertEquals(image.count, restore.finish());

        assertSameEntries(source, target, 2);
        assertEquals(source.keyArenaUsedBytes(), target.keyArenaUsedBytes());
    }

    @Test
    void shouldRestoreIntoOtherChunkSizes()
    {
        final KeyGrid source = randomGrid(3, 4, 2_000);
        final Image image = image(source, 3);
        final KeyGrid target = grid(3, 64, 1 << 20);

        restore(target, image, 3).finish();

        assertSameEntries(source, target, 3);
    }

    @Test
    void shouldKeepTheGridsReplicasWhenTheImageHasAnotherCount()
    {
        final KeyGrid source = randomGrid(3, 8, 1_500);
        final Image image = image(source, 3);

        final KeyGrid fewer = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        final GridRestore toFewer = restore(fewer, image, 3);
        assertFalse(toFewer.copiesRecords());
        toFewer.finish();
        assertSameEntries(source, fewer, 2);

        final KeyGrid more = grid(5, 16, KeyArena.MIN_CHUNK_BYTES);
        restore(more, image, 3).finish();
        assertSameEntries(source, more, 3);
    }

    @Test
    void shouldBehaveAsAnyGridAfterARestore()
    {
        final KeyGrid source = randomGrid(2, 8, 500);
        final KeyGrid target = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        restore(target, image(source, 2), 2).finish();
        final long capacity = target.capacity();

        final GridEntry entry = new GridEntry();
        final byte[][] seventh = new byte[1][];
        source.forEach(7, 1, (keyBuffer, keyIndex, keyLength, e) ->
        {
            seventh[0] = new byte[keyLength];
            keyBuffer.getBytes(keyIndex, seventh[0]);
        });
        final byte[] key = seventh[0];
        assertTrue(GridKeys.get(target, key, entry), "seed " + SEED);
        assertEquals(7, entry.entryIndex());
        final long version = entry.version();
        assertEquals(STALE, GridKeys.apply(target, key, version, entry.versionNode(), 0, 1, 1, 0, new long[0]));
        assertEquals(APPLIED, GridKeys.apply(target, key, version + 1, 0, GridEntry.TOMBSTONE, 0, 0, 0, new long[0]));
        assertTrue(GridKeys.get(target, key, entry));
        assertTrue(entry.isTombstone());

        final long[] replicas = {GridReplica.pack(1, 2)};
        for (int i = 0; i < 2_000; i++)
        {
            assertEquals(APPLIED, GridKeys.apply(target, TestKeys.key(1_000_000 + i, 12), 1, 1, 0, 5, 5, 1, replicas));
        }
        assertTrue(target.capacity() > capacity, "grew");
        assertEquals(source.size() + 2_000, target.size());
        for (long cursor = 0; cursor >= 0; )
        {
            cursor = source.forEach(cursor, 100, (keyBuffer, keyIndex, keyLength, e) ->
            {
                final byte[] k = new byte[keyLength];
                keyBuffer.getBytes(keyIndex, k);
                assertTrue(GridKeys.get(target, k, entry), "found after the index grew, seed " + SEED);
            });
        }
    }

    @Test
    void shouldRestoreAnEmptyImage()
    {
        final KeyGrid target = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        assertEquals(0, target.beginRestore(0, 0, 2).finish());
        assertEquals(0, target.size());
        assertEquals(APPLIED, GridKeys.apply(target, TestKeys.key(1, 3), 1, 1, 0, 1, 1, 0, new long[0]));
        assertEquals(1, target.liveKeys());
    }

    @Test
    void shouldRefuseARecordWithoutAKey()
    {
        final Image image = image(randomGrid(2, 8, 50), 2);
        image.records.setLongLE(GridRestore.recordLength(2) * 17, 0);

        assertRefused(image, 2, "entry 17 has key length 0");
    }

    @Test
    void shouldRefuseMoreReplicasThanARecordHolds()
    {
        final Image image = image(randomGrid(2, 8, 50), 2);
        image.records.setByte(GridRestore.recordLength(2) * 3 + EntryArena.REPLICA_COUNT_OFFSET, 3);

        assertRefused(image, 2, "entry 3 has 3 replicas");
    }

    @Test
    void shouldRefuseKeyLengthsThatDoNotAddUp()
    {
        final Image image = image(randomGrid(2, 8, 50), 2);
        image.keys.writeByte(1);

        assertRefused(image, 2, "add up to");
    }

    @Test
    void shouldRefuseAKeyPresentTwice()
    {
        final KeyGrid source = randomGrid(2, 8, 50);
        final Image image = image(source, 2);
        final int recordLength = GridRestore.recordLength(2);
        final int keyLength = (int)image.records.getLongLE(0);
        image.records.writeBytes(image.records, 0, recordLength);
        image.keys.writeBytes(image.keys, 0, keyLength);
        image.count++;

        assertRefused(image, 2, "hold the same key");
        final byte[] key = new byte[keyLength];
        image.keys.getBytes(0, key);
        assertFalse(GridKeys.get(grids.get(grids.size() - 1), key, new GridEntry()), "nothing published");
    }

    @Test
    void shouldRefuseMoreRecordsThanAnnounced()
    {
        final Image image = image(randomGrid(2, 8, 50), 2);
        final KeyGrid target = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        final GridRestore restore = target.beginRestore(image.count - 1, image.keys.readableBytes(), 2);

        assertThrows(IllegalArgumentException.class, () -> restore.entries(image.records.nioBuffer()));
        assertEquals(0, target.size());
    }

    @Test
    void shouldRestoreOnlyIntoANewEmptyGrid()
    {
        final KeyGrid target = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        GridKeys.apply(target, TestKeys.key(1, 5), 1, 1, 0, 1, 1, 0, new long[0]);
        assertThrows(IllegalStateException.class, () -> target.beginRestore(0, 0, 2));

        final KeyGrid fresh = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        assertThrows(IllegalArgumentException.class, () -> fresh.beginRestore(10, 9, 2), "keys of 0 bytes");
        assertThrows(IllegalArgumentException.class, () -> fresh.beginRestore(1, 1, 8), "replicas per record");
        assertThrows(IllegalArgumentException.class, () -> fresh.beginRestore(-1, 0, 2));
    }

    private void assertRefused(final Image image, final int recordReplicas, final String reason)
    {
        final KeyGrid target = grid(2, 8, KeyArena.MIN_CHUNK_BYTES);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> restore(target, image, recordReplicas).finish(), "seed " + SEED);
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
        assertEquals(0, target.size(), "nothing published");
        assertEquals(0, target.liveKeys());
    }
}
