package io.metrodb.mapd.grid;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grid against a {@link HashMap} model under random action sequences; jqwik reports the seed of a failure.
 * Grids start at 8 slots with 4-entry and minimum-size key chunks, so sequences cross many resizes and chunks.
 */
class KeyGridModelTest
{
    enum Kind
    {
        PUT, DELETE, GET, REPAIR, ENSURE_CAPACITY
    }

    record KeySpec(long keyId, int length)
    {
        byte[] bytes()
        {
            return TestKeys.key(keyId, length);
        }
    }

    record Op(Kind kind, KeySpec key, long version, int node, int valueLength, int replicaCount, long replicaSeed)
    {
    }

    record ModelEntry(long version, int node, int flags, int valueLength, int checksum, long[] replicas)
    {
    }

    @Property(tries = 400)
    void shouldBehaveLikeHashMapWithLastWriterWins(
        @ForAll("operations") final List<Op> ops, @ForAll @IntRange(min = 1, max = 7) final int maxReplicas)
    {
        final Map<ByteBuffer, ModelEntry> model = new HashMap<>();
        final GridEntry entry = new GridEntry();
        final KeyGrid grid = new KeyGrid(maxReplicas, 8, 4, KeyArena.MIN_CHUNK_BYTES, true);
        try
        {
            for (final Op op : ops)
            {
                final byte[] key = op.key().bytes();
                apply(grid, model, op, key, maxReplicas);
                assertMatches(grid, model, key, entry);
                assertEquals(model.size(), grid.size());
                assertEquals(liveKeys(model), grid.liveKeys());
            }

            for (final ByteBuffer key : model.keySet())
            {
                assertMatches(grid, model, key.array(), entry);
            }
            assertWalkCoversModel(grid, model, 1 + ops.size() % 7);
            assertTrue(grid.size() <= grid.capacity() * 7 / 10);
        }
        finally
        {
            grid.close();
        }
    }

    @Provide
    Arbitrary<List<Op>> operations()
    {
        final Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.just(Kind.PUT)),
            Tuple.of(2, Arbitraries.just(Kind.DELETE)),
            Tuple.of(3, Arbitraries.just(Kind.GET)),
            Tuple.of(1, Arbitraries.just(Kind.REPAIR)),
            Tuple.of(1, Arbitraries.just(Kind.ENSURE_CAPACITY)));
        final Arbitrary<KeySpec> smallSpace = Combinators.combine(
            Arbitraries.longs().between(0, 7), Arbitraries.of(1, 2, 7, 8, 9, 16, 17)).as(KeySpec::new);
        final Arbitrary<KeySpec> largeSpace = Combinators.combine(
            Arbitraries.longs(), Arbitraries.integers().between(1, 300)).as(KeySpec::new);
        final Arbitrary<KeySpec> longKeys = Combinators.combine(
            Arbitraries.longs().between(0, 3), Arbitraries.integers().between(301, KeyGrid.MAX_KEY_LENGTH))
            .as(KeySpec::new);
        final Arbitrary<KeySpec> keys = Arbitraries.frequencyOf(
            Tuple.of(12, smallSpace), Tuple.of(7, largeSpace), Tuple.of(1, longKeys));

        return Combinators.combine(
            kinds,
            keys,
            Arbitraries.longs().between(0, 30),
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers(),
            Arbitraries.integers().between(0, GridEntry.MAX_REPLICAS),
            Arbitraries.longs())
            .as(Op::new)
            .list().ofMinSize(1).ofMaxSize(300);
    }

    private static void apply(
        final KeyGrid grid, final Map<ByteBuffer, ModelEntry> model, final Op op, final byte[] key, final int maxReplicas)
    {
        final ByteBuffer modelKey = ByteBuffer.wrap(key);
        final ModelEntry stored = model.get(modelKey);
        final int replicaCount = Math.min(op.replicaCount(), maxReplicas);
        final long[] replicas = replicas(op.replicaSeed(), replicaCount);

        switch (op.kind())
        {
            case PUT, DELETE ->
            {
                final int flags = op.kind() == Kind.DELETE ? GridEntry.TOMBSTONE : 0;
                final int checksum = op.valueLength() * 31;
                final boolean newer = null == stored || op.version() > stored.version() ||
                    (op.version() == stored.version() && op.node() > stored.node());
                final int result = grid.apply(
                    key, op.version(), op.node(), flags, op.valueLength(), checksum, replicaCount, replicas);
                assertEquals(newer ? KeyGrid.APPLIED : KeyGrid.STALE, result);
                if (newer)
                {
                    model.put(modelKey, new ModelEntry(
                        op.version(), op.node(), flags, op.valueLength(), checksum, replicas));
                }
            }
            case REPAIR ->
            {
                // Half the repairs carry the stored version so that the APPLIED path runs often.
                final boolean useStored = null != stored && (op.version() & 1) == 0;
                final long expectedVersion = useStored ? stored.version() : op.version();
                final int expectedNode = useStored ? stored.node() : op.node();
                final int result = grid.replaceReplicas(key, expectedVersion, expectedNode, replicaCount, replicas);
                if (null == stored)
                {
                    assertEquals(KeyGrid.NOT_FOUND, result);
                }
                else if (stored.version() == expectedVersion && stored.node() == expectedNode)
                {
                    assertEquals(KeyGrid.APPLIED, result);
                    model.put(modelKey, new ModelEntry(stored.version(), stored.node(), stored.flags(),
                        stored.valueLength(), stored.checksum(), replicas));
                }
                else
                {
                    assertEquals(KeyGrid.STALE, result);
                }
            }
            case ENSURE_CAPACITY -> grid.ensureCapacity(grid.size() + op.version() * 10);
            case GET ->
            {
            }
        }
    }

    private static void assertMatches(
        final KeyGrid grid, final Map<ByteBuffer, ModelEntry> model, final byte[] key, final GridEntry entry)
    {
        final ModelEntry expected = model.get(ByteBuffer.wrap(key));
        if (null == expected)
        {
            assertFalse(grid.get(key, entry));
            return;
        }

        assertTrue(grid.get(key, entry), "key of length " + key.length);
        assertEntry(expected, entry);
    }

    private static void assertEntry(final ModelEntry expected, final GridEntry entry)
    {
        assertEquals(expected.version(), entry.version());
        assertEquals(expected.node(), entry.versionNode());
        assertEquals(expected.flags(), entry.flags());
        assertEquals(expected.valueLength(), entry.valueLength());
        assertEquals(expected.checksum(), entry.checksum());
        assertArrayEquals(expected.replicas(), Arrays.copyOf(entry.replicas, entry.replicaCount()));
    }

    private static void assertWalkCoversModel(
        final KeyGrid grid, final Map<ByteBuffer, ModelEntry> model, final int step)
    {
        final Set<ByteBuffer> visited = new HashSet<>();
        final GridVisitor visitor = (keyBuffer, keyIndex, keyLength, entry) ->
        {
            final byte[] key = new byte[keyLength];
            keyBuffer.getBytes(keyIndex, key);
            final ByteBuffer modelKey = ByteBuffer.wrap(key);
            assertTrue(visited.add(modelKey), "visited twice");
            assertEntry(model.get(modelKey), entry);
        };

        long cursor = 0;
        while (cursor >= 0)
        {
            cursor = grid.forEach(cursor, step, visitor);
        }
        assertEquals(model.keySet(), visited);
    }

    private static long liveKeys(final Map<ByteBuffer, ModelEntry> model)
    {
        return model.values().stream().filter((e) -> (e.flags() & GridEntry.TOMBSTONE) == 0).count();
    }

    private static long[] replicas(final long seed, final int count)
    {
        final long[] replicas = new long[count];
        for (int i = 0; i < count; i++)
        {
            final long mixed = KeyBytes.mix(seed + i);
            replicas[i] = GridReplica.pack((int)(mixed >>> 48), mixed & GridReplica.MAX_OFFSET);
        }

        return replicas;
    }
}
