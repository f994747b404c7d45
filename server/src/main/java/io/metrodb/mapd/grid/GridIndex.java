package io.metrodb.mapd.grid;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The key grid's index: an on-heap {@code long[]} of power-of-two capacity with linear probing, mapping a key to
 * its entry index. A slot holds {@code (hash >>> 32) << 32 | (entryIndex + 1)}, 0 meaning empty; the home slot is
 * the low bits of that 32-bit tag, so a resize rehashes from the slots alone without touching keys. Slots are
 * published with release stores and read with acquire loads. At more than 70% load the writer builds an array
 * twice the size and publishes it with one volatile store; entries do not move, so a reader still probing the old
 * array sees a complete table. Only the grid's single writer calls the mutators; {@link #find} and {@link #probe}
 * may run on any thread.
 */
final class GridIndex
{
    static final int MIN_CAPACITY = 2;
    static final int MAX_CAPACITY = 1 << 30;

    private static final long TAG_MASK = 0xFFFF_FFFF_0000_0000L;
    private static final long ENTRY_MASK = 0xFFFF_FFFFL;
    private static final int TAG_SHIFT = 32;
    /** Restore: slots placed per batch (two scratch arrays of that many longs), and home-slot partitions. */
    private static final int RESTORE_BATCH = 1 << 20;
    private static final int RESTORE_MIN_BATCH = 1 << 10;
    private static final int RESTORE_PARTITION_BITS = 16;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    private final EntryArena entries;
    private final KeyArena keys;

    private volatile long[] slots;
    private long resizeThreshold;

    GridIndex(final EntryArena entries, final KeyArena keys, final int initialCapacity)
    {
        this.entries = entries;
        this.keys = keys;
        final int capacity = Math.max(MIN_CAPACITY, 1 << (32 - Integer.numberOfLeadingZeros(initialCapacity - 1)));
        this.slots = new long[capacity];
        this.resizeThreshold = threshold(capacity);
    }

    /**
     * The current slot array; a writer probes it and hands it back to {@link #slotForInsert}.
     */
    long[] slots()
    {
        return slots;
    }

    int capacity()
    {
        return slots.length;
    }

    /**
     * Any thread: the entry index of a key, or -1 when absent (or the length cannot be a key's).
     */
    long find(final Object base, final long address, final int length)
    {
        if (length < 1 || length > KeyArena.MAX_KEY_LENGTH)
        {
            return -1;
        }

        final long probe = probe(slots, KeyBytes.hash(base, address, length), base, address, length);
        return probe >= 0 ? probe : -1;
    }

    /**
     * Finds a key in a slot array.
     *
     * @return the entry index if present, otherwise -1 - (the empty slot where the probe stopped).
     */
    long probe(final long[] probed, final long hash, final Object base, final long address, final int length)
    {
        final int mask = probed.length - 1;
        final long tag = hash & TAG_MASK;
        int slotIndex = (int)(hash >>> TAG_SHIFT) & mask;
        while (true)
        {
            final long slot = (long)SLOTS.getAcquire(probed, slotIndex);
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

    /**
     * Writer, before writing a new entry: grows the index if {@code newSize} entries exceed the load limit.
     *
     * @param probed         the array the key's probe ran on.
     * @param emptySlotIndex where that probe stopped.
     * @return the slot to {@link #publish} the entry in, in the current array.
     */
    int slotForInsert(final long[] probed, final int emptySlotIndex, final long hash, final long newSize)
    {
        if (newSize > resizeThreshold)
        {
            resize((long)probed.length << 1);
            return emptySlotIndex(slots, hash);
        }

        return emptySlotIndex;
    }

    /**
     * Writer: publishes the key and entry written before to any reader that acquires this slot.
     */
    void publish(final int slotIndex, final long hash, final long entryIndex)
    {
        SLOTS.setRelease(slots, slotIndex, (hash & TAG_MASK) | (entryIndex + 1));
    }

    /**
     * Writer: grows the index once so that this many keys fit without a resize.
     */
    void ensureCapacity(final long expectedKeys)
    {
        final long capacity = capacityFor(slots.length, expectedKeys);
        if (capacity != slots.length)
        {
            resize(capacity);
        }
    }

    /**
     * Writer: drops every slot (the grid is closing).
     */
    void clear()
    {
        slots = new long[MIN_CAPACITY];
        resizeThreshold = threshold(MIN_CAPACITY);
    }

    /**
     * Writer, end of a restore: indexes entries [0, entryCount), which are in the arenas with their key references,
     * growing once if needed, and publishes the array with one volatile store. A key found twice throws before
     * anything is published.
     */
    void restore(final long entryCount)
    {
        final long capacity = capacityFor(slots.length, entryCount);
        // An empty grid's index is all zeros: reuse it when it is large enough (it usually is: --expected-keys).
        final long[] restored = capacity == slots.length ? slots : new long[(int)capacity];
        final int mask = restored.length - 1;
        final int capacityBits = Integer.numberOfTrailingZeros(restored.length);
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
                placeRestored(restored, mask, ordered[i]);
            }
        }

        // The volatile store publishes the plain stores into the array and every entry and key restored before.
        slots = restored;
        resizeThreshold = threshold(capacity);
    }

    static long threshold(final long capacity)
    {
        return capacity * 7 / 10;
    }

    private static long capacityFor(final long currentCapacity, final long expectedKeys)
    {
        long capacity = currentCapacity;
        while (threshold(capacity) < expectedKeys)
        {
            capacity <<= 1;
        }

        return capacity;
    }

    private void placeRestored(final long[] restored, final int mask, final long newSlot)
    {
        final long tag = newSlot & TAG_MASK;
        int slotIndex = homeSlot(newSlot, mask);
        long slot;
        while (0 != (slot = restored[slotIndex]))
        {
            if ((slot & TAG_MASK) == tag)
            {
                final long keyRef = EntryArena.keyRef(entries.address((newSlot & ENTRY_MASK) - 1));
                if (keys.keyEquals(EntryArena.keyRef(entries.address((slot & ENTRY_MASK) - 1)),
                    null, keys.keyAddress(keyRef), KeyArena.keyLength(keyRef)))
                {
                    Arrays.fill(restored, 0L);
                    throw new IllegalArgumentException("entries " + ((slot & ENTRY_MASK) - 1) + " and " +
                        ((newSlot & ENTRY_MASK) - 1) + " hold the same key");
                }
            }
            slotIndex = (slotIndex + 1) & mask;
        }
        restored[slotIndex] = newSlot;
    }

    private static int homeSlot(final long slot, final int mask)
    {
        return (int)(slot >>> TAG_SHIFT) & mask;
    }

    private void resize(final long newCapacity)
    {
        if (newCapacity > MAX_CAPACITY)
        {
            throw new IllegalStateException("key grid full: index capacity would exceed " + MAX_CAPACITY);
        }

        final long[] oldSlots = slots;
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
        slots = newSlots;
        resizeThreshold = threshold(newCapacity);
    }

    private static int emptySlotIndex(final long[] probed, final long hash)
    {
        final int mask = probed.length - 1;
        int slotIndex = (int)(hash >>> TAG_SHIFT) & mask;
        while (0 != probed[slotIndex])
        {
            slotIndex = (slotIndex + 1) & mask;
        }

        return slotIndex;
    }
}
