package io.metrodb.mapd.store;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridRestore;
import io.metrodb.mapd.grid.GridVisitor;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.mapd.Change;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * A point-in-time copy of the grid in {@code DIR/snapshot.bin}, plus the journal position from which replay
 * completes it. Written to a temp file, forced, renamed over the old one, and the directory forced, so a
 * crash leaves either the old or the new snapshot, never a torn one.
 * <p>
 * Format 2, written since the bulk restore (header, origins and trailer big-endian; the two sections are the
 * {@link GridRestore} image, little-endian):
 * <pre>
 *  header (48 B):  magic "MDBSNAP1" | u32 format (2) | u32 node id | u64 journal position | u64 own sequence |
 *                  u64 entry count | u32 replicas per record R (1..7) | u32 0
 *  origins:        u32 count | count x { u16 origin node, u64 last sequence applied from it }
 *  entries:        entry count x record of 32 + 8 x R bytes (the grid's entry layout, see GridRestore)
 *  keys:           every entry's key bytes, in entry order, back to back
 *  trailer (20 B): u64 entry count | u64 magic "MDBSNEND" | u32 CRC32C of every byte before the CRC
 * </pre>
 * The key section's length is what the file leaves between the entries and the trailer, so a torn file is refused
 * before anything is read into the grid. Loading streams the file through one 4 MiB buffer (CRC32C as it goes),
 * copies records and keys into the grid's arenas a chunk at a time, and builds the index once the trailer's CRC
 * matched.
 * <p>
 * Format 1, written before, still loads (key by key, as it always did):
 * <pre>
 *  header (32 B):  magic "MDBSNAP1" | u32 format (1) | u32 node id | u64 journal position | u64 own sequence
 *  origins:        as above
 *  entries:        u32 change length | change body (as in REPLICATE), repeated
 *  trailer (20 B): as above
 * </pre>
 */
public final class GridSnapshot
{
    public static final String FILE_NAME = "snapshot.bin";
    public static final long MAGIC = 0x4D4442534E415031L;
    public static final long END_MAGIC = 0x4D4442534E454E44L;
    /** The format {@link #write} writes. */
    public static final int FORMAT = 2;
    /** The format written before the bulk restore; {@link #load} still reads it. */
    public static final int FORMAT_1 = 1;
    public static final int HEADER_LENGTH = 48;
    public static final int FORMAT_1_HEADER_LENGTH = 32;
    public static final int TRAILER_LENGTH = 20;
    private static final int WRITE_BUFFER_LENGTH = 1 << 20;
    private static final int READ_BUFFER_LENGTH = 4 << 20;
    private static final int WALK_STEP = 4096;
    private static final int MAX_ORIGINS = 0x10000;
    private static final int ORIGIN_LENGTH = 10;
    private static final System.Logger LOG = System.getLogger(GridSnapshot.class.getName());

    private GridSnapshot()
    {
    }

    /**
     * What a snapshot holds besides the entries.
     *
     * @param nodeId          the mapd that wrote it.
     * @param journalPosition replay the journal from here to bring the grid up to date.
     * @param ownSequence     the last change sequence this node had originated.
     * @param entries         entries in the snapshot.
     * @param lastApplied     per origin node id, the last sequence applied in order from it.
     */
    public record Header(int nodeId, long journalPosition, long ownSequence, long entries, long[] lastApplied)
    {
    }

    /**
     * Writes the grid (read lock-free, while the writer goes on) and replaces the old snapshot. It holds every entry
     * that exists when the call starts (so every change journaled before {@code journalPosition}, which the caller
     * takes first), each read consistently, as it is when the walk reaches it.
     *
     * @return the header written.
     * @throws IOException on a file error; the old snapshot is then untouched.
     */
    public static Header write(
        final Path dir,
        final KeyGrid grid,
        final int nodeId,
        final long journalPosition,
        final long ownSequence,
        final long[] lastApplied)
        throws IOException
    {
        final Path tmp = dir.resolve(FILE_NAME + ".tmp");
        final long count = grid.size();
        final int replicas = grid.maxReplicas();
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final Output output = new Output(channel);
            final ByteBuffer out = output.out;
            out.putLong(MAGIC).putInt(FORMAT).putInt(nodeId).putLong(journalPosition).putLong(ownSequence)
                .putLong(count).putInt(replicas).putInt(0);
            final int countIndex = out.position();
            out.putInt(0);
            int origins = 0;
            for (int origin = 0; origin < lastApplied.length; origin++)
            {
                if (lastApplied[origin] != 0)
                {
                    output.makeRoom();
                    out.putShort((short)origin).putLong(lastApplied[origin]);
                    origins++;
                }
            }
            out.putInt(countIndex, origins);
            walk(grid, count, output, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                if (output.makeRoom())
                {
                    GridRestore.writeRecord(out, keyLength, entry, replicas);
                }
            });
            walk(grid, count, output, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                if (output.makeRoom())
                {
                    keyBuffer.getBytes(keyIndex, out, keyLength);
                }
            });
            out.putLong(count).putLong(END_MAGIC);
            output.drain(true);
            out.putInt((int)output.crc.getValue());
            output.drain(false);
            channel.force(true);
        }
        catch (final IOException | RuntimeException e)
        {
            // A full disk, most likely: a half-written temp file would keep the space it took until the next
            // snapshot, and a disk that is full stays full.
            deleteQuietly(tmp, e);
            throw e;
        }
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
        return new Header(nodeId, journalPosition, ownSequence, count, lastApplied.clone());
    }

    private static void deleteQuietly(final Path file, final Exception cause)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException e)
        {
            cause.addSuppressed(e);
        }
    }

    /**
     * Visits entries [0, count) in steps; stops early when a drain failed (the failure is thrown after).
     */
    private static void walk(final KeyGrid grid, final long count, final Output output, final GridVisitor visitor)
        throws IOException
    {
        final GridEntry scratch = new GridEntry();
        for (long cursor = 0; cursor < count && output.failure == null; cursor += WALK_STEP)
        {
            grid.forEach(cursor, (int)Math.min(WALK_STEP, count - cursor), scratch, visitor);
        }
        if (output.failure != null)
        {
            throw output.failure;
        }
    }

    /**
     * The write buffer, drained to the file (through the CRC) whenever less than a largest item (a key) is left;
     * a visitor cannot throw an IOException, so a failed drain is kept and thrown once the walk stops.
     */
    private static final class Output
    {
        final FileChannel channel;
        final ByteBuffer out = ByteBuffer.allocateDirect(WRITE_BUFFER_LENGTH);
        final CRC32C crc = new CRC32C();
        IOException failure;

        Output(final FileChannel channel)
        {
            this.channel = channel;
        }

        /**
         * @return false once a drain failed: write nothing more.
         */
        boolean makeRoom()
        {
            if (out.remaining() < KeyGrid.MAX_KEY_LENGTH && failure == null)
            {
                try
                {
                    drain(true);
                }
                catch (final IOException e)
                {
                    failure = e;
                }
            }
            return failure == null;
        }

        void drain(final boolean checksum) throws IOException
        {
            out.flip();
            if (checksum)
            {
                crc.update(out.duplicate());
            }
            while (out.hasRemaining())
            {
                channel.write(out);
            }
            out.clear();
        }
    }

    /**
     * Loads {@code DIR/snapshot.bin} into a new, empty grid that no reader can reach yet.
     *
     * @return its header, or null when there is no snapshot.
     * @throws IOException when the snapshot is unreadable, fails its checks or has a format this version does not
     *                     read. The grid then has no entries but may hold memory: close it.
     */
    public static Header load(final Path dir, final KeyGrid grid) throws IOException
    {
        final Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            return null;
        }
        final Header header;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long fileLength = channel.size();
            final ByteBuffer start = ByteBuffer.allocate(12);
            if (fileLength < start.capacity())
            {
                throw corrupt(file, "bad header");
            }
            readFully(file, channel, start, 0, start.capacity());
            final int format = start.getInt(8);
            if (start.getLong(0) != MAGIC)
            {
                throw corrupt(file, "bad header");
            }
            if (format == FORMAT)
            {
                header = loadFormat2(file, channel, fileLength, grid);
            }
            else if (format == FORMAT_1)
            {
                header = loadFormat1(file, grid);
            }
            else
            {
                throw new IOException(file + " has snapshot format " + format + "; this version of MetroDB reads " +
                    "formats " + FORMAT_1 + " and " + FORMAT + " (was it written by a newer version?). Start that " +
                    "version, or move the file aside to recover from the journal, or restore the grid with " +
                    "--rebuild-from-logds");
            }
        }
        return header;
    }

    /**
     * Streams a format 2 snapshot into the grid's arenas, then builds the index once the CRC matched.
     */
    private static Header loadFormat2(final Path file, final FileChannel channel, final long fileLength,
        final KeyGrid grid) throws IOException
    {
        if (fileLength < HEADER_LENGTH + 4 + TRAILER_LENGTH)
        {
            throw corrupt(file, "bad header");
        }
        final long startNs = System.nanoTime();
        // A small snapshot gets a small buffer: a new direct buffer is zeroed, page by page.
        final ByteBuffer buffer = ByteBuffer.allocateDirect((int)Math.min(READ_BUFFER_LENGTH, fileLength));
        final CRC32C crc = new CRC32C();
        readFully(file, channel, buffer, 0, HEADER_LENGTH + 4);
        crc.update(buffer.duplicate());
        final int nodeId = buffer.getInt(12);
        final long journalPosition = buffer.getLong(16);
        final long ownSequence = buffer.getLong(24);
        final long count = buffer.getLong(32);
        final int replicas = buffer.getInt(40);
        final int origins = buffer.getInt(HEADER_LENGTH);
        final long recordsStart = HEADER_LENGTH + 4 + (long)origins * ORIGIN_LENGTH;
        if (replicas < 1 || replicas > GridEntry.MAX_REPLICAS || buffer.getInt(44) != 0)
        {
            throw corrupt(file, "bad header");
        }
        if (origins < 0 || origins > MAX_ORIGINS || recordsStart > fileLength - TRAILER_LENGTH)
        {
            throw corrupt(file, "bad origin table");
        }
        final int recordLength = GridRestore.recordLength(replicas);
        final long sections = fileLength - TRAILER_LENGTH - recordsStart;
        if (count < 0 || count > sections / recordLength)
        {
            throw corrupt(file, "its " + fileLength + " bytes cannot hold the " + count + " entries its header " +
                "announces (truncated?)");
        }
        final long keyBytes = sections - count * recordLength;

        final long[] lastApplied = new long[MAX_ORIGINS];
        readFully(file, channel, buffer, HEADER_LENGTH + 4, origins * ORIGIN_LENGTH);
        crc.update(buffer.duplicate());
        for (int i = 0; i < origins; i++)
        {
            lastApplied[buffer.getShort(i * ORIGIN_LENGTH) & 0xFFFF] = buffer.getLong(i * ORIGIN_LENGTH + 2);
        }

        final long copiedNs;
        try
        {
            final GridRestore restore = grid.beginRestore(count, keyBytes, replicas);
            long position = recordsStart;
            final long recordsPerRead = buffer.capacity() / recordLength;
            for (long remaining = count; remaining > 0; )
            {
                final int length = (int)(Math.min(remaining, recordsPerRead) * recordLength);
                readFully(file, channel, buffer, position, length);
                crc.update(buffer.duplicate());
                restore.entries(buffer);
                position += length;
                remaining -= length / recordLength;
            }
            for (long remaining = keyBytes; remaining > 0; )
            {
                final int length = (int)Math.min(remaining, buffer.capacity());
                readFully(file, channel, buffer, position, length);
                crc.update(buffer.duplicate());
                restore.keys(buffer);
                position += length;
                remaining -= length;
            }
            readFully(file, channel, buffer, position, TRAILER_LENGTH);
            crc.update(buffer.duplicate().limit(TRAILER_LENGTH - 4));
            if ((int)crc.getValue() != buffer.getInt(TRAILER_LENGTH - 4) || buffer.getLong(8) != END_MAGIC)
            {
                throw corrupt(file, "checksum mismatch");
            }
            if (buffer.getLong(0) != count)
            {
                throw corrupt(file, "holds " + count + " entries, trailer says " + buffer.getLong(0));
            }
            copiedNs = System.nanoTime();
            restore.finish();
        }
        catch (final IllegalArgumentException e)
        {
            throw corrupt(file, e.getMessage());
        }
        final long endNs = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, () -> String.format("loaded %s: %,d entries, %,d B in %,d ms (read, " +
            "checksum and copy into the arenas %,d ms, index %,d ms)", file, count, fileLength,
            TimeUnit.NANOSECONDS.toMillis(endNs - startNs), TimeUnit.NANOSECONDS.toMillis(copiedNs - startNs),
            TimeUnit.NANOSECONDS.toMillis(endNs - copiedNs)));
        return new Header(nodeId, journalPosition, ownSequence, count, lastApplied);
    }

    /**
     * Reads {@code length} bytes at {@code position} into the buffer, which is then flipped: [0, length).
     */
    private static void readFully(final Path file, final FileChannel channel, final ByteBuffer buffer,
        final long position, final int length) throws IOException
    {
        buffer.clear().limit(length);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, position + buffer.position()) < 0)
            {
                throw corrupt(file, "ends at byte " + (position + buffer.position()) + " (truncated while read?)");
            }
        }
        buffer.flip();
    }

    /**
     * Format 1: the whole file in memory, then every change applied key by key.
     */
    private static Header loadFormat1(final Path file, final KeyGrid grid) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuf in = Unpooled.wrappedBuffer(bytes);
        if (bytes.length < FORMAT_1_HEADER_LENGTH + TRAILER_LENGTH || in.getLong(0) != MAGIC ||
            in.getInt(8) != FORMAT_1)
        {
            throw corrupt(file, "bad header");
        }
        final int trailer = bytes.length - TRAILER_LENGTH;
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int)crc.getValue() != in.getInt(bytes.length - 4) || in.getLong(trailer + 8) != END_MAGIC)
        {
            throw corrupt(file, "checksum mismatch");
        }
        final long expected = in.getLong(trailer);
        final ChangeApplier applier = new ChangeApplier(grid);
        final long[] lastApplied = new long[MAX_ORIGINS];
        long entries = 0;
        int at = FORMAT_1_HEADER_LENGTH;
        final int origins = in.getInt(at);
        if (origins < 0 || origins > MAX_ORIGINS || at + 4 + origins * (long)ORIGIN_LENGTH > trailer)
        {
            throw corrupt(file, "bad origin table");
        }
        at += 4;
        for (int i = 0; i < origins; i++, at += ORIGIN_LENGTH)
        {
            lastApplied[in.getUnsignedShort(at)] = in.getLong(at + 2);
        }
        while (at < trailer)
        {
            final int length = in.getInt(at);
            if (length <= 0 || at + 4 + length > trailer || Change.validLength(in, at + 4, at + 4 + length) != length)
            {
                throw corrupt(file, "bad entry at byte " + at);
            }
            applier.applyChange(in, at + 4);
            entries++;
            at += 4 + length;
        }
        if (entries != expected)
        {
            throw corrupt(file, "holds " + entries + " entries, trailer says " + expected);
        }
        LOG.log(System.Logger.Level.INFO, () -> "loaded " + file + " (format " + FORMAT_1 + ", key by key): " +
            expected + " entries; the next snapshot is written in format " + FORMAT);
        return new Header(in.getInt(12), in.getLong(16), in.getLong(24), entries, lastApplied);
    }

    private static IOException corrupt(final Path file, final String reason)
    {
        return new IOException(file + " is corrupt (" + reason + "); move it aside to recover from the journal, " +
            "or restore the grid with --rebuild-from-logds");
    }

    static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
