package io.metrodb.bench.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes a bounded key range to a mapd with pipelined SETs: {@code connections} connections, each keeping up to
 * {@code window} SETs in flight and taking every connections-th key of the range, until the range is done.
 */
final class SetLoader
{
    /**
     * @param keys   SETs answered OK.
     * @param errors SETs answered with another status or failed (timeout, connection lost).
     * @param nanos  wall time from the first send to the last answer.
     */
    record Result(long keys, long errors, long nanos)
    {
        double perSecond()
        {
            return keys * 1e9 / nanos;
        }
    }

    private SetLoader()
    {
    }

    /**
     * Loads keys {@code firstKey .. firstKey + keyCount - 1}, each with {@code value}.
     *
     * @throws TimeoutException when the load has not finished within {@code timeoutMs} (connections are closed).
     */
    static Result load(
        final EventLoopGroup group,
        final InetSocketAddress address,
        final int connections,
        final int window,
        final long firstKey,
        final long keyCount,
        final ByteBuf value,
        final long timeoutMs) throws InterruptedException, TimeoutException
    {
        final CountDownLatch ready = new CountDownLatch(connections);
        final CountDownLatch done = new CountDownLatch(connections);
        final Loader[] loaders = new Loader[connections];
        for (int c = 0; c < connections; c++)
        {
            loaders[c] = new Loader(group, address, window, firstKey + c, firstKey + keyCount, connections, value,
                ready, done);
        }
        try
        {
            if (!ready.await(10, TimeUnit.SECONDS))
            {
                throw new TimeoutException("could not connect to " + address + " within 10 s");
            }
            final long startNs = System.nanoTime();
            for (final Loader loader : loaders)
            {
                loader.connection.eventLoop().execute(loader::pump);
            }
            if (!done.await(timeoutMs, TimeUnit.MILLISECONDS))
            {
                throw new TimeoutException("load of " + keyCount + " keys did not finish within " + timeoutMs + " ms");
            }
            final long nanos = System.nanoTime() - startNs;
            long keys = 0;
            long errors = 0;
            for (final Loader loader : loaders)
            {
                keys += loader.completed;
                errors += loader.errors;
            }
            return new Result(keys, errors, nanos);
        }
        finally
        {
            for (final Loader loader : loaders)
            {
                loader.connection.close();
            }
        }
    }

    /**
     * One connection's share of the range, on its event loop.
     */
    private static final class Loader implements RequestWriter, ResponseListener, PeerConnection.StateListener
    {
        private final PeerConnection connection;
        private final int window;
        private final long endKey;
        private final int stride;
        private final ByteBuf value;
        private final ByteBuf key = Unpooled.buffer(MapdKeys.KEY_LENGTH, MapdKeys.KEY_LENGTH);
        private final CountDownLatch ready;
        private final CountDownLatch done;
        private final Runnable pumpTask = this::pump;
        private long nextKey;
        private long sendingKey;
        private int inFlight;
        private boolean finished;
        private boolean retryScheduled;
        long completed;
        long errors;

        Loader(
            final EventLoopGroup group,
            final InetSocketAddress address,
            final int window,
            final long firstKey,
            final long endKey,
            final int stride,
            final ByteBuf value,
            final CountDownLatch ready,
            final CountDownLatch done)
        {
            this.window = window;
            this.nextKey = firstKey;
            this.endKey = endKey;
            this.stride = stride;
            this.value = value;
            this.ready = ready;
            this.done = done;
            connection = new PeerConnection(group.next(), address, BenchCluster.CLIENT_HANDSHAKE, 2 * window,
                30_000, this);
            connection.start();
        }

        void pump()
        {
            retryScheduled = false;
            while (inFlight < window && nextKey < endKey)
            {
                sendingKey = nextKey;
                if (connection.send(this, this, nextKey) < 0)
                {
                    if (inFlight == 0 && !retryScheduled)
                    {
                        retryScheduled = true;
                        connection.eventLoop().schedule(pumpTask, 1, TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                nextKey += stride;
                inFlight++;
            }
            if (inFlight == 0 && nextKey >= endKey && !finished)
            {
                finished = true;
                done.countDown();
            }
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            MapdKeys.key(key, sendingKey);
            SetRequest.encode(out, requestId, Opcodes.SET, key, 0, MapdKeys.KEY_LENGTH, value, value.readerIndex(),
                value.readableBytes());
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            inFlight--;
            if (FrameHeader.status(frame, at) == StatusCodes.OK)
            {
                completed++;
            }
            else
            {
                errors++;
            }
            pump();
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            inFlight--;
            errors++;
            pump();
        }

        @Override
        public void onReady(final PeerConnection connection, final io.metrodb.protocol.netty.HandshakeResult hello)
        {
            ready.countDown();
        }

        @Override
        public void onLost(final PeerConnection connection)
        {
        }
    }
}
