package io.metrodb.bench.mapd;

import io.metrodb.bench.support.CpuSampler;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one measure of {@link ClusterVsRedisHarness} found, and its output lines for the scripts:
 * <pre>
 * RESULT metrodb OP SHAPE OPS_PER_S P50_US P99_US COUNT ERRORS MISSES
 * CPU OP SHAPE client=.. NAME=..
 * SERVER OP SHAPE ADDRESS latency_NAME_us:count=..,p50=..,...
 * FAILURE OP SHAPE class: message (by class: {..}; N in the warm-up)
 * </pre>
 */
final class VsRedisMeasure
{
    final LongAdder errors = new LongAdder();
    final LongAdder warmupErrors = new LongAdder();
    final LongAdder misses = new LongAdder();
    final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
    volatile String firstFailure;
    Histogram histogram;
    double seconds;
    long[] cpuBefore;
    long[] cpuAfter;
    List<String> server = List.of();

    /**
     * Counts a failed call: in {@link #errors} when it ended in the measured period, else in the warm-up's.
     */
    void failed(final Throwable failure, final boolean inMeasure)
    {
        final Throwable cause =
            failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        (inMeasure ? errors : warmupErrors).increment();
        failures.computeIfAbsent(cause.getClass().getSimpleName(), name -> new LongAdder()).increment();
        if (firstFailure == null)
        {
            firstFailure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    /**
     * Prints the measure's RESULT line, then its CPU, SERVER and FAILURE lines when it has them.
     */
    void print(final String op, final int shape, final CpuSampler cpu)
    {
        // Successful calls of the measured period (each recorded once).
        final long completed = histogram.getTotalCount();
        System.out.printf(Locale.ROOT, "RESULT metrodb %s %d %.0f %.1f %.1f %d %d %d%n", op, shape,
            completed / seconds, histogram.getValueAtPercentile(50) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3, completed, errors.sum(), misses.sum());
        if (cpuBefore != null && cpuAfter != null)
        {
            System.out.printf(Locale.ROOT, "CPU %s %d %s%n", op, shape, cpu.cores(cpuBefore, cpuAfter, seconds));
        }
        for (final String line : server)
        {
            System.out.printf(Locale.ROOT, "SERVER %s %d %s%n", op, shape, line);
        }
        if (firstFailure != null)
        {
            System.out.printf(Locale.ROOT, "FAILURE %s %d %s (by class: %s; %d in the warm-up)%n", op, shape,
                firstFailure, failures, warmupErrors.sum());
        }
    }
}
