package io.metrodb.mapd;

import java.util.function.LongSupplier;

/**
 * Hybrid logical clock for versions: the top 48 bits are wall-clock milliseconds, the low 16 bits a counter,
 * so versions follow real time yet every call returns a larger value than the last, and a version seen
 * from a peer pushes the clock past it. Versions compare as unsigned 64-bit numbers, as the grid compares them.
 * Single writer: used from the mapd's data-path thread only.
 */
public final class HybridClock
{
    public static final int COUNTER_BITS = 16;
    public static final long MAX_MILLIS = (1L << 48) - 1;

    private final LongSupplier wallClockMs;
    private long last;

    public HybridClock(final LongSupplier wallClockMs)
    {
        this.wallClockMs = wallClockMs;
    }

    public HybridClock()
    {
        this(System::currentTimeMillis);
    }

    /**
     * @return a version larger than any returned or observed before.
     */
    public long next()
    {
        final long physical = (wallClockMs.getAsLong() & MAX_MILLIS) << COUNTER_BITS;
        last = Long.compareUnsigned(physical, last + 1) > 0 ? physical : last + 1;
        return last;
    }

    /**
     * Moves the clock past a version seen from elsewhere (a peer's change, a recovered journal).
     */
    public void observe(final long version)
    {
        if (Long.compareUnsigned(version, last) > 0)
        {
            last = version;
        }
    }

    /**
     * @return the last version issued or observed.
     */
    public long last()
    {
        return last;
    }

    /**
     * @return the milliseconds part of a version.
     */
    public static long millisOf(final long version)
    {
        return version >>> COUNTER_BITS;
    }

    /**
     * Last writer wins: true when (version, node) is strictly newer than (otherVersion, otherNode).
     */
    public static boolean isNewer(final long version, final int node, final long otherVersion, final int otherNode)
    {
        final int order = Long.compareUnsigned(version, otherVersion);
        return order > 0 || (order == 0 && node > otherNode);
    }
}
