package io.metrodb.audit;

import io.metrodb.log.RecordHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads records straight from a log directory's segment files (docs/LOGD.md, "Record layout"), after the run: where
 * the record at an offset lies, or every record of a journal by key. Independent of the engine's own reader.
 */
final class LogFiles
{
    private LogFiles()
    {
    }

    static Path segment(final Path directory, final long index)
    {
        return directory.resolve(String.format("%010d.seg", index)).toAbsolutePath().normalize();
    }

    /**
     * @return the entry record at {@code offset}, or null when no valid one starts there.
     */
    static RecordLocation recordAt(final Path directory, final int segmentLength, final long offset)
    {
        final Path file = segment(directory, offset / segmentLength);
        final long position = offset % segmentLength;
        if (!Files.isRegularFile(file))
        {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            if (channel.read(header, position) != RecordHeader.HEADER_LENGTH)
            {
                return null;
            }
            final int length = header.getInt(RecordHeader.LENGTH_OFFSET);
            if (header.getInt(RecordHeader.MAGIC_OFFSET) != RecordHeader.magic(offset) ||
                header.getInt(RecordHeader.FLAGS_OFFSET) != 0 || length < 0 ||
                position + RecordHeader.HEADER_LENGTH + length > segmentLength)
            {
                return null;
            }
            final ByteBuffer payload = ByteBuffer.allocate(length);
            channel.read(payload, position + RecordHeader.HEADER_LENGTH);
            return new RecordLocation(file.toString(), position, position + RecordHeader.HEADER_LENGTH + length,
                payload.array());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Every entry record of the log in {@code directory}, from its first segment to the first invalid record, by the
     * key {@code keyOf} finds in its payload (null for none).
     */
    static Map<String, RecordLocation> recordsByKey(final Path directory, final int segmentLength,
        final Function<byte[], String> keyOf)
    {
        final Map<String, RecordLocation> records = new HashMap<>();
        long offset = 0;
        while (true)
        {
            final long position = offset % segmentLength;
            if (segmentLength - position < RecordHeader.HEADER_LENGTH)
            {
                offset += segmentLength - position;
                continue;
            }
            final Path file = segment(directory, offset / segmentLength);
            if (!Files.isRegularFile(file))
            {
                return records;
            }
            final RecordLocation record = recordAt(directory, segmentLength, offset);
            if (record == null)
            {
                if (!isPadding(file, position, offset))
                {
                    return records;
                }
                offset += segmentLength - position;
                continue;
            }
            final String key = keyOf.apply(record.payload());
            if (key != null)
            {
                records.put(key, record);
            }
            offset += RecordHeader.frameLength(record.payload().length);
        }
    }

    private static boolean isPadding(final Path file, final long position, final long offset)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            return channel.read(header, position) == RecordHeader.HEADER_LENGTH &&
                header.getInt(RecordHeader.MAGIC_OFFSET) == RecordHeader.magic(offset) &&
                (header.getInt(RecordHeader.FLAGS_OFFSET) & RecordHeader.FLAG_PADDING) != 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
