package io.metrodb.bench.mapd;

import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One connection running a closed loop with one request outstanding: op 0, then op 1, repeated for
 * {@code warmupIterations + iterations} rounds; the latency of each answer (send to response, ns) in the measured
 * rounds goes to that op's histogram. Confined to its connection's event loop; the owner reads the results after
 * {@code done} counts down.
 */
final class ClosedLoopConnection implements RequestWriter, ResponseListener, PeerConnection.StateListener
{
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);

    final PeerConnection connection;
    final Histogram[] histograms = new Histogram[2];
    private final LoopOp[] ops;
    private final int warmupIterations;
    private final int endIteration;
    private final CountDownLatch ready;
    private final CountDownLatch done;
    private final Runnable sendTask = this::sendCurrent;
    private long random;
    private long currentRandom;
    private long sentNs;
    private int iteration;
    private int op;
    private boolean finished;
    long measureStartNs;
    long measureEndNs;
    long errors;
    long notSent;

    ClosedLoopConnection(
        final EventLoop loop,
        final InetSocketAddress address,
        final HandshakeConfig handshake,
        final LoopOp op0,
        final LoopOp op1,
        final int warmupIterations,
        final int iterations,
        final long seed,
        final CountDownLatch ready,
        final CountDownLatch done)
    {
        this.ops = new LoopOp[] { op0, op1 };
        this.warmupIterations = warmupIterations;
        this.endIteration = warmupIterations + iterations;
        this.random = seed == 0 ? 1 : seed;
        this.ready = ready;
        this.done = done;
        histograms[0] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        histograms[1] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        connection = new PeerConnection(loop, address, handshake, 16, 30_000, this);
        connection.start();
    }

    /**
     * Starts the loop (from any thread).
     */
    void begin()
    {
        connection.eventLoop().execute(sendTask);
    }

    private void sendCurrent()
    {
        if (iteration == warmupIterations && op == 0 && measureStartNs == 0)
        {
            measureStartNs = System.nanoTime();
        }
        random = MapdKeys.next(random);
        currentRandom = random;
        sentNs = System.nanoTime();
        if (connection.send(this, this, op) < 0)
        {
            notSent++;
            connection.eventLoop().schedule(sendTask, 1, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void write(final ByteBuf out, final long requestId)
    {
        ops[op].write(out, requestId, currentRandom);
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final long latencyNs = System.nanoTime() - sentNs;
        if (!ops[op].isOk(frame, at))
        {
            errors++;
        }
        else if (iteration >= warmupIterations)
        {
            histograms[op].recordValue(Math.min(latencyNs, HIGHEST_TRACKABLE_NS));
        }
        advance();
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        if (finished)
        {
            return;
        }
        errors++;
        advance();
    }

    private void advance()
    {
        op ^= 1;
        if (op == 0)
        {
            iteration++;
        }
        if (iteration == endIteration)
        {
            measureEndNs = System.nanoTime();
            finished = true;
            done.countDown();
        }
        else
        {
            sendCurrent();
        }
    }

    @Override
    public void onReady(final PeerConnection connection, final HandshakeResult hello)
    {
        ready.countDown();
    }

    @Override
    public void onLost(final PeerConnection connection)
    {
    }
}
