package io.metrodb.mapd.resp;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.FrameDecoder;
import io.metrodb.protocol.netty.ServerEdge;
import io.metrodb.protocol.netty.TextProtocol;
import io.netty.channel.ChannelPipeline;

/**
 * Redis on a mapd's port: replaces the binary frame decoder and handshake of a connection whose first byte is text
 * with a {@link RespHandler} in front of the same request handler. One per server; holds the shared counters.
 */
public final class RespProtocol implements TextProtocol
{
    private final int maxValueLength;
    private final byte[] token;
    private final RespStats stats = new RespStats();

    /**
     * @param maxValueLength the mapd's largest value; also the longest argument a client may send.
     * @param token          the mapd's auth token bytes, empty for none.
     */
    public RespProtocol(final int maxValueLength, final byte[] token)
    {
        this.maxValueLength = maxValueLength;
        this.token = token.clone();
    }

    @Override
    public void install(final ChannelPipeline pipeline)
    {
        final ServerEdge edge = ((FrameDecoder)pipeline.remove("frames")).edge();
        pipeline.remove("handshake");
        pipeline.addBefore("requests", "resp", new RespHandler(this, edge));
    }

    int maxValueLength()
    {
        return maxValueLength;
    }

    int maxBulkLength()
    {
        return Math.max(maxValueLength, ProtocolLimits.MAX_KEY_LENGTH);
    }

    byte[] token()
    {
        return token;
    }

    RespStats stats()
    {
        return stats;
    }
}
