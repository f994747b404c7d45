package io.metrodb.bench.load;

/**
 * The open loop's schedule: at {@code rate} requests per second in total, request {@code n} (counted over all
 * connections from 0) is meant to start at {@code startNs + n * 1e9 / rate}, computed from {@code n} each time
 * (exact to the nanosecond, never accumulated, so it cannot drift); connection {@code c} of {@code C} sends requests
 * {@code c, c + C, c + 2C, ...}, so the connections' requests interleave evenly.
 */
final class Pacer
{
    private static final long NS_PER_S = 1_000_000_000L;

    private final long startNs;
    private final long rate;
    private final int stride;
    private final int offset;

    /**
     * @param startNs when request 0 is meant to start.
     * @param rate    requests per second, all connections together, at least 1.
     * @param stride  connections.
     * @param offset  this connection's index, {@code 0..stride-1}.
     */
    Pacer(final long startNs, final long rate, final int stride, final int offset)
    {
        if (rate < 1)
        {
            throw new IllegalArgumentException("rate must be at least 1 per second, was " + rate);
        }
        this.startNs = startNs;
        this.rate = rate;
        this.stride = stride;
        this.offset = offset;
    }

    /**
     * @param n a request number over all connections.
     * @return when it is meant to start.
     */
    long globalIntendedNs(final long n)
    {
        // n / rate whole seconds, then the remainder: no overflow for any n a run can reach.
        return startNs + (n / rate) * NS_PER_S + (n % rate) * NS_PER_S / rate;
    }

    /**
     * @param k this connection's request number, 0 up.
     * @return when it is meant to start.
     */
    long intendedNs(final long k)
    {
        return globalIntendedNs(k * stride + offset);
    }
}
