package io.metrodb.bench.load;

import java.util.SplittableRandom;

/**
 * The preload phase on one connection: SETs of keys {@code index, index + connections, ...} below {@code count},
 * {@code inFlight} at a time, before the timed run (not timed; failures counted).
 */
final class Preloader implements RequestListener
{
    private final Workload workload;
    private final Lane lane;
    private final TargetConnection target;
    private final int stride;
    private final long count;
    private final Runnable onFinished;
    private final SplittableRandom random;
    private final Request[] free;
    private int freeCount;
    private long nextKey;
    private int inFlight;
    private long errors;
    private String lastError;
    private boolean finished;
    private boolean filling;

    Preloader(final int index, final Workload workload, final Lane lane, final TargetConnection target,
        final long count, final Runnable onFinished)
    {
        this.workload = workload;
        this.lane = lane;
        this.target = target;
        this.stride = workload.connections;
        this.count = count;
        this.onFinished = onFinished;
        this.random = new SplittableRandom(workload.connectionSeed(index) ^ 0x7F4A7C15L);
        this.nextKey = index;
        this.free = new Request[workload.inFlight];
        for (int i = 0; i < free.length; i++)
        {
            free[i] = new Request(this);
        }
        freeCount = free.length;
    }

    /**
     * Starts the preload on the lane. From any thread.
     */
    void start()
    {
        lane.execute(this::fill);
    }

    private void fill()
    {
        if (filling)
        {
            // An outcome told from inside a call (a closed connection): the loop below goes on.
            return;
        }
        filling = true;
        while (freeCount > 0 && nextKey < count)
        {
            final Request request = free[--freeCount];
            inFlight++;
            request.op = Op.SET;
            request.keyIndex = nextKey;
            Keys.write(request.key, nextKey);
            nextKey += stride;
            target.set(request, workload.pickValue(random));
        }
        filling = false;
        target.flush();
        if (inFlight == 0 && !finished)
        {
            finished = true;
            onFinished.run();
        }
    }

    @Override
    public void completed(final Request request, final int outcome)
    {
        if (outcome == Request.ERROR)
        {
            errors++;
            lastError = request.error;
        }
        free[freeCount++] = request;
        inFlight--;
        fill();
    }

    /**
     * @return failed SETs; read once finished.
     */
    long errors()
    {
        return errors;
    }

    String lastError()
    {
        return lastError;
    }
}
