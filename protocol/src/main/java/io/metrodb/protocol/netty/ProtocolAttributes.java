package io.metrodb.protocol.netty;

import io.netty.util.AttributeKey;

/**
 * What the handshake learnt about the peer, stored on its channel.
 */
public final class ProtocolAttributes
{
    /** The negotiated protocol version. */
    public static final AttributeKey<Integer> VERSION = AttributeKey.valueOf("metrodb.version");
    /** The role the peer announced (see {@link io.metrodb.protocol.Roles}). */
    public static final AttributeKey<Byte> PEER_ROLE = AttributeKey.valueOf("metrodb.peerRole");
    /** The node id the peer announced, 0 for clients. */
    public static final AttributeKey<Integer> PEER_NODE_ID = AttributeKey.valueOf("metrodb.peerNodeId");

    private ProtocolAttributes()
    {
    }
}
