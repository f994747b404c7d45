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

/**
 * One connection keeping {@code window} requests of one op in flight until {@code total} have been answered: each
 * answer sends the next request. Latency is send to answer (ns) per request; throughput is answers over the time from
 * the first send to the last answer. Confined to its connection's event loop; the owner reads the results after
 * {@code done} counts down. The bare-Netty reference for pipelined throughput.
 */
final class WindowedConnection implements RequestWriter, ResponseListener, PeerConnection.StateListener
{
    final PeerConnection connection;
    final Histogram histogram = new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3);
    private final LoopOp op;
    private final int window;
    private final long total;
    private final long[] sentNs;
    private final CountDownLatch ready;
    private final CountDownLatch done;
    private long random;
    private long currentRandom;
    private long sent;
    private long answered;
    long startNs;
    long endNs;
    long errors;

    WindowedConnection(
        final EventLoop loop,
        final InetSocketAddress address,
        final HandshakeConfig handshake,
        final LoopOp op,
        final int window,
        final long total,
        final long seed,
        final CountDownLatch ready,
        final CountDownLatch done)
    {
        this.op = op;
        this.window = window;
        this.total = total;
        this.sentNs = new long[window];
        this.random = seed == 0 ? 1 : seed;
        this.ready = ready;
        this.done = done;
        connection = new PeerConnection(loop, address, handshake, Integer.highestOneBit(window * 2 - 1), 30_000, this);
        connection.start();
    }

    /**
     * Fills the window (from any thread).
     */
    void begin()
    {
        connection.eventLoop().execute(() ->
        {
            startNs = System.nanoTime();
            for (int slot = 0; slot < window && sent < total; slot++)
            {
                send(slot);
            }
        });
    }

    private void send(final int slot)
    {
        random = MapdKeys.next(random);
        currentRandom = random;
        sentNs[slot] = System.nanoTime();
        sent++;
        if (connection.send(this, this, slot) < 0)
        {
            throw new IllegalStateException("connection refused a request with " + window + " in flight");
        }
    }

    @Override
    public void write(final ByteBuf out, final long requestId)
    {
        op.write(out, requestId, currentRandom);
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final int slot = (int)token;
        histogram.recordValue(Math.min(System.nanoTime() - sentNs[slot], ClosedLoopConnection.HIGHEST_TRACKABLE_NS));
        if (!op.isOk(frame, at))
        {
            errors++;
        }
        next(slot);
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        errors++;
        next((int)token);
    }

    private void next(final int slot)
    {
        answered++;
        if (answered == total)
        {
            endNs = System.nanoTime();
            done.countDown();
        }
        else if (sent < total)
        {
            send(slot);
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
