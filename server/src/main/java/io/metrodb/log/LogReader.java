package io.metrodb.log;

import io.netty.buffer.ByteBuf;

import static io.metrodb.log.RecordHeader.ALIGNMENT;
import static io.metrodb.log.RecordHeader.HEADER_LENGTH;

/**
 * Reads and scans without waiting for appends: bounds-check the offset, validate the header and CRC in place.
 */
final class LogReader
{
    private final int segmentLength;
    private final int segmentShift;
    private final SegmentTable segments;
    private final LogAppender appender;
    private final SyncAgent syncAgent;
    private final ThreadLocal<RecordValidator> validators;
    private final LogStats stats;

    LogReader(
        final int segmentLength,
        final SegmentTable segments,
        final LogAppender appender,
        final SyncAgent syncAgent,
        final ThreadLocal<RecordValidator> validators,
        final LogStats stats)
    {
        this.segmentLength = segmentLength;
        this.segmentShift = Integer.numberOfTrailingZeros(segmentLength);
        this.segments = segments;
        this.appender = appender;
        this.syncAgent = syncAgent;
        this.validators = validators;
        this.stats = stats;
    }

    int read(final long offset, final RecordView view)
    {
        final RecordValidator validator = validators.get();
        final int result = locate(offset, validator);
        if (result >= 0)
        {
            final Segment segment = segments.get((int)(offset >>> segmentShift));
            final int position = (int)offset & (segmentLength - 1);
            view.wrap(segment.buffer(), position + HEADER_LENGTH, validator.payloadLength(), offset,
                offset + validator.frameLength());
        }
        stats.read(result);
        return result;
    }

    int read(final long offset, final ByteBuf dst)
    {
        final RecordValidator validator = validators.get();
        int result = locate(offset, validator);
        if (result >= 0)
        {
            if (dst.maxWritableBytes() < result)
            {
                result = LogResult.BUFFER_TOO_SMALL;
            }
            else
            {
                final Segment segment = segments.get((int)(offset >>> segmentShift));
                final int position = (int)offset & (segmentLength - 1);
                dst.writeBytes(validator.view(segment, position + HEADER_LENGTH, result));
            }
        }
        stats.read(result);
        return result;
    }

    long scan(final long fromOffset, final int recordLimit, final LogScanHandler handler)
    {
        if (fromOffset < 0 || (fromOffset & (ALIGNMENT - 1)) != 0)
        {
            return LogResult.BAD_OFFSET;
        }
        final long tail = appender.tailPosition();
        if (fromOffset > tail)
        {
            return LogResult.PAST_TAIL;
        }

        final RecordValidator validator = validators.get();
        long position = fromOffset;
        int visited = 0;
        while (visited < recordLimit && position < tail)
        {
            final int segmentIndex = (int)(position >>> segmentShift);
            final int offsetInSegment = (int)position & (segmentLength - 1);
            if (segmentLength - offsetInSegment < HEADER_LENGTH)
            {
                position = (long)(segmentIndex + 1) << segmentShift;
                continue;
            }

            final Segment segment = segments.get(segmentIndex);
            if (null == segment)
            {
                break;
            }

            final int result = validator.check(segment, offsetInSegment, true);
            if (RecordValidator.PADDING == result)
            {
                position += validator.frameLength();
                continue;
            }
            if (result < 0)
            {
                if (LogResult.CORRUPT == result || position < syncAgent.publishedPosition())
                {
                    handler.onInvalid(position, result);
                }
                break;
            }

            final long recordOffset = position;
            position += validator.frameLength();
            visited++;
            if (!handler.onRecord(recordOffset, segment.buffer(), offsetInSegment + HEADER_LENGTH,
                validator.payloadLength()))
            {
                break;
            }
        }
        return position;
    }

    /**
     * @return the payload length with the validator positioned on the record, or a read error.
     */
    private int locate(final long offset, final RecordValidator validator)
    {
        if (offset < 0 || (offset & (ALIGNMENT - 1)) != 0)
        {
            return LogResult.BAD_OFFSET;
        }
        if (offset >= appender.tailPosition())
        {
            return LogResult.PAST_TAIL;
        }

        final Segment segment = segments.get((int)(offset >>> segmentShift));
        if (null == segment)
        {
            return LogResult.PAST_TAIL;
        }

        final int result = validator.check(segment, (int)offset & (segmentLength - 1), true);
        if (RecordValidator.PADDING == result)
        {
            return LogResult.NOT_A_RECORD;
        }
        return result < 0 ? result : validator.payloadLength();
    }
}
