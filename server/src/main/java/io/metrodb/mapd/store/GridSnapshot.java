package io.metrodb.mapd.store;

import io.metrodb.mapd.grid.GridEntry;
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
import java.util.zip.CRC32C;

/**
 * A point-in-time copy of the grid in {@code DIR/snapshot.bin}, plus the journal position from which replay
 * completes it. Written to a temp file, forced, renamed over the old one, and the directory forced, so a
 * crash leaves either the old or the new snapshot, never a torn one.
 *
 * <pre>
 *  header (32 B): magic "MDBSNAP1" | u32 format (1) | u32 node id | u64 journal position | u64 own sequence
 *  origins:       u32 count | count x { u16 origin node, u64 last sequence applied from it }
 *  entries:       u32 change length | change body (as in REPLICATE), repeated
 *  trailer (20 B): u64 entry count | u64 magic "MDBSNEND" | u32 CRC32C of every byte before the CRC
 * </pre>
 */
public final class GridSnapshot
{
    public static final String FILE_NAME = "snapshot.bin";
    public static final long MAGIC = 0x4D4442534E415031L;
    public static final long END_MAGIC = 0x4D4442534E454E44L;
    public static final int FORMAT = 1;
    public static final int HEADER_LENGTH = 32;
    public static final int TRAILER_LENGTH = 20;
    private static final int DRAIN_THRESHOLD = 1 << 20;

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
     * Writes the grid (read lock-free, while the writer goes on) and replaces the old snapshot.
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
        final CRC32C crc = new CRC32C();
        final long[] count = new long[1];
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuf out = Unpooled.directBuffer(1 << 20);
            try
            {
                out.writeLong(MAGIC).writeInt(FORMAT).writeInt(nodeId).writeLong(journalPosition).writeLong(ownSequence);
                final int countIndex = out.writerIndex();
                out.writeInt(0);
                int origins = 0;
                for (int origin = 0; origin < lastApplied.length; origin++)
                {
                    if (lastApplied[origin] != 0)
                    {
                        out.writeShort(origin).writeLong(lastApplied[origin]);
                        origins++;
                    }
                }
                out.setInt(countIndex, origins);
                final short[] logdIds = new short[GridEntry.MAX_REPLICAS];
                final long[] offsets = new long[GridEntry.MAX_REPLICAS];
                final IOException[] failure = new IOException[1];
                final ByteBuf key = Unpooled.buffer(KeyGrid.MAX_KEY_LENGTH);
                long cursor = 0;
                while (cursor >= 0 && failure[0] == null)
                {
                    cursor = grid.forEach(cursor, 4096, (keyBuffer, keyIndex, keyLength, entry) ->
                    {
                        if (out.readableBytes() >= DRAIN_THRESHOLD)
                        {
                            failure[0] = drain(channel, out, crc, failure[0]);
                        }
                        for (int i = 0; i < entry.replicaCount(); i++)
                        {
                            logdIds[i] = (short)entry.logdId(i);
                            offsets[i] = entry.offset(i);
                        }
                        out.ensureWritable(4 + Change.length(keyLength, entry.replicaCount()));
                        out.writeInt(Change.length(keyLength, entry.replicaCount()));
                        keyBuffer.getBytes(keyIndex, key.array(), key.arrayOffset(), keyLength);
                        Change.write(out, entry.version(), entry.versionNode(), entry.flags(), entry.valueLength(),
                            entry.checksum(), key, 0, keyLength, entry.replicaCount(), logdIds, offsets);
                        count[0]++;
                    });
                }
                if (failure[0] != null)
                {
                    throw failure[0];
                }
                out.writeLong(count[0]).writeLong(END_MAGIC);
                IOException error = drain(channel, out, crc, null);
                if (error != null)
                {
                    throw error;
                }
                out.writeInt((int)crc.getValue());
                error = drain(channel, out, null, null);
                if (error != null)
                {
                    throw error;
                }
            }
            finally
            {
                out.release();
            }
            channel.force(true);
        }
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
        return new Header(nodeId, journalPosition, ownSequence, count[0], lastApplied.clone());
    }

    private static IOException drain(final FileChannel channel, final ByteBuf out, final CRC32C crc,
        final IOException previous)
    {
        if (previous != null)
        {
            return previous;
        }
        try
        {
            final ByteBuffer bytes = out.nioBuffer();
            if (crc != null)
            {
                crc.update(bytes.duplicate());
            }
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            out.clear();
            return null;
        }
        catch (final IOException e)
        {
            return e;
        }
    }

    /**
     * Loads {@code DIR/snapshot.bin} into an empty grid.
     *
     * @return its header, or null when there is no snapshot.
     * @throws IOException when the snapshot is unreadable or fails its checks (never loaded half).
     */
    public static Header load(final Path dir, final KeyGrid grid) throws IOException
    {
        final Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            return null;
        }
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuf in = Unpooled.wrappedBuffer(bytes);
        if (bytes.length < HEADER_LENGTH + TRAILER_LENGTH || in.getLong(0) != MAGIC || in.getInt(8) != FORMAT)
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
        final long[] replicas = new long[8];
        final long[] lastApplied = new long[0x10000];
        long entries = 0;
        int at = HEADER_LENGTH;
        final int origins = in.getInt(at);
        if (origins < 0 || origins > 0x10000 || at + 4 + origins * 10L > trailer)
        {
            throw corrupt(file, "bad origin table");
        }
        at += 4;
        for (int i = 0; i < origins; i++, at += 10)
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
            JournalEntry.applyChange(grid, in, at + 4, replicas);
            entries++;
            at += 4 + length;
        }
        if (entries != expected)
        {
            throw corrupt(file, "holds " + entries + " entries, trailer says " + expected);
        }
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
