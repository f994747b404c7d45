package io.metrodb.mond;

import io.metrodb.protocol.mond.ClusterView;

/**
 * The liveness state machine of one node, driven by heartbeat answers and interval boundaries.
 * <p>
 * Rule: a node is <b>UP</b> as soon as an answer arrives. At each interval boundary, an interval in which no
 * answer arrived is a <b>miss</b> (a connection that is down answers nothing); after 1 miss the node is
 * <b>SUSPECT</b>, after {@code downAfter} consecutive misses <b>DOWN</b>. The first answer makes it UP again.
 * A node starts SUSPECT (not heard from yet), so one that never answers is DOWN after {@code downAfter}
 * intervals. Time is passed in (monotonic nanoseconds) so tests drive it with a fake clock.
 */
final class NodeHealth
{
    static final int UP = ClusterView.NODE_UP;
    static final int SUSPECT = ClusterView.NODE_SUSPECT;
    static final int DOWN = ClusterView.NODE_DOWN;

    private final int downAfter;
    private int state = SUSPECT;
    private long sinceNs;
    private int misses;
    private boolean answeredThisInterval;
    private boolean everAnswered;

    /**
     * @param downAfter consecutive missed intervals that make a node DOWN, at least 1.
     * @param nowNs     the time the node starts being watched.
     */
    NodeHealth(final int downAfter, final long nowNs)
    {
        if (downAfter < 1)
        {
            throw new IllegalArgumentException("downAfter must be >= 1, was " + downAfter);
        }
        this.downAfter = downAfter;
        this.sinceNs = nowNs;
    }

    /**
     * A heartbeat answer arrived.
     *
     * @return true when the state changed (to UP).
     */
    boolean onAnswer(final long nowNs)
    {
        answeredThisInterval = true;
        everAnswered = true;
        misses = 0;
        return enter(UP, nowNs);
    }

    /**
     * An interval ended: counts a miss unless an answer arrived during it.
     *
     * @return true when the state changed (to SUSPECT or DOWN).
     */
    boolean onIntervalEnd(final long nowNs)
    {
        if (answeredThisInterval)
        {
            answeredThisInterval = false;
            return false;
        }
        if (misses < Integer.MAX_VALUE)
        {
            misses++;
        }
        return enter(misses >= downAfter ? DOWN : SUSPECT, nowNs);
    }

    private boolean enter(final int newState, final long nowNs)
    {
        if (state == newState)
        {
            return false;
        }
        state = newState;
        sinceNs = nowNs;
        return true;
    }

    /**
     * @return {@link #UP}, {@link #SUSPECT} or {@link #DOWN}.
     */
    int state()
    {
        return state;
    }

    boolean isUp()
    {
        return state == UP;
    }

    boolean isDown()
    {
        return state == DOWN;
    }

    /**
     * @return when the current state began (monotonic ns).
     */
    long sinceNs()
    {
        return sinceNs;
    }

    /**
     * @return consecutive missed intervals (0 after an answer).
     */
    int misses()
    {
        return misses;
    }

    /**
     * @return true once any answer arrived: the state reflects what the node did, not the initial guess.
     */
    boolean everAnswered()
    {
        return everAnswered;
    }

    static String name(final int state)
    {
        return switch (state)
        {
            case UP -> "UP";
            case SUSPECT -> "SUSPECT";
            case DOWN -> "DOWN";
            default -> "UNKNOWN_" + state;
        };
    }
}
