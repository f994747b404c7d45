package io.metrodb.client;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One call's state machine: encodes itself, runs on its link's event loop, and moves to another mapd when that
 * is safe (see {@link MetroClient} for the rules); how it completes is {@link CallCompletion}'s part.
 */
final class MetroCall extends CallCompletion implements Runnable, RequestWriter, ResponseListener
{
    /** How long a call waits before trying again when no mapd is ready or the connection is back-pressured. */
    static final long PARK_MS = 10;

    private final Router router;
    private byte flags;
    private byte[] key;
    private byte[] value;
    /** The key's home mapd. */
    private int home;
    private long deadlineNs;
    private MetroLink link;
    private int sends;
    private int hops;
    private boolean parked;

    /**
     * A call completing a future, for tests that put a call on a connection of their choice.
     */
    MetroCall(
        final MetroClient client, final byte opcode, final byte flags, final byte[] key, final byte[] value,
        final int home, final long deadlineNs)
    {
        this(client.core(), new CompletableFuture<>());
        init(opcode, flags, key, value, home, deadlineNs, null);
    }

    /**
     * @param future the future it completes, or null for a pooled call completing a {@link ReplyHandler}.
     */
    MetroCall(final ClientCore client, final CompletableFuture<Object> future)
    {
        super(client, future);
        this.router = client.router;
    }

    /**
     * Sets up the call before it is dispatched, on the calling thread.
     *
     * @param handler told the outcome, or null when the future is.
     */
    void init(
        final byte opcode, final byte flags, final byte[] key, final byte[] value, final int home,
        final long deadlineNs, final ReplyHandler handler)
    {
        arm(opcode, handler);
        this.flags = flags;
        this.key = key;
        this.value = value;
        this.home = home;
        this.deadlineNs = deadlineNs;
        link = null;
        sends = 0;
        hops = 0;
        parked = false;
    }

    /**
     * Drops the references to the caller's objects before the call is pooled.
     */
    @Override
    void clear()
    {
        super.clear();
        key = null;
        value = null;
        link = null;
    }

    /**
     * Hands the call to the event loop of {@code target}. From any thread.
     */
    void dispatch(final MetroLink target)
    {
        link = target;
        if (target.eventLoop().inEventLoop())
        {
            // Issued from a completion or a retry on the I/O thread: send now, not one task-queue turn later.
            run();
            return;
        }
        try
        {
            target.eventLoop().execute(this);
        }
        catch (final RejectedExecutionException e)
        {
            fail(Failures.closed());
        }
    }

    private boolean isRead()
    {
        return opcode == Opcodes.GET || opcode == Opcodes.EXISTS;
    }

    private int frameLength()
    {
        return FrameHeader.HEADER_LENGTH + (value == null ?
            KeyRequest.KEY_OFFSET + key.length : SetRequest.KEY_OFFSET + key.length + value.length);
    }

    /**
     * Sends on the current link, on its event loop.
     */
    @Override
    public void run()
    {
        if (parked)
        {
            parked = false;
            client.lifecycle.unpark(this);
        }
        if (isDone())
        {
            return;
        }
        if (client.isClosed())
        {
            fail(Failures.closed());
            return;
        }
        final PeerConnection connection = link.connection;
        final int frameLength = frameLength();
        final HandshakeResult hello = connection.hello();
        if (hello != null && frameLength > hello.maxFrameLength())
        {
            fail(new MetroProtocolException(StatusCodes.FRAME_TOO_LARGE, "request of " + frameLength +
                " bytes exceeds the server's frame limit of " + hello.maxFrameLength()));
            return;
        }
        final long requestId = connection.send(this, this, 0, frameLength);
        if (requestId >= 0)
        {
            sends++;
        }
        else if (requestId == PeerConnection.NOT_READY)
        {
            // Never sent, so it cannot have been applied: any op may go elsewhere. First to another connection of
            // the home mapd that is ready (one may have come up since this call was put on this one); while the
            // home mapd's first connection is being set up, wait for it (read-your-writes from the first call);
            // else to the next mapd that is ready.
            final MetroLink homeLink = router.readyLinkOf(home, sends + hops);
            if (homeLink != null && homeLink != link && hops++ < router.linkCount() * 4)
            {
                dispatch(homeLink);
            }
            else if (link.node == home && router.isConnecting(home))
            {
                park();
            }
            else
            {
                moveOrPark();
            }
        }
        else
        {
            park();
        }
    }

    private void moveOrPark()
    {
        final MetroLink next = router.pick(link.node + 1, sends + hops);
        if (next != null && next != link && hops++ < router.linkCount() * 4)
        {
            dispatch(next);
        }
        else
        {
            park();
        }
    }

    private void park()
    {
        if (System.nanoTime() - deadlineNs >= 0)
        {
            fail(client.noMapdFailure());
            return;
        }
        if (router.allRefused())
        {
            fail(client.noMapdFailure());
            return;
        }
        hops = 0;
        parked = true;
        client.lifecycle.park(this);
        if (client.isClosed())
        {
            fail(Failures.closed());
            return;
        }
        // Back to the key's home mapd when it is ready (or still connecting): a call parked because its connection
        // was back-pressured, or no mapd was ready, must not land on another mapd while the home one is up.
        final MetroLink next = router.route(home, sends);
        if (next != null)
        {
            link = next;
        }
        try
        {
            link.eventLoop().schedule(this, PARK_MS, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException e)
        {
            fail(Failures.closed());
        }
    }

    @Override
    public void write(final ByteBuf out, final long requestId)
    {
        if (value == null)
        {
            KeyRequest.encode(out, requestId, opcode, flags, key);
        }
        else
        {
            SetRequest.encode(out, requestId, opcode, key, value);
        }
    }

    @Override
    public void onResponse(final long token, final ByteBuf frame, final int at)
    {
        final short status = FrameHeader.status(frame, at);
        if (status == StatusCodes.OK)
        {
            onOk(frame, at);
        }
        else if (status == StatusCodes.NOT_FOUND)
        {
            if (opcode == Opcodes.GET || opcode == Opcodes.EXISTS || opcode == Opcodes.DEL)
            {
                completeFound(false);
            }
            else
            {
                fail(malformed());
            }
        }
        else if (status == StatusCodes.SHUTTING_DOWN || status == StatusCodes.OVERLOADED ||
            status == StatusCodes.CATCHING_UP)
        {
            // Refused, not applied: another mapd may take it.
            if (System.nanoTime() - deadlineNs < 0 && sends <= router.nodeCount())
            {
                client.countRetry();
                moveOrPark();
            }
            else
            {
                fail(Failures.fromStatus(status, ErrorPayload.message(frame, at)));
            }
        }
        else
        {
            fail(Failures.fromStatus(status, ErrorPayload.message(frame, at)));
        }
    }

    private void onOk(final ByteBuf frame, final int at)
    {
        switch (opcode)
        {
            case Opcodes.GET ->
            {
                if (EntryResponse.isValidGet(frame, at))
                {
                    completeValue(frame, EntryResponse.valueIndex(at), EntryResponse.valueLength(frame, at));
                }
                else
                {
                    fail(malformed());
                }
            }
            case Opcodes.EXISTS, Opcodes.DEL -> completeFound(true);
            default ->
            {
                if (WriteResponse.isValid(frame, at))
                {
                    completeWritten(frame, at);
                }
                else
                {
                    fail(malformed());
                }
            }
        }
    }

    private MetroProtocolException malformed()
    {
        return new MetroProtocolException(StatusCodes.BAD_FRAME,
            "malformed " + Opcodes.name(opcode) + " response from " + link.connection.address());
    }

    @Override
    public void onFailure(final long token, final short status)
    {
        if (status == StatusCodes.TIMEOUT)
        {
            fail(new MetroTimeoutException(status, Opcodes.name(opcode) + ": no answer from " +
                link.connection.address() + " within " + client.requestTimeoutMs() + " ms"));
            return;
        }
        if (client.isClosed())
        {
            fail(Failures.closed());
            return;
        }
        // Lost in flight: it may have been applied. Reads are always safe to repeat; writes only if allowed.
        if ((isRead() || client.retryWrites()) && sends <= router.nodeCount() &&
            System.nanoTime() - deadlineNs < 0)
        {
            client.countRetry();
            moveOrPark();
            return;
        }
        fail(new MetroUnavailableException(status, Opcodes.name(opcode) + ": connection to " +
            link.connection.address() + " lost with the request in flight" +
            (isRead() ? "" : "; the write may have been applied")));
    }

    @Override
    void recycle()
    {
        client.recycle(this);
    }
}
