package io.metrodb.mapd;

import io.metrodb.log.DurableListener;

/**
 * A {@link RequestSession} whose change goes through the journal and that answers once the journal entry is
 * forced: the journal's sync thread reports the force ({@link #onDurable}) and the session goes on with it on its
 * own data-path thread ({@link #onJournalForced}).
 */
abstract class JournaledSession extends RequestSession implements DurableListener, Runnable
{
    private volatile int journalStatus;

    JournaledSession(final MapdNode node)
    {
        super(node);
    }

    /**
     * Journal entry forced (on the journal's sync thread): go on from the data-path thread.
     */
    @Override
    public final void onDurable(final long unused, final Object context, final long offset, final int status)
    {
        journalStatus = status;
        ctx.executor().execute(this);
    }

    /**
     * Back on the data-path thread after the force of the journal entry.
     */
    @Override
    public final void run()
    {
        onJournalForced(journalStatus);
    }

    /**
     * The journal entry is forced, or failed to be: {@code status} is a {@link io.metrodb.log.LogResult} code.
     * Data-path thread.
     */
    abstract void onJournalForced(int status);
}
