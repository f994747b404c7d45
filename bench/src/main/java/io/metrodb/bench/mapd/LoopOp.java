package io.metrodb.bench.mapd;

import io.netty.buffer.ByteBuf;

/**
 * One kind of request a {@link ClosedLoopConnection} sends: encodes it and checks its answer. Instances are per
 * connection (they hold scratch buffers), used on that connection's event loop only.
 */
interface LoopOp
{
    /**
     * @param out       where to write the frame.
     * @param requestId the id it must carry.
     * @param random    a fresh random value for this request (picks the key or offset).
     */
    void write(ByteBuf out, long requestId, long random);

    /**
     * @return true when the answer is the expected success.
     */
    boolean isOk(ByteBuf frame, int at);
}
