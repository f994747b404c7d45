package io.metrodb.server;

/**
 * Bounds an event line that many keys could produce at once (a corrupt replica found, a repair done): at most
 * {@code maxPerWindow} lines per window; past that the lines are counted, and the next window's first line is
 * preceded by one saying how many were left out. One instance per kind of line, used on one thread.
 */
public final class EventRate
{
    private final String what;
    private final int maxPerWindow;
    private final long windowNs;
    private long windowStartNs;
    private int inWindow;
    private long suppressed;

    /**
     * @param what         the lines' subject for the summary line, e.g. "mapd 11: corrupt replica lines".
     * @param maxPerWindow lines allowed per window.
     * @param windowMs     the window.
     */
    public EventRate(final String what, final int maxPerWindow, final long windowMs)
    {
        this.what = what;
        this.maxPerWindow = maxPerWindow;
        this.windowNs = windowMs * 1_000_000L;
        this.windowStartNs = System.nanoTime() - windowNs;
    }

    /**
     * @return true when this event's line may be logged now (false: counted, said later).
     */
    public boolean allow()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - windowStartNs >= windowNs)
        {
            if (suppressed > 0)
            {
                EventLog.warn(what + ": " + suppressed + " more not logged in the last " +
                    EventLog.seconds(nowNs - windowStartNs));
                suppressed = 0;
            }
            windowStartNs = nowNs;
            inWindow = 0;
        }
        if (inWindow < maxPerWindow)
        {
            inWindow++;
            return true;
        }
        suppressed++;
        return false;
    }
}
