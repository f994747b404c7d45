package io.metrodb.mapd.grid;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

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
 * <b>Index.</b> An on-heap {@code long[]} of power-of-two capacity with linear probing. A slot holds
 * {@code (hash >>> 32) << 32 | (entryIndex + 1)}, 0 meaning empty; the home slot is the low bits of that 32-bit
 * tag, so a resize rehashes from the slots alone without touching keys. Slots are published with release stores
 * and read with acquire loads. At more than 70% load the writer builds an array twice the size and publishes it
 * with one volatile store; entries do not move, so a reader still probing the old array sees a complete table, and
 * the garbage collector reclaims the old array only when no reader holds it. Slots are never removed: a delete is
 * a tombstone entry that must stay for last-writer-wins; reclaiming tombstones is a later compaction.
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
    public static final int MIN_INDEX_CAPACITY = 2;
    public static final int MAX_INDEX_CAPACITY = 1 << 30;

    private static final long TAG_MASK = 0xFFFF_FFFF_0000_0000L;
    private static final long ENTRY_MASK = 0xFFFF_FFFFL;
    private static final int TAG_SHIFT = 32;
    private static final long ARRAY_HEADER_BYTES = 16;
    /** Restore: slots placed per batch (two scratch arrays of that many longs), and home-slot partitions. */
    private static final int RESTORE_BATCH = 1 << 20;
    private static final int RESTORE_MIN_BATCH = 1 << 10;
    private static final int RESTORE_PARTITION_BITS = 16;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SIZE;
    private static final VarHandle LIVE_KEYS;
    private static final ThreadLocal<byte[]> COMPOSITE_KEY_SCRATCH =
        ThreadLocal.withInitial(() -> new byte[MAX_KEY_LENGTH]);

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZE = lookup.findVarHandle(KeyGrid.class, "size", long.class);
            LIVE_KEYS = lookup.findVarHandle(KeyGrid.class, "liveKeys", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int maxReplicas;
    private final boolean checkSingleWriter;
    private final EntryArena entries;
    private final KeyArena keys;

    private volatile long[] index;

    /** Writer-owned; published to readers with release stores, read by them with acquire loads. */
    @SuppressWarnings("unused")
    private long size;
    @SuppressWarnings("unused")
    private long liveKeys;

    private long resizeThreshold;
    private Thread writerThread;
    private boolean closed;

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
        this.checkSingleWriter = checkSingleWriter;
        this.entries = new EntryArena(maxReplicas, entriesPerChunk);
        this.keys = new KeyArena(keyChunkBytes);
        final int capacity = Math.max(MIN_INDEX_CAPACITY, 1 << (32 - Integer.numberOfLeadingZeros(initialCapacity - 1)));
        this.index = new long[capacity];
        this.resizeThreshold = threshold(capacity);
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
        return get(key.byteArray(), key.addressOffset() + index, length, into);
    }

    /**
     * Looks a key up.
     *
     * @param key    buffer holding the key; not retained, reference count unchanged.
     * @param index  index of the key in the buffer.
     * @param length key length.
     * @param into   holder filled when found (tombstones included).
     * @return true if the grid holds an entry for the key.
     */
    public boolean get(final ByteBuf key, final int index, final int length, final GridEntry into)
    {
        checkBounds(key, index, length);
        if (key.hasMemoryAddress())
        {
            return get(null, key.memoryAddress() + index, length, into);
        }
        if (key.hasArray())
        {
            return get(key.array(), BufferUtil.ARRAY_BASE_OFFSET + key.arrayOffset() + index, length, into);
        }

        final byte[] scratch = compositeScratch(key, index, length);
        return get(scratch, BufferUtil.ARRAY_BASE_OFFSET, length, into);
    }

    /**
     * Looks a key up.
     *
     * @param key  the whole array is the key.
     * @param into holder filled when found (tombstones included).
     * @return true if the grid holds an entry for the key.
     */
    public boolean get(final byte[] key, final GridEntry into)
    {
        return get(key, BufferUtil.ARRAY_BASE_OFFSET, key.length, into);
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
        if (entryIndex < 0 || entryIndex >= (long)SIZE.getAcquire(this))
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
        final long entryCount = (long)SIZE.getAcquire(this);
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

        final long entryCount = (long)SIZE.getAcquire(this);
        final long end = Math.min(entryCount, cursorEntryIndex + maxEntries);
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
        return (long)SIZE.getAcquire(this);
    }

    /**
     * Entries that are not tombstones.
     *
     * @return the number of live keys.
     */
    public long liveKeys()
    {
        return (long)LIVE_KEYS.getAcquire(this);
    }

    /**
     * Index slots; the grid resizes before size() exceeds 70% of them.
     *
     * @return the index capacity.
     */
    public long capacity()
    {
        return index.length;
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
        return ARRAY_HEADER_BYTES + (long)index.length * Long.BYTES;
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
     * Installs a change if (version, versionNode) is strictly newer than the stored one (last writer wins);
     * a key not yet present is inserted, a tombstone too.
     *
     * @param key          buffer holding the key.
     * @param index        index of the key in the buffer.
     * @param length       key length, 1..65535.
     * @param version      hybrid logical clock of the write, compared unsigned.
     * @param versionNode  writer's node id, 0..65535, breaks ties between equal versions.
     * @param flags        flag bits, 0..255, see {@link GridEntry#TOMBSTONE}.
     * @param valueLength  value length (u32).
     * @param checksum     CRC32C of the value.
     * @param replicaCount replica locations, 0..maxReplicas.
     * @param replicas     packed locations ({@link GridReplica#pack}) in [0, replicaCount); not retained.
     * @return {@link #APPLIED} or {@link #STALE}.
     */
    public int apply(
        final DirectBuffer key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        key.boundsCheck(index, length);
        return apply(false,
            key.byteArray(), key.addressOffset() + index, length,
            version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
    }

    /**
     * As {@link #apply(DirectBuffer, int, int, long, int, int, int, int, int, long[])} for a Netty buffer.
     *
     * @param key          buffer holding the key; not retained, reference count unchanged.
     * @param index        index of the key in the buffer.
     * @param length       key length, 1..65535.
     * @param version      hybrid logical clock of the write, compared unsigned.
     * @param versionNode  writer's node id, 0..65535.
     * @param flags        flag bits, 0..255.
     * @param valueLength  value length (u32).
     * @param checksum     CRC32C of the value.
     * @param replicaCount replica locations, 0..maxReplicas.
     * @param replicas     packed locations in [0, replicaCount); not retained.
     * @return {@link #APPLIED} or {@link #STALE}.
     */
    public int apply(
        final ByteBuf key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return apply(false, key, index, length, version, versionNode, flags, valueLength, checksum, replicaCount,
            replicas);
    }

    /**
     * Installs a repair ({@code Change.REPAIR}): the same version of a key with a new replica list. An entry holding
     * exactly (version, versionNode), with the same checksum and tombstone bit, takes the change's replica list and
     * flags (the writer sets {@link GridEntry#REPAIRED}); otherwise it is {@link #apply(ByteBuf, int, int, long,
     * int, int, int, int, int, long[]) apply}: a newer version, or a key not yet present, is installed and an older
     * version is stale.
     *
     * @param key          buffer holding the key; not retained, reference count unchanged.
     * @param index        index of the key in the buffer.
     * @param length       key length, 1..65535.
     * @param version      hybrid logical clock of the write repaired.
     * @param versionNode  writer's node id, 0..65535.
     * @param flags        flag bits, 0..255.
     * @param valueLength  value length (u32).
     * @param checksum     CRC32C of the value.
     * @param replicaCount replica locations, 0..maxReplicas.
     * @param replicas     packed locations in [0, replicaCount); not retained.
     * @return {@link #APPLIED} or {@link #STALE}.
     */
    public int applyRepair(
        final ByteBuf key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return apply(true, key, index, length, version, versionNode, flags, valueLength, checksum, replicaCount,
            replicas);
    }

    private int apply(
        final boolean repair,
        final ByteBuf key,
        final int index,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        checkBounds(key, index, length);
        if (key.hasMemoryAddress())
        {
            return apply(repair,
                null, key.memoryAddress() + index, length,
                version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
        }
        if (key.hasArray())
        {
            return apply(repair,
                key.array(), BufferUtil.ARRAY_BASE_OFFSET + key.arrayOffset() + index, length,
                version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
        }

        return apply(repair,
            compositeScratch(key, index, length), BufferUtil.ARRAY_BASE_OFFSET, length,
            version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
    }

    /**
     * As {@link #apply(DirectBuffer, int, int, long, int, int, int, int, int, long[])} for a whole array.
     *
     * @param key          the whole array is the key, 1..65535 bytes.
     * @param version      hybrid logical clock of the write, compared unsigned.
     * @param versionNode  writer's node id, 0..65535.
     * @param flags        flag bits, 0..255.
     * @param valueLength  value length (u32).
     * @param checksum     CRC32C of the value.
     * @param replicaCount replica locations, 0..maxReplicas.
     * @param replicas     packed locations in [0, replicaCount); not retained.
     * @return {@link #APPLIED} or {@link #STALE}.
     */
    public int apply(
        final byte[] key,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        return apply(false,
            key, BufferUtil.ARRAY_BASE_OFFSET, key.length,
            version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
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
        checkWriter();
        checkReplicas(replicaCount, replicas);
        if (entryIndex < 0 || entryIndex >= size)
        {
            return NOT_FOUND;
        }

        final long address = entries.address(entryIndex);
        if (EntryArena.versionPlain(address) != expectedVersion || EntryArena.versionNodePlain(address) != expectedNode)
        {
            return STALE;
        }

        entries.updateReplicasOrdered(address, replicaCount, replicas);
        return APPLIED;
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
        final long entryIndex = find(key.byteArray(), key.addressOffset() + index, length);
        return entryIndex < 0 ?
            NOT_FOUND : replaceReplicas(entryIndex, expectedVersion, expectedNode, replicaCount, replicas);
    }

    /**
     * As {@link #replaceReplicas(DirectBuffer, int, int, long, int, int, long[])} for a whole array.
     *
     * @param key             the whole array is the key.
     * @param expectedVersion version the repair was based on.
     * @param expectedNode    version node the repair was based on.
     * @param replicaCount    replica locations, 0..maxReplicas.
     * @param replicas        packed locations in [0, replicaCount); not retained.
     * @return {@link #APPLIED}, {@link #STALE} if the entry changed meanwhile, or {@link #NOT_FOUND}.
     */
    public int replaceReplicas(
        final byte[] key,
        final long expectedVersion,
        final int expectedNode,
        final int replicaCount,
        final long[] replicas)
    {
        final long entryIndex = find(key, BufferUtil.ARRAY_BASE_OFFSET, key.length);
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
        checkWriter();
        long capacity = index.length;
        while (threshold(capacity) < expectedKeys)
        {
            capacity <<= 1;
        }
        if (capacity != index.length)
        {
            resize(capacity);
        }
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
        checkWriter();
        if (size != 0 || entries.allocatedBytes() != 0 || keys.allocatedBytes() != 0)
        {
            throw new IllegalStateException("a restore needs a new, empty grid");
        }
        if (entryCount < 0 || entryCount > threshold(MAX_INDEX_CAPACITY))
        {
            throw new IllegalArgumentException("entry count must be 0.." + threshold(MAX_INDEX_CAPACITY) + ": " +
                entryCount);
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
        writerThread = Thread.currentThread();
    }

    /**
     * Frees the off-heap memory. Call only after every reader has stopped: a concurrent reader may crash the JVM.
     */
    public void close()
    {
        if (!closed)
        {
            checkWriter();
            closed = true;
            index = new long[MIN_INDEX_CAPACITY];
            SIZE.setRelease(this, 0L);
            LIVE_KEYS.setRelease(this, 0L);
            entries.close();
            keys.close();
        }
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
        checkWriter();
        if (size != 0)
        {
            throw new IllegalStateException("the grid was written during its restore");
        }

        long capacity = index.length;
        while (threshold(capacity) < entryCount)
        {
            capacity <<= 1;
        }
        // An empty grid's index is all zeros: reuse it when it is large enough (it usually is: --expected-keys).
        final long[] slots = capacity == index.length ? index : new long[(int)capacity];
        final int mask = slots.length - 1;
        final int capacityBits = Integer.numberOfTrailingZeros(slots.length);
        final int partitionBits = Math.min(RESTORE_PARTITION_BITS, capacityBits);
        final int partitionShift = capacityBits - partitionBits;
        final int batch = (int)Math.min(RESTORE_BATCH, Math.max(RESTORE_MIN_BATCH, entryCount / 8));
        final long[] hashed = new long[batch];
        final long[] ordered = new long[batch];
        final int[] starts = new int[(1 << partitionBits) + 1];
        // Slots are placed a batch at a time in the order of their home slots (a counting sort on the home's top
        // bits), so the stores sweep the index once per batch instead of landing at random: several times faster
        // than placing them in entry order once the index is larger than the caches. Linear probing does not
        // care about the order in which keys were placed.
        for (long first = 0; first < entryCount; first += batch)
        {
            final int n = (int)Math.min(batch, entryCount - first);
            Arrays.fill(starts, 0);
            for (int i = 0; i < n; i++)
            {
                final long entryIndex = first + i;
                final long keyRef = EntryArena.keyRef(entries.address(entryIndex));
                final long hash = KeyBytes.hash(null, keys.keyAddress(keyRef), KeyArena.keyLength(keyRef));
                final long slot = (hash & TAG_MASK) | (entryIndex + 1);
                hashed[i] = slot;
                starts[(homeSlot(slot, mask) >>> partitionShift) + 1]++;
            }
            for (int p = 0; p < starts.length - 1; p++)
            {
                starts[p + 1] += starts[p];
            }
            for (int i = 0; i < n; i++)
            {
                ordered[starts[homeSlot(hashed[i], mask) >>> partitionShift]++] = hashed[i];
            }
            for (int i = 0; i < n; i++)
            {
                placeRestored(slots, mask, ordered[i]);
            }
        }

        // The volatile store publishes the plain stores into slots and every entry and key restored before them.
        index = slots;
        resizeThreshold = threshold(capacity);
        LIVE_KEYS.setRelease(this, restoredLiveKeys);
        SIZE.setRelease(this, entryCount);
    }

    private void placeRestored(final long[] slots, final int mask, final long newSlot)
    {
        final long tag = newSlot & TAG_MASK;
        int slotIndex = homeSlot(newSlot, mask);
        long slot;
        while (0 != (slot = slots[slotIndex]))
        {
            if ((slot & TAG_MASK) == tag)
            {
                final long keyRef = EntryArena.keyRef(entries.address((newSlot & ENTRY_MASK) - 1));
                if (keys.keyEquals(EntryArena.keyRef(entries.address((slot & ENTRY_MASK) - 1)),
                    null, keys.keyAddress(keyRef), KeyArena.keyLength(keyRef)))
                {
                    Arrays.fill(slots, 0L);
                    throw new IllegalArgumentException("entries " + ((slot & ENTRY_MASK) - 1) + " and " +
                        ((newSlot & ENTRY_MASK) - 1) + " hold the same key");
                }
            }
            slotIndex = (slotIndex + 1) & mask;
        }
        slots[slotIndex] = newSlot;
    }

    private static int homeSlot(final long slot, final int mask)
    {
        return (int)(slot >>> TAG_SHIFT) & mask;
    }

    private boolean get(final Object base, final long address, final int length, final GridEntry into)
    {
        final long entryIndex = find(base, address, length);
        if (entryIndex < 0)
        {
            return false;
        }

        entries.readAcquire(entryIndex, entries.address(entryIndex), into);
        return true;
    }

    private long find(final Object base, final long address, final int length)
    {
        if (length < 1 || length > MAX_KEY_LENGTH)
        {
            return -1;
        }

        final long probe = probe(index, KeyBytes.hash(base, address, length), base, address, length);
        return probe >= 0 ? probe : -1;
    }

    /**
     * Finds a key in an index array.
     *
     * @return the entry index if present, otherwise -1 - (the empty slot where the probe stopped).
     */
    private long probe(final long[] slots, final long hash, final Object base, final long address, final int length)
    {
        final int mask = slots.length - 1;
        final long tag = hash & TAG_MASK;
        int slotIndex = (int)(hash >>> TAG_SHIFT) & mask;
        while (true)
        {
            final long slot = (long)SLOTS.getAcquire(slots, slotIndex);
            if (0 == slot)
            {
                return -1L - slotIndex;
            }

            if ((slot & TAG_MASK) == tag)
            {
                final long entryIndex = (slot & ENTRY_MASK) - 1;
                if (keys.keyEquals(EntryArena.keyRef(entries.address(entryIndex)), base, address, length))
                {
                    return entryIndex;
                }
            }

            slotIndex = (slotIndex + 1) & mask;
        }
    }

    private int apply(
        final boolean repair,
        final Object base,
        final long address,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        checkWriter();
        if (length < 1 || length > MAX_KEY_LENGTH)
        {
            failOnKeyLength(length);
        }
        if ((versionNode & ~0xFFFF) != 0 || (flags & ~0xFF) != 0)
        {
            failOnNodeOrFlags(versionNode, flags);
        }
        checkReplicas(replicaCount, replicas);

        final long hash = KeyBytes.hash(base, address, length);
        final long[] slots = index;
        final long probe = probe(slots, hash, base, address, length);
        if (probe >= 0)
        {
            final long entryAddress = entries.address(probe);
            final long storedVersion = EntryArena.versionPlain(entryAddress);
            final int storedNode = EntryArena.versionNodePlain(entryAddress);
            if (repair && storedVersion == version && storedNode == versionNode)
            {
                return replaceRepaired(entryAddress, flags, checksum, replicaCount, replicas);
            }
            if (!isNewer(version, versionNode, storedVersion, storedNode))
            {
                return STALE;
            }

            final boolean wasTombstone = (EntryArena.flagsPlain(entryAddress) & GridEntry.TOMBSTONE) != 0;
            final boolean isTombstone = (flags & GridEntry.TOMBSTONE) != 0;
            entries.updateOrdered(
                entryAddress, version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
            if (wasTombstone != isTombstone)
            {
                LIVE_KEYS.setRelease(this, liveKeys + (isTombstone ? -1 : 1));
            }

            return APPLIED;
        }

        insert(slots, (int)(-1L - probe), hash, base, address, length,
            version, versionNode, flags, valueLength, checksum, replicaCount, replicas);
        return APPLIED;
    }

    private int replaceRepaired(
        final long entryAddress, final int flags, final int checksum, final int replicaCount, final long[] replicas)
    {
        final int storedFlags = EntryArena.flagsPlain(entryAddress);
        if (EntryArena.checksumPlain(entryAddress) != checksum ||
            ((storedFlags ^ flags) & GridEntry.TOMBSTONE) != 0)
        {
            return STALE;
        }

        entries.updateOrdered(entryAddress, EntryArena.versionPlain(entryAddress),
            EntryArena.versionNodePlain(entryAddress), flags, EntryArena.valueLengthPlain(entryAddress), checksum,
            replicaCount, replicas);
        return APPLIED;
    }

    private void insert(
        final long[] probedSlots,
        final int emptySlotIndex,
        final long hash,
        final Object base,
        final long address,
        final int length,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final long[] replicas)
    {
        final long entryIndex = size;
        long[] slots = probedSlots;
        int slotIndex = emptySlotIndex;
        if (entryIndex + 1 > resizeThreshold)
        {
            resize((long)slots.length << 1);
            slots = index;
            slotIndex = emptySlotIndex(slots, hash);
        }

        final long keyRef = keys.append(base, address, length);
        final long entryAddress = entries.claim(entryIndex);
        entries.writeNew(
            entryAddress, keyRef, version, versionNode, flags, valueLength, checksum, replicaCount, replicas);

        // Publishes the key and entry written above to any reader that acquires this slot.
        SLOTS.setRelease(slots, slotIndex, (hash & TAG_MASK) | (entryIndex + 1));
        SIZE.setRelease(this, entryIndex + 1);
        if ((flags & GridEntry.TOMBSTONE) == 0)
        {
            LIVE_KEYS.setRelease(this, liveKeys + 1);
        }
    }

    private void resize(final long newCapacity)
    {
        if (newCapacity > MAX_INDEX_CAPACITY)
        {
            throw new IllegalStateException("key grid full: index capacity would exceed " + MAX_INDEX_CAPACITY);
        }

        final long[] oldSlots = index;
        final long[] newSlots = new long[(int)newCapacity];
        final int newMask = newSlots.length - 1;
        for (final long slot : oldSlots)
        {
            if (0 != slot)
            {
                int slotIndex = (int)(slot >>> TAG_SHIFT) & newMask;
                while (0 != newSlots[slotIndex])
                {
                    slotIndex = (slotIndex + 1) & newMask;
                }
                newSlots[slotIndex] = slot;
            }
        }

        // The volatile store publishes every plain store into newSlots; readers on oldSlots still see all entries.
        index = newSlots;
        resizeThreshold = threshold(newCapacity);
    }

    private static int emptySlotIndex(final long[] slots, final long hash)
    {
        final int mask = slots.length - 1;
        int slotIndex = (int)(hash >>> TAG_SHIFT) & mask;
        while (0 != slots[slotIndex])
        {
            slotIndex = (slotIndex + 1) & mask;
        }

        return slotIndex;
    }

    private static long threshold(final long capacity)
    {
        return capacity * 7 / 10;
    }

    private static boolean isNewer(
        final long version, final int versionNode, final long storedVersion, final int storedNode)
    {
        final int compare = Long.compareUnsigned(version, storedVersion);
        return compare > 0 || (compare == 0 && versionNode > storedNode);
    }

    private void checkWriter()
    {
        if (closed)
        {
            throw new IllegalStateException("key grid is closed");
        }
        if (checkSingleWriter)
        {
            final Thread current = Thread.currentThread();
            if (null == writerThread)
            {
                writerThread = current;
            }
            else if (current != writerThread)
            {
                throw new IllegalStateException(
                    "single-writer violation: " + current.getName() + " mutates, writer is " + writerThread.getName());
            }
        }
    }

    private void checkReplicas(final int replicaCount, final long[] replicas)
    {
        if (replicaCount < 0 || replicaCount > maxReplicas || replicas.length < replicaCount)
        {
            failOnReplicas(replicaCount, replicas);
        }
    }

    private static void checkBounds(final ByteBuf key, final int index, final int length)
    {
        if (index < 0 || length < 0 || index > key.capacity() - length)
        {
            throw new IndexOutOfBoundsException(
                "index=" + index + " length=" + length + " capacity=" + key.capacity());
        }
        if (key.refCnt() == 0)
        {
            throw new IllegalReferenceCountException(0);
        }
    }

    private static byte[] compositeScratch(final ByteBuf key, final int index, final int length)
    {
        if (length > MAX_KEY_LENGTH)
        {
            failOnKeyLength(length);
        }

        // Rare slow path (composite buffers): a copy into a per-thread array keeps one key code path.
        final byte[] scratch = COMPOSITE_KEY_SCRATCH.get();
        key.getBytes(index, scratch, 0, length);
        return scratch;
    }

    private static void failOnKeyLength(final int length)
    {
        throw new IllegalArgumentException("key length must be 1.." + MAX_KEY_LENGTH + ": " + length);
    }

    private static void failOnNodeOrFlags(final int versionNode, final int flags)
    {
        throw new IllegalArgumentException("versionNode must be u16 and flags u8: " + versionNode + ", " + flags);
    }

    private void failOnReplicas(final int replicaCount, final long[] replicas)
    {
        throw new IllegalArgumentException("replicaCount must be 0.." + maxReplicas +
            " and <= replicas.length (" + replicas.length + "): " + replicaCount);
    }
}
