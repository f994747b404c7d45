package io.metrodb.mapd;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ValueRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The convergence checker: dumps every mapd's grid and checks it against what the test knows must be there, then
 * compares the mapds with each other, for each key, on the write it holds (version, version node, tombstone flag,
 * value length, checksum); waits up to a deadline, and fails listing the keys that are wrong. Every mapd must hold
 * exactly the expected keys (so empty or partial dumps never pass), each as a live value and, where the test knows
 * the winning write, that write. Replica lists are not compared: after concurrent repairs of one key two mapds may
 * hold different lists of the same version, each with RF good replicas.
 */
final class Convergence
{
    /** GETs pipelined per batch when reading every key back. */
    private static final int READ_BATCH = 500;

    private Convergence()
    {
    }

    /**
     * The write a key must hold on every mapd: an acknowledged write (its version and version node as the mapd
     * answered them) and its value; {@link #ANY_LIVE} when only "some live value, the same everywhere" is known.
     */
    record Expected(long version, int versionNode, byte[] value)
    {
        static final Expected ANY_LIVE = new Expected(-1, -1, null);

        /**
         * @return true when {@code write} was made after this one under last-writer-wins (MAPD.md: the higher
         * version, and at equal versions the higher version node, wins).
         */
        boolean isOlderThan(final Expected write)
        {
            return version != write.version ? Long.compareUnsigned(version, write.version) < 0 :
                versionNode < write.versionNode;
        }

        boolean matches(final GridDump.Item item)
        {
            if ((item.flags() & Change.TOMBSTONE) != 0)
            {
                return false;
            }
            return this == ANY_LIVE || item.version() == version && item.versionNode() == versionNode &&
                item.valueLength() == value.length && item.checksum() == ValueRecord.checksum(value);
        }

        @Override
        public String toString()
        {
            return this == ANY_LIVE ? "any live value" : "v" + version + "@" + versionNode + " len=" + value.length +
                " crc=" + ValueRecord.checksum(value);
        }
    }

    /**
     * @param entries what was written.
     * @param replies the mapd's answer to each, all of which must be OK.
     * @return each key's acknowledged write.
     */
    static Map<String, Expected> acknowledged(final Map<String, byte[]> entries,
        final Map<String, MapdClient.Reply> replies)
    {
        assertEquals(entries.keySet(), replies.keySet(), "one reply per write");
        final Map<String, Expected> acknowledged = new HashMap<>();
        entries.forEach((key, value) ->
        {
            final MapdClient.Reply reply = replies.get(key);
            assertEquals(StatusCodes.OK, reply.status(), key + ": " + reply.message());
            assertTrue(reply.version() != 0, key + ": acknowledged without a version");
            acknowledged.put(key, new Expected(reply.version(), reply.versionNode(), value));
        });
        return acknowledged;
    }

    /**
     * Folds acknowledged writes into {@code winners}, keeping for each key the one last-writer-wins must keep.
     */
    static void keepWinners(final Map<String, Expected> winners, final Map<String, Expected> writes)
    {
        writes.forEach((key, write) -> winners.merge(key, write, (held, offered) ->
        {
            assertFalse(held.version() == offered.version() && held.versionNode() == offered.versionNode(),
                key + ": two acknowledged writes with one version " + held + " and " + offered);
            return held.isOlderThan(offered) ? offered : held;
        }));
    }

    /**
     * @return {@code keys}, each expected to hold some live value, the same on every mapd.
     */
    static Map<String, Expected> anyLive(final Set<String> keys)
    {
        final Map<String, Expected> expected = new HashMap<>();
        keys.forEach(key -> expected.put(key, Expected.ANY_LIVE));
        return expected;
    }

    /**
     * @param expected the keys every mapd must hold, and what each must hold; not empty.
     * @param mayAlsoHold keys whose writes may or may not have been applied (e.g. in flight at a crash): held or
     *                    not, but if held, the same write everywhere.
     * @return what is wrong, one line per key (empty when converged on exactly the expected writes).
     */
    static List<String> differences(final Map<String, Expected> expected, final Set<String> mayAlsoHold,
        final int... ports) throws IOException
    {
        assertFalse(expected.isEmpty(), "nothing expected: an empty grid would pass");
        final List<Map<String, GridDump.Item>> dumps = new ArrayList<>();
        final TreeSet<String> keys = new TreeSet<>(expected.keySet());
        for (final int port : ports)
        {
            final Map<String, GridDump.Item> dump = GridDump.of(port);
            dumps.add(dump);
            keys.addAll(dump.keySet());
        }
        final List<String> wrong = new ArrayList<>();
        for (final String key : keys)
        {
            final Expected want = expected.get(key);
            boolean ok = want != null || mayAlsoHold.contains(key);
            for (int m = 0; m < dumps.size() && ok; m++)
            {
                final GridDump.Item item = dumps.get(m).get(key);
                ok = want == null || item != null && want.matches(item);
                ok &= GridDump.sameWrite(dumps.get(0).get(key), item);
            }
            if (!ok)
            {
                final StringBuilder detail = new StringBuilder(key).append(": expected ")
                    .append(want != null ? want : mayAlsoHold.contains(key) ? "the same everywhere" : "absent");
                for (int m = 0; m < dumps.size(); m++)
                {
                    detail.append(", mapd@").append(ports[m]).append('=').append(dumps.get(m).get(key));
                }
                wrong.add(detail.toString());
            }
        }
        return wrong;
    }

    /**
     * Waits until every mapd holds exactly the {@code expected} keys, each with its expected write and the same
     * write everywhere, or fails after {@code timeoutMs} listing the wrong keys.
     *
     * @return how long convergence took, in ms.
     */
    static long awaitConverged(final long timeoutMs, final Map<String, Expected> expected, final int... ports)
        throws IOException
    {
        return awaitConverged(timeoutMs, expected, Set.of(), ports);
    }

    /**
     * As {@link #awaitConverged(long, Map, int...)}, where only the keys are known: each must hold a live value,
     * the same on every mapd.
     */
    static long awaitConverged(final long timeoutMs, final Set<String> expectedKeys, final int... ports)
        throws IOException
    {
        return awaitConverged(timeoutMs, anyLive(expectedKeys), Set.of(), ports);
    }

    /**
     * As {@link #awaitConverged(long, Map, int...)}, and each key of {@code mayAlsoHold} may be absent everywhere
     * or held, the same write everywhere.
     */
    static long awaitConverged(final long timeoutMs, final Map<String, Expected> expected,
        final Set<String> mayAlsoHold, final int... ports) throws IOException
    {
        final long start = System.nanoTime();
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<String> wrong = differences(expected, mayAlsoHold, ports);
        while (!wrong.isEmpty())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail(wrong.size() + " of " + expected.size() + " expected keys wrong after " + timeoutMs +
                    " ms, e.g.: " + wrong.subList(0, Math.min(10, wrong.size())));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            wrong = differences(expected, mayAlsoHold, ports);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * Reads every expected key back with GET from every mapd (which reads the value from a logd and checks it):
     * each must answer OK with exactly the expected write's version, version node and value.
     */
    static void assertEveryMapdServes(final Map<String, Expected> expected, final int... ports) throws IOException
    {
        assertFalse(expected.isEmpty(), "nothing expected");
        final List<String> keys = new ArrayList<>(new TreeSet<>(expected.keySet()));
        for (final int port : ports)
        {
            try (MapdClient client = new MapdClient(port))
            {
                for (int from = 0; from < keys.size(); from += READ_BATCH)
                {
                    final List<String> batch = keys.subList(from, Math.min(keys.size(), from + READ_BATCH));
                    final Map<String, MapdClient.Reply> reads = client.getAll(batch);
                    for (final String key : batch)
                    {
                        final Expected want = expected.get(key);
                        assertTrue(want != Expected.ANY_LIVE, key + ": no value to compare with");
                        final MapdClient.Reply read = reads.get(key);
                        final String where = key + " at mapd@" + port;
                        assertEquals(StatusCodes.OK, read.status(), where + ": " + StatusCodes.name(read.status()));
                        assertArrayEquals(want.value(), read.value(), () -> where + ": read " +
                            (read.value() == null ? "null" : new String(read.value(), StandardCharsets.UTF_8)) +
                            ", expected " + new String(want.value(), StandardCharsets.UTF_8));
                        assertEquals(want.version(), read.version(), where + ": version");
                        assertEquals(want.versionNode(), read.versionNode(), where + ": version node");
                    }
                }
            }
        }
    }
}
