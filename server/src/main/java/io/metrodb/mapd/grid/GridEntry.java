package io.metrodb.mapd.grid;

/**
 * Reusable, mutable holder for one consistent read of a grid entry; one per reading thread, never shared.
 */
public final class GridEntry
{
    /** Flag bit: the key was deleted; the entry stays so that last-writer-wins can reject older writes. */
    public static final int TOMBSTONE = 1;

    /**
     * Flag bit: a repair replaced the replica list of this version (the change flag {@code Change.REPAIR}, same
     * bit); cleared by the next write of the key.
     */
    public static final int REPAIRED = 2;

    /** Most replica locations one entry can hold, bounded by the u8 count and a sane entry size. */
    public static final int MAX_REPLICAS = 7;

    long entryIndex = -1;
    long version;
    int versionNode;
    int flags;
    int valueLength;
    int checksum;
    int replicaCount;
    final long[] replicas = new long[MAX_REPLICAS];

    /**
     * Position of the entry in the grid's entry array, stable for the grid's lifetime.
     *
     * @return the entry index, -1 if nothing was read yet.
     */
    public long entryIndex()
    {
        return entryIndex;
    }

    /**
     * Hybrid logical clock of the write (u64, compared unsigned).
     *
     * @return the version.
     */
    public long version()
    {
        return version;
    }

    /**
     * Node id of the writer, the tie-break between equal versions.
     *
     * @return the version node, 0..65535.
     */
    public int versionNode()
    {
        return versionNode;
    }

    /**
     * Flag bits, see {@link #TOMBSTONE}.
     *
     * @return the flags, 0..255.
     */
    public int flags()
    {
        return flags;
    }

    /**
     * Whether the key is deleted.
     *
     * @return true for a tombstone.
     */
    public boolean isTombstone()
    {
        return (flags & TOMBSTONE) != 0;
    }

    /**
     * Value length in bytes (u32: use {@link Integer#toUnsignedLong(int)} beyond 2 GiB).
     *
     * @return the value length.
     */
    public int valueLength()
    {
        return valueLength;
    }

    /**
     * CRC32C of the value.
     *
     * @return the checksum.
     */
    public int checksum()
    {
        return checksum;
    }

    /**
     * Number of replica locations held.
     *
     * @return the replica count.
     */
    public int replicaCount()
    {
        return replicaCount;
    }

    /**
     * A packed replica location, see {@link GridReplica}.
     *
     * @param i replica number, 0..replicaCount-1.
     * @return the packed location.
     */
    public long replica(final int i)
    {
        return replicas[i];
    }

    /**
     * The logd holding replica {@code i}.
     *
     * @param i replica number, 0..replicaCount-1.
     * @return the logd id.
     */
    public int logdId(final int i)
    {
        return GridReplica.logdId(replicas[i]);
    }

    /**
     * The offset of replica {@code i} in its logd.
     *
     * @param i replica number, 0..replicaCount-1.
     * @return the offset.
     */
    public long offset(final int i)
    {
        return GridReplica.offset(replicas[i]);
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder(128)
            .append("GridEntry{entryIndex=").append(entryIndex)
            .append(", version=").append(Long.toUnsignedString(version))
            .append(", versionNode=").append(versionNode)
            .append(", flags=").append(flags)
            .append(", valueLength=").append(Integer.toUnsignedString(valueLength))
            .append(", checksum=").append(Integer.toHexString(checksum))
            .append(", replicas=[");
        for (int i = 0; i < replicaCount; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(logdId(i)).append('@').append(offset(i));
        }

        return sb.append("]}").toString();
    }
}
