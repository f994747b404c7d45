package io.metrodb.gateway;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the gateway counts itself, per operation: requests, errors and latency. The request path only adds to
 * {@link LongAdder}s and records into an HdrHistogram {@link Recorder} (wait-free, no locks); a scrape folds the
 * recorder's interval into a cumulative histogram and renders the Prometheus text format.
 */
final class GatewayMetrics
{
    /** The operations counted, each a value of the {@code op} label. */
    enum Op
    {
        GET, SET, SETSAFE, DELETE, CLUSTER, HEALTHZ, METRICS, OTHER;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    private static final double[] QUANTILES = { 0.5, 0.9, 0.99, 0.999 };
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(10);

    private final LongAdder[] requests = new LongAdder[Op.values().length];
    private final LongAdder[] errors = new LongAdder[Op.values().length];
    private final LongAdder[] latencySumNs = new LongAdder[Op.values().length];
    private final LongAdder connections = new LongAdder();
    private final Recorder[] recorders = new Recorder[Op.values().length];
    private final Histogram[] cumulative = new Histogram[Op.values().length];
    private final Histogram[] intervals = new Histogram[Op.values().length];

    GatewayMetrics()
    {
        for (int i = 0; i < requests.length; i++)
        {
            requests[i] = new LongAdder();
            errors[i] = new LongAdder();
            latencySumNs[i] = new LongAdder();
            recorders[i] = new Recorder(HIGHEST_TRACKABLE_NS, 3);
            cumulative[i] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        }
    }

    /**
     * Counts one answered request.
     *
     * @param op        its operation.
     * @param status    the HTTP status answered.
     * @param latencyNs from its first byte to its answer.
     */
    void record(final Op op, final int status, final long latencyNs)
    {
        final int i = op.ordinal();
        requests[i].increment();
        if (isError(op, status))
        {
            errors[i].increment();
        }
        final long clamped = Math.max(1, Math.min(latencyNs, HIGHEST_TRACKABLE_NS));
        latencySumNs[i].add(clamped);
        recorders[i].recordValue(clamped);
    }

    /**
     * Counts one accepted HTTP connection.
     */
    void onConnection()
    {
        connections.increment();
    }

    /**
     * A 404 from GET or DELETE is an answer (the key is missing), not an error; every other 4xx and 5xx is.
     */
    static boolean isError(final Op op, final int status)
    {
        if (status == 404 && (op == Op.GET || op == Op.DELETE))
        {
            return false;
        }
        return status >= 400;
    }

    /**
     * @param op an operation.
     * @return requests of {@code op} answered so far.
     */
    long requests(final Op op)
    {
        return requests[op.ordinal()].sum();
    }

    /**
     * Appends the gateway's own metrics in the Prometheus text format (0.0.4).
     *
     * @param out where to write.
     */
    synchronized void appendTo(final StringBuilder out)
    {
        out.append("# HELP metrodb_gateway_connections_total HTTP connections accepted.\n");
        out.append("# TYPE metrodb_gateway_connections_total counter\n");
        out.append("metrodb_gateway_connections_total ").append(connections.sum()).append('\n');
        out.append("# HELP metrodb_gateway_requests_total Requests answered by the gateway, per operation.\n");
        out.append("# TYPE metrodb_gateway_requests_total counter\n");
        for (final Op op : Op.values())
        {
            sample(out, "metrodb_gateway_requests_total", op, null, requests[op.ordinal()].sum());
        }
        out.append("# HELP metrodb_gateway_errors_total Requests answered with an error status (4xx but a 404 from")
            .append(" GET or DELETE, 5xx), per operation.\n");
        out.append("# TYPE metrodb_gateway_errors_total counter\n");
        for (final Op op : Op.values())
        {
            sample(out, "metrodb_gateway_errors_total", op, null, errors[op.ordinal()].sum());
        }
        out.append("# HELP metrodb_gateway_request_duration_seconds Latency from request to answer, per operation.\n");
        out.append("# TYPE metrodb_gateway_request_duration_seconds summary\n");
        for (final Op op : Op.values())
        {
            final int i = op.ordinal();
            intervals[i] = recorders[i].getIntervalHistogram(intervals[i]);
            cumulative[i].add(intervals[i]);
            for (final double quantile : QUANTILES)
            {
                final long ns = cumulative[i].getTotalCount() == 0 ? 0 :
                    cumulative[i].getValueAtPercentile(quantile * 100.0);
                sample(out, "metrodb_gateway_request_duration_seconds", op, Double.toString(quantile), ns / 1e9);
            }
            sample(out, "metrodb_gateway_request_duration_seconds_sum", op, null, latencySumNs[i].sum() / 1e9);
            sample(out, "metrodb_gateway_request_duration_seconds_count", op, null, cumulative[i].getTotalCount());
        }
    }

    private static void sample(
        final StringBuilder out, final String name, final Op op, final String quantile, final double value)
    {
        out.append(name).append("{op=\"").append(op.label).append('"');
        if (quantile != null)
        {
            out.append(",quantile=\"").append(quantile).append('"');
        }
        out.append("} ");
        appendValue(out, value);
        out.append('\n');
    }

    /**
     * Appends a sample value: integers without a fraction, others as Java prints doubles (both valid in the
     * text format).
     */
    static void appendValue(final StringBuilder out, final double value)
    {
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            out.append((long)value);
        }
        else
        {
            out.append(value);
        }
    }
}
