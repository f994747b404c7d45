package io.metrodb.bench.logd;

import io.metrodb.bench.support.ProcessCpu;
import io.metrodb.log.LogStats;
import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * What one case of {@link DurableAppendHarness} measured, and its line and table row.
 */
record DurableResult(
    int repeat,
    String mode,
    int delayUs,
    int prefill,
    int entryLength,
    int appenders,
    double appendsPerSecond,
    Snapshot delta,
    long durationNs,
    long completed,
    Histogram latency)
{
    /** The table's header, two lines, for the rows of {@link #row}. */
    static final String TABLE_HEADER =
        "| repeat | mode | group delay us | prefill B | entry B | appenders | durable appends/s | x 1-appender rate |" +
        " forces/s | mean group size | force us (mean) | sync thread in force % | acknowledging % |" +
        " write_bytes per force KB | CPU cores busy | ctx switches per append | latency p50 us | latency p99 us |" +
        System.lineSeparator() + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    double forcesPerSecond()
    {
        return delta.forces * 1e9 / durationNs;
    }

    double meanGroupSize()
    {
        return delta.groups == 0 ? 0.0 : (double)delta.acks / delta.groups;
    }

    double meanForceUs()
    {
        return delta.forces == 0 ? 0.0 : delta.forceNs / 1e3 / delta.forces;
    }

    String line()
    {
        return String.format(Locale.ROOT, "%s delay %d us prefill %d %5d B x %2d appenders: " +
            "%.0f durable appends/s, %d forces (%.0f/s, mean %.0f us, %.1f%% of the window; acknowledging %.1f%%), " +
            "mean group %.2f, rollovers %d, " +
            "forced %.1f KB and write_bytes %.1f KB per force (%.2f x appended), CPU %.2f cores, " +
            "%.2f context switches per append, %d group waits, p50 %.0f us, p99 %.0f us",
            mode, delayUs, prefill, entryLength, appenders, appendsPerSecond, delta.forces, forcesPerSecond(),
            meanForceUs(),
            100.0 * delta.forceNs / durationNs, 100.0 * delta.acknowledgeNs / durationNs, meanGroupSize(),
            delta.rollovers, perForce(delta.forcedBytes) / 1e3, perForce(delta.writeBytes) / 1e3,
            completed > 0 ? (double)delta.writeBytes / (completed * (long)entryLength) : 0.0,
            (double)delta.cpuNs / durationNs, completed > 0 ? (double)delta.contextSwitches / completed : 0.0,
            delta.groupWaits, latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3);
    }

    String row(final double singleRate)
    {
        return String.format(Locale.ROOT, "| %d | %s | %d | %d | %d | %d | %.0f | %.2f | %.0f | %.2f | %.0f |" +
            " %.1f | %.1f | %.0f | %.2f | %.2f | %.0f | %.0f |",
            repeat, mode, delayUs, prefill, entryLength, appenders, appendsPerSecond, appendsPerSecond / singleRate,
            forcesPerSecond(), meanGroupSize(), meanForceUs(), 100.0 * delta.forceNs / durationNs,
            100.0 * delta.acknowledgeNs / durationNs, perForce(delta.writeBytes) / 1e3,
            (double)delta.cpuNs / durationNs, completed > 0 ? (double)delta.contextSwitches / completed : 0.0,
            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3);
    }

    private double perForce(final long value)
    {
        return delta.forces == 0 ? 0.0 : (double)value / delta.forces;
    }

    /**
     * Counters at one instant: the store's, this process's storage writes, CPU time and context switches.
     */
    record Snapshot(
        long forces,
        long groups,
        long acks,
        long rollovers,
        long forceNs,
        long acknowledgeNs,
        long forcedBytes,
        long groupWaits,
        long writeBytes,
        long cpuNs,
        long contextSwitches)
    {
        Snapshot(final LogStats stats)
        {
            this(stats.forces(), stats.groupCommits(), stats.durableAcks(), stats.rollovers(), stats.forceNs(),
                stats.acknowledgeNs(), stats.forcedBytes(), stats.groupWaits(), BenchFiles.processBytesWritten(),
                ProcessCpu.nanos(), BenchFiles.processContextSwitches());
        }

        Snapshot minus(final Snapshot o)
        {
            return new Snapshot(forces - o.forces, groups - o.groups, acks - o.acks, rollovers - o.rollovers,
                forceNs - o.forceNs, acknowledgeNs - o.acknowledgeNs, forcedBytes - o.forcedBytes,
                groupWaits - o.groupWaits, writeBytes - o.writeBytes, cpuNs - o.cpuNs,
                contextSwitches - o.contextSwitches);
        }
    }
}
