package io.metrodb.mapd;

import io.metrodb.protocol.StatusCodes;

/**
 * What a durable {@link WriteSession} still waits for before it answers, and before it may go back to its pool: the
 * logds' forced answers (of appends whose offset came first), the journal's force of its entry (and of the entry of
 * a new replica list, see {@link ForceReappend}), and the live peers' acknowledgements of its change. Counts only;
 * the session decides what to answer.
 * <p>
 * Created once with its pooled session; data-path thread only.
 */
final class DurableAcks
{
    /** Appends whose offset is in and whose forced answer is not. */
    private int forcesPending;
    /** The first failed forced answer no other logd made up for; OK when none. */
    private short forceFailure;
    private boolean journalDone;
    /** The journal's answer, a {@code LogResult} code. */
    private int journalStatus;
    /** The journal entry of the new replica list is being forced. */
    private boolean installing;
    private int pendingPeers;
    private int peersAcked;
    private int peersLive;

    /**
     * A new write: nothing to wait for yet.
     */
    void reset()
    {
        journalDone = false;
        pendingPeers = 0;
        peersAcked = 0;
        peersLive = 0;
        forcesPending = 0;
        forceFailure = StatusCodes.OK;
        installing = false;
    }

    /**
     * An append's offset came ahead of its force: its forced answer is still to come.
     */
    void awaitForce()
    {
        forcesPending++;
    }

    /**
     * A forced answer is in for good: OK, or a failure no other logd made up for.
     *
     * @return it was the last forced answer pending.
     */
    boolean forceSettled(final short status)
    {
        final boolean last = --forcesPending == 0;
        if (status != StatusCodes.OK && forceFailure == StatusCodes.OK)
        {
            forceFailure = status;
        }
        return last;
    }

    /**
     * The journal entry is forced, or failed to be.
     *
     * @param status a {@code LogResult} code.
     * @return the entry was a new replica list's ({@link #installStarted}), not the write's own.
     */
    boolean journalForced(final int status)
    {
        journalStatus = status;
        final boolean install = installing;
        installing = false;
        journalDone = true;
        return install;
    }

    /**
     * The entry of a new replica list is journaled: the write waits for its force again.
     */
    void installStarted()
    {
        installing = true;
        journalDone = false;
    }

    /**
     * The change was sent to {@code peers} live peers.
     */
    void awaitPeers(final int peers)
    {
        peersLive = peers;
        pendingPeers = peers;
    }

    /**
     * A peer acknowledged the change, or did not (failed, timed out).
     *
     * @return it was the last peer pending.
     */
    boolean peerAnswered(final boolean acknowledged)
    {
        final boolean last = --pendingPeers == 0;
        peersAcked += acknowledged ? 1 : 0;
        return last;
    }

    /**
     * @return every forced answer, the journal's force and every peer are in: the write can answer.
     */
    boolean allIn()
    {
        return journalDone && pendingPeers == 0 && forcesPending == 0 && !installing;
    }

    /**
     * @param committed the change was installed (then the journal's force and the peers' answers are awaited too).
     * @return no answer can still arrive.
     */
    boolean settled(final boolean committed)
    {
        return forcesPending == 0 && (!committed || (journalDone && pendingPeers == 0));
    }

    int journalStatus()
    {
        return journalStatus;
    }

    short forceFailure()
    {
        return forceFailure;
    }

    int peersAcked()
    {
        return peersAcked;
    }

    int peersLive()
    {
        return peersLive;
    }
}
