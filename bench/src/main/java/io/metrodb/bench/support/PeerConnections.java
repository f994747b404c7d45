package io.metrodb.bench.support;

import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens a harness's pipelined client connection ({@link PeerConnection}) and waits for its handshake.
 */
public final class PeerConnections
{
    /** How long a connection may take to connect and shake hands. */
    public static final long CONNECT_TIMEOUT_S = 10;

    private PeerConnections()
    {
    }

    /**
     * @param loop             the loop that owns the connection (every send must run on it).
     * @param address          the server.
     * @param handshake        what the connection says in its HELLO.
     * @param maxInFlight      requests in flight at most, a power of two.
     * @param requestTimeoutMs how long a request may wait for its answer.
     * @param onLost           run (on the loop) when the connection is lost after it was ready; may be null.
     * @return the connection, ready to send.
     * @throws IllegalStateException when it did not become ready within {@link #CONNECT_TIMEOUT_S} (the connection
     *                               is closed).
     */
    public static PeerConnection connect(
        final EventLoop loop,
        final InetSocketAddress address,
        final HandshakeConfig handshake,
        final int maxInFlight,
        final long requestTimeoutMs,
        final Runnable onLost)
    {
        final CompletableFuture<HandshakeResult> ready = new CompletableFuture<>();
        final PeerConnection connection = new PeerConnection(loop, address, handshake, maxInFlight, requestTimeoutMs,
            new PeerConnection.StateListener()
            {
                @Override
                public void onReady(final PeerConnection c, final HandshakeResult hello)
                {
                    ready.complete(hello);
                }

                @Override
                public void onLost(final PeerConnection c)
                {
                    ready.completeExceptionally(new IllegalStateException("connection to " + address + " lost"));
                    if (onLost != null)
                    {
                        onLost.run();
                    }
                }
            });
        connection.start();
        try
        {
            ready.get(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final Exception e)
        {
            connection.close();
            throw new IllegalStateException("no connection to " + address + " within " + CONNECT_TIMEOUT_S + " s", e);
        }
        return connection;
    }
}
