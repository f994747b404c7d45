package io.metrodb.log;

import io.metrodb.server.IdleAwait;
import io.metrodb.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.metrodb.log.LogTestSupport.assertReadsBack;
import static io.metrodb.log.LogTestSupport.payload;
import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle store's threads sleep until there is work (issue 12): the sync thread backs off fast only while work
 * arrives, then sleeps until an append wakes it or a force or checkpoint is due; the allocator sleeps until a
 * segment is wanted. The bounds on duty cycles are behaviour, not timing: polling threads ran thousands of cycles a
 * second (the sync thread's 100 us parks, the allocator's 5 ms sleeps), sleeping ones a few.
 * <p>
 * The wake-up tests set every deadline (force, checkpoint, the sleep's safety net) ten minutes away, so only the
 * wake-up of an append can get its record forced within the tests' deadlines.
 */
class SyncIdleTest
{
    private static final long WINDOW_MS = 2_000;
    private static final long MAX_IDLE_CYCLES_PER_WINDOW = 20;
    private static final long FAR_MS = TimeUnit.MINUTES.toMillis(10);
    private static final long ACK_TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;

    private final DurableListener completeFuture = (requestId, context, offset, status) ->
        ((CompletableFuture<Integer>)context).complete(status);

    @Test
    void shouldSleepWhenIdleInsteadOfPolling() throws Exception
    {
        try (LogStore store = LogStore.open(smallConfig(dir)))
        {
            for (int i = 0; i < 100; i++)
            {
                final byte[] entry = payload(i, 1000);
                assertTrue(LogAppends.append(store, entry) >= 0);
            }
            assertTrue(store.appendDurableAndWait(payload(-1, 100)) >= 0);

            final LogStats stats = store.stats();
            IdleAwait.awaitQuiet("duty cycles of the idle sync and allocator threads", WINDOW_MS,
                MAX_IDLE_CYCLES_PER_WINDOW, 60_000, stats::syncCycles, store::allocatorCycles);
            assertTrue(stats.syncSleeps() > 0, "the sync thread slept: " + stats);
            assertEquals(store.tailPosition(), store.durablePosition(), "everything forced before the sleep");
            assertTrue(stats.checkpoints() > 0, "checkpoint written before the sleep: " + stats);
        }
    }

    @Test
    void shouldAcknowledgeDurableAppendsAndRequestsMadeWhileTheSyncThreadSleeps() throws Exception
    {
        try (LogStore store = LogStore.open(farDeadlines(smallConfig(dir))))
        {
            final List<long[]> appended = new ArrayList<>();
            for (int round = 0; round < 12; round++)
            {
                // The sync thread was awake when it acknowledged the last round (a wake-up clears the flag before
                // the unpark, the agent after it): sleeping now is a new sleep. (Counting sleeps from here would
                // race a sleep that began before the count was read.)
                Await.until("the sync thread sleeps (round " + round + ")", ACK_TIMEOUT_MS, store::syncSleeping,
                    () -> store.stats().toString());

                final byte[] entry = payload(round, 300);
                final CompletableFuture<Integer> acknowledged = new CompletableFuture<>();
                final long offset;
                if (round % 2 == 0)
                {
                    offset = LogAppends.appendDurable(
                        store, entry, 0, entry.length, completeFuture, round, acknowledged);
                    assertTrue(offset >= 0, () -> LogResult.describe(offset));
                }
                else
                {
                    // A plain append wakes it too, but with the force ten minutes away it sleeps again: the
                    // request for the tail must wake it once more.
                    offset = LogAppends.append(store, entry);
                    assertTrue(offset >= 0, () -> LogResult.describe(offset));
                    Await.until("the sync thread sleeps again after a plain append (round " + round + ")",
                        ACK_TIMEOUT_MS, store::syncSleeping);
                    assertTrue(store.durablePosition() <= offset, "forced without a reason");
                    assertEquals(LogResult.OK,
                        store.requestDurable(store.tailPosition(), completeFuture, round, acknowledged));
                }
                assertEquals(LogResult.OK, acknowledged.get(ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "round " + round);
                assertTrue(store.durablePosition() > offset, "acknowledged before durable in round " + round);
                appended.add(new long[]{ round, offset });
            }
            assertTrue(store.stats().syncSleeps() >= 12, "slept before every round: " + store.stats());
            for (final long[] roundAndOffset : appended)
            {
                assertReadsBack(store, roundAndOffset[1], payload(roundAndOffset[0], 300));
            }
        }
    }

    @Test
    void shouldForcePlainAppendsAtTheForceIntervalSleepingInBetween() throws Exception
    {
        final long forceIntervalMs = 1_000;
        try (LogStore store = LogStore.open(farDeadlines(smallConfig(dir)).backgroundForceIntervalMs(forceIntervalMs)))
        {
            final LogStats stats = store.stats();
            for (int round = 0; round < 3; round++)
            {
                final long cyclesBefore = stats.syncCycles();
                final long forcesBefore = stats.forces();
                final byte[] entry = payload(round, 500);
                final long offset = LogAppends.append(store, entry);
                assertTrue(offset >= 0, () -> LogResult.describe(offset));
                Await.until("the background force of round " + round, ACK_TIMEOUT_MS + forceIntervalMs,
                    () -> store.durablePosition() > offset, () -> stats.toString());
                assertEquals(forcesBefore + 1, stats.forces(), "one background force in round " + round);
                // Up to a second waiting for the deadline: ~100 cycles of backoff after each wake-up, not the
                // ~10,000 a second of a polling thread.
                final long cycles = stats.syncCycles() - cyclesBefore;
                assertTrue(cycles < 1_000, cycles + " duty cycles waiting for the force of round " + round);
                assertReadsBack(store, offset, entry);
            }
            assertTrue(stats.syncSleeps() >= 3, "slept waiting for the deadlines: " + stats);
        }
    }

    /**
     * Plain appends wait for nobody: while only they arrive the sync thread naps and passes over them in batches,
     * instead of a duty cycle (and a wake-up) per append; a durable append after them is acknowledged (with every
     * deadline ten minutes away, only its wake-up or the end of a nap gets it forced). The bound on cycles is
     * behaviour: a thread that woke for every append ran at least one cycle per append.
     */
    @Test
    void shouldNapWhilePlainAppendsArriveAndWakeForADurableOne() throws Exception
    {
        try (LogStore store = LogStore.open(farDeadlines(smallConfig(dir))))
        {
            final LogStats stats = store.stats();
            final int appends = 20_000;
            final long cyclesBefore = stats.syncCycles();
            final byte[] entry = payload(1, 100);
            for (int i = 0; i < appends; i++)
            {
                final long offset = LogAppends.append(store, entry);
                assertTrue(offset >= 0, () -> LogResult.describe(offset));
                if (i % 20 == 19)
                {
                    // Load shaping, not synchronisation: a steady stream rather than one burst.
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            }
            final long cycles = stats.syncCycles() - cyclesBefore;
            assertTrue(cycles < appends / 10, cycles + " duty cycles for " + appends + " plain appends: " + stats);
            assertTrue(stats.syncNaps() > 0, "napped: " + stats);

            final CompletableFuture<Integer> acknowledged = new CompletableFuture<>();
            final long offset =
                LogAppends.appendDurable(store, entry, 0, entry.length, completeFuture, 0, acknowledged);
            assertTrue(offset >= 0, () -> LogResult.describe(offset));
            assertEquals(LogResult.OK, acknowledged.get(ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertTrue(store.durablePosition() > offset);
        }
    }

    @Test
    void shouldNeverLoseAWakeUpBetweenRacingAppendersAndAFallingAsleepSyncThread() throws Exception
    {
        final long seed = Long.getLong("syncIdle.seed", System.nanoTime());
        System.out.println("shouldNeverLoseAWakeUp seed=" + seed + " (rerun with -DsyncIdle.seed=" + seed + ")");
        final int threads = 2;
        final int operationsPerThread = 150;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try (LogStore store = LogStore.open(farDeadlines(smallConfig(dir))))
        {
            final List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final SplittableRandom random = new SplittableRandom(seed + t);
                final int thread = t;
                futures.add(executor.submit(() ->
                {
                    int durable = 0;
                    for (int i = 0; i < operationsPerThread; i++)
                    {
                        // Load shaping, not synchronisation: pauses around the sync thread's 5 ms of backoff let it
                        // fall asleep at random points between appends.
                        LockSupport.parkNanos(random.nextLong(
                            TimeUnit.MILLISECONDS.toNanos(2), TimeUnit.MILLISECONDS.toNanos(12)));
                        final byte[] entry = payload(thread * 10_000L + i, 200);
                        final CompletableFuture<Integer> acknowledged = new CompletableFuture<>();
                        final int kind = random.nextInt(3);
                        if (kind == 0)
                        {
                            final long offset = LogAppends.append(store, entry);
                            assertTrue(offset >= 0, () -> "seed " + seed + ": " + LogResult.describe(offset));
                            continue;
                        }
                        if (kind == 1)
                        {
                            final long offset = LogAppends.appendDurable(
                                store, entry, 0, entry.length, completeFuture, i, acknowledged);
                            assertTrue(offset >= 0, () -> "seed " + seed + ": " + LogResult.describe(offset));
                        }
                        else
                        {
                            final long offset = LogAppends.append(store, entry);
                            assertTrue(offset >= 0, () -> "seed " + seed + ": " + LogResult.describe(offset));
                            assertEquals(LogResult.OK, store.requestDurable(
                                offset + RecordHeader.frameLength(entry.length), completeFuture, i, acknowledged),
                                "seed " + seed);
                        }
                        assertEquals(LogResult.OK, acknowledged.get(ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                            "seed " + seed + ", thread " + thread + ", operation " + i);
                        durable++;
                    }
                    return durable;
                }));
            }
            long durable = 0;
            for (final Future<Integer> future : futures)
            {
                durable += future.get(120, TimeUnit.SECONDS);
            }
            System.out.println("durable operations " + durable + ", " + store.stats());
            assertTrue(store.stats().syncSleeps() > 0, "seed " + seed + ": never slept, nothing was tested");
        }
        finally
        {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static LogConfig farDeadlines(final LogConfig config)
    {
        return config.backgroundForceIntervalMs(FAR_MS).checkpointIntervalMs(FAR_MS).syncMaxSleepMs(FAR_MS);
    }
}
