package io.metrodb.mapd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The convergence checker: dumps every mapd's grid and compares, for each key, the write it holds (version,
 * version node, tombstone flag, value length, checksum); waits up to a deadline for them to agree, and fails
 * listing the keys that differ. Replica lists are not compared: after concurrent repairs of one key two mapds
 * may hold different lists of the same version, each with RF good replicas.
 */
final class Convergence
{
    private Convergence()
    {
    }

    /**
     * @return the keys on which the dumps of the mapds on {@code ports} differ (empty when converged).
     */
    static List<String> differences(final int... ports) throws IOException
    {
        final List<Map<String, GridDump.Item>> dumps = new ArrayList<>();
        final TreeSet<String> keys = new TreeSet<>();
        for (final int port : ports)
        {
            final Map<String, GridDump.Item> dump = GridDump.of(port);
            dumps.add(dump);
            keys.addAll(dump.keySet());
        }
        final List<String> differing = new ArrayList<>();
        for (final String key : keys)
        {
            final GridDump.Item first = dumps.get(0).get(key);
            for (int i = 1; i < dumps.size(); i++)
            {
                if (!GridDump.sameWrite(first, dumps.get(i).get(key)))
                {
                    final StringBuilder detail = new StringBuilder(key).append(':');
                    for (int m = 0; m < dumps.size(); m++)
                    {
                        detail.append(" mapd@").append(ports[m]).append('=').append(dumps.get(m).get(key));
                    }
                    differing.add(detail.toString());
                    break;
                }
            }
        }
        return differing;
    }

    /**
     * Waits until every mapd holds the same version of every key, or fails after {@code timeoutMs} listing the
     * differing keys.
     *
     * @return how long convergence took, in ms.
     */
    static long awaitConverged(final long timeoutMs, final int... ports) throws IOException
    {
        final long start = System.nanoTime();
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<String> differing = differences(ports);
        while (!differing.isEmpty())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail(differing.size() + " keys differ after " + timeoutMs + " ms, e.g.: " +
                    differing.subList(0, Math.min(10, differing.size())));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            differing = differences(ports);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
