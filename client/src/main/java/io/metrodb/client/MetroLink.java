package io.metrodb.client;

import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/**
 * One pipelined connection to one mapd, with its readiness published for the callers' threads.
 */
final class MetroLink implements PeerConnection.StateListener
{
    final int node;
    final PeerConnection connection;
    /** Written on the connection's event loop, read by any thread to route calls. */
    volatile boolean ready;
    /** Status of the last refused HELLO (e.g. AUTH_FAILED), 0 once a handshake succeeds. */
    volatile short refusal;
    /**
     * False until the first connection attempt ended, ready or failed: while it is being set up, calls for keys
     * homed at this mapd wait for it (see {@link MetroClient#route}).
     */
    volatile boolean settled;
    private final Readiness readiness;

    MetroLink(
        final int node,
        final EventLoop eventLoop,
        final InetSocketAddress address,
        final HandshakeConfig handshake,
        final int maxInFlight,
        final long requestTimeoutMs,
        final Readiness readiness)
    {
        this.node = node;
        this.readiness = readiness;
        this.connection = new PeerConnection(eventLoop, address, handshake, maxInFlight, requestTimeoutMs, this);
    }

    EventLoop eventLoop()
    {
        return connection.eventLoop();
    }

    @Override
    public void onReady(final PeerConnection peer, final HandshakeResult hello)
    {
        refusal = 0;
        ready = true;
        settled = true;
        readiness.changed();
    }

    @Override
    public void onLost(final PeerConnection peer)
    {
        ready = false;
        readiness.changed();
    }

    @Override
    public void onHandshakeFailed(final PeerConnection peer, final Throwable cause)
    {
        refusal = cause instanceof ProtocolException ? ((ProtocolException)cause).status() : StatusCodes.UNAVAILABLE;
        settled = true;
        readiness.changed();
    }

    @Override
    public void onConnectFailed(final PeerConnection peer, final Throwable cause)
    {
        settled = true;
        readiness.changed();
    }
}
