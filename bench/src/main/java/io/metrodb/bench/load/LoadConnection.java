package io.metrodb.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Drives one {@link TargetConnection} on its {@link Lane}, which every method but the readers of {@link #recorder}
 * and {@link #errorsSoFar()} runs on: no lock, and no allocation per request (slots, keys and values are made up
 * front; the recorders swap histograms). The open loop's timer is one scheduled task per wake-up of the lane, which
 * sends every request due by then.
 *
 * <p><b>Closed loop</b> ({@code rate} 0): {@code inFlight} requests are sent at the start and each outcome sends
 * the next one; a request's latency is counted from when it was sent.
 *
 * <p><b>Open loop</b>: requests are meant to start on the {@link Pacer}'s schedule. Each is sent at its intended
 * time when a slot of the window is free, else as soon as one frees, and its latency is counted from its
 * <em>intended</em> start (wrk2's coordinated-omission correction): when the target stalls, the requests that
 * should have gone out meanwhile wait, and their waiting is part of the latency a user would have seen.
 * Requests whose intended start falls in the run but which were never sent by its end are counted as unsent.
 *
 * <p>Latencies go to a {@link SingleWriterRecorder} per operation, which the progress line reads every second from
 * another thread, and, for requests meant to start in the measured period (after the warm-up), to a histogram per
 * operation read once the connection finished. A failed request is counted, not timed; in the closed loop its slot
 * waits {@link #RETRY_DELAY_NS} before sending again, so a target that fails everything is not spun on.
 */
final class LoadConnection implements RequestListener
{
    /** Latencies above this are recorded as this (1 minute). */
    static final long HIGHEST_NS = TimeUnit.MINUTES.toNanos(1);
    /** What a closed-loop slot waits after a failure. */
    static final long RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Workload workload;
    private final Lane lane;
    private final TargetConnection target;
    private final int index;
    private final SplittableRandom random;
    private final Request[] free;
    private int freeCount;
    private final SingleWriterRecorder[] recorders = new SingleWriterRecorder[Op.ALL.length];
    private final Histogram[] measured = new Histogram[Op.ALL.length];
    private final long[] succeeded = new long[Op.ALL.length];
    private final long[] misses = new long[Op.ALL.length];
    private final long[] errors = new long[Op.ALL.length];
    private volatile long errorsSoFar;
    private final Runnable onFinished;
    private final Runnable pumpTask = this::onPumpTimer;
    private final Runnable refillTask = this::onRefillTimer;
    private final Runnable endTask = this::onEnd;

    private Pacer pacer;
    private long measureFromNs;
    private long endNs;
    private long sent;
    private int inFlight;
    private boolean stopped;
    private boolean finished;
    private boolean pumping;
    private boolean pumpScheduled;
    private boolean refillScheduled;
    private long unsent;
    private String lastError;

    /**
     * @param index      this connection's number, {@code 0..connections-1}.
     * @param onFinished run on the lane once the run ended and no request is in flight.
     */
    LoadConnection(final int index, final Workload workload, final Lane lane, final TargetConnection target,
        final Runnable onFinished)
    {
        this.index = index;
        this.workload = workload;
        this.lane = lane;
        this.target = target;
        this.onFinished = onFinished;
        this.random = new SplittableRandom(workload.connectionSeed(index));
        this.free = new Request[workload.inFlight];
        for (int i = 0; i < free.length; i++)
        {
            free[i] = new Request(this);
        }
        freeCount = free.length;
        for (final Op op : Op.ALL)
        {
            if (workload.uses(op))
            {
                recorders[op.ordinal()] = new SingleWriterRecorder(HIGHEST_NS, 3);
                measured[op.ordinal()] = new Histogram(HIGHEST_NS, 3);
            }
        }
    }

    /**
     * Schedules the run on the lane: requests from {@code startNs}, counted from {@code measureFromNs}, none sent
     * from {@code endNs}. From any thread.
     */
    void start(final long startNs, final long measureFromNs, final long endNs)
    {
        lane.execute(() ->
        {
            this.measureFromNs = measureFromNs;
            this.endNs = endNs;
            if (workload.openLoop())
            {
                pacer = new Pacer(startNs, workload.rate, workload.connections, index);
                pumpScheduled = true;
                lane.schedule(pumpTask, startNs);
            }
            else
            {
                refillScheduled = true;
                lane.schedule(refillTask, startNs);
            }
            lane.schedule(endTask, endNs);
        });
    }

    private void onPumpTimer()
    {
        pumpScheduled = false;
        pump();
    }

    private void onRefillTimer()
    {
        refillScheduled = false;
        refill();
    }

    /**
     * Open loop: sends every request whose intended start has come, while the window has a free slot.
     */
    private void pump()
    {
        if (pumping)
        {
            // An outcome told from inside a call: the loop below sends into the freed slot.
            return;
        }
        pumping = true;
        final long nowNs = lane.nanoTime();
        while (!stopped && freeCount > 0)
        {
            final long intendedNs = pacer.intendedNs(sent);
            if (intendedNs - endNs >= 0)
            {
                break;
            }
            if (intendedNs - nowNs > 0)
            {
                if (!pumpScheduled)
                {
                    pumpScheduled = true;
                    lane.schedule(pumpTask, intendedNs);
                }
                break;
            }
            sent++;
            issue(intendedNs);
        }
        pumping = false;
        target.flush();
    }

    /**
     * Closed loop: fills the free slots of the window, each request timed from now.
     */
    private void refill()
    {
        if (pumping)
        {
            return;
        }
        pumping = true;
        // A failure told from inside a call schedules the refill: stop here rather than spin on a dead target.
        while (!stopped && freeCount > 0 && !refillScheduled)
        {
            final long nowNs = lane.nanoTime();
            if (nowNs - endNs >= 0)
            {
                break;
            }
            sent++;
            issue(nowNs);
        }
        pumping = false;
        target.flush();
    }

    private void issue(final long intendedNs)
    {
        final Request request = free[--freeCount];
        free[freeCount] = null;
        inFlight++;
        final Op op = workload.pickOp(random);
        request.op = op;
        request.keyIndex = workload.distribution.next(random);
        Keys.write(request.key, request.keyIndex);
        request.intendedNs = intendedNs;
        switch (op)
        {
            case GET:
                target.get(request);
                break;
            case SET:
                target.set(request, workload.pickValue(random));
                break;
            case SETSAFE:
                target.setSafe(request, workload.pickValue(random));
                break;
            default:
                target.del(request);
                break;
        }
    }

    @Override
    public void completed(final Request request, final int outcome)
    {
        final long nowNs = lane.nanoTime();
        final int op = request.op.ordinal();
        final boolean inMeasure = request.intendedNs - measureFromNs >= 0;
        if (outcome == Request.ERROR)
        {
            errorsSoFar++;
            lastError = request.error;
            if (inMeasure)
            {
                errors[op]++;
            }
        }
        else
        {
            final long latencyNs = Math.max(0, Math.min(HIGHEST_NS, nowNs - request.intendedNs));
            recorders[op].recordValue(latencyNs);
            if (inMeasure)
            {
                measured[op].recordValue(latencyNs);
                if (outcome == Request.MISS)
                {
                    misses[op]++;
                }
                else
                {
                    succeeded[op]++;
                }
            }
        }
        free[freeCount++] = request;
        inFlight--;
        if (stopped)
        {
            finishWhenIdle();
        }
        else if (workload.openLoop())
        {
            pump();
        }
        else if (outcome == Request.ERROR)
        {
            if (!refillScheduled)
            {
                refillScheduled = true;
                lane.schedule(refillTask, nowNs + RETRY_DELAY_NS);
            }
        }
        else if (!refillScheduled)
        {
            refill();
        }
    }

    private void onEnd()
    {
        stopped = true;
        if (pacer != null)
        {
            long k = sent;
            while (pacer.intendedNs(k) - endNs < 0)
            {
                k++;
            }
            unsent = k - sent;
        }
        finishWhenIdle();
    }

    private void finishWhenIdle()
    {
        if (inFlight == 0 && !finished)
        {
            finished = true;
            onFinished.run();
        }
    }

    // ------------------------------------------------------------------ read from other threads

    /**
     * @return the recorder of {@code op}'s latencies (all of them, warm-up included), or null when the mix has
     * none; its interval histograms may be taken from any one thread.
     */
    SingleWriterRecorder recorder(final Op op)
    {
        return recorders[op.ordinal()];
    }

    /**
     * @return failed requests so far, warm-up included.
     */
    long errorsSoFar()
    {
        return errorsSoFar;
    }

    // ------------------------------------------------------------------ read once finished

    /**
     * @return latencies in ns of {@code op}'s requests meant to start in the measured period, or null.
     */
    Histogram measured(final Op op)
    {
        return measured[op.ordinal()];
    }

    long succeeded(final Op op)
    {
        return succeeded[op.ordinal()];
    }

    long misses(final Op op)
    {
        return misses[op.ordinal()];
    }

    long errors(final Op op)
    {
        return errors[op.ordinal()];
    }

    /**
     * @return open loop: requests meant to start before the end that were never sent (the window stayed full).
     */
    long unsent()
    {
        return unsent;
    }

    int inFlight()
    {
        return inFlight;
    }

    /**
     * @return the last failure's description, or null.
     */
    String lastError()
    {
        return lastError;
    }
}
