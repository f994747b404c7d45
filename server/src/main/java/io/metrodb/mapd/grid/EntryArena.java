package io.metrodb.mapd.grid;

import org.agrona.UnsafeApi;

import java.util.Arrays;

/**
 * Dense, fixed-size, off-heap entries in chunks of a power-of-two number of entries. Chunks never move and are
 * freed only by {@link #close()}, so a reader holding an entry index can never touch freed memory.
 * <p>
 * Entry layout, native byte order, {@code 32 + 8 * maxReplicas} bytes (48 for RF 2), 8-byte aligned:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   keyRef (u64, immutable): keyLength u16 | arena position u48  |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  version (u64, HLC)                           |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  seq (u32, seqlock: odd = write in progress)  | 16
 *  +---------------------------------------------------------------+
 *  |                  valueLength (u32)                            | 20
 *  +---------------------------------------------------------------+
 *  |                  checksum (u32, CRC32C of the value)          | 24
 *  +-------------------------------+---------------+---------------+
 *  |        versionNode (u16)      |  flags (u8)   | replicaCount  | 28
 *  +-------------------------------+---------------+---------------+
 *  |      replica 0: logdId (u16) << 48 | offset (u48)             | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      ... up to maxReplicas                                    |
 * </pre>
 * Every field except keyRef is written by the single writer under the seqlock: seq becomes odd, a store-store fence
 * keeps the field stores after it, the fields are written, and seq becomes even again with a release store.
 * A reader takes seq with an acquire load, retries while it is odd, reads the fields, issues a load fence and
 * retries if seq changed. Readers never write and never block the writer.
 */
final class EntryArena implements AutoCloseable
{
    static final int KEY_REF_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int SEQ_OFFSET = 16;
    static final int VALUE_LENGTH_OFFSET = 20;
    static final int CHECKSUM_OFFSET = 24;
    static final int VERSION_NODE_OFFSET = 28;
    static final int FLAGS_OFFSET = 30;
    static final int REPLICA_COUNT_OFFSET = 31;
    static final int REPLICAS_OFFSET = 32;

    private final int maxReplicas;
    private final int entryLength;
    private final int chunkShift;
    private final long chunkMask;
    private final long chunkBytes;

    /** Published with a volatile store after the new chunk exists; entries in it are published later. */
    private volatile long[] chunkAddresses = new long[0];

    EntryArena(final int maxReplicas, final int entriesPerChunk)
    {
        if (maxReplicas < 1 || maxReplicas > GridEntry.MAX_REPLICAS)
        {
            throw new IllegalArgumentException("maxReplicas must be 1.." + GridEntry.MAX_REPLICAS + ": " + maxReplicas);
        }
        if (entriesPerChunk < 1 || Integer.bitCount(entriesPerChunk) != 1)
        {
            throw new IllegalArgumentException("entriesPerChunk must be a power of two: " + entriesPerChunk);
        }

        this.maxReplicas = maxReplicas;
        this.entryLength = entryLength(maxReplicas);
        this.chunkShift = Integer.numberOfTrailingZeros(entriesPerChunk);
        this.chunkMask = entriesPerChunk - 1;
        this.chunkBytes = (long)entriesPerChunk * entryLength;
    }

    static int entryLength(final int maxReplicas)
    {
        return REPLICAS_OFFSET + Long.BYTES * maxReplicas;
    }

    int entryLength()
    {
        return entryLength;
    }

    int entriesPerChunk()
    {
        return (int)chunkMask + 1;
    }

    /**
     * Address of an entry that exists.
     *
     * @param entryIndex entry index.
     * @return the entry address.
     */
    long address(final long entryIndex)
    {
        return chunkAddresses[(int)(entryIndex >>> chunkShift)] + (entryIndex & chunkMask) * entryLength;
    }

    /**
     * Writer: address for a new entry, adding a chunk when the index is the first of a new one.
     *
     * @param entryIndex the next entry index, equal to the number of entries so far.
     * @return the entry address.
     */
    long claim(final long entryIndex)
    {
        final int chunkIndex = (int)(entryIndex >>> chunkShift);
        final long[] addresses = chunkAddresses;
        if (chunkIndex >= addresses.length)
        {
            final long[] grown = Arrays.copyOf(addresses, chunkIndex + 1);
            grown[chunkIndex] = UnsafeApi.allocateMemory(chunkBytes);
            chunkAddresses = grown;
        }

        return address(entryIndex);
    }

    static long keyRef(final long address)
    {
        return UnsafeApi.getLong(null, address + KEY_REF_OFFSET);
    }

    /**
     * Writer-only plain read: the writer is the only one who changes the version.
     *
     * @param address entry address.
     * @return the version.
     */
    static long versionPlain(final long address)
    {
        return UnsafeApi.getLong(null, address + VERSION_OFFSET);
    }

    static int versionNodePlain(final long address)
    {
        return UnsafeApi.getShort(null, address + VERSION_NODE_OFFSET) & 0xFFFF;
    }

    static int flagsPlain(final long address)
    {
        return UnsafeApi.getByte(null, address + FLAGS_OFFSET) & 0xFF;
    }

    static int checksumPlain(final long address)
    {
        return UnsafeApi.getInt(null, address + CHECKSUM_OFFSET);
    }

    static int valueLengthPlain(final long address)
    {
        return UnsafeApi.getInt(null, address + VALUE_LENGTH_OFFSET);
    }

    /**
     * Writer: fills a new, not yet published entry; plain stores suffice because the index slot that publishes it
     * is stored with release semantics afterwards.
     */
    void writeNew(
        final long address,
        final long keyRef,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        UnsafeApi.putLong(null, address + KEY_REF_OFFSET, keyRef);
        UnsafeApi.putInt(null, address + SEQ_OFFSET, 0);
        writeFields(address, version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
    }

    /**
     * Writer: changes a published entry under the seqlock.
     */
    void updateOrdered(
        final long address,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        final int seq = UnsafeApi.getInt(null, address + SEQ_OFFSET);
        UnsafeApi.putIntOpaque(null, address + SEQ_OFFSET, seq + 1);
        // A release store only orders what comes before it; this fence keeps the field stores after the odd seq.
        UnsafeApi.storeStoreFence();
        writeFields(address, version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
        UnsafeApi.putIntRelease(null, address + SEQ_OFFSET, seq + 2);
    }

    /**
     * Writer: replaces only the replica list of a published entry under the seqlock.
     */
    void updateReplicasOrdered(final long address, final int replicaCount, final long[] replicas)
    {
        final int seq = UnsafeApi.getInt(null, address + SEQ_OFFSET);
        UnsafeApi.putIntOpaque(null, address + SEQ_OFFSET, seq + 1);
        UnsafeApi.storeStoreFence();
        writeReplicas(address, replicaCount, replicas);
        UnsafeApi.putIntRelease(null, address + SEQ_OFFSET, seq + 2);
    }

    /**
     * Any thread: a consistent copy of an entry's fields, retrying while it overlaps a write of the same entry.
     *
     * @param entryIndex entry index, stored into the holder.
     * @param address    entry address.
     * @param into       holder to fill.
     */
    void readAcquire(final long entryIndex, final long address, final GridEntry into)
    {
        final long[] replicas = into.replicas;
        final long seqAddress = address + SEQ_OFFSET;
        while (true)
        {
            final int seqBefore = UnsafeApi.getIntAcquire(null, seqAddress);
            if ((seqBefore & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }

            into.version = UnsafeApi.getLong(null, address + VERSION_OFFSET);
            into.valueLength = UnsafeApi.getInt(null, address + VALUE_LENGTH_OFFSET);
            into.checksum = UnsafeApi.getInt(null, address + CHECKSUM_OFFSET);
            into.versionNode = UnsafeApi.getShort(null, address + VERSION_NODE_OFFSET) & 0xFFFF;
            into.flags = UnsafeApi.getByte(null, address + FLAGS_OFFSET) & 0xFF;
            // A torn count must not walk past the entry (past the chunk end for the last one), so clamp it.
            final int replicaCount = Math.min(
                UnsafeApi.getByte(null, address + REPLICA_COUNT_OFFSET) & 0xFF, maxReplicas);
            for (int i = 0; i < replicaCount; i++)
            {
                replicas[i] = UnsafeApi.getLong(null, address + REPLICAS_OFFSET + ((long)i << 3));
            }
            into.replicaCount = replicaCount;

            UnsafeApi.loadFence();
            if (UnsafeApi.getInt(null, seqAddress) == seqBefore)
            {
                into.entryIndex = entryIndex;
                return;
            }
        }
    }

    long allocatedBytes()
    {
        return chunkAddresses.length * chunkBytes;
    }

    public void close()
    {
        final long[] addresses = chunkAddresses;
        chunkAddresses = new long[0];
        for (final long address : addresses)
        {
            UnsafeApi.freeMemory(address);
        }
    }

    private void writeFields(
        final long address,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        UnsafeApi.putLong(null, address + VERSION_OFFSET, version);
        UnsafeApi.putInt(null, address + VALUE_LENGTH_OFFSET, valueLength);
        UnsafeApi.putInt(null, address + CHECKSUM_OFFSET, checksum);
        UnsafeApi.putShort(null, address + VERSION_NODE_OFFSET, (short)versionNode);
        UnsafeApi.putByte(null, address + FLAGS_OFFSET, (byte)flags);
        writeReplicas(address, replicaCount, replicas);
    }

    private void writeReplicas(final long address, final int replicaCount, final long[] replicas)
    {
        UnsafeApi.putByte(null, address + REPLICA_COUNT_OFFSET, (byte)replicaCount);
        for (int i = 0; i < maxReplicas; i++)
        {
            // Unused slots are zeroed so dumps and snapshots of the raw entry are deterministic.
            UnsafeApi.putLong(null, address + REPLICAS_OFFSET + ((long)i << 3), i < replicaCount ? replicas[i] : 0L);
        }
    }
}
