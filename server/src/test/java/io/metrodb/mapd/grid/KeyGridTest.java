package io.metrodb.mapd.grid;

import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static io.metrodb.mapd.grid.KeyGrid.APPLIED;
import static io.metrodb.mapd.grid.KeyGrid.NOT_FOUND;
import static io.metrodb.mapd.grid.KeyGrid.STALE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyGridTest
{
    private static final long[] NO_REPLICAS = new long[0];

    private final KeyGrid grid = new KeyGrid(2, 8, 4, KeyArena.MIN_CHUNK_BYTES, true);
    private final GridEntry entry = new GridEntry();

    @AfterEach
    void after()
    {
        grid.close();
    }

    @Test
    void shouldInsertAndGetEveryField()
    {
        final byte[] key = bytes("user:42");
        final long[] replicas = { GridReplica.pack(3, 4096), GridReplica.pack(65535, GridReplica.MAX_OFFSET) };

        assertEquals(APPLIED, GridKeys.apply(grid, key, 0x1234_5678_9ABCL, 7, 0, 100, 0xCAFEBABE, 2, replicas));

        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(0, entry.entryIndex());
        assertEquals(0x1234_5678_9ABCL, entry.version());
        assertEquals(7, entry.versionNode());
        assertEquals(0, entry.flags());
        assertFalse(entry.isTombstone());
        assertEquals(100, entry.valueLength());
        assertEquals(0xCAFEBABE, entry.checksum());
        assertEquals(2, entry.replicaCount());
        assertEquals(3, entry.logdId(0));
        assertEquals(4096, entry.offset(0));
        assertEquals(65535, entry.logdId(1));
        assertEquals(GridReplica.MAX_OFFSET, entry.offset(1));
        assertEquals(1, grid.size());
        assertEquals(1, grid.liveKeys());
        assertFalse(GridKeys.get(grid, bytes("user:43"), entry));
    }

    @Test
    void shouldApplyOnlyStrictlyNewerVersions()
    {
        final byte[] key = bytes("k");
        assertEquals(APPLIED, GridKeys.apply(grid, key, 10, 1, 0, 1, 1, 0, NO_REPLICAS));
        assertEquals(STALE, GridKeys.apply(grid, key, 9, 9, 0, 2, 2, 0, NO_REPLICAS));
        assertEquals(STALE, GridKeys.apply(grid, key, 10, 1, 0, 3, 3, 0, NO_REPLICAS));
        assertEquals(APPLIED, GridKeys.apply(grid, key, 11, 0, 0, 4, 4, 0, NO_REPLICAS));

        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(11, entry.version());
        assertEquals(4, entry.valueLength());
        assertEquals(1, grid.size());
    }

    @Test
    void shouldBreakVersionTiesByVersionNode()
    {
        final byte[] key = bytes("tie");
        assertEquals(APPLIED, GridKeys.apply(grid, key, 500, 2, 0, 1, 1, 0, NO_REPLICAS));
        assertEquals(STALE, GridKeys.apply(grid, key, 500, 1, 0, 2, 2, 0, NO_REPLICAS));
        assertEquals(APPLIED, GridKeys.apply(grid, key, 500, 3, 0, 3, 3, 0, NO_REPLICAS));
        assertEquals(APPLIED, GridKeys.apply(grid, key, 500, 65535, 0, 4, 4, 0, NO_REPLICAS));
        assertEquals(STALE, GridKeys.apply(grid, key, 500, 65535, 0, 5, 5, 0, NO_REPLICAS));

        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(65535, entry.versionNode());
        assertEquals(4, entry.valueLength());
    }

    @Test
    void shouldCompareVersionsUnsigned()
    {
        final byte[] key = bytes("u64");
        assertEquals(APPLIED, GridKeys.apply(grid, key, Long.MAX_VALUE, 0, 0, 1, 1, 0, NO_REPLICAS));
        assertEquals(APPLIED, GridKeys.apply(grid, key, Long.MIN_VALUE, 0, 0, 2, 2, 0, NO_REPLICAS));
        assertEquals(STALE, GridKeys.apply(grid, key, 1, 0, 0, 3, 3, 0, NO_REPLICAS));

        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(Long.MIN_VALUE, entry.version());
    }

    @Test
    void shouldKeepTombstoneAndRejectOlderWrites()
    {
        final byte[] key = bytes("deleted");
        final long[] replicas = { GridReplica.pack(1, 64) };
        assertEquals(APPLIED, GridKeys.apply(grid, key, 5, 0, 0, 10, 10, 1, replicas));
        assertEquals(1, grid.liveKeys());

        assertEquals(APPLIED, GridKeys.apply(grid, key, 6, 0, GridEntry.TOMBSTONE, 0, 0, 1, replicas));
        assertTrue(GridKeys.get(grid, key, entry));
        assertTrue(entry.isTombstone());
        assertEquals(1, grid.size());
        assertEquals(0, grid.liveKeys());

        assertEquals(STALE, GridKeys.apply(grid, key, 5, 9, 0, 10, 10, 1, replicas));
        assertTrue(GridKeys.get(grid, key, entry));
        assertTrue(entry.isTombstone());

        assertEquals(APPLIED, GridKeys.apply(grid, key, 7, 0, 0, 11, 11, 1, replicas));
        assertEquals(1, grid.liveKeys());
    }

    @Test
    void shouldInsertTombstoneForUnknownKey()
    {
        final byte[] key = bytes("never-set");
        assertEquals(APPLIED, GridKeys.apply(grid, key, 3, 1, GridEntry.TOMBSTONE, 0, 0, 0, NO_REPLICAS));
        assertEquals(STALE, GridKeys.apply(grid, key, 2, 1, 0, 1, 1, 0, NO_REPLICAS));
        assertEquals(1, grid.size());
        assertEquals(0, grid.liveKeys());
    }

    @Test
    void shouldReplaceReplicasOnlyWhileVersionUnchanged()
    {
        final byte[] key = bytes("repair-me");
        assertEquals(APPLIED, GridKeys.apply(grid, key, 100, 4, 0, 9, 9, 2,
            new long[]{ GridReplica.pack(1, 10), GridReplica.pack(2, 20) }));

        final long[] repaired = { GridReplica.pack(1, 10), GridReplica.pack(3, 30) };
        assertEquals(STALE, GridKeys.replaceReplicas(grid, key, 100, 5, 2, repaired));
        assertEquals(STALE, GridKeys.replaceReplicas(grid, key, 99, 4, 2, repaired));
        assertEquals(APPLIED, GridKeys.replaceReplicas(grid, key, 100, 4, 2, repaired));
        assertEquals(NOT_FOUND, GridKeys.replaceReplicas(grid, bytes("other"), 100, 4, 2, repaired));
        assertEquals(NOT_FOUND, grid.replaceReplicas(7, 100, 4, 2, repaired));

        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(3, entry.logdId(1));
        assertEquals(30, entry.offset(1));
        assertEquals(100, entry.version());
        assertEquals(9, entry.valueLength());

        assertEquals(APPLIED, grid.replaceReplicas(entry.entryIndex(), 100, 4, 1, new long[]{ GridReplica.pack(8, 80) }));
        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(1, entry.replicaCount());
        assertEquals(8, entry.logdId(0));
    }

    @Test
    void shouldReplaceReplicasOfAnEqualVersionOnlyForARepair()
    {
        final DirectBuffer key = GridKeys.buffer(bytes("k"));
        final long[] first = {GridReplica.pack(1, 10), GridReplica.pack(2, 20)};
        final long[] repaired = {GridReplica.pack(1, 10), GridReplica.pack(3, 30)};
        assertEquals(APPLIED, GridKeys.apply(grid, key, 0, 1, 50, 4, 0, 7, 0xAB, 2, first));

        assertEquals(STALE, GridKeys.apply(grid, key, 0, 1, 50, 4, GridEntry.REPAIRED, 7, 0xAB, 2, repaired),
            "a plain change at an equal version changes nothing");
        assertEquals(APPLIED, GridKeys.applyRepair(grid, key, 0, 1, 50, 4, GridEntry.REPAIRED, 7, 0xAB, 2, repaired));
        assertTrue(GridKeys.get(grid, bytes("k"), entry));
        assertEquals(3, entry.logdId(1));
        assertEquals(30, entry.offset(1));
        assertEquals(GridEntry.REPAIRED, entry.flags());
        assertEquals(50, entry.version());

        assertEquals(STALE, GridKeys.applyRepair(grid, key, 0, 1, 49, 9, GridEntry.REPAIRED, 7, 0xAB, 2, first),
            "older");
        assertEquals(STALE, GridKeys.applyRepair(grid, key, 0, 1, 50, 3, GridEntry.REPAIRED, 7, 0xAB, 2, first),
            "older node");
        assertEquals(STALE, GridKeys.applyRepair(grid, key, 0, 1, 50, 4, GridEntry.REPAIRED, 7, 0xAC, 2, first),
            "another checksum is not the same write");
        assertEquals(STALE, GridKeys.applyRepair(grid, key, 0, 1, 50, 4, GridEntry.TOMBSTONE | GridEntry.REPAIRED,
            7, 0xAB, 2, first), "nor is a tombstone");
        assertTrue(GridKeys.get(grid, bytes("k"), entry));
        assertEquals(3, entry.logdId(1));

        assertEquals(APPLIED, GridKeys.apply(grid, key, 0, 1, 51, 4, 0, 8, 0xCD, 2, first), "a newer write wins");
        assertTrue(GridKeys.get(grid, bytes("k"), entry));
        assertEquals(0, entry.flags(), "and clears the repaired flag");
        assertEquals(APPLIED, GridKeys.applyRepair(grid, key, 0, 1, 52, 4, GridEntry.REPAIRED, 9, 0xEF, 1, repaired),
            "a repair of a version not held yet installs it");
        assertEquals(APPLIED, GridKeys.applyRepair(grid, GridKeys.buffer(bytes("new")), 0, 3, 1, 1,
            GridEntry.REPAIRED, 0, 0, 1, repaired), "as it does for a key not held");
        assertEquals(2, grid.size());
        assertEquals(2, grid.liveKeys());
    }

    @Test
    void shouldVisitEveryEntryExactlyOnceAcrossCursorSteps()
    {
        final int keyCount = 1000;
        for (int i = 0; i < keyCount; i++)
        {
            GridKeys.apply(grid, bytes("key-" + i), i + 1, 0, i % 3 == 0 ? GridEntry.TOMBSTONE : 0, i, i, 0,
                NO_REPLICAS);
        }

        final Set<String> seen = new HashSet<>();
        final long[] expectedIndex = { 0 };
        final GridVisitor visitor = (keyBuffer, keyIndex, keyLength, visited) ->
        {
            assertEquals(expectedIndex[0]++, visited.entryIndex());
            final String key = keyBuffer.getStringWithoutLengthAscii(keyIndex, keyLength);
            assertTrue(seen.add(key), key);
            assertEquals("key-" + visited.valueLength(), key);
            assertEquals(visited.valueLength() % 3 == 0, visited.isTombstone());
        };

        long cursor = 0;
        int calls = 0;
        while (cursor >= 0)
        {
            cursor = grid.forEach(cursor, 37, entry, visitor);
            calls++;
        }

        assertEquals(keyCount, seen.size());
        assertEquals((keyCount + 36) / 37, calls);
        assertEquals(-1, grid.forEach(keyCount, 10, visitor));
    }

    @Test
    void shouldStoreKeysOfLengthOneAndMax()
    {
        final byte[] shortest = { 0 };
        final byte[] longest = TestKeys.key(1, KeyGrid.MAX_KEY_LENGTH);
        final byte[] almostLongest = TestKeys.key(1, KeyGrid.MAX_KEY_LENGTH - 1);

        assertEquals(APPLIED, GridKeys.apply(grid, shortest, 1, 0, 0, 1, 1, 0, NO_REPLICAS));
        assertEquals(APPLIED, GridKeys.apply(grid, longest, 2, 0, 0, 2, 2, 0, NO_REPLICAS));
        assertEquals(APPLIED, GridKeys.apply(grid, almostLongest, 3, 0, 0, 3, 3, 0, NO_REPLICAS));

        assertTrue(GridKeys.get(grid, shortest, entry));
        assertEquals(1, entry.valueLength());
        assertTrue(GridKeys.get(grid, longest, entry));
        assertEquals(2, entry.valueLength());
        assertTrue(GridKeys.get(grid, almostLongest, entry));
        assertEquals(3, entry.valueLength());

        final AtomicReference<byte[]> visitedLongest = new AtomicReference<>();
        grid.forEach(1, 1, (keyBuffer, keyIndex, keyLength, visited) ->
        {
            final byte[] copy = new byte[keyLength];
            keyBuffer.getBytes(keyIndex, copy);
            visitedLongest.set(copy);
        });
        assertArrayEquals(longest, visitedLongest.get());

        assertThrows(IllegalArgumentException.class,
            () -> GridKeys.apply(grid, new byte[0], 1, 0, 0, 0, 0, 0, NO_REPLICAS));
        assertThrows(IllegalArgumentException.class,
            () -> GridKeys.apply(grid, new byte[KeyGrid.MAX_KEY_LENGTH + 1], 1, 0, 0, 0, 0, 0, NO_REPLICAS));
        assertFalse(GridKeys.get(grid, new byte[0], entry));
        assertFalse(GridKeys.get(grid, new byte[KeyGrid.MAX_KEY_LENGTH + 1], entry));
    }

    @Test
    void shouldNotConfuseKeysThatArePrefixesOfEachOther()
    {
        for (int length = 1; length <= 40; length++)
        {
            assertEquals(APPLIED, GridKeys.apply(grid, TestKeys.key(9, length), 1, 0, 0, length, 0, 0, NO_REPLICAS));
        }
        for (int length = 1; length <= 40; length++)
        {
            assertTrue(GridKeys.get(grid, TestKeys.key(9, length), entry));
            assertEquals(length, entry.valueLength());
        }
        assertEquals(40, grid.size());
    }

    @Test
    void shouldFindTheSameKeyThroughEveryKeyType()
    {
        final byte[] key = bytes("same-key-any-buffer");
        final int n = key.length;
        assertEquals(APPLIED, GridKeys.apply(grid, key, 1, 0, 0, 77, 0, 0, NO_REPLICAS));

        final UnsafeBuffer heapDirectBuffer = new UnsafeBuffer(new byte[n + 3]);
        heapDirectBuffer.putBytes(3, key);
        assertFound(heapDirectBuffer, 3, n);

        final UnsafeBuffer offHeapDirectBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(n + 5));
        offHeapDirectBuffer.putBytes(5, key);
        assertFound(offHeapDirectBuffer, 5, n);

        final ByteBuf heapBuf = Unpooled.buffer(n + 2).writeZero(2).writeBytes(key);
        final ByteBuf directBuf = Unpooled.directBuffer(n + 1).writeZero(1).writeBytes(key);
        final CompositeByteBuf compositeBuf = Unpooled.compositeBuffer()
            .addComponent(true, Unpooled.wrappedBuffer(key, 0, 4))
            .addComponent(true, Unpooled.wrappedBuffer(key, 4, n - 4));
        final ByteBuf slicedArray = Unpooled.wrappedBuffer(new byte[n + 8]).setBytes(6, key).slice(6, n);
        // Netty buffers reach the grid through the edge's reused view.
        final FrameView view = new FrameView();
        try
        {
            assertTrue(grid.get(view.wrap(heapBuf), 2, n, entry));
            assertTrue(grid.get(view.wrap(directBuf), 1, n, entry));
            assertTrue(grid.get(view.wrap(compositeBuf), 0, n, entry));
            assertTrue(grid.get(view.wrap(slicedArray), 0, n, entry));
            assertEquals(STALE, GridKeys.apply(grid, view.wrap(compositeBuf), 0, n, 1, 0, 0, 0, 0, 0, NO_REPLICAS));
            assertEquals(APPLIED, GridKeys.apply(grid, view.wrap(directBuf), 1, n, 2, 0, 0, 78, 0, 0, NO_REPLICAS));
            assertThrows(IndexOutOfBoundsException.class, () -> grid.get(view.wrap(heapBuf), 3, n, entry));
        }
        finally
        {
            heapBuf.release();
            directBuf.release();
            compositeBuf.release();
            BufferUtil.free(offHeapDirectBuffer.byteBuffer());
        }

        assertTrue(GridKeys.get(grid, key, entry));
        assertEquals(78, entry.valueLength());
        assertEquals(1, grid.size());
    }

    @Test
    void shouldGrowIndexWithoutLosingKeysAndReportMemory()
    {
        assertEquals(8, grid.capacity());
        final int keyCount = 5000;
        for (int i = 0; i < keyCount; i++)
        {
            assertEquals(APPLIED, GridKeys.apply(grid, TestKeys.key(i, 16), 1, 0, 0, i, 0, 0, NO_REPLICAS));
        }

        assertEquals(8192, grid.capacity());
        for (int i = 0; i < keyCount; i++)
        {
            assertTrue(GridKeys.get(grid, TestKeys.key(i, 16), entry));
            assertEquals(i, entry.valueLength());
        }
        assertEquals(16 + 8192 * 8, grid.indexBytes());
        assertEquals(1250L * 4 * 48, grid.entryBytes());
        assertEquals(keyCount * 16L, grid.keyArenaUsedBytes());
        assertEquals(2L * KeyArena.MIN_CHUNK_BYTES, grid.keyArenaBytes());

        grid.ensureCapacity(100_000);
        assertEquals(1 << 18, grid.capacity());
        assertTrue(GridKeys.get(grid, TestKeys.key(4321, 16), entry));
    }

    @Test
    void shouldRejectSecondWriterWhenCheckEnabled() throws InterruptedException
    {
        GridKeys.apply(grid, bytes("mine"), 1, 0, 0, 0, 0, 0, NO_REPLICAS);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread intruder = new Thread(
            () ->
            {
                try
                {
                    GridKeys.apply(grid, bytes("theirs"), 1, 0, 0, 0, 0, 0, NO_REPLICAS);
                }
                catch (final Throwable ex)
                {
                    error.set(ex);
                }
            });
        intruder.start();
        intruder.join();

        assertTrue(error.get() instanceof IllegalStateException, String.valueOf(error.get()));
        assertFalse(GridKeys.get(grid, bytes("theirs"), entry));
    }

    @Test
    void shouldSampleEntriesAndReadByIndex()
    {
        assertEquals(-1, grid.randomEntry(42, entry));
        for (int i = 0; i < 10; i++)
        {
            GridKeys.apply(grid, bytes("s" + i), 1, 0, 0, i, 0, 0, NO_REPLICAS);
        }

        final Set<Long> sampled = new HashSet<>();
        for (long seed = 0; seed < 1000; seed++)
        {
            final long entryIndex = grid.randomEntry(seed, entry);
            assertEquals(entryIndex, entry.entryIndex());
            assertEquals(entryIndex, entry.valueLength());
            sampled.add(entryIndex);
        }
        assertEquals(10, sampled.size());
        assertTrue(grid.readEntry(9, entry));
        assertFalse(grid.readEntry(10, entry));
        assertFalse(grid.readEntry(-1, entry));
    }

    @Test
    void shouldValidateArguments()
    {
        final byte[] key = bytes("v");
        assertThrows(IllegalArgumentException.class,
            () -> GridKeys.apply(grid, key, 1, 65536, 0, 0, 0, 0, NO_REPLICAS));
        assertThrows(IllegalArgumentException.class, () -> GridKeys.apply(grid, key, 1, 0, 256, 0, 0, 0, NO_REPLICAS));
        assertThrows(IllegalArgumentException.class, () -> GridKeys.apply(grid, key, 1, 0, 0, 0, 0, 3, new long[3]));
        assertThrows(IllegalArgumentException.class, () -> GridKeys.apply(grid, key, 1, 0, 0, 0, 0, 2, new long[1]));
        assertThrows(IllegalArgumentException.class, () -> GridReplica.pack(65536, 0));
        assertThrows(IllegalArgumentException.class, () -> GridReplica.pack(0, 1L << 48));
        assertThrows(IllegalArgumentException.class, () -> new KeyGrid(8, 8));
        assertThrows(IllegalArgumentException.class, () -> new KeyGrid(0, 8));
        assertEquals(0, grid.size());
    }

    @Test
    void shouldMissEverythingAfterClose()
    {
        GridKeys.apply(grid, bytes("gone"), 1, 0, 0, 0, 0, 0, NO_REPLICAS);
        grid.close();

        assertFalse(GridKeys.get(grid, bytes("gone"), entry));
        assertEquals(0, grid.size());
        assertEquals(0, grid.entryBytes());
        assertThrows(IllegalStateException.class,
            () -> GridKeys.apply(grid, bytes("gone"), 2, 0, 0, 0, 0, 0, NO_REPLICAS));
    }

    private void assertFound(final DirectBuffer buffer, final int index, final int length)
    {
        assertTrue(grid.get(buffer, index, length, entry));
        assertEquals(77, entry.valueLength());
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
