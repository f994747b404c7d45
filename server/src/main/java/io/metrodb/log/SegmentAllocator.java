package io.metrodb.log;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates segment files fully allocated (zeros written, not sparse) so a full device fails here with
 * {@link LogResult#STORAGE_FULL} instead of a SIGBUS on a later write through the mapping.
 * <p>
 * As an {@link Agent} it prepares the next segment in the background so rollover only maps a ready file. An
 * appender that reaches a segment still being prepared cuts its page-cache prefill short: appending faster
 * than the allocator can prefill, it gets the segment at once and its faults fill the page cache instead.
 * Creation goes through a temp file, force and rename, so a crash never leaves a short segment behind.
 * <p>
 * Run with {@link #idleStrategy()}, the agent sleeps until {@link #prepareAsync} wakes it, a failed creation's
 * retry is due, or {@link #MAX_SLEEP_NS} passes (a safety net).
 */
final class SegmentAllocator implements Agent, AutoCloseable
{
    private static final long RETRY_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** io.metrodb.server.EventLog's logger (this package may not depend on that one). */
    private static final System.Logger EVENTS = System.getLogger("io.metrodb.event");
    static final long MAX_SLEEP_NS = TimeUnit.SECONDS.toNanos(1);

    private final Path directory;
    private final int segmentLength;
    private final long maxTotalBytes;
    private final LogStats stats;
    private final int prefillWriteLength;
    private final Wakeup wakeup = new Wakeup();
    private final Idler idler = new Idler();
    private final AtomicLong cycles = new AtomicLong();

    private volatile int wantedIndex = -1;
    /** The wanted index the last duty cycle dealt with (agent thread only). */
    private int examinedIndex = -1;
    /** The segment an appender is waiting for at rollover: stop prefilling it and hand it over. */
    private volatile int awaitedIndex = -1;
    private Segment prepared;
    private int segmentFileCount;
    private int lastFailureIndex = -1;
    private long retryDeadlineNs;
    private volatile int lastStatus = LogResult.OK;
    private volatile Throwable lastError;

    SegmentAllocator(
        final Path directory,
        final int segmentLength,
        final long maxTotalBytes,
        final int segmentFileCount,
        final LogStats stats,
        final int prefillWriteLength)
    {
        this.prefillWriteLength = prefillWriteLength;
        this.directory = directory;
        this.segmentLength = segmentLength;
        this.maxTotalBytes = maxTotalBytes;
        this.segmentFileCount = segmentFileCount;
        this.stats = stats;
        stats.segmentFiles(segmentFileCount);
    }

    public String roleName()
    {
        return "logd-segment-allocator";
    }

    public void onStart()
    {
        wakeup.bind(Thread.currentThread());
    }

    /**
     * @return the idle strategy to run this agent with: sleep until there is work.
     */
    IdleStrategy idleStrategy()
    {
        return idler;
    }

    /**
     * Wake the agent for good, so its runner sees it being closed at once.
     */
    void stopAgent()
    {
        wakeup.stop();
    }

    /**
     * @return duty cycles so far: each looks for work once.
     */
    long cycles()
    {
        return cycles.get();
    }

    public int doWork()
    {
        cycles.lazySet(cycles.get() + 1);
        final int index = wantedIndex;
        examinedIndex = index;
        if (index < 0)
        {
            return 0;
        }

        final long nowNs = System.nanoTime();
        synchronized (this)
        {
            if ((null != prepared && prepared.index() >= index) || Files.exists(SegmentFiles.segmentPath(directory, index)))
            {
                return 0;
            }
            if (index == lastFailureIndex && retryDeadlineNs - nowNs > 0)
            {
                return 0;
            }

            final Segment segment = create(index);
            if (null == segment)
            {
                lastFailureIndex = index;
                retryDeadlineNs = nowNs + RETRY_INTERVAL_NS;
                return 0;
            }
            if (null != prepared)
            {
                prepared.close();
            }
            prepared = segment;
            return 1;
        }
    }

    /**
     * Ask the background agent to have segment {@code index} ready.
     */
    void prepareAsync(final int index)
    {
        wantedIndex = index;
        wakeup.wakeIfSleeping();
    }

    /**
     * Take segment {@code index}: the prepared one, an existing empty file, or a new file created now.
     *
     * @return the mapped segment, or null with {@link #lastStatus()} saying why.
     */
    synchronized Segment acquire(final int index)
    {
        if (null != prepared && prepared.index() == index)
        {
            final Segment segment = prepared;
            prepared = null;
            return segment;
        }

        final Path path = SegmentFiles.segmentPath(directory, index);
        if (Files.exists(path))
        {
            try
            {
                return Segment.map(path, index, segmentLength, false);
            }
            catch (final IOException ex)
            {
                return failed(LogResult.IO_ERROR, ex);
            }
        }

        return create(index);
    }

    /**
     * {@link #acquire} for an appender at rollover: a prefill of segment {@code index} in progress stops, and a
     * segment created now is not prefilled, so the appender waits for the allocation only.
     */
    Segment acquireAtRollover(final int index)
    {
        awaitedIndex = index;
        return acquire(index);
    }

    /**
     * @return why the last creation failed: {@link LogResult#STORAGE_FULL} or {@link LogResult#IO_ERROR}.
     */
    int lastStatus()
    {
        return lastStatus;
    }

    Throwable lastError()
    {
        return lastError;
    }

    public synchronized void close()
    {
        if (null != prepared)
        {
            prepared.close();
            prepared = null;
        }
    }

    private Segment create(final int index)
    {
        if (maxTotalBytes != LogConfig.UNLIMITED && (long)(segmentFileCount + 1) * segmentLength > maxTotalBytes)
        {
            return failed(LogResult.STORAGE_FULL, new IOException(
                "segment " + index + " would exceed maxTotalBytes " + maxTotalBytes));
        }

        final Path temp = SegmentFiles.tempPath(directory, index);
        final Path path = SegmentFiles.segmentPath(directory, index);
        try
        {
            Preallocator.allocate(temp, segmentLength);
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            SegmentFiles.forceDirectory(directory);
            // After the forces, so the zeros stay dirty in the page cache until appends overwrite them. Never
            // after the hand-over: a write of zeros racing an append would erase it.
            final long prefilled = Preallocator.prefillPageCache(
                path, segmentLength, prefillWriteLength, () -> awaitedIndex >= index);
            if (Preallocator.prefills(prefillWriteLength) && prefilled < segmentLength)
            {
                stats.prefillCut();
            }
            final Segment segment = Segment.map(path, index, segmentLength, false);
            segmentFileCount++;
            stats.segmentFiles(segmentFileCount);
            if (lastStatus == LogResult.STORAGE_FULL)
            {
                EVENTS.log(System.Logger.Level.INFO, "log " + directory + ": disk has room again: segment " + index +
                    " created, appends resume");
            }
            lastStatus = LogResult.OK;
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteQuietly(temp);
            deleteQuietly(path);
            return failed(Errno.isNoSpace(ex) ? LogResult.STORAGE_FULL : LogResult.IO_ERROR, ex);
        }
    }

    private Segment failed(final int status, final Throwable error)
    {
        if (status == LogResult.STORAGE_FULL && lastStatus != LogResult.STORAGE_FULL)
        {
            EVENTS.log(System.Logger.Level.WARNING, "log " + directory + ": disk full: " + error.getMessage() +
                "; appends answer STORAGE_FULL until space is freed");
        }
        lastStatus = status;
        lastError = error;
        stats.allocationFailure();
        return null;
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort: a leftover .tmp is removed at the next open
        }
    }

    /**
     * Sleep after every cycle without work, until {@link #prepareAsync} asks for another segment, the retry of a
     * failed creation is due, or {@link #MAX_SLEEP_NS}.
     */
    private final class Idler implements IdleStrategy
    {
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                return;
            }
            if (wakeup.isStopped())
            {
                Thread.yield();
                return;
            }
            long sleepNs = MAX_SLEEP_NS;
            if (lastFailureIndex >= 0 && lastFailureIndex == examinedIndex)
            {
                sleepNs = Math.min(sleepNs, Math.max(1, retryDeadlineNs - System.nanoTime()));
            }
            wakeup.prepareToSleep();
            if (wantedIndex != examinedIndex)
            {
                wakeup.cancelSleep();
                return;
            }
            wakeup.sleep(sleepNs);
        }

        public void idle()
        {
            Thread.yield();
        }

        public void reset()
        {
        }

        public String alias()
        {
            return "logd-segment-allocator";
        }
    }
}
