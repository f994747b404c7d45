package io.metrodb.mond;

/**
 * A token bucket: {@code perSecond} tokens a second, at most {@code burst} saved up. Time is passed in
 * (monotonic ns), so a test drives it with a fake clock.
 */
final class RateLimiter
{
    private final double perNs;
    private final double burst;
    private double tokens;
    private long lastNs;

    /**
     * @param perSecond tokens added per second, > 0.
     * @param burst     most tokens held, >= 1.
     * @param nowNs     the start time; the bucket starts full.
     */
    RateLimiter(final double perSecond, final double burst, final long nowNs)
    {
        if (!(perSecond > 0) || !(burst >= 1))
        {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 1: " + perSecond + ", " + burst);
        }
        this.perNs = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNs = nowNs;
    }

    /**
     * Takes one token if there is one.
     *
     * @return true when taken.
     */
    boolean tryAcquire(final long nowNs)
    {
        refill(nowNs);
        if (tokens >= 1)
        {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /**
     * @return true when {@link #tryAcquire} would succeed now (takes nothing).
     */
    boolean hasToken(final long nowNs)
    {
        refill(nowNs);
        return tokens >= 1;
    }

    private void refill(final long nowNs)
    {
        final long elapsedNs = nowNs - lastNs;
        if (elapsedNs > 0)
        {
            tokens = Math.min(burst, tokens + elapsedNs * perNs);
            lastNs = nowNs;
        }
    }
}
