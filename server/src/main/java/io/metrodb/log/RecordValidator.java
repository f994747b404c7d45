package io.metrodb.log;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.metrodb.log.RecordHeader.FLAG_PADDING;
import static io.metrodb.log.RecordHeader.HEADER_LENGTH;

/**
 * Checks records in place and computes payload CRCs; one instance per thread, reused for every record.
 * <p>
 * CRC32C runs on a {@link ByteBuffer} view of the mapping so the JDK intrinsic is used without copying;
 * views are cached per segment so steady state does not allocate.
 */
final class RecordValidator
{
    /** {@link #check} result for a valid padding record. */
    static final int PADDING = 1;

    static final String REASON_NO_HEADER = "no record header (bad or missing magic)";
    static final String REASON_LENGTH = "length field out of segment bounds";
    static final String REASON_FLAGS = "unknown flags";
    static final String REASON_PADDING = "bad padding record";
    static final String REASON_CRC = "CRC32C mismatch";
    static final String REASON_TOO_CLOSE_TO_END = "position too close to segment end for a header";

    private static final int VIEW_CACHE_SIZE = 64;

    private final CRC32C crc32c = new CRC32C();
    private final Segment[] viewOwners = new Segment[VIEW_CACHE_SIZE];
    private final ByteBuffer[] views = new ByteBuffer[VIEW_CACHE_SIZE];
    private int payloadLength;
    private int frameLength;
    private String failureReason;

    /**
     * Validate the record at {@code position}; on success {@link #payloadLength()} and {@link #frameLength()} are set.
     *
     * @return {@link LogResult#OK}, {@link #PADDING}, {@link LogResult#NOT_A_RECORD} or {@link LogResult#CORRUPT}.
     */
    int check(final Segment segment, final int position, final boolean verifyCrc)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int segmentLength = buffer.capacity();
        if (position < 0 || position > segmentLength - HEADER_LENGTH)
        {
            return fail(LogResult.NOT_A_RECORD, REASON_TOO_CLOSE_TO_END);
        }

        if (RecordHeader.magicAcquire(buffer, position) != RecordHeader.magic(segment.baseOffset() + position))
        {
            return fail(LogResult.NOT_A_RECORD, REASON_NO_HEADER);
        }

        final int length = RecordHeader.payloadLength(buffer, position);
        if (length < 0 || length > segmentLength - position - HEADER_LENGTH)
        {
            return fail(LogResult.CORRUPT, REASON_LENGTH);
        }

        final int flags = RecordHeader.flags(buffer, position);
        final int storedCrc = RecordHeader.crc(buffer, position);
        payloadLength = length;
        frameLength = RecordHeader.frameLength(length);

        if (FLAG_PADDING == flags)
        {
            return storedCrc == ~length ? PADDING : fail(LogResult.CORRUPT, REASON_PADDING);
        }
        if (0 != flags)
        {
            return fail(LogResult.CORRUPT, REASON_FLAGS);
        }
        if (verifyCrc && storedCrc != crc(segment, position + HEADER_LENGTH, length))
        {
            return fail(LogResult.CORRUPT, REASON_CRC);
        }

        return LogResult.OK;
    }

    /**
     * @return CRC32C of {@code [index, index + length)} of the segment.
     */
    int crc(final Segment segment, final int index, final int length)
    {
        final CRC32C crc32c = this.crc32c;
        crc32c.reset();
        crc32c.update(view(segment, index, length));
        return (int)crc32c.getValue();
    }

    /**
     * @return a cached view of the segment with position and limit set to {@code [index, index + length)}.
     */
    ByteBuffer view(final Segment segment, final int index, final int length)
    {
        final int slot = segment.index() & (VIEW_CACHE_SIZE - 1);
        ByteBuffer view = views[slot];
        if (viewOwners[slot] != segment)
        {
            view = segment.mapped().duplicate();
            views[slot] = view;
            viewOwners[slot] = segment;
        }
        view.limit(index + length).position(index);
        return view;
    }

    int payloadLength()
    {
        return payloadLength;
    }

    int frameLength()
    {
        return frameLength;
    }

    /**
     * @return why the last {@link #check} failed, a constant string.
     */
    String failureReason()
    {
        return failureReason;
    }

    private int fail(final int code, final String reason)
    {
        failureReason = reason;
        return code;
    }
}
