package io.metrodb.bench.load;

import io.metrodb.bench.support.Deadlines;
import io.metrodb.protocol.netty.Transports;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One run of a workload against a target: connect, preload, warm up, measure, drain, merge. A progress line goes
 * to {@code progress} every second (ops/s, p50 and p99 of that second, errors so far), unless it is null.
 */
final class LoadRun
{
    /** How long after the end the requests still in flight may take to come back. */
    static final long DRAIN_MARGIN_MS = 5_000;

    private final Target target;
    private final Workload workload;
    private final int threads;
    private final long timeoutMs;
    private final PrintStream progress;

    /**
     * @param threads   event-loop threads the connections share.
     * @param timeoutMs how long connecting may take, and the request timeout the target was given.
     * @param progress  where the progress lines go, or null.
     */
    LoadRun(final Target target, final Workload workload, final int threads, final long timeoutMs,
        final PrintStream progress)
    {
        this.target = target;
        this.workload = workload;
        this.threads = threads;
        this.timeoutMs = timeoutMs;
        this.progress = progress;
    }

    /**
     * @param preload   keys to SET first (0 for none), {@code 0..preload-1}.
     * @param warmupNs  requests before the measured period, not counted.
     * @param durationNs the measured period.
     * @return what the measured period found.
     */
    RunResult run(final long preload, final long warmupNs, final long durationNs) throws Exception
    {
        final EventLoopGroup group = Transports.newEventLoopGroup(threads, "metrodb-bench");
        final int connections = workload.connections;
        final TargetConnection[] targets = new TargetConnection[connections];
        final Lane[] lanes = new Lane[connections];
        try
        {
            for (int i = 0; i < connections; i++)
            {
                final EventLoop loop = group.next();
                lanes[i] = new EventLoopLane(loop);
                targets[i] = target.connect(i, loop, timeoutMs, workload.inFlight);
            }
            long preloadErrors = 0;
            if (preload > 0)
            {
                preloadErrors = preload(preload, targets, lanes);
            }
            final RunResult result = new RunResult(target.describe(), workload, warmupNs / 1e9, durationNs / 1e9,
                preload, preloadErrors);
            measure(targets, lanes, warmupNs, durationNs, result);
            return result;
        }
        finally
        {
            target.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
        }
    }

    private long preload(final long count, final TargetConnection[] targets, final Lane[] lanes)
        throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(targets.length);
        final Preloader[] loaders = new Preloader[targets.length];
        final long startNs = System.nanoTime();
        for (int i = 0; i < targets.length; i++)
        {
            loaders[i] = new Preloader(i, workload, lanes[i], targets[i], count, done::countDown);
        }
        for (final Preloader loader : loaders)
        {
            loader.start();
        }
        // A generous bound: a thousand keys a second, or a minute, whichever is longer, plus the request timeout.
        final long boundMs = Math.max(60_000, count) + timeoutMs;
        long nextNs = startNs + TimeUnit.SECONDS.toNanos(1);
        while (!done.await(Math.max(0, nextNs - System.nanoTime()), TimeUnit.NANOSECONDS))
        {
            if (System.nanoTime() - startNs > TimeUnit.MILLISECONDS.toNanos(boundMs))
            {
                throw new IllegalStateException("the preload of " + count + " keys did not end within " + boundMs +
                    " ms");
            }
            print(String.format(Locale.ROOT, "[%5.1fs] preload", (System.nanoTime() - startNs) / 1e9));
            nextNs += TimeUnit.SECONDS.toNanos(1);
        }
        long errors = 0;
        String lastError = null;
        for (final Preloader loader : loaders)
        {
            errors += loader.errors();
            lastError = loader.lastError() != null ? loader.lastError() : lastError;
        }
        print(String.format(Locale.ROOT, "preloaded %,d keys in %.1f s, %,d errors%s", count,
            (System.nanoTime() - startNs) / 1e9, errors, lastError == null ? "" : " (last: " + lastError + ")"));
        return errors;
    }

    private void measure(final TargetConnection[] targets, final Lane[] lanes, final long warmupNs,
        final long durationNs, final RunResult result) throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(targets.length);
        final LoadConnection[] connections = new LoadConnection[targets.length];
        for (int i = 0; i < targets.length; i++)
        {
            connections[i] = new LoadConnection(i, workload, lanes[i], targets[i], done::countDown);
        }
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        final long measureFromNs = startNs + warmupNs;
        final long endNs = measureFromNs + durationNs;
        for (final LoadConnection connection : connections)
        {
            connection.start(startNs, measureFromNs, endNs);
        }
        final Histogram interval = new Histogram(LoadConnection.HIGHEST_NS, 3);
        final Histogram[][] recycled = new Histogram[connections.length][Op.ALL.length];
        final long drainUntilNs = endNs + TimeUnit.MILLISECONDS.toNanos(2 * timeoutMs + DRAIN_MARGIN_MS);
        long lastNs = startNs;
        long nextNs = startNs + TimeUnit.SECONDS.toNanos(1);
        Deadlines.parkUntil(startNs);
        while (!done.await(Math.max(0, nextNs - System.nanoTime()), TimeUnit.NANOSECONDS))
        {
            final long nowNs = System.nanoTime();
            if (nowNs - drainUntilNs > 0)
            {
                throw new IllegalStateException("requests still in flight " + (drainUntilNs - endNs) / 1_000_000 +
                    " ms after the end: the target stopped answering");
            }
            interval.reset();
            long errors = 0;
            for (int c = 0; c < connections.length; c++)
            {
                for (final Op op : Op.ALL)
                {
                    final SingleWriterRecorder recorder = connections[c].recorder(op);
                    if (recorder != null)
                    {
                        recycled[c][op.ordinal()] = recorder.getIntervalHistogram(recycled[c][op.ordinal()]);
                        interval.add(recycled[c][op.ordinal()]);
                    }
                }
                errors += connections[c].errorsSoFar();
            }
            final double seconds = (nowNs - lastNs) / 1e9;
            // The phase the second began in.
            final String phase = lastNs - measureFromNs < 0 ? "warm-up" : lastNs - endNs < 0 ? "measure" : "drain";
            print(String.format(Locale.ROOT, "[%5.1fs] %-7s %,10.0f ops/s  p50 %,9.1f us  p99 %,9.1f us  " +
                "errors %,d", (nowNs - startNs) / 1e9, phase, interval.getTotalCount() / seconds,
                interval.getValueAtPercentile(50) / 1e3, interval.getValueAtPercentile(99) / 1e3, errors));
            lastNs = nowNs;
            nextNs += TimeUnit.SECONDS.toNanos(1);
        }
        // Every connection finished on its lane before counting down: what it recorded is visible here.
        result.collect(connections);
    }

    private void print(final String line)
    {
        if (progress != null)
        {
            progress.println(line);
        }
    }
}
