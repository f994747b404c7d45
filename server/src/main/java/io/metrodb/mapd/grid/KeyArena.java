package io.metrodb.mapd.grid;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Append-only off-heap key store in fixed-size chunks. Key bytes are written once before their entry is published
 * and never changed, so readers compare keys without synchronisation. Chunks never move and are freed only by
 * {@link #close()}, so a reader can never touch freed memory.
 * <p>
 * A key reference packs the key length and the arena position of its first byte:
 * <pre>
 *   63            48 47                                            0
 *  +----------------+-----------------------------------------------+
 *  | length (u16)   |  position: chunkIndex &lt;&lt; chunkShift | offsetInChunk |
 *  +----------------+-----------------------------------------------+
 * </pre>
 * The length lives in the reference, not in the arena as a u16 prefix: that saves 2 B/key, which took the measured
 * total at 10 M 16-byte keys from 64.4 to below the 64 B/key goal, and lets a probe reject a key of another
 * length without touching the arena. A key never spans chunks; when it does not fit in what is left of a chunk
 * the rest of that chunk stays unused. Keys of deleted entries stay (their tombstones need them); reclaiming them
 * is a later compaction.
 */
final class KeyArena implements AutoCloseable
{
    static final int MAX_KEY_LENGTH = 0xFFFF;
    static final int MIN_CHUNK_BYTES = Integer.highestOneBit(MAX_KEY_LENGTH) << 1;

    private static final int LENGTH_SHIFT = 48;
    private static final long POSITION_MASK = (1L << LENGTH_SHIFT) - 1;

    private final int chunkShift;
    private final long chunkMask;
    private final int chunkBytes;

    /** Published with a volatile store after the new chunk exists, read by readers once per key access. */
    private volatile long[] chunkAddresses = new long[0];
    private volatile UnsafeBuffer[] chunkViews = new UnsafeBuffer[0];

    /** Writer-only: next free arena position; with no chunk yet, the first append opens chunk 0. */
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
        final long keyRef = reserve(length);
        UnsafeApi.copyMemory(base, address, null, keyAddress(keyRef), length);

        return keyRef;
    }

    /**
     * Writer: claims room for a key without writing its bytes (a bulk restore copies them later) and returns its
     * reference. Keys are placed exactly as {@link #append} places them.
     *
     * @param length key length, 1..65535.
     * @return the key reference.
     */
    long reserve(final int length)
    {
        long position = tailPosition;
        final int chunkCount = chunkAddresses.length;
        if ((position >>> chunkShift) >= chunkCount ||
            (position & chunkMask) + length > chunkBytes)
        {
            addChunk(chunkCount);
            position = (long)chunkCount << chunkShift;
        }

        if (position > POSITION_MASK - length)
        {
            throw new IllegalStateException("key arena full: 2^48 bytes");
        }

        tailPosition = position + length;
        usedBytes += length;

        return ((long)length << LENGTH_SHIFT) | position;
    }

    /**
     * Address of a key's first byte.
     *
     * @param keyRef key reference.
     * @return the key address.
     */
    long keyAddress(final long keyRef)
    {
        final long position = keyRef & POSITION_MASK;
        return chunkAddresses[(int)(position >>> chunkShift)] + (position & chunkMask);
    }

    /**
     * The chunk that holds a key.
     *
     * @param keyRef key reference.
     * @return the chunk index.
     */
    int chunkIndex(final long keyRef)
    {
        return (int)((keyRef & POSITION_MASK) >>> chunkShift);
    }

    /**
     * Address of a chunk's first byte.
     *
     * @param chunkIndex an existing chunk.
     * @return the chunk address.
     */
    long chunkAddress(final int chunkIndex)
    {
        return chunkAddresses[chunkIndex];
    }

    static int keyLength(final long keyRef)
    {
        return (int)(keyRef >>> LENGTH_SHIFT);
    }

    /**
     * Whether a stored key equals the given bytes; the length check needs no arena access.
     *
     * @param keyRef  stored key's reference.
     * @param base    other key's byte array or null.
     * @param address other key's address.
     * @param length  other key's length.
     * @return true if equal.
     */
    boolean keyEquals(final long keyRef, final Object base, final long address, final int length)
    {
        return keyLength(keyRef) == length && KeyBytes.equals(null, keyAddress(keyRef), base, address, length);
    }

    /**
     * Read-only view of the chunk that holds a key, for visitors.
     *
     * @param keyRef key reference.
     * @return the chunk view.
     */
    DirectBuffer chunkView(final long keyRef)
    {
        return chunkViews[(int)((keyRef & POSITION_MASK) >>> chunkShift)];
    }

    /**
     * Index of the key bytes in {@link #chunkView(long)}.
     *
     * @param keyRef key reference.
     * @return the index.
     */
    int keyIndexInChunk(final long keyRef)
    {
        return (int)(keyRef & chunkMask);
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
