package io.metrodb.mapd;

import io.metrodb.protocol.netty.PeerConnection;

/**
 * The append slots of one write ({@link WriteSession}), one per replica: which logd each slot's append went to,
 * which slots still need a logd, and the choice of the next logd. A write tries each logd at most once between two
 * waits for logds ({@link #nextLogd}); after a wait every logd may be tried again except the ones holding an append
 * of the write and the ones it excluded ({@link #exclude}: they failed a force of its record or answered
 * STORAGE_FULL), see {@link #restartChoice}.
 * <p>
 * Bounds: the tried list restarts after a wait with at most {@link MapdConfig#MAX_RF} slot logds and the excluded
 * list (at most 28: 35 of 256 entries), and every chosen logd is added only while there is room: a write short of
 * room tries no further logd, as when none is left.
 * <p>
 * Created once with its pooled session; data-path thread only.
 */
final class AppendSlots
{
    private final PeerConnection[] targets = new PeerConnection[MapdConfig.MAX_RF];
    /** Logds this write tried since its last wait for logds: not chosen again until then. */
    private final int[] tried = new int[256];
    /**
     * Logds this write will not try again: they failed a force of its record, or answered STORAGE_FULL (a full disk
     * does not clear in ms).
     */
    private final int[] excluded = new int[MapdConfig.MAX_RF * 4];
    /** Per append slot: its offset came ahead of the force; the slot's next answer is the forced one. */
    private final boolean[] offsetFirst = new boolean[MapdConfig.MAX_RF];
    /** Per append slot: the node id of the logd its append went to. */
    private final int[] slotLogd = new int[MapdConfig.MAX_RF];
    /** Per append slot: the index of its replica in the write's replica list. */
    private final int[] slotReplica = new int[MapdConfig.MAX_RF];

    private int triedCount;
    private int excludedCount;
    /** Append slots (bit per slot) with no append in flight and no offset in: they need a logd. */
    private int openSlots;
    /** Append slots (bit per slot) whose force failed and whose record waits for a logd to take it again. */
    private int reappendSlots;

    /**
     * A new write: {@code rf} open slots, no logd tried.
     */
    void reset(final int rf)
    {
        triedCount = 0;
        excludedCount = 0;
        reappendSlots = 0;
        openSlots = (1 << rf) - 1;
    }

    /**
     * Picks the logd for {@code slot}'s next append: a connected logd not tried since the last wait, which the slot
     * then names.
     *
     * @return its connection, or null when no such logd is left.
     */
    PeerConnection nextLogd(final LogdPool logds, final int slot)
    {
        final PeerConnection target;
        if (triedCount < tried.length && (target = logds.chooseForWrite(tried, triedCount)) != null)
        {
            tried[triedCount++] = target.hello().nodeId();
            slotLogd[slot] = target.hello().nodeId();
            targets[slot] = target;
            return target;
        }
        return null;
    }

    /**
     * After a wait for logds: every logd not holding an append of this write may be tried again (one that failed it
     * may have reconnected since), except the excluded ones.
     */
    void restartChoice(final int rf)
    {
        triedCount = 0;
        for (int slot = 0; slot < rf; slot++)
        {
            // A slot waiting to be appended again names the logd that last failed it: not tried again.
            if ((openSlots & (1 << slot)) == 0)
            {
                tried[triedCount++] = slotLogd[slot];
            }
        }
        for (int i = 0; i < excludedCount; i++)
        {
            tried[triedCount++] = excluded[i];
        }
    }

    /**
     * This write does not try {@code logdId} again, also after its waits for logds: it failed a force of the
     * write's record, or answered STORAGE_FULL. Past the list's room (28, far more logds than a write meets) the
     * logd is only out until the next wait.
     */
    void exclude(final int logdId)
    {
        if (excludedCount < excluded.length)
        {
            excluded[excludedCount++] = logdId;
        }
    }

    /**
     * @return the node id of the logd {@code slot}'s last append went to.
     */
    int logd(final int slot)
    {
        return slotLogd[slot];
    }

    /**
     * @return the connection {@code slot}'s last append went to.
     */
    PeerConnection target(final int slot)
    {
        return targets[slot];
    }

    boolean isOffsetFirst(final int slot)
    {
        return offsetFirst[slot];
    }

    void offsetFirst(final int slot, final boolean offsetFirst)
    {
        this.offsetFirst[slot] = offsetFirst;
    }

    /**
     * @return the index of {@code slot}'s replica in the write's replica list.
     */
    int replica(final int slot)
    {
        return slotReplica[slot];
    }

    void replica(final int slot, final int replica)
    {
        slotReplica[slot] = replica;
    }

    boolean isOpen(final int slot)
    {
        return (openSlots & (1 << slot)) != 0;
    }

    void open(final int slot)
    {
        openSlots |= 1 << slot;
    }

    void close(final int slot)
    {
        openSlots &= ~(1 << slot);
    }

    /**
     * @return a slot is open or waits to be appended again: the write needs a logd.
     */
    boolean needLogd()
    {
        return (openSlots | reappendSlots) != 0;
    }

    boolean hasReappends()
    {
        return reappendSlots != 0;
    }

    boolean awaitsReappend(final int slot)
    {
        return (reappendSlots & (1 << slot)) != 0;
    }

    void awaitReappend(final int slot)
    {
        reappendSlots |= 1 << slot;
    }

    void reappendSent(final int slot)
    {
        reappendSlots &= ~(1 << slot);
    }

    /**
     * Gives up one slot waiting to be appended again (the lowest).
     *
     * @return false when none waited.
     */
    boolean dropReappend()
    {
        if (reappendSlots == 0)
        {
            return false;
        }
        reappendSlots &= reappendSlots - 1;
        return true;
    }

    /**
     * Nulls the connections, so a pooled write keeps none alive.
     */
    void clearTargets()
    {
        RequestSession.clear(targets);
    }
}
