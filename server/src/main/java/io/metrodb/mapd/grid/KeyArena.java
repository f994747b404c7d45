package io.metrodb.mapd.grid;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Append-only off-heap key store in fixed-size chunks. A record is a u16 length followed by the key bytes, written
 * once before its entry is published and never changed, so readers compare keys without synchronisation.
 * Chunks never move and are freed only by {@link #close()}, so a reader can never touch freed memory.
 * <p>
 * A key reference is the arena position: {@code chunkIndex << chunkShift | offsetInChunk}. A record never spans
 * chunks; when it does not fit in what is left of a chunk the rest of that chunk stays unused.
 * Keys of deleted entries stay (their tombstones need them); reclaiming them is a later compaction.
 */
final class KeyArena implements AutoCloseable
{
    static final int LENGTH_OFFSET = 0;
    static final int KEY_OFFSET = 2;
    static final int MAX_KEY_LENGTH = 0xFFFF;
    static final int MIN_CHUNK_BYTES = Integer.highestOneBit(KEY_OFFSET + MAX_KEY_LENGTH) << 1;

    private final int chunkShift;
    private final long chunkMask;
    private final int chunkBytes;

    /** Published with a volatile store after the new chunk exists, read by readers once per key access. */
    private volatile long[] chunkAddresses = new long[0];
    private volatile UnsafeBuffer[] chunkViews = new UnsafeBuffer[0];

    /** Writer-only: next free arena position; starts "past the end" so the first append opens chunk 0. */
    private long tailPosition;
    private long usedBytes;

    KeyArena(final int chunkBytes)
    {
        if (chunkBytes < MIN_CHUNK_BYTES || Integer.bitCount(chunkBytes) != 1)
        {
            throw new IllegalArgumentException(
                "key arena chunk must be a power of two >= " + MIN_CHUNK_BYTES + ": " + chunkBytes);
        }

        this.chunkBytes = chunkBytes;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkBytes);
        this.chunkMask = chunkBytes - 1;
    }

    /**
     * Writer: appends a key and returns its reference.
     *
     * @param base    key byte array or null.
     * @param address key address.
     * @param length  key length, 1..65535.
     * @return the key reference.
     */
    long append(final Object base, final long address, final int length)
    {
        final int recordLength = KEY_OFFSET + length;
        long position = tailPosition;
        final int chunkCount = chunkAddresses.length;
        if ((position >>> chunkShift) >= chunkCount ||
            (position & chunkMask) + recordLength > chunkBytes)
        {
            addChunk(chunkCount);
            position = (long)chunkCount << chunkShift;
        }

        final long recordAddress = chunkAddresses[(int)(position >>> chunkShift)] + (position & chunkMask);
        UnsafeApi.putShort(null, recordAddress + LENGTH_OFFSET, (short)length);
        UnsafeApi.copyMemory(base, address, null, recordAddress + KEY_OFFSET, length);
        tailPosition = position + recordLength;
        usedBytes += recordLength;

        return position;
    }

    /**
     * Address of a key record (its length field).
     *
     * @param keyRef key reference.
     * @return the record address.
     */
    long recordAddress(final long keyRef)
    {
        return chunkAddresses[(int)(keyRef >>> chunkShift)] + (keyRef & chunkMask);
    }

    static int keyLength(final long recordAddress)
    {
        return UnsafeApi.getShort(null, recordAddress + LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * Whether the key at a record equals the given bytes.
     *
     * @param recordAddress record address.
     * @param base          other key's byte array or null.
     * @param address       other key's address.
     * @param length        other key's length.
     * @return true if equal.
     */
    static boolean keyEquals(final long recordAddress, final Object base, final long address, final int length)
    {
        return keyLength(recordAddress) == length &&
            KeyBytes.equals(null, recordAddress + KEY_OFFSET, base, address, length);
    }

    static long keyHash(final long recordAddress)
    {
        return KeyBytes.hash(null, recordAddress + KEY_OFFSET, keyLength(recordAddress));
    }

    /**
     * Read-only view of the chunk that holds a key, for visitors.
     *
     * @param keyRef key reference.
     * @return the chunk view.
     */
    DirectBuffer chunkView(final long keyRef)
    {
        return chunkViews[(int)(keyRef >>> chunkShift)];
    }

    /**
     * Index of the key bytes in {@link #chunkView(long)}.
     *
     * @param keyRef key reference.
     * @return the index.
     */
    int keyIndexInChunk(final long keyRef)
    {
        return (int)(keyRef & chunkMask) + KEY_OFFSET;
    }

    long allocatedBytes()
    {
        return (long)chunkAddresses.length * chunkBytes;
    }

    long usedBytes()
    {
        return usedBytes;
    }

    public void close()
    {
        final long[] addresses = chunkAddresses;
        chunkViews = new UnsafeBuffer[0];
        chunkAddresses = new long[0];
        for (final long address : addresses)
        {
            UnsafeApi.freeMemory(address);
        }
    }

    private void addChunk(final int chunkCount)
    {
        final long address = UnsafeApi.allocateMemory(chunkBytes);
        final UnsafeBuffer[] views = Arrays.copyOf(chunkViews, chunkCount + 1);
        views[chunkCount] = new UnsafeBuffer(address, chunkBytes);
        final long[] addresses = Arrays.copyOf(chunkAddresses, chunkCount + 1);
        addresses[chunkCount] = address;

        chunkViews = views;
        chunkAddresses = addresses;
    }
}
