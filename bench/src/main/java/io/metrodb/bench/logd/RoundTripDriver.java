package io.metrodb.bench.logd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Promise;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Closed loop on the client event loop for {@link LogdLatencyHarness}: send, wait for the answer, record, send the
 * next, until the warm-up and the measured count are done or the deadline passes.
 */
final class RoundTripDriver implements ResponseListener
{
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    private final Case measuredCase;
    private final int warmupCount;
    private final int total;
    private final long deadlineNs;
    private final Promise<Histogram> done;
    private final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private long sequence;
    private long sentNs;
    private String failure;

    RoundTripDriver(final Case measuredCase, final int warmupCount, final int count, final long deadlineNs,
        final Promise<Histogram> done)
    {
        this.measuredCase = measuredCase;
        this.warmupCount = warmupCount;
        this.total = warmupCount + count;
        this.deadlineNs = deadlineNs;
        this.done = done;
    }

    /**
     * @return null, or why the loop stopped early.
     */
    String failure()
    {
        return failure;
    }

    void next()
    {
        sentNs = System.nanoTime();
        final String error = measuredCase.send(this, sequence);
        if (error != null)
        {
            fail(error);
        }
    }

    /** An answer arrived (on the event loop); {@code error} is null when it was the expected one. */
    void onAnswer(final String error)
    {
        final long nowNs = System.nanoTime();
        if (error != null)
        {
            fail(error);
            return;
        }
        if (sequence >= warmupCount)
        {
            histogram.recordValue(Math.min(nowNs - sentNs, HIGHEST_TRACKABLE_NS));
        }
        sequence++;
        if (sequence < total && nowNs - deadlineNs < 0)
        {
            next();
        }
        else
        {
            done.trySuccess(histogram);
        }
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final short status = FrameHeader.status(frame, at);
        onAnswer(status == StatusCodes.OK ? ((LogdCases.LogdCase)measuredCase).onResponse(frame, at) :
            "status " + status + " for " + Opcodes.name(FrameHeader.opcode(frame, at)));
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        fail("request failed with status " + status);
    }

    private void fail(final String error)
    {
        failure = error;
        done.trySuccess(histogram);
    }

    /**
     * One kind of request: sends it, and checks its answer.
     */
    interface Case
    {
        /**
         * Send request number {@code sequence}; the answer must reach {@link RoundTripDriver#onAnswer}.
         *
         * @return null, or why it could not be sent.
         */
        String send(RoundTripDriver driver, long sequence);
    }
}
