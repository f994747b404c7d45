package io.metrodb.bench.replication;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client's pipelined connection to a mapd ({@link PeerConnection}, role CLIENT), connected and handshaken.
 */
final class BenchClient implements AutoCloseable
{
    static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final long CONNECT_TIMEOUT_S = 10;

    private final PeerConnection connection;

    private BenchClient(final PeerConnection connection)
    {
        this.connection = connection;
    }

    /**
     * @param loop        the loop that owns the connection (every send must run on it).
     * @param address     the mapd.
     * @param maxInFlight requests in flight at most, a power of two.
     */
    static BenchClient connect(final EventLoop loop, final InetSocketAddress address, final int maxInFlight)
        throws Exception
    {
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final PeerConnection connection = new PeerConnection(loop, address,
            new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.frameLengthFor(ReplicationCluster.MAX_VALUE)),
            maxInFlight, REQUEST_TIMEOUT_MS, new PeerConnection.StateListener()
            {
                @Override
                public void onReady(final PeerConnection c, final HandshakeResult hello)
                {
                    ready.complete(null);
                }

                @Override
                public void onLost(final PeerConnection c)
                {
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
            throw new IllegalStateException("no connection to mapd " + address + " within " + CONNECT_TIMEOUT_S +
                " s", e);
        }
        return new BenchClient(connection);
    }

    PeerConnection connection()
    {
        return connection;
    }

    @Override
    public void close()
    {
        connection.close();
    }
}
