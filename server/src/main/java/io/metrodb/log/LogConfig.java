package io.metrodb.log;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;

/**
 * Configuration of a {@link LogStore}: set what differs from the defaults, then {@link #validate()} once.
 */
public final class LogConfig
{
    public static final int DEFAULT_SEGMENT_LENGTH = 128 * 1024 * 1024;
    public static final int MIN_SEGMENT_LENGTH = 4096;
    /** Positions within a segment live in the low 32 bits of the tail; 1 GiB leaves room for overshoot at rollover. */
    public static final int MAX_SEGMENT_LENGTH = 1024 * 1024 * 1024;
    public static final int DEFAULT_MAX_ENTRY_LENGTH = 16 * 1024 * 1024;
    public static final long DEFAULT_BACKGROUND_FORCE_INTERVAL_MS = 100;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;
    public static final int DEFAULT_DURABLE_QUEUE_CAPACITY = 16 * 1024;
    /** No limit on the bytes held by segment files. */
    public static final long UNLIMITED = 0;
    public static final long DEFAULT_SYNC_MAX_PARK_NS = 100_000;
    /** 1 s: the idle sync thread's sleep without a deadline, a safety net (appends wake it). */
    public static final long DEFAULT_SYNC_MAX_SLEEP_MS = 1_000;
    /** 5 ms: how long the sync thread finds nothing to do before it sleeps until woken. */
    public static final long DEFAULT_SYNC_SLEEP_AFTER_IDLE_MS = 5;
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
    /** 1 ms; the sync thread also never holds a force for more than half the previous force took. */
    public static final long DEFAULT_GROUP_COMMIT_MAX_DELAY_NS = 1_000_000;
    /** 64 KiB: a force writes back at most this much beyond the bytes it covers, and appends still stream. */
    public static final int DEFAULT_PREFILL_WRITE_LENGTH = 64 * 1024;
    public static final int MIN_PREFILL_WRITE_LENGTH = 4096;
    /** 1 MiB: write-back of appends starts in chunks of this size, ahead of the force that makes them durable. */
    public static final int DEFAULT_WRITE_BEHIND_LENGTH = 1024 * 1024;

    private Path directory;
    private int segmentLength = DEFAULT_SEGMENT_LENGTH;
    private int maxEntryLength = -1;
    private long backgroundForceIntervalMs = DEFAULT_BACKGROUND_FORCE_INTERVAL_MS;
    private long checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS;
    private int durableQueueCapacity = DEFAULT_DURABLE_QUEUE_CAPACITY;
    private long maxTotalBytes = UNLIMITED;
    private boolean preallocateNextSegment = true;
    private long syncMaxParkNs = DEFAULT_SYNC_MAX_PARK_NS;
    private long syncMaxSleepMs = DEFAULT_SYNC_MAX_SLEEP_MS;
    private long syncSleepAfterIdleMs = DEFAULT_SYNC_SLEEP_AFTER_IDLE_MS;
    private long closeTimeoutMs = DEFAULT_CLOSE_TIMEOUT_MS;
    private long groupCommitMaxDelayNs = DEFAULT_GROUP_COMMIT_MAX_DELAY_NS;
    private int prefillWriteLength = DEFAULT_PREFILL_WRITE_LENGTH;
    private int writeBehindLength = DEFAULT_WRITE_BEHIND_LENGTH;
    private CountersManager countersManager;
    private String counterPrefix = "";
    private ErrorHandler errorHandler;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;

    public LogConfig directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @param segmentLength bytes per segment file, a power of two in [{@value #MIN_SEGMENT_LENGTH}, 1 GiB].
     * @return this.
     */
    public LogConfig segmentLength(final int segmentLength)
    {
        this.segmentLength = segmentLength;
        return this;
    }

    public int segmentLength()
    {
        return segmentLength;
    }

    /**
     * @param maxEntryLength longest payload accepted, at most {@code segmentLength - RecordHeader.HEADER_LENGTH}.
     * @return this.
     */
    public LogConfig maxEntryLength(final int maxEntryLength)
    {
        this.maxEntryLength = maxEntryLength;
        return this;
    }

    /**
     * @return the longest payload accepted; unless set, {@value #DEFAULT_MAX_ENTRY_LENGTH} capped by the segment.
     */
    public int maxEntryLength()
    {
        return maxEntryLength >= 0 ?
            maxEntryLength : Math.min(DEFAULT_MAX_ENTRY_LENGTH, segmentLength - RecordHeader.HEADER_LENGTH);
    }

    /**
     * @param intervalMs how often dirty but non-durable appends are forced to disk anyway.
     * @return this.
     */
    public LogConfig backgroundForceIntervalMs(final long intervalMs)
    {
        this.backgroundForceIntervalMs = intervalMs;
        return this;
    }

    public long backgroundForceIntervalMs()
    {
        return backgroundForceIntervalMs;
    }

    /**
     * @param intervalMs how often the checkpoint file is rewritten while the durable position moves.
     * @return this.
     */
    public LogConfig checkpointIntervalMs(final long intervalMs)
    {
        this.checkpointIntervalMs = intervalMs;
        return this;
    }

    public long checkpointIntervalMs()
    {
        return checkpointIntervalMs;
    }

    /**
     * @param capacity durable appends that may wait for a force at once, a power of two.
     * @return this.
     */
    public LogConfig durableQueueCapacity(final int capacity)
    {
        this.durableQueueCapacity = capacity;
        return this;
    }

    public int durableQueueCapacity()
    {
        return durableQueueCapacity;
    }

    /**
     * @param maxTotalBytes cap on bytes held by segment files, {@link #UNLIMITED} for none.
     * @return this.
     */
    public LogConfig maxTotalBytes(final long maxTotalBytes)
    {
        this.maxTotalBytes = maxTotalBytes;
        return this;
    }

    public long maxTotalBytes()
    {
        return maxTotalBytes;
    }

    /**
     * @param preallocate create the next segment on a background thread before the current one fills.
     * @return this.
     */
    public LogConfig preallocateNextSegment(final boolean preallocate)
    {
        this.preallocateNextSegment = preallocate;
        return this;
    }

    public boolean preallocateNextSegment()
    {
        return preallocateNextSegment;
    }

    /**
     * @param maxParkNs longest park of the sync thread's backoff while work arrives, the worst added latency of a
     *                  durable append then. Idle for a few ms with nothing on its way, the sync thread sleeps
     *                  until an append wakes it or a deadline of its own (background force, checkpoint) is due.
     * @return this.
     */
    public LogConfig syncMaxParkNs(final long maxParkNs)
    {
        this.syncMaxParkNs = maxParkNs;
        return this;
    }

    public long syncMaxParkNs()
    {
        return syncMaxParkNs;
    }

    /**
     * @param maxSleepMs longest sleep of the idle sync thread when no force or checkpoint is due: appends and durable
     *                   requests wake it, so this only bounds what a wake-up that never came would cost.
     * @return this.
     */
    public LogConfig syncMaxSleepMs(final long maxSleepMs)
    {
        this.syncMaxSleepMs = maxSleepMs;
        return this;
    }

    public long syncMaxSleepMs()
    {
        return syncMaxSleepMs;
    }

    /**
     * @param idleMs how long the sync thread finds nothing to do (and nothing on its way) before it sleeps until
     *               woken, instead of backing off in parks of at most {@link #syncMaxParkNs()}. A durable append
     *               that finds it asleep pays its wake-up (~0.1-0.3 ms on a VM) instead of part of a park, so appends
     *               spaced further apart than this pay it; a longer time keeps a trickle of appends on the fast
     *               backoff at the cost of its CPU (the idle backoff is ~10,000 wake-ups a second).
     * @return this.
     */
    public LogConfig syncSleepAfterIdleMs(final long idleMs)
    {
        this.syncSleepAfterIdleMs = idleMs;
        return this;
    }

    public long syncSleepAfterIdleMs()
    {
        return syncSleepAfterIdleMs;
    }

    /**
     * @param maxDelayNs longest the sync thread holds a force back to let a group fill up: only while fewer durable
     *                   appends wait than the last force acknowledged, and never longer than half the last force
     *                   took. 0 forces as soon as one durable append is published.
     * @return this.
     */
    public LogConfig groupCommitMaxDelayNs(final long maxDelayNs)
    {
        this.groupCommitMaxDelayNs = maxDelayNs;
        return this;
    }

    public long groupCommitMaxDelayNs()
    {
        return groupCommitMaxDelayNs;
    }

    /**
     * @param length size of the writes of zeros that put a new segment into the page cache before it is used
     *               (0: leave it to the mapping's faults). A force writes back whole page-cache folios, and folios
     *               take the size of the writes that created them, whereas faults read ahead into folios of up to
     *               2 MiB. A power of two >= {@value #MIN_PREFILL_WRITE_LENGTH}, or 0.
     * @return this.
     */
    public LogConfig prefillWriteLength(final int length)
    {
        this.prefillWriteLength = length;
        return this;
    }

    public int prefillWriteLength()
    {
        return prefillWriteLength;
    }

    /**
     * @param length chunk of published appends whose write-back the sync thread starts ahead of any force
     *               ({@code sync_file_range}), so the disk writes while appenders copy instead of all at the next
     *               force; 0 turns it off. A power of two >= {@value #MIN_PREFILL_WRITE_LENGTH}, or 0. Needs the
     *               foreign linker (as {@code posix_fallocate} does); without it there is no write-behind.
     * @return this.
     */
    public LogConfig writeBehindLength(final int length)
    {
        this.writeBehindLength = length;
        return this;
    }

    public int writeBehindLength()
    {
        return writeBehindLength;
    }

    /**
     * @param countersManager where the store allocates its counters ({@link LogCounter}), e.g. the daemon's
     *                        counters file; null (the default): counters in memory only.
     * @param prefix          put before each counter's label in that file ("journal_" for the mapd's journal).
     * @return this.
     */
    public LogConfig counters(final CountersManager countersManager, final String prefix)
    {
        this.countersManager = countersManager;
        this.counterPrefix = prefix;
        return this;
    }

    public CountersManager countersManager()
    {
        return countersManager;
    }

    public String counterPrefix()
    {
        return counterPrefix;
    }

    /**
     * @param errorHandler what the store's agent threads report errors to (the daemon's error log); null (the
     *                     default): a stack trace on stderr.
     * @return this.
     */
    public LogConfig errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @return what the store's agent threads report errors to: the configured handler with a one-line message on
     * stderr that an operator must see; without one, the stack trace on stderr.
     */
    ErrorHandler agentErrorHandler()
    {
        final ErrorHandler handler = errorHandler;
        if (null == handler)
        {
            return Throwable::printStackTrace;
        }
        return (ex) ->
        {
            System.err.println("log " + directory + ": agent error (bin/metrodb stat --errors shows it): " + ex);
            handler.onError(ex);
        };
    }

    /**
     * @param nanoClock the clock the sync agent times forces and deadlines with (tests may pass their own).
     * @return this.
     */
    public LogConfig nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param timeoutMs how long close waits for in-flight appends to finish copying.
     * @return this.
     */
    public LogConfig closeTimeoutMs(final long timeoutMs)
    {
        this.closeTimeoutMs = timeoutMs;
        return this;
    }

    public long closeTimeoutMs()
    {
        return closeTimeoutMs;
    }

    /**
     * Check every value, reporting all problems at once.
     *
     * @return this.
     * @throws IllegalArgumentException naming each bad value.
     */
    public LogConfig validate()
    {
        final StringBuilder problems = new StringBuilder();
        if (null == directory)
        {
            problems.append("\n  directory must be set");
        }

        final boolean segmentLengthValid = segmentLength >= MIN_SEGMENT_LENGTH && segmentLength <= MAX_SEGMENT_LENGTH &&
            Integer.bitCount(segmentLength) == 1;
        if (!segmentLengthValid)
        {
            problems.append("\n  segmentLength must be a power of two in [").append(MIN_SEGMENT_LENGTH).append(", ")
                .append(MAX_SEGMENT_LENGTH).append("]: ").append(segmentLength);
        }
        else if (maxEntryLength() < 0 || maxEntryLength() > segmentLength - RecordHeader.HEADER_LENGTH)
        {
            problems.append("\n  maxEntryLength must be in [0, segmentLength - ").append(RecordHeader.HEADER_LENGTH)
                .append(" = ").append(segmentLength - RecordHeader.HEADER_LENGTH).append("]: ").append(maxEntryLength);
        }

        if (backgroundForceIntervalMs <= 0)
        {
            problems.append("\n  backgroundForceIntervalMs must be > 0: ").append(backgroundForceIntervalMs);
        }
        if (checkpointIntervalMs <= 0)
        {
            problems.append("\n  checkpointIntervalMs must be > 0: ").append(checkpointIntervalMs);
        }
        if (durableQueueCapacity < 2 || Integer.bitCount(durableQueueCapacity) != 1)
        {
            problems.append("\n  durableQueueCapacity must be a power of two >= 2: ").append(durableQueueCapacity);
        }
        if (maxTotalBytes != UNLIMITED && (!segmentLengthValid || maxTotalBytes < segmentLength))
        {
            problems.append("\n  maxTotalBytes must be 0 (unlimited) or >= segmentLength: ").append(maxTotalBytes);
        }
        if (syncMaxParkNs <= 0)
        {
            problems.append("\n  syncMaxParkNs must be > 0: ").append(syncMaxParkNs);
        }
        if (syncMaxSleepMs <= 0)
        {
            problems.append("\n  syncMaxSleepMs must be > 0: ").append(syncMaxSleepMs);
        }
        if (syncSleepAfterIdleMs < 0)
        {
            problems.append("\n  syncSleepAfterIdleMs must be >= 0: ").append(syncSleepAfterIdleMs);
        }
        if (prefillWriteLength != 0 &&
            (prefillWriteLength < MIN_PREFILL_WRITE_LENGTH || Integer.bitCount(prefillWriteLength) != 1))
        {
            problems.append("\n  prefillWriteLength must be 0 or a power of two >= ").append(MIN_PREFILL_WRITE_LENGTH)
                .append(": ").append(prefillWriteLength);
        }
        if (writeBehindLength != 0 &&
            (writeBehindLength < MIN_PREFILL_WRITE_LENGTH || Integer.bitCount(writeBehindLength) != 1))
        {
            problems.append("\n  writeBehindLength must be 0 or a power of two >= ").append(MIN_PREFILL_WRITE_LENGTH)
                .append(": ").append(writeBehindLength);
        }
        if (groupCommitMaxDelayNs < 0)
        {
            problems.append("\n  groupCommitMaxDelayNs must be >= 0: ").append(groupCommitMaxDelayNs);
        }
        if (closeTimeoutMs <= 0)
        {
            problems.append("\n  closeTimeoutMs must be > 0: ").append(closeTimeoutMs);
        }

        if (problems.length() > 0)
        {
            throw new IllegalArgumentException("invalid logd configuration:" + problems);
        }

        return this;
    }

    public String toString()
    {
        return "LogConfig{directory=" + directory +
            ", segmentLength=" + segmentLength +
            ", maxEntryLength=" + maxEntryLength() +
            ", backgroundForceIntervalMs=" + backgroundForceIntervalMs +
            ", checkpointIntervalMs=" + checkpointIntervalMs +
            ", durableQueueCapacity=" + durableQueueCapacity +
            ", maxTotalBytes=" + maxTotalBytes +
            ", preallocateNextSegment=" + preallocateNextSegment +
            ", syncMaxParkNs=" + syncMaxParkNs +
            ", syncMaxSleepMs=" + syncMaxSleepMs +
            ", syncSleepAfterIdleMs=" + syncSleepAfterIdleMs +
            ", groupCommitMaxDelayNs=" + groupCommitMaxDelayNs +
            ", prefillWriteLength=" + prefillWriteLength +
            ", writeBehindLength=" + writeBehindLength +
            ", closeTimeoutMs=" + closeTimeoutMs + '}';
    }
}
