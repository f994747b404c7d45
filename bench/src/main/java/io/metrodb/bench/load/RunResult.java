package io.metrodb.bench.load;

import io.metrodb.bench.support.HistogramFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's outcome and its three renderings: the percentile table, the JSON document and the {@code .hgrm} files.
 */
final class RunResult
{
    /** The percentiles of the table and the JSON, and their names. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "p99.99"};

    final String target;
    final Workload workload;
    final double warmupS;
    final double durationS;
    final long preloaded;
    final long preloadErrors;
    final List<OpResult> ops = new ArrayList<>();
    final OpResult all = new OpResult("all");
    long unsent;
    String lastError;

    RunResult(final String target, final Workload workload, final double warmupS, final double durationS,
        final long preloaded, final long preloadErrors)
    {
        this.target = target;
        this.workload = workload;
        this.warmupS = warmupS;
        this.durationS = durationS;
        this.preloaded = preloaded;
        this.preloadErrors = preloadErrors;
    }

    /**
     * Merges the connections' measured histograms and counts, per operation and in {@link #all}; call once every
     * connection finished.
     */
    void collect(final LoadConnection[] connections)
    {
        for (final Op op : Op.ALL)
        {
            if (!workload.uses(op))
            {
                continue;
            }
            final OpResult merged = new OpResult(op.label());
            for (final LoadConnection connection : connections)
            {
                merged.add(connection.measured(op), connection.succeeded(op), connection.misses(op),
                    connection.errors(op));
            }
            ops.add(merged);
            all.add(merged);
        }
        for (final LoadConnection connection : connections)
        {
            unsent += connection.unsent();
            if (connection.lastError() != null)
            {
                lastError = connection.lastError();
            }
        }
    }

    long errors()
    {
        return all.errors;
    }

    String mode()
    {
        return workload.openLoop() ? "open loop at " + workload.rate + " ops/s" : "closed loop";
    }

    String valueSize()
    {
        return workload.minValue == workload.maxValue ? Integer.toString(workload.minValue) :
            workload.minValue + ".." + workload.maxValue;
    }

    /**
     * @return the report for people: the run's settings, then per operation ops/s, counts and latency in us.
     */
    String table()
    {
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "target %s, %s, %d connections x %d in flight%n", target, mode(),
            workload.connections, workload.inFlight));
        text.append(String.format(Locale.ROOT, "mix %s, %,d keys %s, values %s B, seed %d, %.1f s measured after " +
            "%.1f s warm-up%n", workload.describeMix(), workload.keys, workload.distributionName, valueSize(),
            workload.seed, durationS, warmupS));
        if (preloaded > 0)
        {
            text.append(String.format(Locale.ROOT, "preloaded %,d keys (%,d errors)%n", preloaded, preloadErrors));
        }
        text.append(String.format(Locale.ROOT, "%n%-8s %12s %12s %8s %8s %10s %10s %10s %10s %10s %10s%n", "op",
            "ops/s", "count", "errors", "misses", "p50 us", "p90 us", "p99 us", "p99.9 us", "p99.99 us", "max us"));
        final List<OpResult> rows = new ArrayList<>(ops);
        if (ops.size() > 1)
        {
            rows.add(all);
        }
        for (final OpResult op : rows)
        {
            text.append(String.format(Locale.ROOT, "%-8s %12.0f %12d %8d %8d", op.label, op.opsPerSecond(durationS),
                op.answered(), op.errors, op.misses));
            for (final double percentile : PERCENTILES)
            {
                text.append(String.format(Locale.ROOT, " %10.1f", op.us(percentile)));
            }
            text.append(String.format(Locale.ROOT, " %10.1f%n", op.maxUs()));
        }
        if (workload.openLoop())
        {
            text.append(String.format(Locale.ROOT, "%nlatency counted from each request's intended start " +
                "(coordinated-omission corrected)%n"));
            if (unsent > 0)
            {
                text.append(String.format(Locale.ROOT, "WARNING: %,d requests meant to start before the end were " +
                    "never sent (every slot in flight): the target did not keep up with the rate, and the " +
                    "percentiles above leave those requests out%n", unsent));
            }
        }
        if (lastError != null)
        {
            text.append(String.format(Locale.ROOT, "last error: %s%n", lastError));
        }
        return text.toString();
    }

    /**
     * @return the runs side by side: per operation, a row per target with ops/s and latency in us.
     */
    static String comparison(final List<String> labels, final List<RunResult> results)
    {
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%-8s %-12s %12s %8s %10s %10s %10s %10s %10s%n", "op", "target",
            "ops/s", "errors", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us"));
        final RunResult first = results.get(0);
        for (int o = 0; o <= first.ops.size(); o++)
        {
            if (o == first.ops.size() && first.ops.size() < 2)
            {
                break;
            }
            for (int r = 0; r < results.size(); r++)
            {
                final RunResult result = results.get(r);
                final OpResult op = o < result.ops.size() ? result.ops.get(o) : result.all;
                text.append(String.format(Locale.ROOT, "%-8s %-12s %12.0f %8d %10.1f %10.1f %10.1f %10.1f %10.1f%n",
                    op.label, labels.get(r), op.opsPerSecond(result.durationS), op.errors, op.us(50), op.us(90),
                    op.us(99), op.us(99.9), op.maxUs()));
            }
        }
        return text.toString();
    }

    /**
     * @return the report for scripts, one JSON object; latencies in us.
     */
    String json()
    {
        final StringBuilder json = new StringBuilder(1024);
        json.append("{\"target\":").append(quote(target));
        json.append(",\"mode\":").append(quote(workload.openLoop() ? "open" : "closed"));
        json.append(",\"rate\":").append(workload.rate);
        json.append(",\"connections\":").append(workload.connections);
        json.append(",\"inFlight\":").append(workload.inFlight);
        json.append(",\"keys\":").append(workload.keys);
        json.append(",\"distribution\":").append(quote(workload.distributionName));
        json.append(",\"valueSize\":").append(quote(valueSize()));
        json.append(",\"mix\":{");
        boolean first = true;
        for (final Op op : Op.ALL)
        {
            if (workload.uses(op))
            {
                json.append(first ? "" : ",").append(quote(op.label())).append(':')
                    .append(number(workload.shares[op.ordinal()]));
                first = false;
            }
        }
        json.append("},\"seed\":").append(workload.seed);
        json.append(",\"warmupSeconds\":").append(number(warmupS));
        json.append(",\"durationSeconds\":").append(number(durationS));
        json.append(",\"preloaded\":").append(preloaded);
        json.append(",\"preloadErrors\":").append(preloadErrors);
        json.append(",\"unsent\":").append(unsent);
        json.append(",\"ops\":{");
        first = true;
        for (final OpResult op : ops)
        {
            json.append(first ? "" : ",").append(quote(op.label)).append(':');
            opJson(json, op);
            first = false;
        }
        json.append("},\"all\":");
        opJson(json, all);
        json.append(",\"lastError\":").append(lastError == null ? "null" : quote(lastError));
        return json.append('}').toString();
    }

    private void opJson(final StringBuilder json, final OpResult op)
    {
        json.append("{\"opsPerSecond\":").append(number(op.opsPerSecond(durationS)));
        json.append(",\"count\":").append(op.answered());
        json.append(",\"errors\":").append(op.errors);
        json.append(",\"misses\":").append(op.misses);
        json.append(",\"latencyUs\":{");
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            json.append(quote(PERCENTILE_NAMES[i])).append(':').append(number(op.us(PERCENTILES[i]))).append(',');
        }
        json.append("\"max\":").append(number(op.maxUs()));
        json.append(",\"mean\":").append(number(op.meanUs()));
        json.append("}}");
    }

    private static String number(final double value)
    {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /**
     * @return {@code text} as a JSON string, quotes included.
     */
    static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                quoted.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /**
     * Writes {@code DIR/<op>.hgrm} for each operation and {@code DIR/all.hgrm} (latency in us; none for one that
     * recorded nothing), and
     * {@code DIR/result.json}.
     *
     * @return the files written.
     */
    List<Path> write(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final List<Path> files = new ArrayList<>();
        final List<OpResult> rows = new ArrayList<>(ops);
        rows.add(all);
        for (final OpResult op : rows)
        {
            if (op.histogram.getTotalCount() == 0)
            {
                continue;
            }
            final Path file = dir.resolve(op.label + ".hgrm");
            HistogramFiles.writePercentilesUs(file, op.histogram);
            files.add(file);
        }
        final Path json = dir.resolve("result.json");
        Files.writeString(json, json() + System.lineSeparator());
        files.add(json);
        return files;
    }
}
