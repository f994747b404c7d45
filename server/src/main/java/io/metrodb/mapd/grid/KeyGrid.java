package io.metrodb.mapd.grid;

import org.agrona.DirectBuffer;

/**
 * The mapd key grid: key -> {version, versionNode, flags, valueLength, checksum, replicas}, last writer wins.
 * <p>
 * <b>Threads.</b> Exactly one thread mutates the grid at a time (mapd funnels every grid mutation through one
 * thread); the mutators are {@code apply}, {@code applyRepair}, {@code replaceReplicas}, {@link #ensureCapacity(long)},
 * a {@link GridRestore} (bulk load of an empty grid from a snapshot, before any reader can reach the grid) and
 * {@link #close()}. Any number of threads read concurrently with {@code get}, {@link #forEach}, {@link #readEntry}
 * and {@link #randomEntry}; a reader takes no lock and never waits for a lock. A reader that overlaps the writer's
 * update of the very entry it reads retries that entry (a seqlock); the writer's critical section is a handful of
 * stores with no calls in it. The write path has no lock: an optional check (constructor flag, for tests) throws if
 * a second thread mutates.
 * <p>
 * <b>Keys</b> are given as an Agrona {@link DirectBuffer} (index, length), the one buffer type inside the server:
 * the Netty edge wraps a frame once in a reused view ({@code io.metrodb.server.FrameView}); a {@code byte[]} is
 * wrapped in an {@code UnsafeBuffer}. A change is a reusable {@link GridWrite}.
 * <p>
 * <b>Index.</b> An on-heap {@code long[]} of power-of-two capacity with linear probing ({@link GridIndex}); at more
 * than 70% load the writer publishes an array twice the size, and the garbage collector reclaims the old array
 * only when no reader holds it. Slots are never removed: a delete is a tombstone entry that must stay for
 * last-writer-wins; reclaiming tombstones is a later compaction.
 * <p>
 * <b>Memory per key</b> beyond the key's own bytes: {@link EntryArena#entryLength} (48 B at RF 2) + 8 B / load of
 * the index, which swings between 11.4 B (load 0.7) and 22.9 B (0.35, just after a
 * resize); 13.4 B at 10 million keys (16 M slots). Chunk tails add at most one chunk of each arena.
 * <p>
 * <b>Capacity.</b> At most {@link #MAX_INDEX_CAPACITY} slots, so about 751 million entries.
 */
public final class KeyGrid implements AutoCloseable
{
    /** apply / replaceReplicas: the change was installed. */
    public static final int APPLIED = 1;
    /** apply: the stored (version, versionNode) is as new or newer; replaceReplicas: the version changed. */
    public static final int STALE = 0;
    /** replaceReplicas: no such key or entry. */
    public static final int NOT_FOUND = -1;

    public static final int MAX_KEY_LENGTH = KeyArena.MAX_KEY_LENGTH;
    public static final int DEFAULT_INITIAL_CAPACITY = 1 << 10;
    /** 3 MiB chunks at RF 2: fine-grained enough that the last chunk's slack stays below 0.3 B/key at 10 M keys. */
    public static final int DEFAULT_ENTRIES_PER_CHUNK = 1 << 16;
    public static final int DEFAULT_KEY_CHUNK_BYTES = 1 << 20;
    public static final int MIN_INDEX_CAPACITY = GridIndex.MIN_CAPACITY;
    public static final int MAX_INDEX_CAPACITY = GridIndex.MAX_CAPACITY;

    private static final long ARRAY_HEADER_BYTES = 16;

    private final int maxReplicas;
    private final EntryArena entries;
    private final KeyArena keys;
    private final GridIndex index;
    private final GridWriter writer;

    /**
     * A grid with default chunk sizes and no writer check.
     *
     * @param maxReplicas     replica locations per entry, 1..7 (fixes the entry size: 32 + 8 x maxReplicas bytes).
     * @param initialCapacity index slots to start with, rounded up to a power of two.
     */
    public KeyGrid(final int maxReplicas, final int initialCapacity)
    {
        this(maxReplicas, initialCapacity, DEFAULT_ENTRIES_PER_CHUNK, DEFAULT_KEY_CHUNK_BYTES, false);
    }

    /**
     * A grid.
     *
     * @param maxReplicas       replica locations per entry, 1..7.
     * @param initialCapacity   index slots to start with, rounded up to a power of two, 2..2^30.
     * @param entriesPerChunk   entries per off-heap entry chunk, a power of two.
     * @param keyChunkBytes     bytes per off-heap key chunk, a power of two >= 64 KiB (holds the longest key).
     * @param checkSingleWriter throw if a thread other than the first (or the last {@link #claimWriter()}) mutates.
     */
    public KeyGrid(
        final int maxReplicas,
        final int initialCapacity,
        final int entriesPerChunk,
        final int keyChunkBytes,
        final boolean checkSingleWriter)
    {
        if (initialCapacity < 1 || initialCapacity > MAX_INDEX_CAPACITY)
        {
            throw new IllegalArgumentException(
                "initialCapacity must be 1.." + MAX_INDEX_CAPACITY + ": " + initialCapacity);
        }

        this.maxReplicas = maxReplicas;
        this.entries = new EntryArena(maxReplicas, entriesPerChunk);
        this.keys = new KeyArena(keyChunkBytes);
        this.index = new GridIndex(entries, keys, initialCapacity);
        this.writer = new GridWriter(maxReplicas, checkSingleWriter, entries, keys, index);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads: any thread.

    /**
     * Looks a key up.
     *
     * @param key    buffer holding the key.
     * @param index  index of the key in the buffer.
     * @param length key length.
     * @param into   holder filled when found (tombstones included: check {@link GridEntry#isTombstone()}).
     * @return true if the grid holds an entry for the key.
     */
    public boolean get(final DirectBuffer key, final int index, final int length, final GridEntry into)
    {
        key.boundsCheck(index, length);
        final long entryIndex = this.index.find(key.byteArray(), key.addressOffset() + index, length);
        if (entryIndex < 0)
        {
            return false;
        }

        entries.readAcquire(entryIndex, entries.address(entryIndex), into);
        return true;
    }

    /**
     * A consistent copy of the entry at an index.
     *
     * @param entryIndex 0..size()-1.
     * @param into       holder to fill.
     * @return false if there is no such entry.
     */
    public boolean readEntry(final long entryIndex, final GridEntry into)
    {
        if (entryIndex < 0 || entryIndex >= writer.sizeAcquire())
        {
            return false;
        }

        entries.readAcquire(entryIndex, entries.address(entryIndex), into);
        return true;
    }

    /**
     * Samples one entry, uniformly over entry indices (tombstones included), for probes.
     *
     * @param seed any value; equal seeds pick equal indices while the grid does not grow.
     * @param into holder to fill.
     * @return the entry index read, or -1 when the grid is empty.
     */
    public long randomEntry(final long seed, final GridEntry into)
    {
        final long entryCount = writer.sizeAcquire();
        if (entryCount == 0)
        {
            return -1;
        }

        final long entryIndex = Long.remainderUnsigned(KeyBytes.mix(seed), entryCount);
        entries.readAcquire(entryIndex, entries.address(entryIndex), into);
        return entryIndex;
    }

    /**
     * Walks entries in index order from a cursor, for dumps, snapshots and scrubs. Entries are only appended, so a
     * walk in steps visits every entry that existed when it started exactly once; later entries may be visited too.
     *
     * @param cursorEntryIndex first entry index to visit, 0 to start.
     * @param maxEntries       most entries to visit in this call.
     * @param scratch          holder reused for every entry.
     * @param visitor          receives each entry.
     * @return the cursor for the next call, or -1 when the walk reached the end.
     */
    public long forEach(
        final long cursorEntryIndex, final int maxEntries, final GridEntry scratch, final GridVisitor visitor)
    {
        if (cursorEntryIndex < 0 || maxEntries < 0)
        {
            throw new IllegalArgumentException(
                "cursorEntryIndex and maxEntries must be >= 0: " + cursorEntryIndex + ", " + maxEntries);
        }

        final long entryCount = writer.sizeAcquire();
        // cursorEntryIndex + maxEntries would overflow for a cursor near Long.MAX_VALUE (a client's DUMP cursor).
        final long end = cursorEntryIndex >= entryCount ? cursorEntryIndex :
            cursorEntryIndex + Math.min(entryCount - cursorEntryIndex, maxEntries);
        long entryIndex = cursorEntryIndex;
        for (; entryIndex < end; entryIndex++)
        {
            final long address = entries.address(entryIndex);
            entries.readAcquire(entryIndex, address, scratch);
            final long keyRef = EntryArena.keyRef(address);
            visitor.onEntry(keys.chunkView(keyRef), keys.keyIndexInChunk(keyRef), KeyArena.keyLength(keyRef), scratch);
        }

        return entryIndex < entryCount ? entryIndex : -1;
    }

    /**
     * {@link #forEach(long, int, GridEntry, GridVisitor)} with a holder allocated per call (not per entry).
     *
     * @param cursorEntryIndex first entry index to visit, 0 to start.
     * @param maxEntries       most entries to visit in this call.
     * @param visitor          receives each entry.
     * @return the cursor for the next call, or -1 when the walk reached the end.
     */
    public long forEach(final long cursorEntryIndex, final int maxEntries, final GridVisitor visitor)
    {
        return forEach(cursorEntryIndex, maxEntries, new GridEntry(), visitor);
    }

    /**
     * Entries, tombstones included.
     *
     * @return the number of entries.
     */
    public long size()
    {
        return writer.sizeAcquire();
    }

    /**
     * Entries that are not tombstones.
     *
     * @return the number of live keys.
     */
    public long liveKeys()
    {
        return writer.liveKeysAcquire();
    }

    /**
     * Index slots; the grid resizes before size() exceeds 70% of them.
     *
     * @return the index capacity.
     */
    public long capacity()
    {
        return index.capacity();
    }

    public int maxReplicas()
    {
        return maxReplicas;
    }

    /**
     * Heap bytes of the current index array (a replaced array lingers until the GC reclaims it).
     *
     * @return the index bytes.
     */
    public long indexBytes()
    {
        return ARRAY_HEADER_BYTES + (long)index.capacity() * Long.BYTES;
    }

    /**
     * Off-heap bytes allocated for entries (whole chunks).
     *
     * @return the entry bytes.
     */
    public long entryBytes()
    {
        return entries.allocatedBytes();
    }

    /**
     * Off-heap bytes allocated for keys (whole chunks).
     *
     * @return the key arena bytes.
     */
    public long keyArenaBytes()
    {
        return keys.allocatedBytes();
    }

    /**
     * Writer: key arena bytes holding keys, including keys of tombstones.
     *
     * @return the used key arena bytes.
     */
    public long keyArenaUsedBytes()
    {
        return keys.usedBytes();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Mutations: the single writer.

    /**
     * Installs a change if its (version, versionNode) is strictly newer than the stored one (last writer wins);
     * a key not yet present is inserted, a tombstone too.
     *
     * @param write the change; read during the call, not retained.
     * @return {@link #APPLIED} or {@link #STALE}.
     * @throws IllegalArgumentException when the key length is not 1..65535, versionNode not u16, flags not u8, or
     *                                  the replica count not 0..maxReplicas (and within the replica array).
     */
    public int apply(final GridWrite write)
    {
        return writer.apply(false, write);
    }

    /**
     * Installs a repair ({@code Change.REPAIR}): the same version of a key with a new replica list. An entry holding
     * exactly (version, versionNode), with the same checksum and tombstone bit, takes the change's replica list and
     * flags (the writer sets {@link GridEntry#REPAIRED}); otherwise it is {@link #apply(GridWrite) apply}: a newer
     * version, or a key not yet present, is installed and an older version is stale.
     *
     * @param write the change; read during the call, not retained.
     * @return {@link #APPLIED} or {@link #STALE}.
     */
    public int applyRepair(final GridWrite write)
    {
        return writer.apply(true, write);
    }

    /**
     * Replaces the replica list of an entry, for repair, only if its version is still the expected one.
     *
     * @param entryIndex      entry index, e.g. from {@link GridEntry#entryIndex()}.
     * @param expectedVersion version the repair was based on.
     * @param expectedNode    version node the repair was based on.
     * @param replicaCount    replica locations, 0..maxReplicas.
     * @param replicas        packed locations in [0, replicaCount); not retained.
     * @return {@link #APPLIED}, {@link #STALE} if the entry changed meanwhile, or {@link #NOT_FOUND}.
     */
    public int replaceReplicas(
        final long entryIndex,
        final long expectedVersion,
        final int expectedNode,
        final int replicaCount,
        final long[] replicas)
    {
        return writer.replaceReplicas(entryIndex, expectedVersion, expectedNode, replicaCount, replicas);
    }

    /**
     * Replaces the replica list of a key's entry, for repair, only if its version is still the expected one.
     *
     * @param key             buffer holding the key.
     * @param index           index of the key in the buffer.
     * @param length          key length.
     * @param expectedVersion version the repair was based on.
     * @param expectedNode    version node the repair was based on.
     * @param replicaCount    replica locations, 0..maxReplicas.
     * @param replicas        packed locations in [0, replicaCount); not retained.
     * @return {@link #APPLIED}, {@link #STALE} if the entry changed meanwhile, or {@link #NOT_FOUND}.
     */
    public int replaceReplicas(
        final DirectBuffer key,
        final int index,
        final int length,
        final long expectedVersion,
        final int expectedNode,
        final int replicaCount,
        final long[] replicas)
    {
        key.boundsCheck(index, length);
        final long entryIndex = this.index.find(key.byteArray(), key.addressOffset() + index, length);
        return entryIndex < 0 ?
            NOT_FOUND : replaceReplicas(entryIndex, expectedVersion, expectedNode, replicaCount, replicas);
    }

    /**
     * Writer: grows the index once so that this many keys fit without a resize, e.g. before loading a snapshot.
     *
     * @param expectedKeys number of entries to make room for.
     */
    public void ensureCapacity(final long expectedKeys)
    {
        writer.checkWriter();
        index.ensureCapacity(expectedKeys);
    }

    /**
     * Writer: starts filling this empty grid in bulk from an image of entries and keys (a snapshot), see
     * {@link GridRestore}. Call before any reader can reach the grid.
     *
     * @param entryCount     entries in the image.
     * @param keyBytes       bytes of the image's key section (the sum of the key lengths).
     * @param recordReplicas replica slots per image record, 1..{@link GridEntry#MAX_REPLICAS}.
     * @return the restore to feed.
     * @throws IllegalStateException    when the grid is not empty or was ever written.
     * @throws IllegalArgumentException when the counts cannot describe an image this grid can hold.
     */
    public GridRestore beginRestore(final long entryCount, final long keyBytes, final int recordReplicas)
    {
        writer.checkWriter();
        if (writer.size() != 0 || entries.allocatedBytes() != 0 || keys.allocatedBytes() != 0)
        {
            throw new IllegalStateException("a restore needs a new, empty grid");
        }
        if (entryCount < 0 || entryCount > GridIndex.threshold(MAX_INDEX_CAPACITY))
        {
            throw new IllegalArgumentException("entry count must be 0.." + GridIndex.threshold(MAX_INDEX_CAPACITY) +
                ": " + entryCount);
        }
        if (keyBytes < entryCount || keyBytes > entryCount * MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException(keyBytes + " key bytes cannot hold " + entryCount + " keys of 1.." +
                MAX_KEY_LENGTH + " bytes");
        }
        if (recordReplicas < 1 || recordReplicas > GridEntry.MAX_REPLICAS)
        {
            throw new IllegalArgumentException("record replicas must be 1.." + GridEntry.MAX_REPLICAS + ": " +
                recordReplicas);
        }

        return new GridRestore(this, entries, keys, entryCount, keyBytes, recordReplicas);
    }

    /**
     * Makes the calling thread the one the single-writer check expects; the hand-off itself must be ordered by
     * the caller (e.g. a thread start or a queue).
     */
    public void claimWriter()
    {
        writer.claimWriter();
    }

    /**
     * Frees the off-heap memory. Call only after every reader has stopped: a concurrent reader may crash the JVM.
     */
    public void close()
    {
        writer.close();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals.

    /**
     * Writer, end of a {@link GridRestore}: entries [0, entryCount) are in the arenas with their key references;
     * builds the index (growing it once if needed), then publishes the size. A key found twice throws before
     * anything is published.
     */
    void publishRestored(final long entryCount, final long restoredLiveKeys)
    {
        writer.publishRestored(entryCount, restoredLiveKeys);
    }
}
