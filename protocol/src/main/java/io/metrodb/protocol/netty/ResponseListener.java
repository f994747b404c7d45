package io.metrodb.protocol.netty;

import io.netty.buffer.ByteBuf;

/**
 * Told the outcome of a request sent on a {@link PeerConnection}, on that connection's event loop.
 * Exactly one of the two methods is called per request (for a streamed response, {@link #onResponse} once
 * per frame, the last one without the MORE flag).
 */
public interface ResponseListener
{
    /**
     * @param token the caller's value given with the request.
     * @param frame buffer holding the response frame; valid only during this call.
     * @param at    index of the frame's first byte.
     */
    void onResponse(long token, ByteBuf frame, int at);

    /**
     * @param token  the caller's value given with the request.
     * @param status {@link io.metrodb.protocol.StatusCodes#TIMEOUT} or
     *               {@link io.metrodb.protocol.StatusCodes#UNAVAILABLE}.
     */
    void onFailure(long token, short status);
}
