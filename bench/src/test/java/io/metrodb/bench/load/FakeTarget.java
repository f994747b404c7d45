package io.metrodb.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * A {@link TargetConnection} on a {@link ManualLane}: request {@code n} (counted from 0) is answered
 * {@code serviceNs(n)} after it was sent, successfully; it records when each request was sent.
 */
class FakeTarget implements TargetConnection
{
    final List<Long> sentAtNs = new ArrayList<>();
    final List<Op> ops = new ArrayList<>();
    private final ManualLane lane;
    private final LongUnaryOperator serviceNs;
    int flushes;

    FakeTarget(final ManualLane lane, final LongUnaryOperator serviceNs)
    {
        this.lane = lane;
        this.serviceNs = serviceNs;
    }

    private void answer(final Request request, final Op op)
    {
        final long n = sentAtNs.size();
        sentAtNs.add(lane.nanoTime());
        ops.add(op);
        lane.schedule(request::succeeded, lane.nanoTime() + serviceNs.applyAsLong(n));
    }

    @Override
    public void get(final Request request)
    {
        answer(request, Op.GET);
    }

    @Override
    public void set(final Request request, final byte[] value)
    {
        answer(request, Op.SET);
    }

    @Override
    public void setSafe(final Request request, final byte[] value)
    {
        answer(request, Op.SETSAFE);
    }

    @Override
    public void del(final Request request)
    {
        answer(request, Op.DEL);
    }

    @Override
    public void flush()
    {
        flushes++;
    }

    @Override
    public void close()
    {
    }
}
