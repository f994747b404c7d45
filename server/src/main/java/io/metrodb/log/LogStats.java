package io.metrodb.log;

import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ObjLongConsumer;

/**
 * Counters of a {@link LogStore}, kept in {@link AtomicCounter}s of a counters manager (the daemon's counters
 * file, see {@link LogConfig#counters}) so that they can be read from outside the process. Counters with a single
 * writer (the sync thread, the rollover lock holder) are ordered stores. Appender and reader counters are bumped by
 * many threads per request, so they stay striped ({@link LongAdder}) and are published into their counters by
 * {@link #publish} (the sync thread, after activity) and before INFO reads them: no contended atomic per request.
 * The force latency gauges (p50, p99, max, count of the forces since the previous publication) are refreshed by the
 * sync thread at most about once a second, and not at all while the log is idle.
 */
public final class LogStats
{
    /** How often, at most, the sync thread publishes the striped counters and latency gauges. */
    static final long PUBLISH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_TRACKED_NS = TimeUnit.SECONDS.toNanos(60);

    private final LongAdder appendAdder = new LongAdder();
    private final LongAdder appendErrorAdder = new LongAdder();
    private final LongAdder readAdder = new LongAdder();
    private final LongAdder readErrorAdder = new LongAdder();
    private final LongAdder corruptReadAdder = new LongAdder();

    private final AtomicCounter[] counters = new AtomicCounter[LogCounter.values().length];
    private final Histogram forceLatency = new Histogram(MAX_TRACKED_NS, 2);

    private final int segmentLength;
    private volatile LongSupplier tailPosition = () -> 0;
    private volatile LongSupplier durablePosition = () -> 0;
    private volatile LongSupplier segmentCount = () -> 0;
    private long lastPublishNs;
    private boolean forcedSincePublish;
    private boolean publishPending;

    LogStats(final int segmentLength)
    {
        this(segmentLength, null, "");
    }

    /**
     * @param manager allocates one counter per {@link LogCounter}, labelled {@code prefix} + its name; null: a
     *                manager of its own, in memory.
     */
    LogStats(final int segmentLength, final CountersManager manager, final String prefix)
    {
        this.segmentLength = segmentLength;
        final CountersManager countersManager = null == manager ? inMemory() : manager;
        for (final LogCounter counter : LogCounter.values())
        {
            counters[counter.ordinal()] = countersManager.newCounter(prefix + counter.infoName(), LogCounter.TYPE_ID);
        }
    }

    private static CountersManager inMemory()
    {
        final int count = LogCounter.values().length;
        return new CountersManager(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(count * CountersReader.METADATA_LENGTH, 64)),
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(count * CountersReader.COUNTER_LENGTH, 64)));
    }

    private AtomicCounter counter(final LogCounter counter)
    {
        return counters[counter.ordinal()];
    }

    void bind(final LongSupplier tailPosition, final LongSupplier durablePosition, final LongSupplier segmentCount)
    {
        this.tailPosition = tailPosition;
        this.durablePosition = durablePosition;
        this.segmentCount = segmentCount;
    }

    /** @return offset the next append will get (at least). */
    public long tailPosition()
    {
        return tailPosition.getAsLong();
    }

    /** @return every record below this position is forced to disk. */
    public long durablePosition()
    {
        return durablePosition.getAsLong();
    }

    /** @return segments in the log, including the one being appended to. */
    public long segmentCount()
    {
        return segmentCount.getAsLong();
    }

    /** @return segment files on disk, including a pre-created next one. */
    public long segmentFiles()
    {
        return counter(LogCounter.SEGMENT_FILES).get();
    }

    /** @return bytes held by segment files (they are fully allocated). */
    public long bytesOnDisk()
    {
        return counter(LogCounter.SEGMENT_FILES).get() * (long)segmentLength;
    }

    public long appends()
    {
        return appendAdder.sum();
    }

    public long appendErrors()
    {
        return appendErrorAdder.sum();
    }

    public long reads()
    {
        return readAdder.sum();
    }

    public long readErrors()
    {
        return readErrorAdder.sum();
    }

    /** @return reads that found a record header whose length, flags or CRC were wrong. */
    public long corruptReads()
    {
        return corruptReadAdder.sum();
    }

    public long forces()
    {
        return counter(LogCounter.FORCES).get();
    }

    /** @return bytes of log covered by forces (the ranges asked for, not what the kernel wrote back). */
    public long forcedBytes()
    {
        return counter(LogCounter.FORCED_BYTES).get();
    }

    /** @return calls that started write-back of published appends ahead of a force ({@link WriteBehind}). */
    public long writeBehinds()
    {
        return counter(LogCounter.WRITE_BEHINDS).get();
    }

    /** @return bytes of log handed to write-back ahead of a force. */
    public long writeBehindBytes()
    {
        return counter(LogCounter.WRITE_BEHIND_BYTES).get();
    }

    /** @return time the sync thread spent starting write-back, in ns. */
    public long writeBehindNs()
    {
        return counter(LogCounter.WRITE_BEHIND_NS).get();
    }

    /** @return time the sync thread spent in forces (msync), in ns. */
    public long forceNs()
    {
        return counter(LogCounter.FORCE_NS).get();
    }

    /** @return time the sync thread spent calling durable listeners, in ns. */
    public long acknowledgeNs()
    {
        return counter(LogCounter.ACKNOWLEDGE_NS).get();
    }

    /** @return forces held back to let a group commit fill up (see {@link LogConfig#groupCommitMaxDelayNs}). */
    public long groupWaits()
    {
        return counter(LogCounter.GROUP_WAITS).get();
    }

    public long durableAcks()
    {
        return counter(LogCounter.DURABLE_ACKS).get();
    }

    /** @return sync cycles that acknowledged at least one durable append. */
    public long groupCommits()
    {
        return counter(LogCounter.GROUP_COMMITS).get();
    }

    public long maxGroupCommitSize()
    {
        return counter(LogCounter.MAX_GROUP_COMMIT_SIZE).get();
    }

    /** @return durable appends acknowledged per group commit. */
    public double meanGroupCommitSize()
    {
        final long groups = counter(LogCounter.GROUP_COMMITS).get();
        return groups == 0 ? 0.0 : (double)counter(LogCounter.DURABLE_ACKS).get() / groups;
    }

    public long checkpoints()
    {
        return counter(LogCounter.CHECKPOINTS).get();
    }

    /** @return duty cycles of the sync thread: each looks for work once (thousands a second while it backs off). */
    public long syncCycles()
    {
        return counter(LogCounter.SYNC_CYCLES).get();
    }

    /** @return times the idle sync thread went to sleep until woken or its next deadline. */
    public long syncSleeps()
    {
        return counter(LogCounter.SYNC_SLEEPS).get();
    }

    /**
     * @return naps of the sync thread while only plain appends arrived (a durable append ends one).
     */
    public long syncNaps()
    {
        return counter(LogCounter.SYNC_NAPS).get();
    }

    public long ioErrors()
    {
        return counter(LogCounter.IO_ERRORS).get();
    }

    public long listenerErrors()
    {
        return counter(LogCounter.LISTENER_ERRORS).get();
    }

    public long rollovers()
    {
        return counter(LogCounter.ROLLOVERS).get();
    }

    /** @return time appenders spent at rollover waiting for the next segment file (its allocation), in ns. */
    public long rolloverWaitNs()
    {
        return counter(LogCounter.ROLLOVER_WAIT_NS).get();
    }

    /** @return new segments handed over before their page-cache prefill finished, an appender waiting for them. */
    public long prefillsCut()
    {
        return counter(LogCounter.PREFILLS_CUT).get();
    }

    public long allocationFailures()
    {
        return counter(LogCounter.ALLOCATION_FAILURES).get();
    }

    /**
     * Visit every figure INFO shows by name, read from the counters (the striped ones and the gauges published
     * first, so INFO is up to date).
     */
    public void forEach(final ObjLongConsumer<String> consumer)
    {
        publishLive();
        for (final LogCounter counter : LogCounter.values())
        {
            if (counter.inInfo())
            {
                consumer.accept(counter.infoName(), counters[counter.ordinal()].get());
            }
        }
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder("LogStats{");
        forEach((name, value) -> sb.append(name).append('=').append(value).append(", "));
        return sb.append("mean_group_commit_size=").append(String.format("%.2f", meanGroupCommitSize())).append('}')
            .toString();
    }

    /**
     * Sync thread, after a cycle that did work: publishes the striped counters, the gauges and the force latency
     * gauges when {@link #PUBLISH_INTERVAL_NS} passed since the last time.
     */
    void publishIfDue(final long nowNs)
    {
        publishPending = true;
        if (nowNs - lastPublishNs >= PUBLISH_INTERVAL_NS)
        {
            publish(nowNs);
        }
    }

    /**
     * Sync thread, before it sleeps: publishes what {@link #publishIfDue} left for later (nothing when idle).
     */
    void publishPending(final long nowNs)
    {
        if (publishPending)
        {
            publish(nowNs);
        }
    }

    private void publish(final long nowNs)
    {
        lastPublishNs = nowNs;
        publishPending = false;
        publishLive();
        if (forcedSincePublish)
        {
            forcedSincePublish = false;
            counter(LogCounter.FORCE_P50_NS).setRelease(forceLatency.getValueAtPercentile(50));
            counter(LogCounter.FORCE_P99_NS).setRelease(forceLatency.getValueAtPercentile(99));
            counter(LogCounter.FORCE_MAX_NS).setRelease(forceLatency.getMaxValue());
            counter(LogCounter.FORCE_COUNT).setRelease(forceLatency.getTotalCount());
            forceLatency.reset();
        }
    }

    /**
     * Any thread: the striped counters and the position gauges into their counters. Counters only grow, so two
     * threads publishing at once (the sync thread, INFO) keep the larger sum (a CAS, once per publication).
     */
    private void publishLive()
    {
        counter(LogCounter.APPENDS).proposeMax(appendAdder.sum());
        counter(LogCounter.APPEND_ERRORS).proposeMax(appendErrorAdder.sum());
        counter(LogCounter.READS).proposeMax(readAdder.sum());
        counter(LogCounter.READ_ERRORS).proposeMax(readErrorAdder.sum());
        counter(LogCounter.CORRUPT_READS).proposeMax(corruptReadAdder.sum());
        counter(LogCounter.TAIL_POSITION).setRelease(tailPosition.getAsLong());
        counter(LogCounter.DURABLE_POSITION).setRelease(durablePosition.getAsLong());
        counter(LogCounter.SEGMENT_COUNT).setRelease(segmentCount.getAsLong());
    }

    void append()
    {
        appendAdder.increment();
    }

    void appendError()
    {
        appendErrorAdder.increment();
    }

    void read(final int result)
    {
        readAdder.increment();
        if (result < 0)
        {
            readErrorAdder.increment();
            if (LogResult.CORRUPT == result)
            {
                corruptReadAdder.increment();
            }
        }
    }

    /** Sync thread only. */
    void force(final long bytes, final long durationNs)
    {
        counter(LogCounter.FORCES).incrementRelease();
        counter(LogCounter.FORCED_BYTES).getAndAddRelease(bytes);
        counter(LogCounter.FORCE_NS).getAndAddRelease(durationNs);
        forceLatency.recordValue(Math.min(Math.max(0, durationNs), MAX_TRACKED_NS));
        forcedSincePublish = true;
    }

    void writeBehind(final long bytes, final long durationNs)
    {
        counter(LogCounter.WRITE_BEHINDS).incrementRelease();
        counter(LogCounter.WRITE_BEHIND_BYTES).getAndAddRelease(bytes);
        counter(LogCounter.WRITE_BEHIND_NS).getAndAddRelease(durationNs);
    }

    void groupWait()
    {
        counter(LogCounter.GROUP_WAITS).incrementRelease();
    }

    void acknowledgeTime(final long durationNs)
    {
        counter(LogCounter.ACKNOWLEDGE_NS).getAndAddRelease(durationNs);
    }

    /**
     * One durable append acknowledged, counted before its listener runs.
     *
     * @param firstOfGroup true for the first of a force's group: counts a group commit.
     */
    void durableAck(final boolean firstOfGroup)
    {
        counter(LogCounter.DURABLE_ACKS).incrementRelease();
        if (firstOfGroup)
        {
            counter(LogCounter.GROUP_COMMITS).incrementRelease();
        }
    }

    /**
     * A force's group, once every listener ran: tracks the largest.
     */
    void groupCommit(final int acknowledged)
    {
        if (acknowledged > counter(LogCounter.MAX_GROUP_COMMIT_SIZE).get())
        {
            counter(LogCounter.MAX_GROUP_COMMIT_SIZE).setRelease(acknowledged);
        }
    }

    void checkpoint()
    {
        counter(LogCounter.CHECKPOINTS).incrementRelease();
    }

    /** Sync thread only. */
    void syncCycle()
    {
        counter(LogCounter.SYNC_CYCLES).incrementRelease();
    }

    /** Sync thread only. */
    void syncNap()
    {
        counter(LogCounter.SYNC_NAPS).incrementRelease();
    }

    void syncSleep()
    {
        counter(LogCounter.SYNC_SLEEPS).incrementRelease();
    }

    void ioError()
    {
        counter(LogCounter.IO_ERRORS).increment();
    }

    void listenerError()
    {
        counter(LogCounter.LISTENER_ERRORS).incrementRelease();
    }

    void rollover()
    {
        counter(LogCounter.ROLLOVERS).incrementRelease();
    }

    /** Rollover lock holder only. */
    void rolloverWait(final long durationNs)
    {
        counter(LogCounter.ROLLOVER_WAIT_NS).getAndAddRelease(durationNs);
    }

    /** Allocator thread only (or the rollover lock holder). */
    void prefillCut()
    {
        counter(LogCounter.PREFILLS_CUT).incrementRelease();
    }

    void allocationFailure()
    {
        counter(LogCounter.ALLOCATION_FAILURES).increment();
    }

    void segmentFiles(final long count)
    {
        counter(LogCounter.SEGMENT_FILES).setRelease(count);
        counter(LogCounter.BYTES_ON_DISK).setRelease(count * segmentLength);
    }
}
