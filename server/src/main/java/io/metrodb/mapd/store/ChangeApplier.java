package io.metrodb.mapd.store;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.GridWrite;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;

/**
 * Applies change bodies (journal entries, replicated changes, snapshot tails) held in Netty buffers to a
 * {@link KeyGrid}: the buffer is viewed once as a {@code DirectBuffer}, and the change is handed over in a reused
 * {@link GridWrite}, so an apply allocates nothing. One per grid writer; not thread-safe.
 */
public final class ChangeApplier
{
    private final KeyGrid grid;
    private final FrameView view = new FrameView();
    private final GridWrite write = new GridWrite();
    private final long[] replicas = new long[GridEntry.MAX_REPLICAS];

    /**
     * @param grid the grid to apply to, from its writer thread.
     */
    public ChangeApplier(final KeyGrid grid)
    {
        this.grid = grid;
    }

    /**
     * Applies the change of the journal entry at {@code at} (last writer wins).
     *
     * @return {@link KeyGrid#APPLIED} or {@link KeyGrid#STALE}.
     */
    public int applyEntry(final ByteBuf buf, final int at)
    {
        return applyChange(buf, at + JournalEntry.CHANGE_OFFSET);
    }

    /**
     * Applies a change body at {@code change}: last writer wins, and a change flagged {@link Change#REPAIR} also
     * replaces the replica list of an entry holding exactly its version.
     *
     * @return {@link KeyGrid#APPLIED} or {@link KeyGrid#STALE}.
     */
    public int applyChange(final ByteBuf buf, final int change)
    {
        final int replicaCount = Math.min(Change.replicaCount(buf, change), grid.maxReplicas());
        for (int i = 0; i < replicaCount; i++)
        {
            replicas[i] = GridReplica.pack(Change.replicaLogdId(buf, change, i), Change.replicaOffset(buf, change, i));
        }
        write.key(view.wrap(buf), Change.keyIndex(change), Change.keyLength(buf, change))
            .version(Change.version(buf, change), Change.versionNode(buf, change))
            .flags(Change.flags(buf, change))
            .value(Change.valueLength(buf, change), Change.checksum(buf, change))
            .replicas(replicaCount, replicas);

        return Change.isRepair(buf, change) ? grid.applyRepair(write) : grid.apply(write);
    }
}
