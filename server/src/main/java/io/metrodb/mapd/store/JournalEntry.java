package io.metrodb.mapd.store;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.mapd.Change;
import io.netty.buffer.ByteBuf;

/**
 * One journal entry: the payload of a REPLICATE request (sequence u64, origin node u16, rsvd u16, change body),
 * so a journal entry and a replicated change are the same bytes.
 */
public final class JournalEntry
{
    public static final int SEQUENCE_OFFSET = 0;
    public static final int ORIGIN_OFFSET = 8;
    public static final int CHANGE_OFFSET = 12;

    private JournalEntry()
    {
    }

    /**
     * Encodes an entry at the writer index.
     */
    public static void write(
        final ByteBuf out,
        final long sequence,
        final int originNode,
        final ByteBuf key,
        final int keyIndex,
        final int keyLength,
        final long version,
        final int versionNode,
        final int flags,
        final int valueLength,
        final int checksum,
        final int replicaCount,
        final short[] logdIds,
        final long[] offsets)
    {
        out.writeLong(sequence);
        out.writeShort(originNode);
        out.writeShort(0);
        Change.write(out, version, versionNode, flags, valueLength, checksum, key, keyIndex, keyLength,
            replicaCount, logdIds, offsets);
    }

    /**
     * Applies the change of the entry at {@code at} to the grid (last writer wins).
     *
     * @param replicas scratch of at least {@link GridEntry#MAX_REPLICAS} entries.
     * @return {@link KeyGrid#APPLIED} or {@link KeyGrid#STALE}.
     */
    public static int applyTo(final KeyGrid grid, final ByteBuf buf, final int at, final long[] replicas)
    {
        return applyChange(grid, buf, at + CHANGE_OFFSET, replicas);
    }

    /**
     * Applies a change body at {@code change} to the grid: last writer wins, and a change flagged
     * {@link Change#REPAIR} also replaces the replica list of an entry holding exactly its version.
     */
    public static int applyChange(final KeyGrid grid, final ByteBuf buf, final int change, final long[] replicas)
    {
        final int replicaCount = Math.min(Change.replicaCount(buf, change), grid.maxReplicas());
        for (int i = 0; i < replicaCount; i++)
        {
            replicas[i] = GridReplica.pack(Change.replicaLogdId(buf, change, i), Change.replicaOffset(buf, change, i));
        }
        if (Change.isRepair(buf, change))
        {
            return grid.applyRepair(buf, Change.keyIndex(change), Change.keyLength(buf, change),
                Change.version(buf, change), Change.versionNode(buf, change), Change.flags(buf, change),
                Change.valueLength(buf, change), Change.checksum(buf, change), replicaCount, replicas);
        }
        return grid.apply(buf, Change.keyIndex(change), Change.keyLength(buf, change), Change.version(buf, change),
            Change.versionNode(buf, change), Change.flags(buf, change), Change.valueLength(buf, change),
            Change.checksum(buf, change), replicaCount, replicas);
    }

    public static long sequence(final ByteBuf buf, final int at)
    {
        return buf.getLong(at + SEQUENCE_OFFSET);
    }

    public static int originNode(final ByteBuf buf, final int at)
    {
        return buf.getUnsignedShort(at + ORIGIN_OFFSET);
    }
}
