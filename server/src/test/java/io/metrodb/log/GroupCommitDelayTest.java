package io.metrodb.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.metrodb.log.LogTestSupport.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync thread's group commit delay, driven one duty cycle at a time (no agent thread).
 */
class GroupCommitDelayTest
{
    @TempDir
    Path dir;

    private final List<Long> acknowledged = new ArrayList<>();
    private final DurableListener listener = (requestId, context, offset, status) ->
    {
        assertEquals(LogResult.OK, status);
        acknowledged.add(requestId);
    };
    private LogStats stats;
    private SegmentTable segments;
    private SegmentAllocator allocator;
    private DurableRequestQueue requests;
    private LogAppender appender;
    private SyncAgent agent;
    private long nextId;

    @BeforeEach
    void open()
    {
        segments = new SegmentTable();
        final LogConfig config = smallConfig(dir)
            .backgroundForceIntervalMs(60_000)
            .groupCommitMaxDelayNs(TimeUnit.SECONDS.toNanos(10))
            .validate();
        stats = new LogStats(config.segmentLength());
        allocator = new SegmentAllocator(dir, config.segmentLength(), 0, 0, stats, 0);
        segments.add(allocator.acquire(0));
        requests = new DurableRequestQueue(64);
        final Wakeup wakeup = new Wakeup();
        appender = new LogAppender(
            0, config, segments, allocator, ThreadLocal.withInitial(RecordValidator::new), stats, wakeup);
        agent = new SyncAgent(
            0, config, segments, requests, new Checkpoint(dir, config.segmentLength()), stats, appender, wakeup);
    }

    @AfterEach
    void close()
    {
        allocator.close();
        segments.close();
    }

    private void appendDurable()
    {
        final long sequence = requests.claim();
        assertTrue(sequence >= 0);
        final long offset = appender.append(new UnsafeBuffer(new byte[100]), 0, 100);
        assertTrue(offset >= 0);
        requests.commit(sequence, offset, offset + RecordHeader.frameLength(100), listener, nextId++, null);
    }

    @Test
    void shouldHoldTheForceUntilAsManyWaitAsTheLastGroupAcknowledged()
    {
        for (int i = 0; i < 4; i++)
        {
            appendDurable();
        }
        agent.doWork();
        assertEquals(List.of(0L, 1L, 2L, 3L), acknowledged);
        assertEquals(1, stats.forces());

        appendDurable();
        agent.doWork();
        assertEquals(4, acknowledged.size(), "one waits where four did: hold the force");
        assertEquals(1, stats.forces());
        assertEquals(1, stats.groupWaits());

        for (int i = 0; i < 3; i++)
        {
            appendDurable();
        }
        agent.doWork();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), acknowledged);
        assertEquals(2, stats.forces());
        assertEquals(4, stats.maxGroupCommitSize());
    }

    @Test
    void shouldHoldALoneAppendOnlyHalfAsLongAsTheLastForceAndThenNotAgain()
    {
        for (int i = 0; i < 4; i++)
        {
            appendDurable();
        }
        agent.doWork();
        assertEquals(1, stats.forces());
        final long lastForceNs = stats.forceNs();

        appendDurable();
        agent.doWork();
        final long holdCapNs = System.nanoTime() + lastForceNs / 2;
        assertEquals(4, acknowledged.size(), "held");
        assertEquals(1, stats.groupWaits());
        // The hold began at the latest when that cycle returned, so it ends by holdCapNs: capped at half the last
        // force, not at the configured 10 s. A cycle that starts later must force, however late it comes.
        while (acknowledged.size() < 5)
        {
            final long cycleNs = System.nanoTime();
            agent.doWork();
            assertTrue(acknowledged.size() == 5 || cycleNs - holdCapNs < 0, "still held " +
                TimeUnit.NANOSECONDS.toMicros(cycleNs - holdCapNs) + " us after half the last force (" +
                TimeUnit.NANOSECONDS.toMicros(lastForceNs) + " us) had passed");
        }
        assertEquals(1, stats.groupWaits());
        assertEquals(2, stats.forces());

        appendDurable();
        agent.doWork();
        assertEquals(6, acknowledged.size(), "the last group was 1: no hold");
        assertEquals(1, stats.groupWaits());
    }

    @Test
    void shouldNeverHoldWithoutADelayConfigured()
    {
        final LogConfig config = smallConfig(dir).groupCommitMaxDelayNs(0).validate();
        final SyncAgent undelayed = new SyncAgent(0, config, segments, requests,
            new Checkpoint(dir, config.segmentLength()), stats, appender, new Wakeup());
        for (int i = 0; i < 4; i++)
        {
            appendDurable();
        }
        undelayed.doWork();
        appendDurable();
        undelayed.doWork();
        assertEquals(5, acknowledged.size());
        assertEquals(0, stats.groupWaits());
    }
}
