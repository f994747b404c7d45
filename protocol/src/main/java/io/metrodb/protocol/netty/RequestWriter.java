package io.metrodb.protocol.netty;

import io.netty.buffer.ByteBuf;

/**
 * Encodes one request frame once its request id is known. Implemented by the caller's reusable objects so a
 * send allocates nothing.
 */
@FunctionalInterface
public interface RequestWriter
{
    /**
     * @param out       where to write the whole frame.
     * @param requestId the id the frame must carry.
     */
    void write(ByteBuf out, long requestId);
}
