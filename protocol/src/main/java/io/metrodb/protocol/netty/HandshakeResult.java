package io.metrodb.protocol.netty;

/**
 * What a server answered to HELLO.
 *
 * @param version        negotiated protocol version.
 * @param role           the server's role.
 * @param nodeId         the server's node id.
 * @param maxFrameLength the largest frame the server accepts.
 */
public record HandshakeResult(int version, byte role, int nodeId, int maxFrameLength)
{
}
