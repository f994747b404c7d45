package io.metrodb.mapd.grid;

import io.metrodb.protocol.testing.Generators;
import io.metrodb.protocol.testing.Minimiser;
import io.metrodb.protocol.testing.TestSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The grid against a {@link HashMap} model under seeded random operation sequences. A failing sequence is
 * minimised (one operation dropped at a time while it still fails) and reported with the seed; rerun with
 * {@code -Dgrid.model.seed=<seed>} (or {@code -Dmetrodb.seed}). Versions span the whole u64 range, including
 * values past 2^63 (negative as a Java long), and the model orders them as the grid must: unsigned.
 * Grids start at 8 slots with 4-entry and minimum-size key chunks, so sequences cross many resizes and chunks.
 */
class KeyGridModelTest
{
    private static final int TRIES = 400;
    private static final int MAX_OPERATIONS = 300;
    /** A fixed hybrid clock era (mid 2025), not the wall clock, so that a seed replays the same versions. */
    private static final long HLC_BASE_MS = 1_750_000_000_000L;

    @RegisterExtension
    final TestSeed seed = new TestSeed("grid.model.seed");

    enum Kind
    {
        PUT, DELETE, GET, REPAIR, ENSURE_CAPACITY
    }

    /** How the model orders two versions, like {@link Long#compareUnsigned}. */
    @FunctionalInterface
    interface VersionOrder
    {
        int compare(long a, long b);
    }

    record KeySpec(long keyId, int length)
    {
        byte[] bytes()
        {
            return TestKeys.key(keyId, length);
        }

        @Override
        public String toString()
        {
            return "key(" + keyId + ", " + length + ")";
        }
    }

    record Op(
        Kind kind,
        KeySpec key,
        long version,
        int node,
        int valueLength,
        int replicaCount,
        long replicaSeed,
        boolean repairStored,
        int growBy)
    {
        @Override
        public String toString()
        {
            final String versioned = key + " version 0x" + Long.toHexString(version) + " node " + node;
            switch (kind)
            {
                case PUT:
                case DELETE:
                    return kind + " " + versioned + " valueLength " + valueLength + " replicas " + replicaCount +
                        " (replica seed " + replicaSeed + ")";
                case REPAIR:
                    return "REPAIR " + key + (repairStored ? " at the stored version" : " at " + versioned) +
                        " replicas " + replicaCount + " (replica seed " + replicaSeed + ")";
                case ENSURE_CAPACITY:
                    return "ENSURE_CAPACITY size + " + growBy;
                default:
                    return "GET " + key;
            }
        }
    }

    record ModelEntry(long version, int node, int flags, int valueLength, int checksum, long[] replicas)
    {
    }

    @Test
    void shouldBehaveLikeHashMapWithLastWriterWins()
    {
        final SplittableRandom random = seed.random();
        for (int t = 0; t < TRIES; t++)
        {
            final int maxReplicas = 1 + random.nextInt(GridEntry.MAX_REPLICAS);
            final List<Op> ops = operations(random);
            final AssertionError failure = failureOf(ops, maxReplicas, Long::compareUnsigned);
            if (null != failure)
            {
                final List<Op> minimal = Minimiser.minimise(
                    ops, (candidate) -> null != failureOf(candidate, maxReplicas, Long::compareUnsigned));
                final AssertionError minimalFailure = failureOf(minimal, maxReplicas, Long::compareUnsigned);
                final String report = report("try " + t + " of " + TRIES, ops, minimal, maxReplicas, minimalFailure);
                System.out.println(seed.describe() + ": " + report);
                throw new AssertionError(report, minimalFailure);
            }
        }
    }

    @Test
    void shouldOrderVersionsAsUnsigned64BitNumbersThenByNode()
    {
        final long[] ascending =
        {
            0, 1, 2, HLC_BASE_MS << 16, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, -2, -1
        };
        final byte[] key = TestKeys.key(1, 9);
        final GridEntry entry = new GridEntry();
        final KeyGrid grid = new KeyGrid(1, 8, 4, KeyArena.MIN_CHUNK_BYTES, true);
        try
        {
            for (int i = 0; i < ascending.length; i++)
            {
                final String v = "0x" + Long.toHexString(ascending[i]);
                assertEquals("APPLIED", put(grid, key, ascending[i], 1, i), v);
                assertEquals("STALE", put(grid, key, ascending[i], 0, -1), "lower node at the same version " + v);
                for (int j = 0; j < i; j++)
                {
                    assertEquals("STALE", put(grid, key, ascending[j], 0xFFFF, -1),
                        "0x" + Long.toHexString(ascending[j]) + " after " + v);
                }
                assertTrue(GridKeys.get(grid, key, entry));
                assertEquals(ascending[i], entry.version(), v);
                assertEquals(i, entry.valueLength(), v);
                assertEquals("APPLIED", put(grid, key, ascending[i], 2, i), "higher node at the same version " + v);
            }
        }
        finally
        {
            grid.close();
        }
    }

    /**
     * The minimiser against a model that orders versions signed, as a grid with that bug would: among random
     * sequences one fails, and it shrinks to the two writes to one key whose versions signed and unsigned order
     * differently. Also proves the generator reaches versions past 2^63.
     */
    @Test
    void shouldMinimiseAFailingSequenceToTheTwoWritesThatMatter()
    {
        final VersionOrder signed = Long::compare;
        final SplittableRandom random = seed.random();
        for (int t = 0; t < 100; t++)
        {
            final int maxReplicas = 1 + random.nextInt(GridEntry.MAX_REPLICAS);
            final List<Op> ops = operations(random);
            if (null != failureOf(ops, maxReplicas, signed))
            {
                final List<Op> minimal = Minimiser.minimise(
                    ops, (candidate) -> null != failureOf(candidate, maxReplicas, signed));
                final String report = report("signed model, try " + t, ops, minimal, maxReplicas,
                    failureOf(minimal, maxReplicas, signed));
                System.out.println(report);

                assertEquals(2, minimal.size(), report);
                final Op first = minimal.get(0);
                final Op second = minimal.get(1);
                assertTrue(isWrite(first) && isWrite(second), report);
                assertEquals(first.key(), second.key(), report);
                assertNotEquals(Long.signum(Long.compare(second.version(), first.version())),
                    Long.signum(Long.compareUnsigned(second.version(), first.version())), report);
                assertEquals(null, failureOf(minimal, maxReplicas, Long::compareUnsigned), report);
                return;
            }
        }
        fail("no sequence of 100 tells a signed model from the grid: either the generator misses versions past" +
            " 2^63 or the grid orders them signed");
    }

    /**
     * Replays {@code ops} on a fresh grid and model.
     *
     * @return the first failure, naming the operation, or null when the grid behaved like the model.
     */
    private static AssertionError failureOf(final List<Op> ops, final int maxReplicas, final VersionOrder order)
    {
        final Map<ByteBuffer, ModelEntry> model = new HashMap<>();
        final GridEntry entry = new GridEntry();
        final KeyGrid grid = new KeyGrid(maxReplicas, 8, 4, KeyArena.MIN_CHUNK_BYTES, true);
        int i = 0;
        try
        {
            for (; i < ops.size(); i++)
            {
                final Op op = ops.get(i);
                final byte[] key = op.key().bytes();
                apply(grid, model, op, key, maxReplicas, order);
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
            return null;
        }
        catch (final AssertionError | RuntimeException e)
        {
            final String where = i < ops.size() ? "operation #" + i + " " + ops.get(i) : "after the last operation";
            return new AssertionError(where + ": " + e, e);
        }
        finally
        {
            grid.close();
        }
    }

    private static String report(
        final String what,
        final List<Op> ops,
        final List<Op> minimal,
        final int maxReplicas,
        final AssertionError minimalFailure)
    {
        final StringBuilder report = new StringBuilder()
            .append(what).append(": a sequence of ").append(ops.size()).append(" operations fails (maxReplicas ")
            .append(maxReplicas).append("); minimal sequence of ").append(minimal.size()).append(':');
        for (int i = 0; i < minimal.size(); i++)
        {
            report.append("\n  #").append(i).append(' ').append(minimal.get(i));
        }
        return report.append("\nwhich fails at ").append(minimalFailure.getMessage()).toString();
    }

    private static List<Op> operations(final SplittableRandom random)
    {
        final int count = Generators.size(random, 1, MAX_OPERATIONS);
        final List<Op> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final Kind kind = Kind.values()[Generators.weighted(random, 5, 2, 3, 1, 1)];
            ops.add(new Op(
                kind,
                keySpec(random),
                version(random),
                random.nextInt(4),
                Generators.intIn(random, Integer.MIN_VALUE, Integer.MAX_VALUE),
                random.nextInt(GridEntry.MAX_REPLICAS + 1),
                random.nextLong(),
                random.nextBoolean(),
                10 * random.nextInt(31)));
        }
        return ops;
    }

    private static KeySpec keySpec(final SplittableRandom random)
    {
        switch (Generators.weighted(random, 12, 7, 1))
        {
            case 0:
            {
                final int[] lengths = {1, 2, 7, 8, 9, 16, 17};
                return new KeySpec(random.nextLong(8), lengths[random.nextInt(lengths.length)]);
            }
            case 1:
                return new KeySpec(random.nextLong(), Generators.size(random, 1, 300));
            default:
                return new KeySpec(random.nextLong(4), Generators.size(random, 301, KeyGrid.MAX_KEY_LENGTH));
        }
    }

    /**
     * Versions from narrow bands, so that one key meets equal versions (ties broken by node) and versions on
     * both sides of the signed boundary, plus some from anywhere in the 64 bits.
     */
    private static long version(final SplittableRandom random)
    {
        switch (Generators.weighted(random, 3, 2, 2, 2, 1))
        {
            case 0:
                return random.nextLong(32);
            case 1:
                // Wraps past Long.MAX_VALUE to Long.MIN_VALUE: 2^63 - 16 .. 2^63 + 15 as u64.
                return Long.MAX_VALUE - 15 + random.nextInt(32);
            case 2:
                return -1L - random.nextInt(32);
            case 3:
                return (HLC_BASE_MS + random.nextInt(4)) << 16 | random.nextInt(4);
            default:
                return random.nextLong();
        }
    }

    private static boolean isWrite(final Op op)
    {
        return op.kind() == Kind.PUT || op.kind() == Kind.DELETE;
    }

    private static void apply(
        final KeyGrid grid,
        final Map<ByteBuffer, ModelEntry> model,
        final Op op,
        final byte[] key,
        final int maxReplicas,
        final VersionOrder order)
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
                final int compare = null == stored ? 1 : order.compare(op.version(), stored.version());
                final boolean newer = compare > 0 || (compare == 0 && op.node() > stored.node());
                final int result = GridKeys.apply(grid, 
                    key, op.version(), op.node(), flags, op.valueLength(), checksum, replicaCount, replicas);
                assertEquals(name(newer ? KeyGrid.APPLIED : KeyGrid.STALE), name(result),
                    newer ? "the model holds it newer" : "the model holds it not newer");
                if (newer)
                {
                    model.put(modelKey, new ModelEntry(
                        op.version(), op.node(), flags, op.valueLength(), checksum, replicas));
                }
            }
            case REPAIR ->
            {
                // Half the repairs carry the stored version so that the APPLIED path runs often.
                final boolean useStored = null != stored && op.repairStored();
                final long expectedVersion = useStored ? stored.version() : op.version();
                final int expectedNode = useStored ? stored.node() : op.node();
                final int result =
                    GridKeys.replaceReplicas(grid, key, expectedVersion, expectedNode, replicaCount, replicas);
                if (null == stored)
                {
                    assertEquals(name(KeyGrid.NOT_FOUND), name(result));
                }
                else if (stored.version() == expectedVersion && stored.node() == expectedNode)
                {
                    assertEquals(name(KeyGrid.APPLIED), name(result));
                    model.put(modelKey, new ModelEntry(stored.version(), stored.node(), stored.flags(),
                        stored.valueLength(), stored.checksum(), replicas));
                }
                else
                {
                    assertEquals(name(KeyGrid.STALE), name(result));
                }
            }
            case ENSURE_CAPACITY -> grid.ensureCapacity(grid.size() + op.growBy());
            case GET ->
            {
            }
        }
    }

    private static String put(
        final KeyGrid grid, final byte[] key, final long version, final int node, final int valueLength)
    {
        return name(GridKeys.apply(grid, key, version, node, 0, valueLength, valueLength, 0, new long[0]));
    }

    private static String name(final int result)
    {
        switch (result)
        {
            case KeyGrid.APPLIED:
                return "APPLIED";
            case KeyGrid.STALE:
                return "STALE";
            case KeyGrid.NOT_FOUND:
                return "NOT_FOUND";
            default:
                return Integer.toString(result);
        }
    }

    private static void assertMatches(
        final KeyGrid grid, final Map<ByteBuffer, ModelEntry> model, final byte[] key, final GridEntry entry)
    {
        final ModelEntry expected = model.get(ByteBuffer.wrap(key));
        if (null == expected)
        {
            assertFalse(GridKeys.get(grid, key, entry));
            return;
        }

        assertTrue(GridKeys.get(grid, key, entry), "key of length " + key.length);
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
