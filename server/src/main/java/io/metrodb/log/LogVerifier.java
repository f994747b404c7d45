package io.metrodb.log;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.metrodb.log.RecordHeader.ALIGNMENT;
import static io.metrodb.log.RecordHeader.HEADER_LENGTH;

/**
 * Offline check of a log directory ({@code bin/metrodb logd-verify DIR}): walks every segment read-only, counts
 * records and bytes, and reports every bad record with its offset and reason. After a bad record it resynchronises
 * on the next record header, valid or not (the offset-salted magic plus CRC make false matches negligible).
 * <p>
 * Bad bytes after the last valid record and at or after the checkpoint are a torn tail, which the next open
 * truncates: reported, but not corruption. Run it on a closed log; it never modifies files.
 */
public final class LogVerifier
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_CORRUPT = 1;
    public static final int EXIT_ERROR = 2;

    /**
     * A bad record found by the walk.
     *
     * @param offset where it is.
     * @param reason why it is bad.
     */
    public record BadRecord(long offset, String reason)
    {
    }

    private final List<BadRecord> badRecords = new ArrayList<>();
    private long records;
    private long payloadBytes;
    private long paddingBytes;
    private long lastValidEnd;

    private LogVerifier()
    {
    }

    /**
     * Verify the log in {@code directory}, printing a report.
     *
     * @return {@link #EXIT_OK}, {@link #EXIT_CORRUPT} when a record before the torn tail is bad, or
     * {@link #EXIT_ERROR} when the directory cannot be read as a log.
     */
    public static int run(final Path directory, final PrintStream out)
    {
        try
        {
            return new LogVerifier().verify(directory, out);
        }
        catch (final IOException | RuntimeException ex)
        {
            out.println("logd-verify: ERROR " + ex);
            return EXIT_ERROR;
        }
    }

    public static void main(final String[] args)
    {
        if (args.length != 1)
        {
            System.err.println("usage: logd-verify DIR");
            System.exit(EXIT_ERROR);
        }
        System.exit(run(Path.of(args[0]), System.out));
    }

    private int verify(final Path directory, final PrintStream out) throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            out.println("logd-verify: ERROR not a directory: " + directory);
            return EXIT_ERROR;
        }

        final List<Integer> indices = SegmentFiles.listSegments(directory);
        if (indices.isEmpty())
        {
            out.println("logd-verify: " + directory + ": no segment files");
            return EXIT_OK;
        }
        for (int i = 0; i < indices.size(); i++)
        {
            if (indices.get(i) != i)
            {
                out.println("logd-verify: ERROR segment file " + i + " is missing");
                return EXIT_ERROR;
            }
        }

        final long size = Files.size(SegmentFiles.segmentPath(directory, 0));
        if (size < LogConfig.MIN_SEGMENT_LENGTH || size > LogConfig.MAX_SEGMENT_LENGTH || Long.bitCount(size) != 1)
        {
            out.println("logd-verify: ERROR segment 0 has invalid length " + size);
            return EXIT_ERROR;
        }
        final int segmentLength = (int)size;
        final long checkpoint = Checkpoint.read(directory, segmentLength);

        final RecordValidator validator = new RecordValidator();
        for (final int index : indices)
        {
            final Path file = SegmentFiles.segmentPath(directory, index);
            if (Files.size(file) != segmentLength)
            {
                out.println("logd-verify: ERROR " + file.getFileName() + " has length " + Files.size(file) +
                    ", expected " + segmentLength);
                return EXIT_ERROR;
            }
            try (Segment segment = Segment.map(file, index, segmentLength, true))
            {
                walk(segment, validator);
            }
        }

        int corrupt = 0;
        for (final BadRecord bad : badRecords)
        {
            final boolean tornTail = bad.offset() >= lastValidEnd && bad.offset() >= Math.max(checkpoint, 0);
            if (!tornTail)
            {
                corrupt++;
            }
            out.println((tornTail ? "torn tail (truncated at next open)" : "BAD RECORD") +
                " offset=" + bad.offset() + " reason=" + bad.reason());
        }

        out.println("logd-verify: " + directory +
            " segments=" + indices.size() +
            " segment_length=" + segmentLength +
            " records=" + records +
            " payload_bytes=" + payloadBytes +
            " padding_bytes=" + paddingBytes +
            " tail=" + lastValidEnd +
            " checkpoint=" + checkpoint +
            " bad_records=" + corrupt +
            (corrupt > 0 ? " CORRUPT" : " OK"));
        return corrupt > 0 ? EXIT_CORRUPT : EXIT_OK;
    }

    private void walk(final Segment segment, final RecordValidator validator)
    {
        final int segmentLength = segment.length();
        int position = 0;
        while (position <= segmentLength - HEADER_LENGTH)
        {
            final int result = validator.check(segment, position, true);
            if (LogResult.OK == result || RecordValidator.PADDING == result)
            {
                if (LogResult.OK == result)
                {
                    records++;
                    payloadBytes += validator.payloadLength();
                }
                else
                {
                    paddingBytes += validator.frameLength();
                }
                position += validator.frameLength();
                lastValidEnd = segment.baseOffset() + position;
                continue;
            }

            if (segment.buffer().getInt(position) == 0 && segment.isZeroFrom(position))
            {
                return;
            }

            badRecords.add(new BadRecord(segment.baseOffset() + position, validator.failureReason()));
            position = resync(segment, validator, position + ALIGNMENT);
        }
    }

    /**
     * @return the next position where a record starts (its offset-salted magic is there), valid or not, or the
     * segment end. A damaged record right after another one is found here and reported by the walk: stopping only
     * at valid records skipped it.
     */
    private static int resync(final Segment segment, final RecordValidator validator, final int from)
    {
        final int segmentLength = segment.length();
        for (int position = from; position <= segmentLength - HEADER_LENGTH; position += ALIGNMENT)
        {
            if (LogResult.NOT_A_RECORD != validator.check(segment, position, true))
            {
                return position;
            }
        }
        return segmentLength;
    }
}
