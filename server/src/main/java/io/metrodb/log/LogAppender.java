package io.metrodb.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

import static io.metrodb.log.RecordHeader.HEADER_LENGTH;

/**
 * Reserves space with one atomic add on the tail, copies the payload, then publishes the header magic last.
 * <p>
 * The raw tail is {@code segmentIndex << 32 | positionInSegment}. The single appender whose reservation crosses
 * the segment end pads the rest of the segment; every appender that lands past the end takes the rollover lock,
 * the only lock on the append path, and retries in the next segment. Bit 63 seals the tail at close.
 * <p>
 * Every published record (or padding) then wakes the sync thread if it sleeps: one volatile read while it is awake.
 */
final class LogAppender
{
    private static final long SEALED = Long.MIN_VALUE;
    private static final long POSITION_MASK = 0xFFFF_FFFFL;

    private final AtomicLong rawTail;
    private final int segmentLength;
    private final int segmentShift;
    private final int maxEntryLength;
    private final SegmentTable segments;
    private final SegmentAllocator allocator;
    private final ThreadLocal<RecordValidator> validators;
    private final LogStats stats;
    private final Wakeup syncWakeup;
    private final boolean preallocate;
    private final Object rolloverLock = new Object();

    LogAppender(
        final long tailPosition,
        final LogConfig config,
        final SegmentTable segments,
        final SegmentAllocator allocator,
        final ThreadLocal<RecordValidator> validators,
        final LogStats stats,
        final Wakeup syncWakeup)
    {
        this.syncWakeup = syncWakeup;
        this.segmentLength = config.segmentLength();
        this.segmentShift = Integer.numberOfTrailingZeros(segmentLength);
        this.maxEntryLength = config.maxEntryLength();
        this.segments = segments;
        this.allocator = allocator;
        this.validators = validators;
        this.stats = stats;
        this.preallocate = config.preallocateNextSegment();

        final int tailSegment = (int)(tailPosition >>> segmentShift);
        final long position = tailPosition & (segmentLength - 1);
        rawTail = new AtomicLong(segments.get(tailSegment) != null ?
            ((long)tailSegment << 32) | position :
            ((long)(tailSegment - 1) << 32) | segmentLength);
    }

    /**
     * Appends a payload: the one copy, from the caller's buffer into the segment. Netty frames arrive here through a
     * {@code DirectBuffer} view of their memory, made once at the edge; a {@code byte[]} through an
     * {@code UnsafeBuffer}.
     */
    long append(final DirectBuffer src, final int srcIndex, final int length)
    {
        final long offset = reserve(src.capacity(), srcIndex, length);
        if (offset < 0)
        {
            return offset;
        }

        final Segment segment = segments.get((int)(offset >>> segmentShift));
        final int position = (int)offset & (segmentLength - 1);
        try
        {
            segment.buffer().putBytes(position + HEADER_LENGTH, src, srcIndex, length);
            publish(segment, position, offset, length);
        }
        catch (final Throwable ex)
        {
            abort(segment, position, offset, length);
            throw ex;
        }
        return offset;
    }

    /**
     * @return the position the next record will start at (or the start of the next segment when this one is full).
     */
    long tailPosition()
    {
        final long raw = rawTail.get() & ~SEALED;
        final long position = Math.min(raw & POSITION_MASK, segmentLength);
        return ((raw >>> 32) << segmentShift) + position;
    }

    /**
     * Refuse all further reservations.
     *
     * @return the tail position at the moment of sealing; every reservation below it will be published.
     */
    long seal()
    {
        rawTail.getAndUpdate(raw -> raw | SEALED);
        return tailPosition();
    }

    private long reserve(final int srcCapacity, final int srcIndex, final int length)
    {
        if (length > maxEntryLength)
        {
            stats.appendError();
            return LogResult.ENTRY_TOO_LARGE;
        }
        if (length < 0 || srcIndex < 0 || srcIndex > srcCapacity - length)
        {
            stats.appendError();
            return LogResult.INVALID_ARGUMENT;
        }

        final int frameLength = RecordHeader.frameLength(length);
        while (true)
        {
            long raw = rawTail.get();
            if (raw < 0)
            {
                return error(LogResult.CLOSED);
            }

            int segmentIndex = (int)(raw >>> 32);
            if ((raw & POSITION_MASK) < segmentLength)
            {
                raw = rawTail.getAndAdd(frameLength);
                if (raw < 0)
                {
                    return error(LogResult.CLOSED);
                }

                segmentIndex = (int)(raw >>> 32);
                final long position = raw & POSITION_MASK;
                if (position + frameLength <= segmentLength)
                {
                    stats.append();
                    return ((long)segmentIndex << segmentShift) + position;
                }
                if (position < segmentLength)
                {
                    padSegmentEnd(segmentIndex, (int)position);
                }
            }

            final int result = rollover(segmentIndex);
            if (result < 0)
            {
                return error(result);
            }
        }
    }

    private void publish(final Segment segment, final int position, final long offset, final int length)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int crc = validators.get().crc(segment, position + HEADER_LENGTH, length);
        RecordHeader.putFields(buffer, position, length, crc, 0);
        RecordHeader.magicRelease(buffer, position, RecordHeader.magic(offset));
        syncWakeup.wakeIfSleeping();
    }

    /**
     * A copy failed after reserving: publish the reservation as padding so scans and the sync thread move past it.
     */
    private void abort(final Segment segment, final int position, final long offset, final int length)
    {
        RecordHeader.putPadding(segment.buffer(), position, offset, RecordHeader.frameLength(length));
        syncWakeup.wakeIfSleeping();
    }

    private void padSegmentEnd(final int segmentIndex, final int position)
    {
        if (segmentLength - position >= HEADER_LENGTH)
        {
            final Segment segment = segments.get(segmentIndex);
            RecordHeader.putPadding(
                segment.buffer(), position, segment.baseOffset() + position, segmentLength - position);
            syncWakeup.wakeIfSleeping();
        }
    }

    private int rollover(final int fullSegmentIndex)
    {
        synchronized (rolloverLock)
        {
            long raw = rawTail.get();
            if (raw < 0)
            {
                return LogResult.CLOSED;
            }
            if ((int)(raw >>> 32) != fullSegmentIndex)
            {
                return LogResult.OK;
            }

            final int nextIndex = fullSegmentIndex + 1;
            if (null == segments.get(nextIndex))
            {
                final long waitStartNs = System.nanoTime();
                final Segment next = allocator.acquireAtRollover(nextIndex);
                stats.rolloverWait(System.nanoTime() - waitStartNs);
                if (null == next)
                {
                    return allocator.lastStatus();
                }
                segments.add(next);
            }

            final long nextRaw = (long)nextIndex << 32;
            while ((int)(raw >>> 32) == fullSegmentIndex)
            {
                if (rawTail.compareAndSet(raw, nextRaw))
                {
                    stats.rollover();
                    if (preallocate)
                    {
                        allocator.prepareAsync(nextIndex + 1);
                    }
                    break;
                }
                raw = rawTail.get();
                if (raw < 0)
                {
                    return LogResult.CLOSED;
                }
            }
            return LogResult.OK;
        }
    }

    private long error(final int code)
    {
        stats.appendError();
        return code;
    }
}
