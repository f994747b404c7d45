package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.StatusCodes;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One persistent, pipelined connection to a MetroDB node, confined to one event loop: every method must be
 * called on {@link #eventLoop()}. Many requests may be in flight; answers are matched by request id and
 * may come in any order. Sends are written at once and flushed together once per event-loop turn. A lost
 * connection fails its requests with {@code UNAVAILABLE} and is re-established with exponential backoff;
 * a request past its timeout fails with {@code TIMEOUT}. Timeouts are checked every quarter of the timeout (at
 * least 5 ms) while requests are in flight; an idle connection schedules nothing. When requests time out and the
 * peer has sent nothing at all for a whole request timeout, the connection is taken for dead: its requests fail
 * with {@code TIMEOUT} and it is closed, and so re-established with backoff: a half-open connection (a peer that
 * vanished without a FIN) is not kept forever.
 */
public final class PeerConnection implements AutoCloseable
{
    /** {@link #send} result: not connected (or the handshake has not completed). */
    public static final long NOT_READY = -1;
    /** {@link #send} result: too many requests in flight, or the socket's write buffer is full. */
    public static final long BACK_PRESSURED = -2;

    public static final long INITIAL_BACKOFF_MS = 50;
    /**
     * Retries of a peer that is down never wait longer than this, so a peer that comes back (or one started at the
     * same time as this node) is connected within about half a second: a connect to a closed port costs almost
     * nothing, and a node's use of a peer (mond's view, a mapd's writes) waits on this connection.
     */
    public static final long MAX_BACKOFF_MS = 500;
    /** How long a connect, and then the HELLO on it (plus one request timeout), may take. */
    public static final long CONNECT_TIMEOUT_MS = 2_000;

    /**
     * Told when the connection becomes usable and when it is lost, on the event loop.
     */
    public interface StateListener
    {
        void onReady(PeerConnection connection, HandshakeResult hello);

        void onLost(PeerConnection connection);

        /**
         * The server refused or never answered HELLO on a fresh connection (it will be retried with backoff).
         *
         * @param cause a {@link io.metrodb.protocol.ProtocolException} carrying the refusal status (e.g.
         *              AUTH_FAILED), or the I/O error that ended the connection first.
         */
        default void onHandshakeFailed(PeerConnection connection, Throwable cause)
        {
        }

        /**
         * A connection attempt failed before the handshake (refused, unreachable, timed out); it will be retried
         * with backoff.
         */
        default void onConnectFailed(PeerConnection connection, Throwable cause)
        {
        }
    }

    private final EventLoop eventLoop;
    private final InetSocketAddress address;
    private final HandshakeConfig handshake;
    private final long requestTimeoutNs;
    private long scanIntervalNs;
    private final StateListener stateListener;
    private final InFlightRequests inFlight;
    private final ProtocolErrorHandler errors = new ProtocolErrorHandler();
    private final Runnable flushTask = this::flushNow;
    private final Runnable connectTask = this::connectNow;
    private final Runnable timeoutScanTask = this::expireRequests;

    private Channel channel;
    private HandshakeResult hello;
    private boolean ready;
    private boolean closed;
    private boolean flushScheduled;
    private long backoffMs = INITIAL_BACKOFF_MS;
    private ScheduledFuture<?> timeoutScan;
    private long staleResponses;
    private long connects;
    private long silentCloses;
    /** When the last frame (or the HELLO answer) arrived on the current connection. */
    private long lastReadNs;

    /**
     * @param eventLoop        the loop that owns this connection.
     * @param address          the node to connect to.
     * @param handshake        this side's HELLO (role, node id, token, frame limit).
     * @param maxInFlight      requests in flight at most, a power of two.
     * @param requestTimeoutMs how long a request may wait for its answer.
     * @param stateListener    told about readiness changes, or null.
     */
    public PeerConnection(
        final EventLoop eventLoop,
        final InetSocketAddress address,
        final HandshakeConfig handshake,
        final int maxInFlight,
        final long requestTimeoutMs,
        final StateListener stateListener)
    {
        this.eventLoop = eventLoop;
        this.address = address;
        this.handshake = handshake;
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        this.scanIntervalNs = scanInterval(requestTimeoutNs);
        this.stateListener = stateListener;
        this.inFlight = new InFlightRequests(maxInFlight);
    }

    private static long scanInterval(final long timeoutNs)
    {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(5), timeoutNs / 4);
    }

    /**
     * Requests are also sent with a timeout as short as {@code timeoutMs} (shorter than the connection's): timeouts
     * are checked every quarter of it, so such a request fails on time. Before {@link #start()}.
     */
    public void shortestTimeout(final long timeoutMs)
    {
        scanIntervalNs = Math.min(scanIntervalNs, scanInterval(TimeUnit.MILLISECONDS.toNanos(timeoutMs)));
    }

    public EventLoop eventLoop()
    {
        return eventLoop;
    }

    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * Starts connecting (from any thread); reconnects by itself until {@link #close()}.
     */
    public void start()
    {
        eventLoop.execute(connectTask);
    }

    /**
     * @return true when connected and the handshake completed.
     */
    public boolean isReady()
    {
        return ready;
    }

    /**
     * @return the peer's HELLO answer from the current (or last) connection, or null before the first.
     */
    public HandshakeResult hello()
    {
        return hello;
    }

    /**
     * @return true once {@link #close()} has run: the connection is closed for good and not re-established.
     */
    public boolean isClosed()
    {
        return closed;
    }

    public int inFlight()
    {
        return inFlight.count();
    }

    /**
     * @return answers that matched no request in flight (late after a timeout, or bogus).
     */
    public long staleResponses()
    {
        return staleResponses;
    }

    /**
     * @return successful connections so far (1 plus reconnects).
     */
    public long connects()
    {
        return connects;
    }

    /**
     * @return connections closed because requests timed out while the peer sent nothing for a request timeout.
     */
    public long silentCloses()
    {
        return silentCloses;
    }

    /**
     * Sends a request. On the event loop only.
     *
     * @param writer   encodes the frame with the id it is given.
     * @param listener told the outcome, unless this returns a negative value.
     * @param token    handed back to the listener.
     * @return the request id, or {@link #NOT_READY} / {@link #BACK_PRESSURED} (then nothing was sent).
     */
    public long send(final RequestWriter writer, final ResponseListener listener, final long token)
    {
        return send(writer, listener, token, 256);
    }

    /**
     * As {@link #send(RequestWriter, ResponseListener, long)}, with the frame's expected size, so a large frame
     * is written into one buffer of the right size instead of a growing one.
     */
    public long send(
        final RequestWriter writer, final ResponseListener listener, final long token, final int frameLengthHint)
    {
        return send(writer, listener, token, frameLengthHint, requestTimeoutNs);
    }

    /**
     * As {@link #send(RequestWriter, ResponseListener, long, int)}, with this request's own timeout (its first
     * answer; a later one of a {@code MORE} answer gets the connection's): past it the request fails with
     * {@code TIMEOUT} and a late answer is dropped. Set {@link #shortestTimeout} to the shortest timeout used.
     */
    public long send(
        final RequestWriter writer,
        final ResponseListener listener,
        final long token,
        final int frameLengthHint,
        final long timeoutNs)
    {
        if (!ready)
        {
            return NOT_READY;
        }
        if (!channel.isWritable())
        {
            return BACK_PRESSURED;
        }
        final long requestId = inFlight.register(listener, token, System.nanoTime() + timeoutNs);
        if (requestId < 0)
        {
            return BACK_PRESSURED;
        }
        final ByteBuf out = channel.alloc().ioBuffer(frameLengthHint);
        try
        {
            writer.write(out, requestId);
        }
        catch (final RuntimeException e)
        {
            out.release();
            inFlight.cancel(requestId);
            throw e;
        }
        channel.write(out, channel.voidPromise());
        if (timeoutScan == null)
        {
            scheduleTimeoutScan();
        }
        if (!flushScheduled)
        {
            flushScheduled = true;
            eventLoop.execute(flushTask);
        }
        return requestId;
    }

    /**
     * Closes the connection and stops reconnecting; requests in flight fail with UNAVAILABLE.
     */
    @Override
    public void close()
    {
        if (eventLoop.inEventLoop())
        {
            closeNow();
        }
        else
        {
            eventLoop.submit(this::closeNow).syncUninterruptibly();
        }
    }

    private void closeNow()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (timeoutScan != null)
        {
            timeoutScan.cancel(false);
        }
        if (channel != null)
        {
            channel.close();
        }
        markLost();
    }

    private void connectNow()
    {
        if (closed)
        {
            return;
        }
        final Bootstrap bootstrap = new Bootstrap()
            .group(eventLoop)
            .channel(Transports.channelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)CONNECT_TIMEOUT_MS)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 8 << 20))
            .handler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    final ClientHandshakeHandler handshakeHandler =
                        ProtocolPipeline.initClient(ch.pipeline(), handshake, new ResponseHandler(), errors);
                    // A peer that accepts and never answers HELLO must not hold the link forever: give up on
                    // it after the connect timeout plus one request timeout, and reconnect with backoff.
                    final Promise<HandshakeResult> result = handshakeHandler.result();
                    final ScheduledFuture<?> handshakeTimeout = ch.eventLoop().schedule(
                        () -> result.tryFailure(new ProtocolException(StatusCodes.TIMEOUT, true,
                            "no HELLO answer from " + address + " within " + handshakeTimeoutMs() + " ms")),
                        handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
                    result.addListener(future -> handshakeTimeout.cancel(false));
                    handshakeHandler.result().addListener(future ->
                    {
                        if (future.isSuccess() && !closed && ch == channel)
                        {
                            onHandshake((HandshakeResult)future.getNow());
                        }
                        else
                        {
                            if (!future.isSuccess() && !closed && ch == channel && stateListener != null)
                            {
                                stateListener.onHandshakeFailed(PeerConnection.this, future.cause());
                            }
                            ch.close();
                        }
                    });
                }
            });
        final ChannelFuture connect = bootstrap.connect(address);
        channel = connect.channel();
        // A failed connect closes the channel too, so the close listener alone schedules the retry.
        connect.addListener(future ->
        {
            if (!future.isSuccess())
            {
                if (!closed && connect.channel() == channel && stateListener != null)
                {
                    stateListener.onConnectFailed(this, future.cause());
                }
                connect.channel().close();
            }
        });
        connect.channel().closeFuture().addListener(future -> onClosed(connect.channel()));
    }

    private long handshakeTimeoutMs()
    {
        return CONNECT_TIMEOUT_MS + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs);
    }

    private void onHandshake(final HandshakeResult result)
    {
        hello = result;
        ready = true;
        connects++;
        lastReadNs = System.nanoTime();
        backoffMs = INITIAL_BACKOFF_MS;
        if (stateListener != null)
        {
            stateListener.onReady(this, result);
        }
    }

    private void onClosed(final Channel closedChannel)
    {
        if (closedChannel != channel)
        {
            return;
        }
        markLost();
        scheduleReconnect();
    }

    private void markLost()
    {
        final boolean wasReady = ready;
        ready = false;
        inFlight.failAll(StatusCodes.UNAVAILABLE);
        if (wasReady && stateListener != null)
        {
            stateListener.onLost(this);
        }
    }

    private void scheduleReconnect()
    {
        if (closed)
        {
            return;
        }
        final long jitter = ThreadLocalRandom.current().nextLong(backoffMs / 4 + 1);
        eventLoop.schedule(connectTask, backoffMs + jitter, TimeUnit.MILLISECONDS);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    private void flushNow()
    {
        flushScheduled = false;
        if (channel != null)
        {
            channel.flush();
        }
    }

    private void scheduleTimeoutScan()
    {
        timeoutScan = eventLoop.schedule(timeoutScanTask, scanIntervalNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Fails the requests past their deadline; runs again while any are in flight (a send schedules it again).
     */
    private void expireRequests()
    {
        timeoutScan = null;
        if (inFlight.count() > 0)
        {
            final long nowNs = System.nanoTime();
            if (inFlight.expire(nowNs) > 0 && ready && nowNs - lastReadNs > requestTimeoutNs && channel != null)
            {
                // Requests time out and the peer has sent nothing for a whole request timeout: the connection is
                // taken for dead (a half-open connection to a peer that vanished, or whose socket was never
                // closed, would otherwise be kept forever). Closing it re-establishes it with backoff. The other
                // requests on it time out with it: they waited on a peer silent for a whole timeout, and a TIMEOUT,
                // unlike a lost connection, is never retried (each may still be applied).
                silentCloses++;
                inFlight.failAll(StatusCodes.TIMEOUT);
                channel.close();
            }
        }
        if (inFlight.count() > 0 && timeoutScan == null && !closed)
        {
            scheduleTimeoutScan();
        }
    }

    /**
     * Routes each response frame to the listener of its request.
     */
    private final class ResponseHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            lastReadNs = System.nanoTime();
            try
            {
                final int at = frame.readerIndex();
                final boolean last = !FrameHeader.hasFlag(frame, at, FrameFlags.MORE);
                if (!FrameHeader.isResponse(frame, at) ||
                    !inFlight.complete(FrameHeader.requestId(frame, at), last,
                        last ? 0 : System.nanoTime() + requestTimeoutNs, frame, at))
                {
                    staleResponses++;
                }
            }
            finally
            {
                frame.release();
            }
        }
    }
}
