package io.metrodb.bench.mapd;

import io.metrodb.bench.support.CpuSampler;
import io.metrodb.client.MetroClient;

import java.util.concurrent.TimeUnit;

/**
 * What every measure of {@link ClusterVsRedisHarness} shares: the keys and the value, the warm-up and measured
 * periods, and the samplers read at the start and the end of each measured period.
 *
 * @param keys      the preloaded keys, picked uniformly at random.
 * @param value     the value every SET writes and every GET expects back (by length).
 * @param warmupS   each measure's unrecorded warm-up, seconds.
 * @param measuredS each measure's recorded period, seconds.
 * @param server    the mapds' own timings, read (and reset) at the start and the end of the measured period.
 * @param cpu       the processes' CPU time, sampled at the same points.
 */
record VsRedisWorkload(
    byte[][] keys, byte[] value, double warmupS, double measuredS, ServerTimings server, CpuSampler cpu)
{
    static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    /** How long a measure may take to drain its last calls: past the SDK's request timeout, with room. */
    static final long DRAIN_TIMEOUT_MS = 2 * MetroClient.DEFAULT_REQUEST_TIMEOUT_MS + 5_000;

    int valueLength()
    {
        return value.length;
    }

    /**
     * @return true when {@code read} is what a GET of a preloaded key should find.
     */
    boolean hit(final byte[] read)
    {
        return read != null && read.length == value.length;
    }
}
