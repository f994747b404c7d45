package io.metrodb.bench.replication;

import io.metrodb.bench.support.PeerConnections;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.PeerConnection;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/**
 * A client's pipelined connection to a mapd ({@link PeerConnection}, role CLIENT), connected and handshaken.
 */
final class BenchClient implements AutoCloseable
{
    static final long REQUEST_TIMEOUT_MS = 10_000;

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
    {
        return new BenchClient(PeerConnections.connect(loop, address,
            new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.frameLengthFor(ReplicationCluster.MAX_VALUE)),
            maxInFlight, REQUEST_TIMEOUT_MS, null));
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
