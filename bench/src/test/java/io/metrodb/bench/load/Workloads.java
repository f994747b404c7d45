package io.metrodb.bench.load;

/**
 * Small workloads for the tests.
 */
final class Workloads
{
    private Workloads()
    {
    }

    /**
     * @return GETs only over 1000 uniform keys, 10-byte values, seed 42.
     */
    static Workload getOnly(final int connections, final int inFlight, final long rate)
    {
        return new Workload(new double[] {1, 0, 0, 0}, 1_000, "uniform", 10, 10, connections, inFlight, rate, 42);
    }
}
