package io.metrodb.mapd;

/**
 * A write's wait for logds: a {@link WriteSession} short of connected logds (fewer than RF at the start, none left for
 * a retry, or none to take a failed force's record) is held by the pool ({@link LogdPool#awaitLogds}) until a logd
 * (re)connects or the next tick, then tries again, until its deadline ({@code --logd-wait-ms} from the write's start,
 * or from a failed force) is over.
 * <p>
 * Created once with its pooled session; data-path thread only.
 */
final class LogdWait
{
    private final LogdPool.LogdWaiter waiter;
    private final MapdNode node;

    /** Held by the logd pool until a logd connects or the next tick. */
    private boolean waiting;
    private boolean waited;
    private long deadlineNs;

    LogdWait(final LogdPool.LogdWaiter waiter, final MapdNode node)
    {
        this.waiter = waiter;
        this.node = node;
    }

    /**
     * A new write, started at {@code startNs}: not waiting, its wait ends {@code --logd-wait-ms} later.
     */
    void reset(final long startNs)
    {
        waiting = false;
        waited = false;
        deadlineNs = startNs + node.logds().writeWaitNs();
    }

    /**
     * Hands the write to the pool unless it waits already, its wait is over or the pool cannot hold it.
     */
    void await()
    {
        if (!waiting && System.nanoTime() - deadlineNs < 0 && node.logds().awaitLogds(waiter))
        {
            waiting = true;
            if (!waited)
            {
                waited = true;
                node.counters().writesWaitedForLogds.incrementRelease();
            }
        }
    }

    /**
     * The pool handed the write back.
     */
    void over()
    {
        waiting = false;
    }

    /**
     * Moves the end of the wait to {@code deadlineNs} unless it is later already.
     */
    void extendTo(final long deadlineNs)
    {
        if (deadlineNs - this.deadlineNs > 0)
        {
            this.deadlineNs = deadlineNs;
        }
    }

    /**
     * @return the pool holds the write now.
     */
    boolean isWaiting()
    {
        return waiting;
    }

    /**
     * @return the write waited for logds at least once.
     */
    boolean hasWaited()
    {
        return waited;
    }
}
