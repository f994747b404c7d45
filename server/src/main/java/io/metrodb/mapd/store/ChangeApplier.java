package io.metrodb.mapd.store;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridReplica;
import io.metrodb.mapd.grid.GridWrite;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.server.FrameView;
import io.netty.buffer.ByteBuf;

/**
 * Applies change bodies (journal entries, replicated changes, snapshot tails) held in Netty buffers to a
 * {@link KeyGrid}: the change is read through a reused {@link ChangeFlyweight}, its key viewed as a
 * {@code DirectBuffer}, and handed over in a reused {@link GridWrite}, so an apply allocates nothing. One per grid
 * writer; not thread-safe.
 */
public final class ChangeApplier
{
    private final KeyGrid grid;
    private final FrameView view = new FrameView();
    private final GridWrite write = new GridWrite();
    private final ChangeFlyweight changeView = new ChangeFlyweight();
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
        final ChangeFlyweight read = changeView.wrap(buf, change);
        final int replicaCount = Math.min(read.replicaCount(), grid.maxReplicas());
        for (int i = 0; i < replicaCount; i++)
        {
            replicas[i] = GridReplica.pack(read.replicaLogdId(i), read.replicaOffset(i));
        }
        write.key(view.wrap(buf), read.keyIndex(), read.keyLength())
            .version(read.version(), read.versionNode())
            .flags(read.flags())
            .value(read.valueLength(), read.checksum())
            .replicas(replicaCount, replicas);

        return read.isRepair() ? grid.applyRepair(write) : grid.apply(write);
    }
}
