package io.metrodb.mapd.grid;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Fills an empty grid in bulk from an image of its entries and keys (what a format 2 snapshot holds), instead of
 * inserting key by key: entry records are copied into the entry arena a chunk at a time, key bytes into the key arena
 * a chunk at a time, and {@link #finish()} builds the index by hashing each key once (no lookups, no seqlock).
 * <p>
 * <b>Image.</b> Two sections, both in entry order:
 * <pre>
 *  entries: count x record: the entry arena layout for R replicas ({@link #recordLength}: 32 + 8 x R bytes),
 *           little-endian, with the key length where the arena keeps the key reference, and seq 0
 *             0 u64 keyLength | 8 u64 version | 16 u32 0 | 20 u32 valueLength | 24 u32 checksum |
 *            28 u16 versionNode | 30 u8 flags | 31 u8 replicaCount | 32 R x u64 replica ({@link GridReplica}, unused 0)
 *  keys:    the key bytes of every entry, back to back (no lengths, no padding)
 * </pre>
 * On a little-endian machine and with R equal to the grid's replicas per entry, records are copied as they are and
 * only the key reference and seq are written in place; otherwise (another R, e.g. after a change of RF, or a
 * big-endian machine) each record is decoded and written as an insert would write it, keeping at most the grid's
 * replicas per entry.
 * <p>
 * <b>Use.</b> {@link KeyGrid#beginRestore}, then {@link #entries} until every record was given, then {@link #keys}
 * until every key byte was given, then {@link #finish()}: all on the grid's writer thread, before any reader can
 * reach the grid. Until {@code finish()} returns the grid is empty to readers ({@code size()} is 0). An image that
 * does not add up (a key length of 0, more replicas than R, key lengths that do not sum to the key section, a key
 * present twice) throws {@link IllegalArgumentException}; after that, or any other failure before {@code finish()}
 * returns, the grid holds memory but no entries: close it.
 */
public final class GridRestore
{
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final KeyGrid grid;
    private final EntryArena entries;
    private final KeyArena keys;
    private final long entryCount;
    private final long keyBytes;
    private final int recordReplicas;
    private final int recordLength;
    private final boolean copyRecords;
    private final long[] replicas = new long[GridEntry.MAX_REPLICAS];

    private long entriesGiven;
    private long liveKeys;
    private long keyBytesReserved;
    /** Per key arena chunk, the offset in the key section of the first key it holds. */
    private long[] chunkKeyStart = new long[16];
    private int keyChunks;
    private int keyChunkCursor;
    private long keyBytesGiven;
    private boolean finished;

    GridRestore(
        final KeyGrid grid,
        final EntryArena entries,
        final KeyArena keys,
        final long entryCount,
        final long keyBytes,
        final int recordReplicas)
    {
        this.grid = grid;
        this.entries = entries;
        this.keys = keys;
        this.entryCount = entryCount;
        this.keyBytes = keyBytes;
        this.recordReplicas = recordReplicas;
        this.recordLength = recordLength(recordReplicas);
        this.copyRecords = NATIVE_LITTLE_ENDIAN && recordReplicas == grid.maxReplicas();
    }

    /**
     * Length of one entry record in an image.
     *
     * @param recordReplicas replica slots per record, 1..{@link GridEntry#MAX_REPLICAS}.
     * @return the record length in bytes.
     */
    public static int recordLength(final int recordReplicas)
    {
        return EntryArena.entryLength(recordReplicas);
    }

    /**
     * Appends the image record of one entry, for a snapshot writer.
     *
     * @param out            written at its position, which moves past the record; its byte order is kept.
     * @param keyLength      the entry's key length.
     * @param entry          the entry, read consistently.
     * @param recordReplicas replica slots per record, at least {@code entry.replicaCount()}.
     */
    public static void writeRecord(final ByteBuffer out, final int keyLength, final GridEntry entry,
        final int recordReplicas)
    {
        final ByteOrder order = out.order();
        out.order(ByteOrder.LITTLE_ENDIAN)
            .putLong(keyLength)
            .putLong(entry.version())
            .putInt(0)
            .putInt(entry.valueLength())
            .putInt(entry.checksum())
            .putShort((short)entry.versionNode())
            .put((byte)entry.flags())
            .put((byte)entry.replicaCount());
        for (int i = 0; i < recordReplicas; i++)
        {
            out.putLong(i < entry.replicaCount() ? entry.replica(i) : 0L);
        }
        out.order(order);
    }

    /**
     * Whether records are copied in bulk (rather than decoded one by one).
     *
     * @return true on a little-endian machine when the image has the grid's replicas per entry.
     */
    public boolean copiesRecords()
    {
        return copyRecords;
    }

    /**
     * Takes the next entry records: every byte from the buffer's position to its limit, whole records only. The
     * position moves to the limit.
     *
     * @param records a direct or heap buffer.
     */
    public void entries(final ByteBuffer records)
    {
        checkOpen();
        final int length = records.remaining();
        if (length % recordLength != 0)
        {
            throw new IllegalArgumentException(length + " bytes are not whole records of " + recordLength + " bytes");
        }
        long remaining = length / recordLength;
        if (remaining > entryCount - entriesGiven)
        {
            throw new IllegalArgumentException("more entry records than the " + entryCount + " announced");
        }

        final Object base = base(records);
        long address = address(records);
        final int perChunk = entries.entriesPerChunk();
        final int entryLength = entries.entryLength();
        while (remaining > 0)
        {
            final long entryIndex = entriesGiven;
            final int run = (int)Math.min(remaining, perChunk - (entryIndex & (perChunk - 1)));
            final long target = entries.claim(entryIndex);
            if (copyRecords)
            {
                UnsafeApi.copyMemory(base, address, null, target, (long)run * recordLength);
                for (int i = 0; i < run; i++)
                {
                    adopt(target + (long)i * entryLength, entryIndex + i);
                }
            }
            else
            {
                for (int i = 0; i < run; i++)
                {
                    convert(base, address + (long)i * recordLength, target + (long)i * entryLength, entryIndex + i);
                }
            }
            address += (long)run * recordLength;
            remaining -= run;
            entriesGiven += run;
        }
        records.position(records.limit());
    }

    /**
     * Takes the next key bytes, after every entry record: every byte from the buffer's position to its limit,
     * split anywhere. The position moves to the limit.
     *
     * @param keySection a direct or heap buffer.
     */
    public void keys(final ByteBuffer keySection)
    {
        checkOpen();
        if (entriesGiven != entryCount)
        {
            throw new IllegalStateException("keys before every entry record: " + entriesGiven + " of " + entryCount);
        }
        checkKeyTotal();
        final int length = keySection.remaining();
        if (length > keyBytes - keyBytesGiven)
        {
            throw new IllegalArgumentException("more key bytes than the " + keyBytes + " announced");
        }

        final Object base = base(keySection);
        final long address = address(keySection);
        final long end = keyBytesGiven + length;
        long from = keyBytesGiven;
        while (from < end)
        {
            while (keyChunkCursor + 1 < keyChunks && chunkKeyStart[keyChunkCursor + 1] <= from)
            {
                keyChunkCursor++;
            }
            final long chunkEnd = keyChunkCursor + 1 < keyChunks ? chunkKeyStart[keyChunkCursor + 1] : keyBytes;
            final long n = Math.min(end, chunkEnd) - from;
            UnsafeApi.copyMemory(base, address + (from - keyBytesGiven),
                null, keys.chunkAddress(keyChunkCursor) + (from - chunkKeyStart[keyChunkCursor]), n);
            from += n;
        }
        keyBytesGiven = end;
        keySection.position(keySection.limit());
    }

    /**
     * Builds the index and publishes every entry: from here on the grid is an ordinary grid.
     *
     * @return the number of entries restored.
     */
    public long finish()
    {
        checkOpen();
        if (entriesGiven != entryCount || keyBytesGiven != keyBytes)
        {
            throw new IllegalArgumentException("image incomplete: " + entriesGiven + " of " + entryCount +
                " entries, " + keyBytesGiven + " of " + keyBytes + " key bytes");
        }
        checkKeyTotal();
        finished = true;
        grid.publishRestored(entryCount, liveKeys);

        return entryCount;
    }

    private void adopt(final long address, final long entryIndex)
    {
        final long keyLength = UnsafeApi.getLong(null, address + EntryArena.KEY_REF_OFFSET);
        final int replicaCount = UnsafeApi.getByte(null, address + EntryArena.REPLICA_COUNT_OFFSET) & 0xFF;
        checkRecord(entryIndex, keyLength, replicaCount);
        UnsafeApi.putLong(null, address + EntryArena.KEY_REF_OFFSET, reserveKey((int)keyLength));
        UnsafeApi.putInt(null, address + EntryArena.SEQ_OFFSET, 0);
        for (int i = replicaCount; i < recordReplicas; i++)
        {
            UnsafeApi.putLong(null, address + EntryArena.REPLICAS_OFFSET + ((long)i << 3), 0L);
        }
        if ((UnsafeApi.getByte(null, address + EntryArena.FLAGS_OFFSET) & GridEntry.TOMBSTONE) == 0)
        {
            liveKeys++;
        }
    }

    private void convert(final Object base, final long record, final long target, final long entryIndex)
    {
        final long keyLength = UnsafeApi.getLongUnaligned(base, record + EntryArena.KEY_REF_OFFSET, false);
        final int replicaCount = UnsafeApi.getByte(base, record + EntryArena.REPLICA_COUNT_OFFSET) & 0xFF;
        checkRecord(entryIndex, keyLength, replicaCount);
        final int kept = Math.min(replicaCount, grid.maxReplicas());
        for (int i = 0; i < kept; i++)
        {
            replicas[i] = UnsafeApi.getLongUnaligned(base, record + EntryArena.REPLICAS_OFFSET + ((long)i << 3), false);
        }
        final int flags = UnsafeApi.getByte(base, record + EntryArena.FLAGS_OFFSET) & 0xFF;
        entries.writeNew(target, reserveKey((int)keyLength),
            UnsafeApi.getLongUnaligned(base, record + EntryArena.VERSION_OFFSET, false),
            UnsafeApi.getShortUnaligned(base, record + EntryArena.VERSION_NODE_OFFSET, false) & 0xFFFF,
            flags,
            UnsafeApi.getIntUnaligned(base, record + EntryArena.VALUE_LENGTH_OFFSET, false),
            UnsafeApi.getIntUnaligned(base, record + EntryArena.CHECKSUM_OFFSET, false),
            kept, replicas);
        if ((flags & GridEntry.TOMBSTONE) == 0)
        {
            liveKeys++;
        }
    }

    private void checkRecord(final long entryIndex, final long keyLength, final int replicaCount)
    {
        if (keyLength < 1 || keyLength > KeyGrid.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("entry " + entryIndex + " has key length " + keyLength);
        }
        if (replicaCount > recordReplicas)
        {
            throw new IllegalArgumentException("entry " + entryIndex + " has " + replicaCount +
                " replicas in a record of " + recordReplicas);
        }
    }

    private long reserveKey(final int length)
    {
        if (length > keyBytes - keyBytesReserved)
        {
            throw new IllegalArgumentException("entry key lengths add up to more than the " + keyBytes +
                " key bytes announced");
        }
        final long keyRef = keys.reserve(length);
        final int chunk = keys.chunkIndex(keyRef);
        if (chunk == keyChunks)
        {
            if (keyChunks == chunkKeyStart.length)
            {
                chunkKeyStart = Arrays.copyOf(chunkKeyStart, keyChunks << 1);
            }
            chunkKeyStart[keyChunks++] = keyBytesReserved;
        }
        keyBytesReserved += length;

        return keyRef;
    }

    private void checkKeyTotal()
    {
        if (keyBytesReserved != keyBytes)
        {
            throw new IllegalArgumentException("entry key lengths add up to " + keyBytesReserved + " bytes, not the " +
                keyBytes + " key bytes announced");
        }
    }

    private void checkOpen()
    {
        if (finished)
        {
            throw new IllegalStateException("restore already finished");
        }
    }

    private static Object base(final ByteBuffer buffer)
    {
        return buffer.isDirect() ? null : buffer.array();
    }

    private static long address(final ByteBuffer buffer)
    {
        return buffer.isDirect() ?
            BufferUtil.address(buffer) + buffer.position() :
            BufferUtil.ARRAY_BASE_OFFSET + buffer.arrayOffset() + buffer.position();
    }
}
