package io.metrodb.mapd;

import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.PeerConnection;

/**
 * The re-append after a failed force, for one durable {@link WriteSession}. A logd that fails its force (an error
 * answer, or its connection lost: killed after it answered the offset) does not fail the write while another logd
 * can take the record: the record is appended again, durably, to a connected logd not holding it (waiting for one,
 * as the write does, up to {@code --logd-wait-ms} from the failure), and once that logd forced it the key gets the
 * new replica list the way a REPAIR installs one ({@link MapdNode#installReplicas}: grid, forced journal entry,
 * peers; only over this write's version, so a later write is never undone). Only when no logd took it does the
 * write fail (STORAGE_ERROR): the client never hears OK for a record that is not on disk on RF logds.
 * <p>
 * Created once with its pooled session; data-path thread only.
 */
final class ForceReappend
{
    /** Tokens of the appends made again after a failed force: this plus the append slot. */
    static final long TOKEN_BASE = 100;

    private final WriteSession session;
    private final AppendSlots slots;
    private final LogdWait logdWait;
    private final MapdNode node;

    /** The first logd that failed its force (0: none), and its answer. */
    private int failedLogd;
    private short failedStatus;
    /** The frame being written is an append made again after a failed force (plain durable, one answer). */
    private boolean sending;
    /** A replica was replaced after the change was installed: the new list is still to be installed. */
    private boolean replaced;

    ForceReappend(final WriteSession session, final AppendSlots slots, final LogdWait logdWait, final MapdNode node)
    {
        this.session = session;
        this.slots = slots;
        this.logdWait = logdWait;
        this.node = node;
    }

    /**
     * A new write: no force failed.
     */
    void reset()
    {
        failedLogd = 0;
        failedStatus = StatusCodes.OK;
        replaced = false;
    }

    /**
     * @return the node id of the first logd that failed its force, 0 when none did.
     */
    int failedLogd()
    {
        return failedLogd;
    }

    /**
     * @return the APPEND being written is a re-append (plain durable), not the write's first append.
     */
    boolean isSending()
    {
        return sending;
    }

    /**
     * @return a replica was replaced after the change was installed; false from then on (the caller installs it).
     */
    boolean takeReplaced()
    {
        final boolean was = replaced;
        replaced = false;
        return was;
    }

    /**
     * The logd of {@code slot} took the record but did not force it: append it again elsewhere unless the write is
     * answered already (then the failure only settles).
     */
    void onForceFailed(final int slot, final short status)
    {
        if (failedLogd == 0)
        {
            failedLogd = slots.logd(slot);
            failedStatus = status;
        }
        // Not given the record again by this write, whichever of its forces it failed.
        slots.exclude(slots.logd(slot));
        if (session.isAnswered())
        {
            session.forceSettled(status);
            return;
        }
        // The wait for a logd to take the record again starts now.
        logdWait.extendTo(System.nanoTime() + node.logds().writeWaitNs());
        reappendOrWait(slot);
    }

    /**
     * After a wait for logds: sends the records of the slots waiting to be appended again.
     */
    void fillSlots()
    {
        for (int slot = 0; slot < node.rf(); slot++)
        {
            if (slots.awaitsReappend(slot) && send(slot))
            {
                slots.reappendSent(slot);
            }
        }
    }

    /**
     * No logd took the records of the failed forces within the wait: those forces fail the write.
     */
    void giveUp()
    {
        while (slots.dropReappend())
        {
            session.forceSettled(failedStatus);
        }
    }

    /**
     * The answer to an append made again after a failed force: forced at its offset, or not (then another logd is
     * tried, or the write waits for one).
     */
    void onAnswer(final int slot, final boolean forced, final short status, final long offset)
    {
        if (forced)
        {
            session.record().replaceReplica(slots.replica(slot), slots.logd(slot), offset);
            node.counters().forceReappends.incrementRelease();
            // Not committed yet: the commit takes the new list as it is.
            replaced |= session.isCommitted();
            session.forceSettled(StatusCodes.OK);
        }
        else if (session.isAnswered())
        {
            session.forceSettled(failedStatus);
        }
        else
        {
            if (status == StatusCodes.STORAGE_FULL)
            {
                slots.exclude(slots.logd(slot));
            }
            reappendOrWait(slot);
        }
    }

    /**
     * Sends the record of {@code slot} again to another logd, or holds the slot until the write's wait for logds
     * ends, or (no wait left) settles it as failed.
     */
    private void reappendOrWait(final int slot)
    {
        if (logdWait.isWaiting())
        {
            slots.awaitReappend(slot);
            return;
        }
        if (send(slot))
        {
            return;
        }
        slots.awaitReappend(slot);
        session.awaitLogdsIfShort();
        if (!logdWait.isWaiting())
        {
            giveUp();
        }
    }

    /**
     * Appends the record of {@code slot}, whose logd failed to force it, durably to a connected logd that holds
     * no replica of this write and was not tried since the last wait.
     */
    private boolean send(final int slot)
    {
        final LogdPool logds = node.logds();
        PeerConnection target;
        while ((target = slots.nextLogd(logds, slot)) != null)
        {
            sending = true;
            // A plain durable append: its one answer comes after the force, so it has the request timeout (a slow
            // force must not move the record again), not the append timeout.
            final long sent = target.send(session, session, TOKEN_BASE + slot, session.record().appendLength());
            sending = false;
            if (sent >= 0)
            {
                return true;
            }
        }
        return false;
    }
}
