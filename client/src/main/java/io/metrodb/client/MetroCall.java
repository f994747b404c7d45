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
import io.netty.buffer.ByteBufUtil;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One call's state machine: encodes itself, runs on its link's event loop, and moves to another mapd when that
 * is safe (see {@link MetroClient} for the rules). The one object a call allocates besides its future.
 */
final class MetroCall implements Runnable, RequestWriter, ResponseListener
{
    /** How long a call waits before trying again when no mapd is ready or the connection is back-pressured. */
    static final long PARK_MS = 10;

    private static final AtomicIntegerFieldUpdater<MetroCall> DONE =
        AtomicIntegerFieldUpdater.newUpdater(MetroCall.class, "done");

    final CompletableFuture<Object> future = new CompletableFuture<>();
    private final MetroClient client;
    private final byte opcode;
    private final byte flags;
    private final byte[] key;
    private final byte[] value;
    /** The key's home mapd. */
    private final int home;
    private final long deadlineNs;
    private MetroLink link;
    private int sends;
    private int hops;
    private boolean parked;
    private volatile int done;

    MetroCall(
        final MetroClient client, final byte opcode, final byte flags, final byte[] key, final byte[] value,
        final int home, final long deadlineNs)
    {
        this.client = client;
        this.opcode = opcode;
        this.flags = flags;
        this.key = key;
        this.value = value;
        this.home = home;
        this.deadlineNs = deadlineNs;
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
            fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
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
            client.unpark(this);
        }
        if (done != 0)
        {
            return;
        }
        if (client.isClosed())
        {
            fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
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
            final MetroLink homeLink = client.readyLinkOf(home, sends + hops);
            if (homeLink != null && homeLink != link && hops++ < client.linkCount() * 4)
            {
                dispatch(homeLink);
            }
            else if (link.node == home && client.isConnecting(home))
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
        final MetroLink next = client.pick(link.node + 1, sends + hops);
        if (next != null && next != link && hops++ < client.linkCount() * 4)
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
        if (client.allRefused())
        {
            fail(client.noMapdFailure());
            return;
        }
        hops = 0;
        parked = true;
        client.park(this);
        if (client.isClosed())
        {
            fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
            return;
        }
        // Back to the key's home mapd when it is ready (or still connecting): a call parked because its connection
        // was back-pressured, or no mapd was ready, must not land on another mapd while the home one is up.
        final MetroLink next = client.route(home, sends);
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
            fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
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
            switch (opcode)
            {
                case Opcodes.GET -> complete(null);
                case Opcodes.EXISTS, Opcodes.DEL -> complete(Boolean.FALSE);
                default -> fail(malformed());
            }
        }
        else if (status == StatusCodes.SHUTTING_DOWN || status == StatusCodes.OVERLOADED ||
            status == StatusCodes.CATCHING_UP)
        {
            // Refused, not applied: another mapd may take it.
            if (System.nanoTime() - deadlineNs < 0 && sends <= client.nodeCount())
            {
                client.countRetry();
                moveOrPark();
            }
            else
            {
                fail(client.failure(status, ErrorPayload.message(frame, at)));
            }
        }
        else
        {
            fail(client.failure(status, ErrorPayload.message(frame, at)));
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
                    complete(ByteBufUtil.getBytes(
                        frame, EntryResponse.valueIndex(at), EntryResponse.valueLength(frame, at)));
                }
                else
                {
                    fail(malformed());
                }
            }
            case Opcodes.EXISTS -> complete(Boolean.TRUE);
            case Opcodes.DEL -> complete(Boolean.TRUE);
            default ->
            {
                if (WriteResponse.isValid(frame, at))
                {
                    complete(new WriteResult(WriteResponse.version(frame, at), WriteResponse.versionNode(frame, at),
                        WriteResponse.replicas(frame, at), WriteResponse.peersAcked(frame, at),
                        WriteResponse.peersLive(frame, at)));
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
            fail(new MetroUnavailableException(StatusCodes.UNAVAILABLE, "client is closed"));
            return;
        }
        // Lost in flight: it may have been applied. Reads are always safe to repeat; writes only if allowed.
        if ((isRead() || client.retryWrites()) && sends <= client.nodeCount() &&
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

    void complete(final Object result)
    {
        if (DONE.compareAndSet(this, 0, 1))
        {
            client.release();
            future.complete(result);
        }
    }

    void fail(final Throwable error)
    {
        if (DONE.compareAndSet(this, 0, 1))
        {
            client.release();
            future.completeExceptionally(error);
        }
    }
}
