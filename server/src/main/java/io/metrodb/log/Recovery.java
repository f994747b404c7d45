package io.metrodb.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.metrodb.log.RecordHeader.HEADER_LENGTH;

/**
 * Finds the tail at open: scan forward from the checkpoint (or from the start of the last non-empty segment when
 * there is none) while records are valid; the first invalid record is the torn tail. Everything from there to the
 * end of the log is zeroed, so stale bytes can never be mistaken for records, and the recovered range is forced.
 * <p>
 * Records before the checkpoint are not rescanned: damage there is reported by reads and {@link LogVerifier}.
 */
final class Recovery
{
    /**
     * What recovery found.
     *
     * @param tailPosition     where the next record goes.
     * @param checkpoint       the checkpoint used, or {@link Checkpoint#NONE}.
     * @param scanStart        where the scan began.
     * @param recordsScanned   valid records between scan start and tail.
     * @param truncated        true when non-zero bytes after the tail were zeroed (a torn or unfinished tail).
     * @param segmentFileCount segment files in the directory after recovery.
     * @param truncatedBytes   bytes from the tail to the last non-zero byte zeroed, over every segment.
     */
    record Result(
        long tailPosition, long checkpoint, long scanStart, long recordsScanned, boolean truncated, int segmentFileCount,
        long truncatedBytes)
    {
    }

    private Recovery()
    {
    }

    /**
     * Map the log's segments into {@code segments} and find the tail; creates no segment files.
     */
    static Result run(final Path directory, final int segmentLength, final SegmentTable segments) throws IOException
    {
        SegmentFiles.deleteTempFiles(directory);
        final List<Integer> indices = SegmentFiles.listSegments(directory);
        for (int i = 0; i < indices.size(); i++)
        {
            if (indices.get(i) != i)
            {
                throw new LogStoreException(LogResult.CORRUPT, "segment file " +
                    SegmentFiles.segmentPath(directory, i).getFileName() + " is missing in " + directory);
            }
        }

        final long checkpoint = Checkpoint.read(directory, segmentLength);
        final int fileCount = indices.size();
        if (0 == fileCount)
        {
            if (checkpoint > 0)
            {
                throw new LogStoreException(LogResult.CORRUPT,
                    "checkpoint at " + checkpoint + " but no segment files in " + directory);
            }
            return new Result(0, checkpoint, 0, 0, false, 0, 0);
        }

        for (int i = 0; i < fileCount; i++)
        {
            restoreTruncatedSegment(SegmentFiles.segmentPath(directory, i), segmentLength);
        }

        final int segmentShift = Integer.numberOfTrailingZeros(segmentLength);
        final Segment[] mapped = new Segment[fileCount];
        for (int i = 0; i < fileCount; i++)
        {
            mapped[i] = Segment.map(SegmentFiles.segmentPath(directory, i), i, segmentLength, false);
        }

        final long logEnd = (long)fileCount << segmentShift;
        if (checkpoint > logEnd)
        {
            throw new LogStoreException(LogResult.CORRUPT, "checkpoint at " + checkpoint +
                " is beyond the last segment file (log ends at " + logEnd + ") in " + directory);
        }

        final long scanStart = checkpoint != Checkpoint.NONE ? checkpoint : lastNonEmptySegmentStart(mapped);
        final RecordValidator validator = new RecordValidator();
        long position = scanStart;
        long records = 0;
        while (position < logEnd)
        {
            final int segmentIndex = (int)(position >>> segmentShift);
            final int offsetInSegment = (int)position & (segmentLength - 1);
            if (segmentLength - offsetInSegment < HEADER_LENGTH)
            {
                position = (long)(segmentIndex + 1) << segmentShift;
                continue;
            }

            final int result = validator.check(mapped[segmentIndex], offsetInSegment, true);
            if (LogResult.OK != result && RecordValidator.PADDING != result)
            {
                break;
            }
            if (LogResult.OK == result)
            {
                records++;
            }
            position += validator.frameLength();
        }

        final long tail = position;
        final int tailSegment = (int)Math.min(tail >>> segmentShift, fileCount);
        boolean truncated = false;
        long truncatedBytes = 0;
        for (int i = tailSegment; i < fileCount; i++)
        {
            final int from = i == tailSegment ? (int)tail & (segmentLength - 1) : 0;
            if (!mapped[i].isZeroFrom(from))
            {
                truncatedBytes += mapped[i].nonZeroLengthFrom(from);
                mapped[i].zeroFrom(from);
                truncated = true;
            }
        }

        forceRange(mapped, scanStart, tail, segmentShift);

        for (int i = 0; i < fileCount; i++)
        {
            if (i <= tailSegment)
            {
                segments.add(mapped[i]);
            }
            else
            {
                mapped[i].close();
            }
        }

        return new Result(tail, checkpoint, scanStart, records, truncated, fileCount, truncatedBytes);
    }

    /**
     * Records below the recovered tail may only be in the page cache of a crashed process; make them durable.
     */
    private static void forceRange(final Segment[] mapped, final long from, final long to, final int segmentShift)
    {
        for (long position = from; position < to; )
        {
            final int segmentIndex = (int)(position >>> segmentShift);
            final long segmentEnd = (long)(segmentIndex + 1) << segmentShift;
            final long end = Math.min(to, segmentEnd);
            final Segment segment = mapped[segmentIndex];
            segment.force((int)(position - segment.baseOffset()), (int)(end - segment.baseOffset()));
            position = end;
        }
    }

    private static long lastNonEmptySegmentStart(final Segment[] mapped)
    {
        for (int i = mapped.length - 1; i > 0; i--)
        {
            if (mapped[i].buffer().getInt(0) != 0)
            {
                return mapped[i].baseOffset();
            }
        }
        return 0;
    }

    /**
     * A segment shorter than configured (truncated by a tool or a copy) is extended with zeros: after the
     * checkpoint the missing bytes are a torn tail, before it reads and {@link LogVerifier} report them.
     */
    private static void restoreTruncatedSegment(final Path file, final int segmentLength) throws IOException
    {
        final long size = Files.size(file);
        if (size < segmentLength)
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                final ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
                long position = size;
                while (position < segmentLength)
                {
                    zeros.clear().limit((int)Math.min(zeros.capacity(), segmentLength - position));
                    while (zeros.hasRemaining())
                    {
                        position += channel.write(zeros, position);
                    }
                }
                channel.force(true);
            }
        }
    }
}
