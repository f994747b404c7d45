package io.metrodb.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ObjLongConsumer;

/**
 * Counters of a {@link LogStore}. Appender and reader counters are striped ({@link LongAdder}); counters with a
 * single writer (the sync thread, the rollover lock holder) are plain ordered stores.
 */
public final class LogStats
{
    private final LongAdder appends = new LongAdder();
    private final LongAdder appendErrors = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder readErrors = new LongAdder();
    private final LongAdder corruptReads = new LongAdder();

    private final AtomicLong forces = new AtomicLong();
    private final AtomicLong forcedBytes = new AtomicLong();
    private final AtomicLong forceNs = new AtomicLong();
    private final AtomicLong writeBehinds = new AtomicLong();
    private final AtomicLong writeBehindBytes = new AtomicLong();
    private final AtomicLong writeBehindNs = new AtomicLong();
    private final AtomicLong acknowledgeNs = new AtomicLong();
    private final AtomicLong groupWaits = new AtomicLong();
    private final AtomicLong durableAcks = new AtomicLong();
    private final AtomicLong groupCommits = new AtomicLong();
    private final AtomicLong maxGroupCommitSize = new AtomicLong();
    private final AtomicLong checkpoints = new AtomicLong();
    private final AtomicLong syncCycles = new AtomicLong();
    private final AtomicLong syncSleeps = new AtomicLong();
    private final AtomicLong syncNaps = new AtomicLong();
    private final AtomicLong ioErrors = new AtomicLong();
    private final AtomicLong listenerErrors = new AtomicLong();
    private final AtomicLong rollovers = new AtomicLong();
    private final AtomicLong rolloverWaitNs = new AtomicLong();
    private final AtomicLong prefillsCut = new AtomicLong();
    private final AtomicLong allocationFailures = new AtomicLong();
    private final AtomicLong segmentFiles = new AtomicLong();

    private final int segmentLength;
    private volatile LongSupplier tailPosition = () -> 0;
    private volatile LongSupplier durablePosition = () -> 0;
    private volatile LongSupplier segmentCount = () -> 0;

    LogStats(final int segmentLength)
    {
        this.segmentLength = segmentLength;
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
        return segmentFiles.get();
    }

    /** @return bytes held by segment files (they are fully allocated). */
    public long bytesOnDisk()
    {
        return segmentFiles.get() * segmentLength;
    }

    public long appends()
    {
        return appends.sum();
    }

    public long appendErrors()
    {
        return appendErrors.sum();
    }

    public long reads()
    {
        return reads.sum();
    }

    public long readErrors()
    {
        return readErrors.sum();
    }

    /** @return reads that found a record header whose length, flags or CRC were wrong. */
    public long corruptReads()
    {
        return corruptReads.sum();
    }

    public long forces()
    {
        return forces.get();
    }

    /** @return bytes of log covered by forces (the ranges asked for, not what the kernel wrote back). */
    public long forcedBytes()
    {
        return forcedBytes.get();
    }

    /** @return calls that started write-back of published appends ahead of a force ({@link WriteBehind}). */
    public long writeBehinds()
    {
        return writeBehinds.get();
    }

    /** @return bytes of log handed to write-back ahead of a force. */
    public long writeBehindBytes()
    {
        return writeBehindBytes.get();
    }

    /** @return time the sync thread spent starting write-back, in ns. */
    public long writeBehindNs()
    {
        return writeBehindNs.get();
    }

    /** @return time the sync thread spent in forces (msync), in ns. */
    public long forceNs()
    {
        return forceNs.get();
    }

    /** @return time the sync thread spent calling durable listeners, in ns. */
    public long acknowledgeNs()
    {
        return acknowledgeNs.get();
    }

    /** @return forces held back to let a group commit fill up (see {@link LogConfig#groupCommitMaxDelayNs}). */
    public long groupWaits()
    {
        return groupWaits.get();
    }

    public long durableAcks()
    {
        return durableAcks.get();
    }

    /** @return sync cycles that acknowledged at least one durable append. */
    public long groupCommits()
    {
        return groupCommits.get();
    }

    public long maxGroupCommitSize()
    {
        return maxGroupCommitSize.get();
    }

    /** @return durable appends acknowledged per group commit. */
    public double meanGroupCommitSize()
    {
        final long groups = groupCommits.get();
        return groups == 0 ? 0.0 : (double)durableAcks.get() / groups;
    }

    public long checkpoints()
    {
        return checkpoints.get();
    }

    /** @return duty cycles of the sync thread: each looks for work once (thousands a second while it backs off). */
    public long syncCycles()
    {
        return syncCycles.get();
    }

    /** @return times the idle sync thread went to sleep until woken or its next deadline. */
    public long syncSleeps()
    {
        return syncSleeps.get();
    }

    /**
     * @return naps of the sync thread while only plain appends arrived (a durable append ends one).
     */
    public long syncNaps()
    {
        return syncNaps.get();
    }

    public long ioErrors()
    {
        return ioErrors.get();
    }

    public long listenerErrors()
    {
        return listenerErrors.get();
    }

    public long rollovers()
    {
        return rollovers.get();
    }

    /** @return time appenders spent at rollover waiting for the next segment file (its allocation), in ns. */
    public long rolloverWaitNs()
    {
        return rolloverWaitNs.get();
    }

    /** @return new segments handed over before their page-cache prefill finished, an appender waiting for them. */
    public long prefillsCut()
    {
        return prefillsCut.get();
    }

    public long allocationFailures()
    {
        return allocationFailures.get();
    }

    /**
     * Visit every figure by name, e.g. to render a STAT reply.
     */
    public void forEach(final ObjLongConsumer<String> consumer)
    {
        consumer.accept("tail_position", tailPosition());
        consumer.accept("durable_position", durablePosition());
        consumer.accept("segment_count", segmentCount());
        consumer.accept("segment_files", segmentFiles());
        consumer.accept("bytes_on_disk", bytesOnDisk());
        consumer.accept("appends", appends());
        consumer.accept("append_errors", appendErrors());
        consumer.accept("reads", reads());
        consumer.accept("read_errors", readErrors());
        consumer.accept("corrupt_reads", corruptReads());
        consumer.accept("forces", forces());
        consumer.accept("forced_bytes", forcedBytes());
        consumer.accept("force_ns", forceNs());
        consumer.accept("write_behinds", writeBehinds());
        consumer.accept("write_behind_bytes", writeBehindBytes());
        consumer.accept("write_behind_ns", writeBehindNs());
        consumer.accept("acknowledge_ns", acknowledgeNs());
        consumer.accept("group_waits", groupWaits());
        consumer.accept("durable_acks", durableAcks());
        consumer.accept("group_commits", groupCommits());
        consumer.accept("max_group_commit_size", maxGroupCommitSize());
        consumer.accept("checkpoints", checkpoints());
        consumer.accept("sync_cycles", syncCycles());
        consumer.accept("sync_sleeps", syncSleeps());
        consumer.accept("sync_naps", syncNaps());
        consumer.accept("io_errors", ioErrors());
        consumer.accept("listener_errors", listenerErrors());
        consumer.accept("rollovers", rollovers());
        consumer.accept("rollover_wait_ns", rolloverWaitNs());
        consumer.accept("prefills_cut", prefillsCut());
        consumer.accept("allocation_failures", allocationFailures());
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder("LogStats{");
        forEach((name, value) -> sb.append(name).append('=').append(value).append(", "));
        return sb.append("mean_group_commit_size=").append(String.format("%.2f", meanGroupCommitSize())).append('}')
            .toString();
    }

    void append()
    {
        appends.increment();
    }

    void appendError()
    {
        appendErrors.increment();
    }

    void read(final int result)
    {
        reads.increment();
        if (result < 0)
        {
            readErrors.increment();
            if (LogResult.CORRUPT == result)
            {
                corruptReads.increment();
            }
        }
    }

    void force(final long bytes, final long durationNs)
    {
        addOrdered(forces, 1);
        addOrdered(forcedBytes, bytes);
        addOrdered(forceNs, durationNs);
    }

    void writeBehind(final long bytes, final long durationNs)
    {
        addOrdered(writeBehinds, 1);
        addOrdered(writeBehindBytes, bytes);
        addOrdered(writeBehindNs, durationNs);
    }

    void groupWait()
    {
        addOrdered(groupWaits, 1);
    }

    void acknowledgeTime(final long durationNs)
    {
        addOrdered(acknowledgeNs, durationNs);
    }

    /**
     * One durable append acknowledged, counted before its listener runs.
     *
     * @param firstOfGroup true for the first of a force's group: counts a group commit.
     */
    void durableAck(final boolean firstOfGroup)
    {
        addOrdered(durableAcks, 1);
        if (firstOfGroup)
        {
            addOrdered(groupCommits, 1);
        }
    }

    /**
     * A force's group, once every listener ran: tracks the largest.
     */
    void groupCommit(final int acknowledged)
    {
        if (acknowledged > maxGroupCommitSize.get())
        {
            maxGroupCommitSize.lazySet(acknowledged);
        }
    }

    void checkpoint()
    {
        addOrdered(checkpoints, 1);
    }

    /** Sync thread only. */
    void syncCycle()
    {
        addOrdered(syncCycles, 1);
    }

    /** Sync thread only. */
    void syncNap()
    {
        addOrdered(syncNaps, 1);
    }

    void syncSleep()
    {
        addOrdered(syncSleeps, 1);
    }

    void ioError()
    {
        ioErrors.incrementAndGet();
    }

    void listenerError()
    {
        addOrdered(listenerErrors, 1);
    }

    void rollover()
    {
        addOrdered(rollovers, 1);
    }

    /** Rollover lock holder only. */
    void rolloverWait(final long durationNs)
    {
        addOrdered(rolloverWaitNs, durationNs);
    }

    /** Allocator thread only (or the rollover lock holder). */
    void prefillCut()
    {
        addOrdered(prefillsCut, 1);
    }

    void allocationFailure()
    {
        allocationFailures.incrementAndGet();
    }

    void segmentFiles(final long count)
    {
        segmentFiles.set(count);
    }

    private static void addOrdered(final AtomicLong counter, final long delta)
    {
        counter.lazySet(counter.get() + delta);
    }
}
