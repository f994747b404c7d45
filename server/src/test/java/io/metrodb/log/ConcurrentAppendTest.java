package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConcurrentAppendTest
{
    private static final int THREADS = 8;
    private static final int APPENDS_PER_THREAD = 3_000;
    private static final int MAX_PAYLOAD = 700;

    @TempDir
    Path dir;

    @Test
    void shouldGiveConcurrentAppendersDistinctOffsetsThatReadBackAcrossRollovers() throws Exception
    {
        final long seed = LogTestSupport.seed("shouldGiveConcurrentAppendersDistinctOffsetsThatReadBackAcrossRollovers");
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try (LogStore store = LogStore.open(smallConfig(dir).preallocateNextSegment(true)))
        {
            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int thread = t;
                futures.add(executor.submit(() ->
                {
                    final long[] offsets = new long[APPENDS_PER_THREAD];
                    start.await();
                    for (int i = 0; i < APPENDS_PER_THREAD; i++)
                    {
                        offsets[i] = LogAppends.append(store, payload(seed + thread * 1_000_000L + i, MAX_PAYLOAD));
                        if (offsets[i] < 0)
                        {
                            throw new AssertionError("append failed: " + LogResult.describe(offsets[i]));
                        }
                    }
                    return offsets;
                }));
            }

            final Set<Long> distinct = new HashSet<>();
            final List<long[]> results = new ArrayList<>();
            for (final Future<long[]> future : futures)
            {
                final long[] offsets = future.get(30, TimeUnit.SECONDS);
                results.add(offsets);
                for (final long offset : offsets)
                {
                    assertTrue(distinct.add(offset), "duplicate offset " + offset);
                }
            }
            assertEquals(THREADS * APPENDS_PER_THREAD, distinct.size());
            assertTrue(store.stats().rollovers() > 10, "expected many rollovers: " + store.stats());

            for (int t = 0; t < THREADS; t++)
            {
                for (int i = 0; i < APPENDS_PER_THREAD; i++)
                {
                    assertReadsBack(store, results.get(t)[i], payload(seed + t * 1_000_000L + i, MAX_PAYLOAD));
                }
            }

            final int[] scanned = new int[1];
            final long end = store.scan(0, Integer.MAX_VALUE, (offset, buffer, index, length) ->
            {
                scanned[0]++;
                return true;
            });
            assertEquals(THREADS * APPENDS_PER_THREAD, scanned[0]);
            assertEquals(store.tailPosition(), end);
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(LogVerifier.EXIT_OK, LogVerifier.run(dir, System.out));
    }
}
