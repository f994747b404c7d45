package io.metrodb.mapd.grid;

import org.agrona.DirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The key grid's single writer side: last-writer-wins installs, repairs and replica updates into the
 * {@link EntryArena}, {@link KeyArena} and {@link GridIndex}, the entry and live-key counts published to readers,
 * and the optional single-writer check. {@link KeyGrid} is its public face.
 */
final class GridWriter
{
    private static final VarHandle SIZE;
    private static final VarHandle LIVE_KEYS;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIZE = lookup.findVarHandle(GridWriter.class, "size", long.class);
            LIVE_KEYS = lookup.findVarHandle(GridWriter.class, "liveKeys", long.class);
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
    private final GridIndex index;

    /** Writer-owned; published to readers with release stores, read by them with acquire loads. */
    @SuppressWarnings("unused")
    private long size;
    @SuppressWarnings("unused")
    private long liveKeys;

    private Thread writerThread;
    private boolean closed;

    GridWriter(
        final int maxReplicas,
        final boolean checkSingleWriter,
        final EntryArena entries,
        final KeyArena keys,
        final GridIndex index)
    {
        this.maxReplicas = maxReplicas;
        this.checkSingleWriter = checkSingleWriter;
        this.entries = entries;
        this.keys = keys;
        this.index = index;
    }

    /**
     * Any thread: entries, tombstones included.
     */
    long sizeAcquire()
    {
        return (long)SIZE.getAcquire(this);
    }

    /**
     * Any thread: entries that are not tombstones.
     */
    long liveKeysAcquire()
    {
        return (long)LIVE_KEYS.getAcquire(this);
    }

    /**
     * Writer: entries, tombstones included.
     */
    long size()
    {
        return size;
    }

    void claimWriter()
    {
        writerThread = Thread.currentThread();
    }

    int replaceReplicas(
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
            return KeyGrid.NOT_FOUND;
        }

        final long address = entries.address(entryIndex);
        if (EntryArena.versionPlain(address) != expectedVersion || EntryArena.versionNodePlain(address) != expectedNode)
        {
            return KeyGrid.STALE;
        }

        entries.updateReplicasOrdered(address, replicaCount, replicas);
        return KeyGrid.APPLIED;
    }

    /**
     * Frees the arenas; true if this call closed the grid, false if it was closed already.
     */
    boolean close()
    {
        if (closed)
        {
            return false;
        }

        checkWriter();
        closed = true;
        index.clear();
        SIZE.setRelease(this, 0L);
        LIVE_KEYS.setRelease(this, 0L);
        entries.close();
        keys.close();
        return true;
    }

    void publishRestored(final long entryCount, final long restoredLiveKeys)
    {
        checkWriter();
        if (size != 0)
        {
            throw new IllegalStateException("the grid was written during its restore");
        }

        index.restore(entryCount);
        LIVE_KEYS.setRelease(this, restoredLiveKeys);
        SIZE.setRelease(this, entryCount);
    }

    int apply(final boolean repair, final GridWrite write)
    {
        checkWriter();
        final DirectBuffer key = write.keyBuffer();
        final int length = write.keyLength();
        final int versionNode = write.versionNode();
        final int flags = write.flags();
        final int replicaCount = write.replicaCount();
        final long[] replicas = write.replicas();
        if (length < 1 || length > KeyGrid.MAX_KEY_LENGTH)
        {
            failOnKeyLength(length);
        }
        if ((versionNode & ~0xFFFF) != 0 || (flags & ~0xFF) != 0)
        {
            failOnNodeOrFlags(versionNode, flags);
        }
        checkReplicas(replicaCount, replicas);
        key.boundsCheck(write.keyIndex(), length);

        final Object base = key.byteArray();
        final long address = key.addressOffset() + write.keyIndex();
        final long hash = KeyBytes.hash(base, address, length);
        final long[] slots = index.slots();
        final long probe = index.probe(slots, hash, base, address, length);
        final long version = write.version();
        if (probe >= 0)
        {
            final long entryAddress = entries.address(probe);
            final long storedVersion = EntryArena.versionPlain(entryAddress);
            final int storedNode = EntryArena.versionNodePlain(entryAddress);
            if (repair && storedVersion == version && storedNode == versionNode)
            {
                return replaceRepaired(entryAddress, flags, write.checksum(), replicaCount, replicas);
            }
            if (!isNewer(version, versionNode, storedVersion, storedNode))
            {
                return KeyGrid.STALE;
            }

            final boolean wasTombstone = (EntryArena.flagsPlain(entryAddress) & GridEntry.TOMBSTONE) != 0;
            final boolean isTombstone = (flags & GridEntry.TOMBSTONE) != 0;
            entries.updateOrdered(entryAddress, version, versionNode, flags, write.valueLength(), write.checksum(),
                replicaCount, replicas);
            if (wasTombstone != isTombstone)
            {
                LIVE_KEYS.setRelease(this, liveKeys + (isTombstone ? -1 : 1));
            }

            return KeyGrid.APPLIED;
        }

        final long entryIndex = size;
        final int slotIndex = index.slotForInsert(slots, (int)(-1L - probe), hash, entryIndex + 1);
        final long keyRef = keys.append(base, address, length);
        final long entryAddress = entries.claim(entryIndex);
        entries.writeNew(entryAddress, keyRef, version, versionNode, flags, write.valueLength(), write.checksum(),
            replicaCount, replicas);

        // Publishes the key and entry written above to any reader that acquires the slot.
        index.publish(slotIndex, hash, entryIndex);
        SIZE.setRelease(this, entryIndex + 1);
        if ((flags & GridEntry.TOMBSTONE) == 0)
        {
            LIVE_KEYS.setRelease(this, liveKeys + 1);
        }

        return KeyGrid.APPLIED;
    }

    private int replaceRepaired(
        final long entryAddress, final int flags, final int checksum, final int replicaCount, final long[] replicas)
    {
        final int storedFlags = EntryArena.flagsPlain(entryAddress);
        if (EntryArena.checksumPlain(entryAddress) != checksum ||
            ((storedFlags ^ flags) & GridEntry.TOMBSTONE) != 0)
        {
            return KeyGrid.STALE;
        }

        entries.updateOrdered(entryAddress, EntryArena.versionPlain(entryAddress),
            EntryArena.versionNodePlain(entryAddress), flags, EntryArena.valueLengthPlain(entryAddress), checksum,
            replicaCount, replicas);
        return KeyGrid.APPLIED;
    }

    private static boolean isNewer(
        final long version, final int versionNode, final long storedVersion, final int storedNode)
    {
        final int compare = Long.compareUnsigned(version, storedVersion);
        return compare > 0 || (compare == 0 && versionNode > storedNode);
    }

    void checkWriter()
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

    private static void failOnKeyLength(final int length)
    {
        throw new IllegalArgumentException("key length must be 1.." + KeyGrid.MAX_KEY_LENGTH + ": " + length);
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
