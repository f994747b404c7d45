package io.metrodb.mapd.store;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot write and load: every entry comes back (key, version, version node, flags including tombstones and
 * REPAIRED, value length, checksum, replicas), from format 2 and from format 1 files; a flipped byte, a truncated or
 * extended file, or an unknown format is refused and leaves the grid empty.
 * <p>
 * {@code -DgridSnapshot.keys=N} sets the size of the big round trip (default 250,000: MapdSnapshotRestartTest restarts
 * a mapd from a million); {@code -DgridSnapshot.seed} replays a run.
 */
class GridSnapshotTest
{
    private static final long SEED = Long.getLong("gridSnapshot.seed", System.nanoTime());
    private static final int BIG_KEYS = Integer.getInteger("gridSnapshot.keys", 250_000);
    private static final int NODE_ID = 7;
    private static final long JOURNAL_POSITION = 123_456_789L;
    private static final long OWN_SEQUENCE = 987_654_321L;

    @TempDir
    Path dir;

    private final List<KeyGrid> grids = new ArrayList<>();

    @AfterEach
    void closeGrids()
    {
        grids.forEach(KeyGrid::close);
    }

    private KeyGrid newGrid(final int rf, final long expectedKeys)
    {
        final KeyGrid grid = new KeyGrid(rf, (int)Math.max(16, expectedKeys * 10 / 7 + 1));
        grids.add(grid);
        return grid;
    }

    /**
     * {@code count} distinct keys of 6..32 bytes with random versions (unsigned), version nodes, value lengths
     * and checksums; about 5% tombstones, 5% REPAIRED, 1% both; 0..rf replicas.
     */
    private KeyGrid randomGrid(final int rf, final int count, final long seed)
    {
        final KeyGrid grid = newGrid(rf, count);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] replicas = new long[rf];
        final ByteBuf key = Unpooled.buffer(32);
        for (int i = 0; i < count; i++)
        {
            key.clear().writeInt(i);
            final int extra = 2 + random.nextInt(27);
            for (int b = 0; b < extra; b++)
            {
                key.writeByte('a' + random.nextInt(26));
            }
            final int dice = random.nextInt(100);
            final int flags = dice < 5 ? GridEntry.TOMBSTONE : dice < 10 ? GridEntry.REPAIRED :
                dice < 11 ? GridEntry.TOMBSTONE | GridEntry.REPAIRED : 0;
            final int replicaCount = random.nextInt(rf + 1);
            for (int r = 0; r < replicaCount; r++)
            {
                replicas[r] = GridReplica.pack(random.nextInt(0x10000), random.nextLong(GridReplica.MAX_OFFSET + 1));
            }
            assertEquals(KeyGrid.APPLIED, GridKeys.apply(grid, key, 0, key.readableBytes(), random.nextLong(),
                random.nextInt(0x10000), flags, random.nextInt(Integer.MAX_VALUE), random.nextInt(), replicaCount,
                replicas));
        }
        return grid;
    }

    private static long[] lastApplied()
    {
        final long[] lastApplied = new long[0x10000];
        lastApplied[0] = 5;
        lastApplied[3] = Long.MIN_VALUE;
        lastApplied[0xFFFF] = 77;
        return lastApplied;
    }

    private Path file()
    {
        return dir.resolve(GridSnapshot.FILE_NAME);
    }

    /**
     * The whole of {@code expected}, not a sample: every entry is found in {@code actual} by its key with every
     * field equal, each under a distinct entry, and both hold the same number of entries and live keys.
     */
    private static void assertSameGrid(final KeyGrid expected, final KeyGrid actual, final String context)
    {
        assertEquals(expected.size(), actual.size(), "entries, " + context);
        assertEquals(expected.liveKeys(), actual.liveKeys(), "live keys, " + context);
        final GridEntry found = new GridEntry();
        final BitSet seen = new BitSet();
        final byte[] key = new byte[KeyGrid.MAX_KEY_LENGTH];
        final long[] counted = new long[2];
        for (long cursor = 0; cursor >= 0; )
        {
            cursor = expected.forEach(cursor, 4096, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                keyBuffer.getBytes(keyIndex, key, 0, keyLength);
                final ByteBuf keyBuf = Unpooled.wrappedBuffer(key, 0, keyLength);
                if (!GridKeys.get(actual, keyBuf, 0, keyLength, found))
                {
                    throw new AssertionError("entry " + entry.entryIndex() + " lost, " + context);
                }
                if (found.version() != entry.version() || found.versionNode() != entry.versionNode() ||
                    found.flags() != entry.flags() || found.valueLength() != entry.valueLength() ||
                    found.checksum() != entry.checksum() || found.replicaCount() != entry.replicaCount())
                {
                    throw new AssertionError("entry " + entry.entryIndex() + ": " + entry + " came back as " +
                        found + ", " + context);
                }
                for (int r = 0; r < entry.replicaCount(); r++)
                {
                    if (found.replica(r) != entry.replica(r))
                    {
                        throw new AssertionError("entry " + entry.entryIndex() + " replica " + r + ": " + entry +
                            " came back as " + found + ", " + context);
                    }
                }
                if (seen.get((int)found.entryIndex()))
                {
                    throw new AssertionError("two keys found as entry " + found.entryIndex() + ", " + context);
                }
                seen.set((int)found.entryIndex());
                counted[0]++;
                counted[1] += entry.isTombstone() ? 1 : 0;
            });
        }
        assertEquals(expected.size(), counted[0], context);
        assertEquals(expected.size() - expected.liveKeys(), counted[1], "tombstones, " + context);
    }

    @Test
    void shouldRestoreEveryEntryOfABigSnapshot() throws IOException
    {
        final String context = "seed " + SEED + ", " + BIG_KEYS + " keys";
        final KeyGrid source = randomGrid(2, BIG_KEYS, SEED);
        assertTrue(source.size() - source.liveKeys() > BIG_KEYS / 50, "tombstones present, " + context);

        long startNs = System.nanoTime();
        final GridSnapshot.Header written = GridSnapshot.write(dir, source, NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE,
            lastApplied());
        final long writeMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(BIG_KEYS, written.entries());

        final KeyGrid restored = newGrid(2, BIG_KEYS);
        startNs = System.nanoTime();
        final GridSnapshot.Header loaded = GridSnapshot.load(dir, restored);
        final long loadMs = (System.nanoTime() - startNs) / 1_000_000;
        System.out.printf("GridSnapshotTest: %,d keys, %,d B: write %,d ms, load %,d ms (%s)%n", BIG_KEYS,
            Files.size(file()), writeMs, loadMs, context);

        assertEquals(NODE_ID, loaded.nodeId());
        assertEquals(JOURNAL_POSITION, loaded.journalPosition());
        assertEquals(OWN_SEQUENCE, loaded.ownSequence());
        assertEquals(BIG_KEYS, loaded.entries());
        assertArrayEquals(lastApplied(), loaded.lastApplied());
        assertSameGrid(source, restored, context);
    }

    @Test
    void shouldKeepReplicasUpToTheNewReplicationFactor() throws IOException
    {
        final KeyGrid source = randomGrid(3, 5_000, SEED);
        GridSnapshot.write(dir, source, NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE, lastApplied());

        final KeyGrid same = newGrid(3, 5_000);
        GridSnapshot.load(dir, same);
        assertSameGrid(source, same, "seed " + SEED);

        final KeyGrid fewer = newGrid(2, 5_000);
        GridSnapshot.load(dir, fewer);
        final GridEntry before = new GridEntry();
        final GridEntry after = new GridEntry();
        for (long i = 0; i < source.size(); i++)
        {
            source.readEntry(i, before);
            fewer.readEntry(i, after);
            assertEquals(before.version(), after.version(), "seed " + SEED);
            assertEquals(Math.min(2, before.replicaCount()), after.replicaCount(), "seed " + SEED);
            for (int r = 0; r < after.replicaCount(); r++)
            {
                assertEquals(before.replica(r), after.replica(r), "seed " + SEED);
            }
        }
        assertEquals(source.liveKeys(), fewer.liveKeys());
    }

    @Test
    void shouldLoadAFormat1Snapshot() throws IOException
    {
        final KeyGrid source = randomGrid(2, 20_000, SEED);
        Format1.write(dir, source, NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE, lastApplied());

        final KeyGrid restored = newGrid(2, 20_000);
        final GridSnapshot.Header loaded = GridSnapshot.load(dir, restored);

        assertEquals(NODE_ID, loaded.nodeId());
        assertEquals(JOURNAL_POSITION, loaded.journalPosition());
        assertEquals(OWN_SEQUENCE, loaded.ownSequence());
        assertArrayEquals(lastApplied(), loaded.lastApplied());
        assertSameGrid(source, restored, "format 1, seed " + SEED);

        GridSnapshot.write(dir, restored, NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE, loaded.lastApplied());
        assertEquals(GridSnapshot.FORMAT, ByteBuffer.wrap(Files.readAllBytes(file())).getInt(8),
            "the next snapshot is format 2");
        final KeyGrid again = newGrid(2, 20_000);
        GridSnapshot.load(dir, again);
        assertSameGrid(source, again, "format 1 then 2, seed " + SEED);
    }

    @Test
    void shouldDetectAFormat1SnapshotWithAFlippedByte() throws IOException
    {
        Format1.write(dir, randomGrid(2, 100, SEED), NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE, lastApplied());
        final long length = Files.size(file());
        flip(length / 2);

        assertRefused("is corrupt");
    }

    @Test
    void shouldRefuseAnUnknownFormat() throws IOException
    {
        GridSnapshot.write(dir, randomGrid(2, 100, SEED), NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE, lastApplied());
        write(8, new byte[] {0, 0, 0, 3});

        final IOException refused = assertRefused("has snapshot format 3");
        assertTrue(refused.getMessage().contains("--rebuild-from-logds"), refused.getMessage());
    }

    @Test
    void shouldDetectAFlippedByteAnywhere() throws IOException
    {
        final KeyGrid source = randomGrid(2, 2_000, SEED);
        GridSnapshot.write(dir, source, NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE, lastApplied());
        final byte[] original = Files.readAllBytes(file());
        final int origins = 3;
        final int recordsStart = GridSnapshot.HEADER_LENGTH + 4 + origins * 10;
        final int keysStart = recordsStart + 2_000 * 48;
        final List<Long> positions = new ArrayList<>(List.of(
            0L, 8L, 11L, 12L, 16L, 24L, 32L, 39L, 40L, 44L, 48L, 52L, (long)recordsStart - 1,
            (long)recordsStart, (long)recordsStart + 8, (long)recordsStart + 20, (long)recordsStart + 30,
            (long)recordsStart + 31, (long)recordsStart + 32, (long)keysStart - 1, (long)keysStart,
            original.length - 21L, original.length - 20L, original.length - 12L, original.length - 5L,
            original.length - 4L, original.length - 1L));
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 40; i++)
        {
            positions.add((long)random.nextInt(original.length));
        }
        for (final long position : positions)
        {
            Files.write(file(), original);
            flip(position);
            final KeyGrid grid = newGrid(2, 2_000);
            final IOException refused = assertThrows(IOException.class, () -> GridSnapshot.load(dir, grid),
                "flipped byte " + position + ", seed " + SEED);
            assertTrue(refused.getMessage().contains(file().toString()), refused.getMessage());
            assertEquals(0, grid.size(), "nothing loaded, flipped byte " + position);
            assertEquals(0, grid.liveKeys());
        }
        Files.write(file(), original);
        final KeyGrid intact = newGrid(2, 2_000);
        GridSnapshot.load(dir, intact);
        assertSameGrid(source, intact, "seed " + SEED);
    }

    @Test
    void shouldDetectATruncatedOrExtendedSnapshot() throws IOException
    {
        GridSnapshot.write(dir, randomGrid(2, 2_000, SEED), NODE_ID, JOURNAL_POSITION, OWN_SEQUENCE,
            lastApplied());
        final byte[] original = Files.readAllBytes(file());
        for (final int length : new int[] {0, 5, 11, 12, 40, GridSnapshot.HEADER_LENGTH + 4,
            GridSnapshot.HEADER_LENGTH + 4 + GridSnapshot.TRAILER_LENGTH, original.length / 2,
            original.length - GridSnapshot.TRAILER_LENGTH, original.length - 48, original.length - 1})
        {
            Files.write(file(), Arrays.copyOf(original, length));
            final KeyGrid grid = newGrid(2, 2_000);
            assertThrows(IOException.class, () -> GridSnapshot.load(dir, grid), "cut to " + length);
            assertEquals(0, grid.size(), "cut to " + length);
        }
        for (final int extra : new int[] {1, 48})
        {
            Files.write(file(), Arrays.copyOf(original, original.length + extra));
            final KeyGrid grid = newGrid(2, 2_000);
            assertThrows(IOException.class, () -> GridSnapshot.load(dir, grid), extra + " bytes appended");
            assertEquals(0, grid.size());
        }
    }

    @Test
    void shouldLoadNothingWithoutASnapshot() throws IOException
    {
        final KeyGrid grid = newGrid(2, 10);
        assertEquals(null, GridSnapshot.load(dir, grid));
        assertFalse(Files.exists(file()));
    }

    private IOException assertRefused(final String reason)
    {
        final KeyGrid grid = newGrid(2, 100);
        final IOException refused = assertThrows(IOException.class, () -> GridSnapshot.load(dir, grid));
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
        assertEquals(0, grid.size());
        return refused;
    }

    private void flip(final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            channel.write(ByteBuffer.wrap(new byte[] {(byte)(one.get(0) ^ 0x10)}), position);
        }
    }

    private void write(final long position, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    /**
     * The format 1 writer, as it was before format 2: what older mapds left on disk.
     */
    static final class Format1
    {
        private Format1()
        {
        }

        static void write(final Path dir, final KeyGrid grid, final int nodeId, final long journalPosition,
            final long ownSequence, final long[] lastApplied) throws IOException
        {
            final ByteBuf out = Unpooled.buffer();
            out.writeLong(GridSnapshot.MAGIC).writeInt(GridSnapshot.FORMAT_1).writeInt(nodeId)
                .writeLong(journalPosition).writeLong(ownSequence);
            final int countIndex = out.writerIndex();
            out.writeInt(0);
            int origins = 0;
            for (int origin = 0; origin < lastApplied.length; origin++)
            {
                if (lastApplied[origin] != 0)
                {
                    out.writeShort(origin).writeLong(lastApplied[origin]);
                    origins++;
                }
            }
            out.setInt(countIndex, origins);
            final short[] logdIds = new short[GridEntry.MAX_REPLICAS];
            final long[] offsets = new long[GridEntry.MAX_REPLICAS];
            final ByteBuf key = Unpooled.buffer(KeyGrid.MAX_KEY_LENGTH);
            final long[] count = new long[1];
            for (long cursor = 0; cursor >= 0; )
            {
                cursor = grid.forEach(cursor, 4096, (keyBuffer, keyIndex, keyLength, entry) ->
                {
                    for (int i = 0; i < entry.replicaCount(); i++)
                    {
                        logdIds[i] = (short)entry.logdId(i);
                        offsets[i] = entry.offset(i);
                    }
                    out.writeInt(Change.length(keyLength, entry.replicaCount()));
                    keyBuffer.getBytes(keyIndex, key.array(), key.arrayOffset(), keyLength);
                    new ChangeFlyweight().wrapForAppend(out, keyLength, entry.replicaCount())
                        .version(entry.version()).versionNode(entry.versionNode()).flags(entry.flags())
                        .valueLength(entry.valueLength()).checksum(entry.checksum())
                        .key(key, 0, keyLength).replicas(entry.replicaCount(), logdIds, offsets)
                        .commit();
                    count[0]++;
                });
            }
            out.writeLong(count[0]).writeLong(GridSnapshot.END_MAGIC);
            final CRC32C crc = new CRC32C();
            crc.update(out.array(), out.arrayOffset(), out.readableBytes());
            out.writeInt((int)crc.getValue());
            final byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            Files.write(dir.resolve(GridSnapshot.FILE_NAME), bytes);
        }
    }
}
