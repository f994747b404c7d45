package io.metrodb.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupCommitTest
{
    @TempDir
    Path dir;

    @Test
    void shouldShareForcesBetweenConcurrentDurableAppends() throws Exception
    {
        final int threads = 16;
        final int appendsPerThread = 150;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try (LogStore store = LogStore.open(smallConfig(dir).backgroundForceIntervalMs(60_000)))
        {
            final CyclicBarrier start = new CyclicBarrier(threads);
            final List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                futures.add(executor.submit(() ->
                {
                    start.await();
                    final long[] offsets = new long[appendsPerThread];
                    for (int i = 0; i < appendsPerThread; i++)
                    {
                        offsets[i] = store.appendDurableAndWait(payload(thread * 1000L + i, 200));
                        if (offsets[i] < 0)
                        {
                            throw new AssertionError(LogResult.describe(offsets[i]));
                        }
                        if (store.durablePosition() <= offsets[i])
                        {
                            throw new AssertionError("acknowledged before durable: " + offsets[i]);
                        }
                    }
                    return offsets;
                }));
            }
            for (int t = 0; t < threads; t++)
            {
                final long[] offsets = futures.get(t).get(40, TimeUnit.SECONDS);
                for (int i = 0; i < appendsPerThread; i++)
                {
                    assertReadsBack(store, offsets[i], payload(t * 1000L + i, 200));
                }
            }

            final LogStats stats = store.stats();
            System.out.println("group commit: " + stats);
            final long durableAppends = (long)threads * appendsPerThread;
            LogTestSupport.awaitTrue(() -> stats.durableAcks() == durableAppends, 10_000,
                "acknowledgements are counted after the listeners run");
            // How many share a force is up to the scheduler: shouldAcknowledgeEveryAppendThatWaitedBehindOneForceWithOneForce
            // proves that forces are shared.
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldCallListenerOnSyncThreadWithRequestIdContextAndOffset() throws Exception
    {
        final BlockingQueue<Object[]> calls = new ArrayBlockingQueue<>(10);
        final DurableListener listener = (requestId, context, offset, status) ->
            calls.add(new Object[]{ requestId, context, offset, status, Thread.currentThread().getName() });
        final Object context = new Object();
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            final long offset = LogAppends.appendDurable(store, new byte[]{ 5, 6 }, 0, 2, listener, 77, context);
            assertTrue(offset >= 0);
            final Object[] call = calls.poll(10, TimeUnit.SECONDS);
            assertNotNull(call);
            assertEquals(77L, call[0]);
            assertSame(context, call[1]);
            assertEquals(offset, call[2]);
            assertEquals(LogResult.OK, call[3]);
            assertEquals("logd-sync", call[4]);
            assertTrue(store.durablePosition() > offset);

            assertEquals(LogResult.ENTRY_TOO_LARGE,
                LogAppends.appendDurable(store, new byte[100_000], 0, 100_000, listener, 78, context));
        }
        assertTrue(calls.isEmpty(), "listener must not be called for a failed append");
    }

    @Test
    void shouldAcknowledgeRequestDurableForABatchOfPlainAppends() throws Exception
    {
        final BlockingQueue<long[]> calls = new ArrayBlockingQueue<>(10);
        try (LogStore store = LogStore.open(smallConfig(dir).backgroundForceIntervalMs(60_000)))
        {
            long end = 0;
            for (int i = 0; i < 20; i++)
            {
                final long offset = LogAppends.append(store, new byte[100]);
                end = offset + RecordHeader.frameLength(100);
            }
            assertEquals(LogResult.INVALID_ARGUMENT, store.requestDurable(end + 8, (r, c, o, s) -> { }, 0, null));
            assertEquals(LogResult.OK, store.requestDurable(end, (requestId, context, offset, status) ->
                calls.add(new long[]{ requestId, offset, status }), 9, null));
            final long[] call = calls.poll(10, TimeUnit.SECONDS);
            assertNotNull(call);
            assertEquals(9, call[0]);
            assertEquals(end, call[1]);
            assertEquals(LogResult.OK, call[2]);
            assertTrue(store.durablePosition() >= end);
        }
    }

    @Test
    void shouldBackPressureWhenDurableQueueIsFullAndDrainAfterwards() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch firstCallback = new CountDownLatch(1);
        final int capacity = 8;
        final List<Long> acknowledged = new ArrayList<>();
        final DurableListener listener = (requestId, context, offset, status) ->
        {
            firstCallback.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            synchronized (acknowledged)
            {
                acknowledged.add(requestId);
            }
        };

        final LogStore store = LogStore.open(smallConfig(dir).durableQueueCapacity(capacity));
        try
        {
            assertTrue(LogAppends.appendDurable(store, new byte[]{ 0 }, 0, 1, listener, 0, null) >= 0);
            assertTrue(firstCallback.await(10, TimeUnit.SECONDS));

            int accepted = 1;
            long result;
            while ((result = LogAppends.appendDurable(store, new byte[]{ 1 }, 0, 1, listener, accepted, null)) >= 0)
            {
                accepted++;
            }
            assertEquals(LogResult.BACK_PRESSURED, result);
            assertEquals(capacity, accepted, "the slot being acknowledged is still held");
            final long tailBefore = store.tailPosition();
            assertEquals(LogResult.BACK_PRESSURED,
                LogAppends.appendDurable(store, new byte[]{ 1 }, 0, 1, listener, 99, null));
            assertEquals(tailBefore, store.tailPosition(), "a rejected durable append must not be written");

            release.countDown();
            LogTestSupport.awaitTrue(() ->
            {
                synchronized (acknowledged)
                {
                    return acknowledged.size() == capacity;
                }
            }, 10_000, "all acknowledged");
            for (int i = 0; i < capacity; i++)
            {
                assertEquals((long)i, acknowledged.get(i), "acknowledged in order");
            }
        }
        finally
        {
            release.countDown();
            store.close();
        }
    }

    @Test
    void shouldAcknowledgeOrCloseEveryDurableAppendRacingClose() throws Exception
    {
        final int threads = 4;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        final LogStore store = LogStore.open(smallConfig(dir));
        final List<Future<long[]>> futures = new ArrayList<>();
        try
        {
            final CountDownLatch started = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++)
            {
                futures.add(executor.submit(() ->
                {
                    long acknowledged = 0;
                    long closed = 0;
                    started.countDown();
                    while (true)
                    {
                        final long result = store.appendDurableAndWait(new byte[64]);
                        if (result >= 0)
                        {
                            acknowledged++;
                        }
                        else if (LogResult.CLOSED == result)
                        {
                            closed++;
                            return new long[]{ acknowledged, closed };
                        }
                        else
                        {
                            throw new AssertionError(LogResult.describe(result));
                        }
                    }
                }));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS));
            LogTestSupport.awaitTrue(() -> store.stats().durableAcks() > 50, 10_000, "durable appends running");
        }
        finally
        {
            store.close();
        }

        long acknowledged = 0;
        for (final Future<long[]> future : futures)
        {
            final long[] counts = future.get(20, TimeUnit.SECONDS);
            acknowledged += counts[0];
            assertEquals(1, counts[1]);
        }
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(acknowledged, store.stats().durableAcks());

        try (LogStore reopened = LogStore.open(smallConfig(dir)))
        {
            final long[] records = new long[1];
            reopened.scan(0, Integer.MAX_VALUE, (offset, buffer, index, length) -> records[0]++ >= 0);
            assertTrue(records[0] >= acknowledged, records[0] + " records, " + acknowledged + " acknowledged");
        }
    }

    /**
     * Group commit, deterministically: the sync thread is held inside the listener of a first durable append while
     * {@code appenders} threads each make one durable append. Once released it finds them all published, so one
     * force must acknowledge them all. Without group commit (a force per append) there would be as many forces as
     * appends; no timing is involved, so this holds on a loaded box.
     */
    @Test
    void shouldAcknowledgeEveryAppendThatWaitedBehindOneForceWithOneForce() throws Exception
    {
        final int appenders = 8;
        final CountDownLatch syncThreadHeld = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final DurableListener holding = (requestId, context, offset, status) ->
        {
            syncThreadHeld.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        };
        final BlockingQueue<long[]> acknowledged = new ArrayBlockingQueue<>(appenders);
        final DurableListener counting = (requestId, context, offset, status) ->
            acknowledged.add(new long[]{ requestId, offset, status });
        final ExecutorService executor = Executors.newFixedThreadPool(appenders);
        final LogStore store = LogStore.open(smallConfig(dir).backgroundForceIntervalMs(60_000));
        try
        {
            assertTrue(LogAppends.appendDurable(store, new byte[]{ 0 }, 0, 1, holding, -1, null) >= 0);
            assertTrue(syncThreadHeld.await(10, TimeUnit.SECONDS), "the first append was forced and acknowledged");

            final CyclicBarrier start = new CyclicBarrier(appenders);
            final List<Future<Long>> offsets = new ArrayList<>();
            for (int t = 0; t < appenders; t++)
            {
                final int thread = t;
                offsets.add(executor.submit(() ->
                {
                    start.await();
                    final byte[] payload = payload(thread, 200);
                    return LogAppends.appendDurable(store, payload, 0, payload.length, counting, thread, null);
                }));
            }
            final long[] offsetOf = new long[appenders];
            for (int t = 0; t < appenders; t++)
            {
                offsetOf[t] = offsets.get(t).get(10, TimeUnit.SECONDS);
                assertTrue(offsetOf[t] >= 0, LogResult.describe(offsetOf[t]));
            }
            assertTrue(acknowledged.isEmpty(), "acknowledged while the sync thread was held: " + acknowledged.size());
            final long forcesBefore = store.stats().forces();
            final long groupsBefore = store.stats().groupCommits();

            release.countDown();
            for (int i = 0; i < appenders; i++)
            {
                final long[] ack = acknowledged.poll(10, TimeUnit.SECONDS);
                assertNotNull(ack, "only " + i + " of " + appenders + " appends acknowledged: " + store.stats());
                assertEquals(LogResult.OK, ack[2]);
                assertEquals(offsetOf[(int)ack[0]], ack[1], "offset of append " + ack[0]);
                assertTrue(store.durablePosition() > ack[1], "acknowledged before durable: " + ack[1]);
            }
            final long forces = store.stats().forces() - forcesBefore;
            assertTrue(forces < appenders, forces + " forces for " + appenders + " appends: no force was shared");
            assertEquals(1, forces, "one force covers every append published before it: " + store.stats());
            assertEquals(1, store.stats().groupCommits() - groupsBefore, "one group commit: " + store.stats());
            LogTestSupport.awaitTrue(() -> store.stats().maxGroupCommitSize() >= appenders, 60_000,
                "the group is counted once its listeners ran: " + store.stats());
        }
        finally
        {
            release.countDown();
            store.close();
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
