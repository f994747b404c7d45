package io.metrodb.protocol.netty;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Who this side of a connection is, for HELLO: role, node id, auth token and frame limit.
 */
public final class HandshakeConfig
{
    private final byte role;
    private final int nodeId;
    private final byte[] token;
    private final int maxFrameLength;

    /**
     * @param role           this side's role ({@link Roles}).
     * @param nodeId         this node's id, 0..65535 (0 for clients).
     * @param token          shared auth token, or null/empty for none.
     * @param maxFrameLength the largest frame this side accepts.
     */
    public HandshakeConfig(final byte role, final int nodeId, final String token, final int maxFrameLength)
    {
        if (Roles.name(role) == null)
        {
            throw new IllegalArgumentException("unknown role " + role);
        }
        if (nodeId < 0 || nodeId > 0xFFFF)
        {
            throw new IllegalArgumentException("node id must be in 0..65535, was " + nodeId);
        }
        final byte[] tokenBytes = token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
        if (tokenBytes.length > ProtocolLimits.MAX_TOKEN_LENGTH)
        {
            throw new IllegalArgumentException("auth token must be at most 65535 bytes");
        }
        if (maxFrameLength < 1024 || maxFrameLength > ProtocolLimits.MAX_FRAME_LENGTH_CEILING)
        {
            throw new IllegalArgumentException("max frame length must be in 1024.." +
                ProtocolLimits.MAX_FRAME_LENGTH_CEILING + ", was " + maxFrameLength);
        }
        this.role = role;
        this.nodeId = nodeId;
        this.token = tokenBytes;
        this.maxFrameLength = maxFrameLength;
    }

    public byte role()
    {
        return role;
    }

    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return true when a token is configured (a server then refuses requests until HELLO carries it).
     */
    public boolean hasToken()
    {
        return token.length > 0;
    }

    byte[] token()
    {
        return token;
    }

    /**
     * @return a copy of the token bytes.
     */
    public byte[] tokenBytes()
    {
        return Arrays.copyOf(token, token.length);
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }
}
