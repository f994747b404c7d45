package io.metrodb.bench.mapd;

import io.metrodb.bench.support.Deadlines;
import io.metrodb.client.MetroClient;
import org.HdrHistogram.Recorder;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps exactly {@code inFlight} calls outstanding: each completion records its latency and issues the next
 * call, until the measured period ends; then the calls drain and the last one opens {@link #drained}. A failed
 * call's successor is issued 1 ms later from another thread, so a cluster that fails every call at once costs
 * neither a spin nor a deep stack of synchronous completions.
 */
final class VsRedisAsyncLoad
{
    private final MetroClient client;
    private final VsRedisWorkload workload;
    private final String op;
    private final int inFlight;
    private final ScheduledExecutorService retryLater;
    private final Recorder recorder = new Recorder(VsRedisWorkload.HIGHEST_NS, 3);
    private final VsRedisMeasure measure = new VsRedisMeasure();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile long measureFromNs;
    private volatile long stopAtNs;

    VsRedisAsyncLoad(final MetroClient client, final VsRedisWorkload workload, final String op, final int inFlight,
        final ScheduledExecutorService retryLater)
    {
        this.client = client;
        this.workload = workload;
        this.op = op;
        this.inFlight = inFlight;
        this.retryLater = retryLater;
    }

    /**
     * Runs the warm-up and the measured period, and waits for the calls to drain.
     *
     * @return what the measured period found.
     */
    VsRedisMeasure run() throws InterruptedException
    {
        final long startNs = System.nanoTime();
        measureFromNs = startNs + (long)(workload.warmupS() * 1e9);
        stopAtNs = measureFromNs + (long)(workload.measuredS() * 1e9);
        outstanding.set(inFlight);
        for (int i = 0; i < inFlight; i++)
        {
            issue();
        }
        // The processes' CPU time at the start and the end of the measured period (points in time).
        Deadlines.parkUntil(measureFromNs);
        workload.server().read();
        measure.cpuBefore = workload.cpu().sample();
        Deadlines.parkUntil(stopAtNs);
        measure.cpuAfter = workload.cpu().sample();
        measure.server = workload.server().read();
        final long waitMs = (long)((workload.warmupS() + workload.measuredS()) * 1000) +
            VsRedisWorkload.DRAIN_TIMEOUT_MS;
        if (!drained.await(waitMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException(op + " with " + inFlight + " in flight: " + outstanding.get() +
                " calls still outstanding " + waitMs + " ms after the start");
        }
        measure.histogram = recorder.getIntervalHistogram();
        measure.seconds = workload.measuredS();
        return measure;
    }

    private void issue()
    {
        final byte[][] keys = workload.keys();
        final byte[] key = keys[ThreadLocalRandom.current().nextInt(keys.length)];
        final long sentNs = System.nanoTime();
        switch (op)
        {
            case "GET":
                client.getAsync(key).whenComplete((read, failure) ->
                    completed(sentNs, failure, failure == null && !workload.hit(read)));
                break;
            case "SET":
                client.setAsync(key, workload.value()).whenComplete((result, failure) ->
                    completed(sentNs, failure, false));
                break;
            case "SETSAFE":
                client.setSafeAsync(key, workload.value()).whenComplete((result, failure) ->
                    completed(sentNs, failure, false));
                break;
            default:
                throw new IllegalArgumentException("unknown op " + op);
        }
    }

    private void completed(final long sentNs, final Throwable failure, final boolean miss)
    {
        final long nowNs = System.nanoTime();
        final boolean inMeasure = nowNs - measureFromNs >= 0 && nowNs - stopAtNs < 0;
        if (failure != null)
        {
            measure.failed(failure, inMeasure);
        }
        else if (inMeasure)
        {
            recorder.recordValue(Math.min(nowNs - sentNs, VsRedisWorkload.HIGHEST_NS));
            if (miss)
            {
                measure.misses.increment();
            }
        }
        if (nowNs - stopAtNs >= 0)
        {
            if (outstanding.decrementAndGet() == 0)
            {
                drained.countDown();
            }
        }
        else if (failure != null)
        {
            retryLater.schedule(this::issue, 1, TimeUnit.MILLISECONDS);
        }
        else
        {
            issue();
        }
    }
}
