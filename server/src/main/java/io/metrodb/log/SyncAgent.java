package io.metrodb.log;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static io.metrodb.log.RecordHeader.HEADER_LENGTH;

/**
 * The sync thread's duty cycle: find how far the log is contiguously published, force that range, then
 * acknowledge every durable append it covered (group commit). Without waiting appends it still forces every
 * {@link LogConfig#backgroundForceIntervalMs()}, and it rewrites the checkpoint every
 * {@link LogConfig#checkpointIntervalMs()}.
 * <p>
 * Only contiguously published records are forced and acknowledged, so recovery, which stops at the first
 * invalid record, can never cut off an acknowledged one behind a record that was still being copied.
 * <p>
 * Idling ({@link #idleStrategy()}): while durable appends wait, and for {@link LogConfig#syncSleepAfterIdleMs()}
 * after the last one, it backs off fast (spin, yield, parks of at most {@link LogConfig#syncMaxParkNs()}): someone
 * waits for each force. Plain appends wait for nobody, so while only they arrive it naps ({@link #NAP_NS} at a time,
 * or less to a deadline), and only a durable append cuts a nap short ({@link Wakeup#wakeIfResting()}); a thousand
 * plain appends a millisecond cost it one pass, not a thousand wake-ups. With nothing on its way it sleeps until any
 * append wakes it or its next deadline: the background force of unforced bytes, the checkpoint, and with neither,
 * {@link LogConfig#syncMaxSleepMs()} as a safety net.
 */
final class SyncAgent implements Agent
{
    /** The longest rest while plain appends arrive: how late a pass (walk, write-behind) may come for them. */
    static final long NAP_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long BACKOFF_SPINS = 20;
    private static final long BACKOFF_YIELDS = 10;
    private static final long BACKOFF_MIN_PARK_NS = 1_000;
    private static final int WALK_LIMIT = 64 * 1024;
    private static final NativePageCache PAGE_CACHE = NativePageCache.load();
    /**
     * Drop the mapping's page-table entries for a range before forcing it (see {@link NativePageCache#dropMappings}):
     * a 64 x 4 KiB group commit's force took 500-570 us instead of 650-690 us, and with write-behind a GiB of appends
     * is written back while it is appended rather than at the end (docs/BENCHMARKS.md, issue 3 run 5).
     * {@code -Dmetrodb.logd.keepMappings=true} turns it off, for comparison.
     */
    private static final boolean DROP_MAPPINGS = PAGE_CACHE != null && !Boolean.getBoolean("metrodb.logd.keepMappings");
    /**
     * Test fault, off by default (docs/RELIABILITY.md, "Durability below the page cache"): with
     * {@code -Dmetrodb.fault.skipForce=true} the sync thread never msyncs but moves the durable position and
     * acknowledges as if it had, the bug a {@code kill -9} test cannot see. Read once here; costs nothing when off.
     */
    private static final boolean FAULT_SKIP_FORCE = Boolean.getBoolean("metrodb.fault.skipForce");

    private final SegmentTable segments;
    private final DurableRequestQueue requests;
    private final LogAppender appender;
    private final Wakeup wakeup;
    private final Idler idler;
    private final Checkpoint checkpoint;
    private final WriteBehind writeBehind;
    private final LogStats stats;
    private final int segmentLength;
    private final int segmentShift;
    private final long forceIntervalNs;
    private final long checkpointIntervalNs;
    private final long groupCommitMaxDelayNs;
    private final long maxSleepNs;
    /** Idle this long (no work done, none on its way) before sleeping until woken: a load that pauses for less keeps
     * the fast backoff, and the sleep starts once a burst is over. */
    private final long sleepAfterIdleNs;

    private volatile long publishedPosition;
    private volatile long durablePosition;
    private volatile boolean failed;
    private long checkpointPosition;
    private long forceDeadlineNs;
    private long checkpointDeadlineNs;
    private long lastGroupSize;
    private long lastForceNs;
    private boolean holding;
    private long holdDeadlineNs;
    /** When the last cycle that found durable appends waiting ran. */
    private long lastDurableNs;
    private final NanoClock clock;

    /**
     * @param appender whose tail shows appends on their way, the same one that wakes {@code wakeup}.
     * @param wakeup   what appenders and durable requests wake the sleeping agent with.
     */
    SyncAgent(
        final long recoveredPosition,
        final LogConfig config,
        final SegmentTable segments,
        final DurableRequestQueue requests,
        final Checkpoint checkpoint,
        final LogStats stats,
        final LogAppender appender,
        final Wakeup wakeup)
    {
        this.clock = config.nanoClock();
        this.segments = segments;
        this.requests = requests;
        this.appender = appender;
        this.wakeup = wakeup;
        this.idler = new Idler(config.syncMaxParkNs());
        this.checkpoint = checkpoint;
        this.stats = stats;
        this.segmentLength = config.segmentLength();
        this.segmentShift = Integer.numberOfTrailingZeros(segmentLength);
        this.forceIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.backgroundForceIntervalMs());
        this.checkpointIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.checkpointIntervalMs());
        this.groupCommitMaxDelayNs = config.groupCommitMaxDelayNs();
        this.maxSleepNs = TimeUnit.MILLISECONDS.toNanos(config.syncMaxSleepMs());
        this.sleepAfterIdleNs = TimeUnit.MILLISECONDS.toNanos(config.syncSleepAfterIdleMs());
        this.writeBehind = new WriteBehind(recoveredPosition, segmentLength, config.writeBehindLength(), segments,
            stats, PAGE_CACHE, DROP_MAPPINGS);
        publishedPosition = recoveredPosition;
        durablePosition = recoveredPosition;
        checkpointPosition = recoveredPosition;
        final long nowNs = clock.nanoTime();
        forceDeadlineNs = nowNs + forceIntervalNs;
        checkpointDeadlineNs = nowNs + checkpointIntervalNs;
        lastDurableNs = nowNs - sleepAfterIdleNs - 1;
    }

    public String roleName()
    {
        return "logd-sync";
    }

    public void onStart()
    {
        wakeup.bind(Thread.currentThread());
    }

    /**
     * @return the idle strategy to run this agent with: fast backoff while work arrives, then sleep until woken.
     */
    IdleStrategy idleStrategy()
    {
        return idler;
    }

    public int doWork()
    {
        stats.syncCycle();
        final long nowNs = clock.nanoTime();
        if (failed)
        {
            return requests.complete(Long.MAX_VALUE, LogResult.IO_ERROR, stats);
        }

        int workCount = walk(WALK_LIMIT);
        workCount += writeBehind.advance(publishedPosition, durablePosition);
        final boolean pending = requests.hasPending();
        if (pending)
        {
            lastDurableNs = nowNs;
        }
        if (pending && holdForGroup(nowNs))
        {
            return workCount;
        }
        if (publishedPosition > durablePosition && (pending || nowNs - forceDeadlineNs >= 0))
        {
            if (!force(publishedPosition))
            {
                return workCount + requests.complete(Long.MAX_VALUE, LogResult.IO_ERROR, stats);
            }
            forceDeadlineNs = nowNs + forceIntervalNs;
            workCount++;
        }

        if (pending)
        {
            final long acknowledgeStartNs = clock.nanoTime();
            final int acknowledged = requests.complete(durablePosition, LogResult.OK, stats);
            if (acknowledged > 0)
            {
                stats.acknowledgeTime(clock.nanoTime() - acknowledgeStartNs);
                stats.groupCommit(acknowledged);
                lastGroupSize = acknowledged;
                workCount += acknowledged;
            }
        }

        if (durablePosition > checkpointPosition && nowNs - checkpointDeadlineNs >= 0)
        {
            writeCheckpoint();
            checkpointDeadlineNs = nowNs + checkpointIntervalNs;
            workCount++;
        }

        return workCount;
    }

    /**
     * @return every record below this position is published (copied and header stored).
     */
    long publishedPosition()
    {
        return publishedPosition;
    }

    /**
     * @return every record below this position is on disk.
     */
    long durablePosition()
    {
        return durablePosition;
    }

    boolean failed()
    {
        return failed;
    }

    /**
     * Last cycle, run by the closing thread after the agent thread stopped: wait for in-flight appends below
     * {@code sealedTail}, force, acknowledge, checkpoint, and fail whatever is left with {@link LogResult#CLOSED}.
     *
     * @return true when every reservation below {@code sealedTail} was published, so unmapping is safe.
     */
    boolean finish(final long sealedTail, final long deadlineNs)
    {
        boolean quiescent = true;
        while (publishedPosition < sealedTail || !requests.allPublished())
        {
            walk(Integer.MAX_VALUE);
            if (publishedPosition >= sealedTail && requests.allPublished())
            {
                break;
            }
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                quiescent = false;
                break;
            }
            Thread.yield();
        }

        if (!failed && (publishedPosition <= durablePosition || force(publishedPosition)))
        {
            final int acknowledged = requests.complete(durablePosition, LogResult.OK, stats);
            if (acknowledged > 0)
            {
                stats.groupCommit(acknowledged);
            }
            if (durablePosition > checkpointPosition)
            {
                writeCheckpoint();
            }
        }
        requests.complete(Long.MAX_VALUE, failed ? LogResult.IO_ERROR : LogResult.CLOSED, stats);
        writeBehind.close();
        return quiescent;
    }

    /**
     * Group commit delay, in the spirit of PostgreSQL's commit_delay/commit_siblings and BookKeeper's
     * journalMaxGroupWaitMSec: while fewer durable appends wait than the last force acknowledged, the callers it
     * acknowledged are probably about to append again, so hold the force until as many wait again, for at most
     * {@link LogConfig#groupCommitMaxDelayNs()} and never more than half the last force took. A lone appender
     * (last group of 1) never waits, and a load that drops pays the delay once before the expectation follows it.
     *
     * @return true to skip forcing in this cycle.
     */
    private boolean holdForGroup(final long nowNs)
    {
        if (groupCommitMaxDelayNs == 0 || lastGroupSize <= 1 || requests.waiting() >= lastGroupSize)
        {
            holding = false;
            return false;
        }
        if (!holding)
        {
            holding = true;
            holdDeadlineNs = nowNs + Math.min(groupCommitMaxDelayNs, lastForceNs >> 1);
            stats.groupWait();
        }
        if (nowNs - holdDeadlineNs < 0)
        {
            return true;
        }
        holding = false;
        lastGroupSize = 0;
        return false;
    }

    /**
     * Volatile reads of what producers update before they check {@link Wakeup#isSleeping()}: the durable queue's
     * claim index and the appenders' tail. A reservation moves the tail at least a header past the published
     * position (a gap of less is the unusable end of a segment).
     *
     * @return true when a durable append or request waits, or an append is reserved and not yet walked over.
     */
    private boolean workOnItsWay()
    {
        return requests.hasPending() || appender.tailPosition() - publishedPosition >= HEADER_LENGTH;
    }

    /**
     * @return how long the agent may sleep before a deadline of its own: the background force of unforced bytes,
     * the checkpoint of forced ones, or the longest sleep; 0 or less when one is due.
     */
    private long sleepBudgetNs(final long nowNs)
    {
        long sleepNs = maxSleepNs;
        if (!failed)
        {
            if (publishedPosition > durablePosition)
            {
                sleepNs = Math.min(sleepNs, forceDeadlineNs - nowNs);
            }
            if (durablePosition > checkpointPosition)
            {
                sleepNs = Math.min(sleepNs, checkpointDeadlineNs - nowNs);
            }
        }
        return sleepNs;
    }

    /**
     * Advance {@link #publishedPosition} over records whose header is published.
     */
    private int walk(final int limit)
    {
        long position = publishedPosition;
        int records = 0;
        while (records < limit)
        {
            final int segmentIndex = (int)(position >>> segmentShift);
            final int offsetInSegment = (int)position & (segmentLength - 1);
            if (segmentLength - offsetInSegment < HEADER_LENGTH)
            {
                if (null == segments.get(segmentIndex + 1))
                {
                    break;
                }
                position = (long)(segmentIndex + 1) << segmentShift;
                continue;
            }

            final Segment segment = segments.get(segmentIndex);
            if (null == segment)
            {
                break;
            }
            final UnsafeBuffer buffer = segment.buffer();
            if (RecordHeader.magicAcquire(buffer, offsetInSegment) != RecordHeader.magic(position))
            {
                break;
            }
            position += RecordHeader.frameLength(RecordHeader.payloadLength(buffer, offsetInSegment));
            records++;
        }

        if (records > 0)
        {
            publishedPosition = position;
        }
        return records;
    }

    private boolean force(final long toPosition)
    {
        final long startNs = clock.nanoTime();
        try
        {
            long from = durablePosition;
            while (from < toPosition)
            {
                final int segmentIndex = (int)(from >>> segmentShift);
                final long segmentEnd = (long)(segmentIndex + 1) << segmentShift;
                final long to = Math.min(toPosition, segmentEnd);
                final Segment segment = segments.get(segmentIndex);
                final long base = segment.baseOffset();
                if (DROP_MAPPINGS)
                {
                    segment.dropMappings(PAGE_CACHE, (int)(from - base), (int)(to - base));
                }
                if (!FAULT_SKIP_FORCE)
                {
                    segment.force((int)(from - base), (int)(to - base));
                }
                from = to;
            }
            final long forcedBytes = toPosition - durablePosition;
            durablePosition = toPosition;
            lastForceNs = clock.nanoTime() - startNs;
            stats.force(forcedBytes, lastForceNs);
            return true;
        }
        catch (final RuntimeException ex)
        {
            // After a failed msync the kernel may have dropped the dirty pages; nothing can be promised again.
            failed = true;
            stats.ioError();
            return false;
        }
    }

    private void writeCheckpoint()
    {
        try
        {
            checkpoint.write(durablePosition);
            checkpointPosition = durablePosition;
            stats.checkpoint();
        }
        catch (final IOException ex)
        {
            stats.ioError();
        }
    }

    /**
     * Fast backoff while durable appends wait and shortly after; naps while only plain appends arrive; sleeps until
     * woken or the next deadline when nothing is on its way.
     */
    private final class Idler implements IdleStrategy
    {
        private final BackoffIdleStrategy backoff;

        Idler(final long maxParkNs)
        {
            backoff = new BackoffIdleStrategy(BACKOFF_SPINS, BACKOFF_YIELDS, BACKOFF_MIN_PARK_NS, maxParkNs);
        }

        public void idle(final int workCount)
        {
            final long nowNs = clock.nanoTime();
            if (workCount > 0)
            {
                backoff.reset();
                stats.publishIfDue(nowNs);
            }
            if (wakeup.isStopped() || requests.hasPending() || nowNs - lastDurableNs < sleepAfterIdleNs)
            {
                // Someone waits, or is likely to soon, for a force: stay quick.
                if (workCount == 0)
                {
                    backoff.idle();
                }
                return;
            }
            final long budgetNs = sleepBudgetNs(nowNs);
            if (budgetNs <= 0)
            {
                return;
            }
            if (workCount > 0 || appender.tailPosition() - publishedPosition >= HEADER_LENGTH)
            {
                // Plain appends are arriving: nap; only a durable append cuts it short, the others wait for its end.
                wakeup.prepareToNap();
                if (requests.hasPending())
                {
                    wakeup.cancelSleep();
                    return;
                }
                stats.syncNap();
                wakeup.sleep(Math.min(budgetNs, NAP_NS));
            }
            else
            {
                wakeup.prepareToSleep();
                if (workOnItsWay())
                {
                    wakeup.cancelSleep();
                    return;
                }
                stats.syncSleep();
                stats.publishPending(nowNs);
                wakeup.sleep(budgetNs);
            }
            backoff.reset();
        }

        public void idle()
        {
            backoff.idle();
        }

        public void reset()
        {
            backoff.reset();
        }

        public String alias()
        {
            return "logd-sync";
        }
    }
}
