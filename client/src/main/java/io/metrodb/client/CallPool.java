package io.metrodb.client;

/**
 * Idle {@link MetroCall}s for the callback path, so that a steady stream of calls allocates none: a bounded stack
 * guarded by its monitor, held for a few instructions. Taken by callers' threads, given back by the I/O threads
 * once a call's handler returned; a call that failed is not given back (it may still be referenced elsewhere).
 */
final class CallPool
{
    /** Bound on idle calls kept, whatever the in-flight bound. */
    static final int MAX_CAPACITY = 4096;

    private final ClientCore core;
    private final MetroCall[] idle;
    private int size;

    CallPool(final ClientCore core, final int capacity)
    {
        this.core = core;
        this.idle = new MetroCall[capacity];
    }

    /**
     * @return an idle call, or a new one when none is idle.
     */
    MetroCall take()
    {
        synchronized (this)
        {
            if (size > 0)
            {
                final MetroCall call = idle[--size];
                idle[size] = null;
                return call;
            }
        }
        return new MetroCall(core, null);
    }

    /**
     * @param call a completed call no one else references; dropped when the pool is full.
     */
    void give(final MetroCall call)
    {
        call.clear();
        synchronized (this)
        {
            if (size < idle.length)
            {
                idle[size++] = call;
            }
        }
    }

    int idle()
    {
        synchronized (this)
        {
            return size;
        }
    }
}
