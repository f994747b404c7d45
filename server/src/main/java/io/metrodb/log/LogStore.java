package io.metrodb.log;

import io.netty.buffer.ByteBuf;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The logd storage engine: append opaque entries, get offsets that stay valid forever, read them back.
 * <p>
 * Thread safety: every method may be called from any thread. Hot-path methods return a negative
 * {@link LogResult} code instead of throwing. {@link #close()} must not race with readers still using
 * views or calling read/scan (stop them first, e.g. shut down the event loops); appends racing close get
 * {@link LogResult#CLOSED}.
 */
public final class LogStore implements AutoCloseable
{
    private final LogConfig config;
    private final LogStats stats;
    private final SegmentTable segments;
    private final SegmentAllocator allocator;
    private final DurableRequestQueue durableRequests;
    private final Wakeup syncWakeup = new Wakeup();
    private final SyncAgent syncAgent;
    private final LogAppender appender;
    private final LogReader reader;
    private final AgentRunner syncRunner;
    private final AgentRunner allocatorRunner;
    private final Recovery.Result recovery;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean isClosed;

    private LogStore(
        final LogConfig config,
        final FileChannel lockChannel,
        final FileLock lock,
        final SegmentTable segments,
        final Recovery.Result recovery,
        final LogStats stats) throws IOException
    {
        this.config = config;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.segments = segments;
        this.recovery = recovery;
        this.stats = stats;

        final ThreadLocal<RecordValidator> validators = ThreadLocal.withInitial(RecordValidator::new);
        final Checkpoint checkpoint = new Checkpoint(config.directory(), config.segmentLength());
        allocator = new SegmentAllocator(
            config.directory(), config.segmentLength(), config.maxTotalBytes(), recovery.segmentFileCount(), stats,
            config.prefillWriteLength());

        if (0 == segments.count())
        {
            final Segment first = allocator.acquire(0);
            if (null == first)
            {
                throw new LogStoreException(allocator.lastStatus(), "cannot create the first segment in " +
                    config.directory(), allocator.lastError());
            }
            segments.add(first);
        }
        try
        {
            checkpoint.write(recovery.tailPosition());
        }
        catch (final IOException ex)
        {
            // On a full disk the old checkpoint (at or below the tail) still holds, and the log still serves
            // reads: open anyway; the sync thread writes the checkpoint once there is room. Any other error fails.
            if (!Errno.isNoSpace(ex))
            {
                throw ex;
            }
            stats.ioError();
        }

        durableRequests = new DurableRequestQueue(config.durableQueueCapacity());
        appender = new LogAppender(
            recovery.tailPosition(), config, segments, allocator, validators, stats, syncWakeup);
        syncAgent = new SyncAgent(
            recovery.tailPosition(), config, segments, durableRequests, checkpoint, stats, appender, syncWakeup);
        reader = new LogReader(config.segmentLength(), segments, appender, syncAgent, validators, stats);
        stats.bind(appender::tailPosition, syncAgent::durablePosition, segments::count);

        syncRunner = new AgentRunner(syncAgent.idleStrategy(), config.agentErrorHandler(), null, syncAgent);
        allocatorRunner = new AgentRunner(allocator.idleStrategy(), config.agentErrorHandler(), null, allocator);
        if (config.preallocateNextSegment())
        {
            allocator.prepareAsync(segments.count());
        }
        AgentRunner.startOnThread(syncRunner);
        AgentRunner.startOnThread(allocatorRunner);
    }

    /**
     * Open (creating if needed) the log in {@code config.directory()}, recovering from a crash if there was one.
     *
     * @throws LogStoreException    when the directory is in use, the files are inconsistent, or the first
     *                              segment cannot be created.
     * @throws UncheckedIOException on other I/O failures.
     */
    public static LogStore open(final LogConfig config)
    {
        config.validate();
        final Path directory = config.directory();
        FileChannel lockChannel = null;
        FileLock lock = null;
        final SegmentTable segments = new SegmentTable();
        try
        {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(
                directory.resolve(SegmentFiles.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try
            {
                lock = lockChannel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                throw new LogStoreException(LogResult.IO_ERROR, "log directory " + directory + " is in use");
            }

            final LogStats stats =
                new LogStats(config.segmentLength(), config.countersManager(), config.counterPrefix());
            final Recovery.Result recovery = Recovery.run(directory, config.segmentLength(), segments);
            return new LogStore(config, lockChannel, lock, segments, recovery, stats);
        }
        catch (final IOException | RuntimeException ex)
        {
            segments.close();
            CloseHelper.quietCloseAll(lock, lockChannel);
            if (ex instanceof IOException)
            {
                throw new UncheckedIOException("cannot open log in " + directory, (IOException)ex);
            }
            throw (RuntimeException)ex;
        }
    }

    /**
     * Append a payload; it is in the mapping (survives a process crash) when this returns, durable later. The one
     * buffer type of the log: a Netty frame is viewed through a {@code DirectBuffer} at the edge, a {@code byte[]}
     * wrapped in an {@code UnsafeBuffer}.
     *
     * @return the record's offset, or {@link LogResult#ENTRY_TOO_LARGE}, {@link LogResult#STORAGE_FULL},
     * {@link LogResult#CLOSED}, {@link LogResult#INVALID_ARGUMENT}.
     */
    public long append(final DirectBuffer src, final int index, final int length)
    {
        return appender.append(src, index, length);
    }

    /**
     * Append a payload and have {@code listener} told, on the sync thread, once it is forced to disk.
     * Many such appends share one force (group commit).
     *
     * @return the offset, in which case the listener is called exactly once; or a negative {@link LogResult}
     * ({@link LogResult#BACK_PRESSURED} when too many are waiting, {@link LogResult#IO_ERROR} after a failed
     * force, or any {@link #append} error), in which case nothing was appended and the listener is never called.
     */
    public long appendDurable(
        final DirectBuffer src,
        final int index,
        final int length,
        final DurableListener listener,
        final long requestId,
        final Object context)
    {
        final long sequence = claimDurable();
        if (sequence < 0)
        {
            return sequence;
        }
        long offset = LogResult.INVALID_ARGUMENT;
        try
        {
            offset = appender.append(src, index, length);
        }
        finally
        {
            completeDurable(sequence, offset, length, listener, requestId, context);
        }
        return offset;
    }

    /**
     * Have {@code listener} told once every record below {@code endPosition} is forced, e.g. after a batch of
     * plain appends ({@code endPosition = offset + RecordHeader.frameLength(length)} of the last one) or for
     * {@code tailPosition()}. The listener gets {@code endPosition} as its offset.
     *
     * @return {@link LogResult#OK} (the listener will be called exactly once), {@link LogResult#BACK_PRESSURED},
     * {@link LogResult#CLOSED}, {@link LogResult#IO_ERROR}, or {@link LogResult#INVALID_ARGUMENT} when
     * {@code endPosition} is negative or beyond the tail.
     */
    public int requestDurable(
        final long endPosition, final DurableListener listener, final long requestId, final Object context)
    {
        if (endPosition < 0 || endPosition > appender.tailPosition())
        {
            return LogResult.INVALID_ARGUMENT;
        }
        final long sequence = claimDurable();
        if (sequence < 0)
        {
            return (int)sequence;
        }
        durableRequests.commit(sequence, endPosition, endPosition, listener, requestId, context);
        syncWakeup.wakeIfResting();
        return LogResult.OK;
    }

    /**
     * Blocking convenience for tests and tools: append and wait until the record is forced. Allocates.
     *
     * @return the offset, or a negative {@link LogResult}.
     */
    public long appendDurableAndWait(final byte[] src) throws InterruptedException
    {
        final DurableWaiter waiter = new DurableWaiter();
        long offset;
        final UnsafeBuffer buffer = new UnsafeBuffer(src);
        while (LogResult.BACK_PRESSURED == (offset = appendDurable(buffer, 0, src.length, waiter, 0, null)))
        {
            Thread.yield();
        }
        if (offset < 0)
        {
            return offset;
        }
        waiter.latch.await();
        return LogResult.OK == waiter.status ? offset : waiter.status;
    }

    /**
     * Zero-copy read: point {@code view} at the payload after checking magic, bounds and CRC.
     *
     * @return payload length, or {@link LogResult#BAD_OFFSET}, {@link LogResult#PAST_TAIL},
     * {@link LogResult#NOT_A_RECORD}, {@link LogResult#CORRUPT}, {@link LogResult#CLOSED}.
     */
    public int read(final long offset, final RecordView view)
    {
        return isClosed ? LogResult.CLOSED : reader.read(offset, view);
    }

    /**
     * Read the payload into {@code dst} at its writer index, advancing it.
     *
     * @return payload length, {@link LogResult#BUFFER_TOO_SMALL}, or any {@link #read(long, RecordView)} error.
     */
    public int read(final long offset, final ByteBuf dst)
    {
        return isClosed ? LogResult.CLOSED : reader.read(offset, dst);
    }

    /**
     * Convenience for tests and tools: a copy of the payload. Allocates.
     *
     * @throws LogStoreException carrying the read error code.
     */
    public byte[] readBytes(final long offset)
    {
        final RecordView view = new RecordView();
        final int result = read(offset, view);
        if (result < 0)
        {
            throw new LogStoreException(result, "read at offset " + offset);
        }
        return view.toByteArray();
    }

    /**
     * Visit up to {@code recordLimit} records in order from {@code fromOffset} (a record start, e.g. 0 or a
     * previous scan's result), skipping padding; stops at the tail or at the first invalid record, which is
     * reported to {@link LogScanHandler#onInvalid}.
     *
     * @return the offset to resume from, or {@link LogResult#BAD_OFFSET}, {@link LogResult#PAST_TAIL},
     * {@link LogResult#CLOSED}.
     */
    public long scan(final long fromOffset, final int recordLimit, final LogScanHandler handler)
    {
        return isClosed ? LogResult.CLOSED : reader.scan(fromOffset, recordLimit, handler);
    }

    /**
     * @return offset the next append will get (at least).
     */
    public long tailPosition()
    {
        return appender.tailPosition();
    }

    /**
     * @return every record below this position is forced to disk.
     */
    public long durablePosition()
    {
        return syncAgent.durablePosition();
    }

    public LogStats stats()
    {
        return stats;
    }

    public LogConfig config()
    {
        return config;
    }

    /**
     * @return true when the open found and zeroed a torn or unfinished tail.
     */
    public boolean recoveredTornTail()
    {
        return recovery.truncated();
    }

    /**
     * @return what the open found and did, for the daemon's event line: when it truncated a torn tail, "torn
     * tail truncated: N B zeroed at offset X of segment Y (position P), R records scanned from S"; else null.
     */
    public String tornTailReport()
    {
        if (!recovery.truncated())
        {
            return null;
        }
        final int shift = Integer.numberOfTrailingZeros(config.segmentLength());
        final long tail = recovery.tailPosition();
        return "torn tail truncated: " + recovery.truncatedBytes() + " B zeroed at offset " +
            (tail & (config.segmentLength() - 1)) + " of segment " + (tail >>> shift) + " (position " + tail +
            "), " + recovery.recordsScanned() + " valid records scanned from position " + recovery.scanStart();
    }

    /**
     * Stop the background threads, wait for in-flight appends, final force and checkpoint, unmap.
     */
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        isClosed = true;

        final long sealedTail = appender.seal();
        durableRequests.seal();
        allocator.stopAgent();
        syncWakeup.stop();
        CloseHelper.closeAll(allocatorRunner, syncRunner);

        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.closeTimeoutMs());
        final boolean quiescent = syncAgent.finish(sealedTail, deadlineNs);
        allocator.close();
        if (quiescent)
        {
            segments.close();
        }
        // else an appender is stuck mid-copy; leave the mappings to the GC rather than crash it

        CloseHelper.quietCloseAll(lock, lockChannel);
    }

    /**
     * @return duty cycles of the segment allocator thread so far.
     */
    long allocatorCycles()
    {
        return allocator.cycles();
    }

    /**
     * @return true while the sync thread sleeps until woken (or is about to).
     */
    boolean syncSleeping()
    {
        return syncWakeup.isSleeping();
    }

    public String toString()
    {
        return "LogStore{directory=" + config.directory() + ", tail=" + tailPosition() + '}';
    }

    private long claimDurable()
    {
        if (syncAgent.failed())
        {
            stats.appendError();
            return LogResult.IO_ERROR;
        }
        final long sequence = durableRequests.claim();
        if (sequence < 0)
        {
            stats.appendError();
        }
        return sequence;
    }

    private void completeDurable(
        final long sequence,
        final long offset,
        final int length,
        final DurableListener listener,
        final long requestId,
        final Object context)
    {
        if (offset >= 0)
        {
            durableRequests.commit(
                sequence, offset, offset + RecordHeader.frameLength(length), listener, requestId, context);
        }
        else
        {
            durableRequests.cancel(sequence);
        }
        syncWakeup.wakeIfResting();
    }

    private static final class DurableWaiter implements DurableListener
    {
        private final CountDownLatch latch = new CountDownLatch(1);
        private volatile int status;

        public void onDurable(final long requestId, final Object context, final long offset, final int status)
        {
            this.status = status;
            latch.countDown();
        }
    }
}
