package io.metrodb.bench.mapd;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The tables {@link SdkLatencyHarness} prints at the end: one row per client shape and target, with the overhead
 * over the bare client against the echo server (the floor).
 */
final class SdkLatencyReport
{
    private SdkLatencyReport()
    {
    }

    /**
     * One measured row.
     */
    record Row(String shape, String target, String op, Histogram histogram, double perSecond, long errors)
    {
    }

    /**
     * Prints the rows as two tables, round trips and pipelined, each with its ratios to the bare echo floor.
     *
     * @param window the pipelined rows' requests in flight.
     */
    static void print(final List<Row> rows, final int window)
    {
        System.out.println();
        System.out.println("Round trips (1 request outstanding). Floor: the bare echo pass with the lower p50 for that op;" +
            " overhead = p50 - floor p50.");
        System.out.println("| client | target | op | count | p50 µs | p99 µs | p99.9 µs | requests/s | p50 - floor µs |" +
            " p50 / floor |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (final Row row : rows)
        {
            if (!row.shape().contains("pipelined") && !row.shape().equals("sdk-chain") &&
                !row.shape().equals("sdk-caller"))
            {
                print(row, floor(rows, row.op(), false));
            }
        }
        System.out.println();
        System.out.printf("Pipelined GETs, %d in flight on one connection. Floor: the bare echo pass with the higher " +
            "throughput.%n", window);
        System.out.println("| client | target | op | count | p50 µs | p99 µs | p99.9 µs | requests/s | p50 - floor µs |" +
            " throughput / floor |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (final Row row : rows)
        {
            if (row.shape().contains("pipelined") || row.shape().equals("sdk-chain") ||
                row.shape().equals("sdk-caller"))
            {
                final Row floor = floor(rows, row.op(), true);
                final Histogram h = row.histogram();
                System.out.printf("| %s | %s | %s | %,d | %.1f | %.1f | %.1f | %,.0f | %.1f | %.2f |%n", row.shape(),
                    row.target(), row.op(), h.getTotalCount(), us(h.getValueAtPercentile(50)),
                    us(h.getValueAtPercentile(99)), us(h.getValueAtPercentile(99.9)), row.perSecond(),
                    us(h.getValueAtPercentile(50) - floor.histogram().getValueAtPercentile(50)),
                    row.perSecond() / floor.perSecond());
            }
        }
    }

    private static void print(final Row row, final Row floor)
    {
        final Histogram h = row.histogram();
        final long floorP50 = floor.histogram().getValueAtPercentile(50);
        System.out.printf("| %s | %s | %s | %,d | %.1f | %.1f | %.1f | %,.0f | %.1f | %.2f |%n", row.shape(),
            row.target(), row.op(), h.getTotalCount(), us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(99)),
            us(h.getValueAtPercentile(99.9)), row.perSecond(), us(h.getValueAtPercentile(50) - floorP50),
            (double)h.getValueAtPercentile(50) / floorP50);
    }

    /**
     * @return the bare echo row for {@code op}: of the two passes, the lower p50 (round trips) or the higher
     *         throughput (pipelined).
     */
    private static Row floor(final List<Row> rows, final String op, final boolean pipelined)
    {
        Row floor = null;
        for (final Row row : rows)
        {
            final boolean isPipelined = row.shape().equals("bare-pipelined");
            if (row.target().startsWith("echo") && row.op().equals(op) && isPipelined == pipelined &&
                (pipelined || row.shape().equals("bare")))
            {
                if (floor == null || (pipelined ? row.perSecond() > floor.perSecond() :
                    row.histogram().getValueAtPercentile(50) < floor.histogram().getValueAtPercentile(50)))
                {
                    floor = row;
                }
            }
        }
        return floor;
    }

    private static double us(final long ns)
    {
        return ns / 1000.0;
    }
}
