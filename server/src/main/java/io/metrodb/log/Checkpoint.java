package io.metrodb.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The checkpoint file: a position below which every record was forced to disk, written atomically
 * (temp file, force, rename, directory force).
 * <pre>
 *   0: int  MAGIC       4: int  VERSION
 *   8: long segmentLength
 *  16: long position
 *  24: int  CRC32C of bytes [0, 24)   28: int reserved (0)
 * </pre>
 */
final class Checkpoint
{
    static final String FILE_NAME = "checkpoint";
    static final String TEMP_FILE_NAME = FILE_NAME + SegmentFiles.TEMP_SUFFIX;
    static final int MAGIC = 0x4C44_4350;
    static final int VERSION = 1;
    static final int LENGTH = 32;
    static final long NONE = -1;

    private final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc32c = new CRC32C();
    private final Path directory;
    private final int segmentLength;

    Checkpoint(final Path directory, final int segmentLength)
    {
        this.directory = directory;
        this.segmentLength = segmentLength;
    }

    /**
     * Replace the checkpoint so it says {@code position}; cold path, called by the sync thread and at open/close.
     */
    void write(final long position) throws IOException
    {
        buffer.clear();
        buffer.putInt(0, MAGIC).putInt(4, VERSION).putLong(8, segmentLength).putLong(16, position).putInt(28, 0);
        crc32c.reset();
        crc32c.update(buffer.array(), 0, 24);
        buffer.putInt(24, (int)crc32c.getValue());

        final Path temp = directory.resolve(TEMP_FILE_NAME);
        try (FileChannel channel = FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // e.g. a full disk: leave no half-written temp file behind (the old checkpoint is untouched).
            Files.deleteIfExists(temp);
            throw ex;
        }
        Files.move(temp, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SegmentFiles.forceDirectory(directory);
    }

    /**
     * @return the checkpointed position, or {@link #NONE} when the file is missing or damaged.
     * @throws LogStoreException when the checkpoint was written for another segment length.
     */
    static long read(final Path directory, final int segmentLength) throws IOException
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(directory.resolve(FILE_NAME));
        }
        catch (final NoSuchFileException ex)
        {
            return NONE;
        }
        if (bytes.length != LENGTH)
        {
            return NONE;
        }

        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc32c = new CRC32C();
        crc32c.update(bytes, 0, 24);
        if (buffer.getInt(0) != MAGIC || buffer.getInt(4) != VERSION || buffer.getInt(24) != (int)crc32c.getValue())
        {
            return NONE;
        }

        final long storedSegmentLength = buffer.getLong(8);
        if (storedSegmentLength != segmentLength)
        {
            throw new LogStoreException(LogResult.INVALID_ARGUMENT, "log in " + directory + " has segmentLength " +
                storedSegmentLength + " but the configuration says " + segmentLength);
        }

        final long position = buffer.getLong(16);
        return position >= 0 && (position & (RecordHeader.ALIGNMENT - 1)) == 0 ? position : NONE;
    }
}
