package io.metrodb.protocol.netty;

import io.metrodb.protocol.StatusCodes;

/**
 * The requests of one connection awaiting their answers, matched by request id. Confined to the
 * connection's event loop; preallocated, so registering and completing allocate nothing. Request ids count
 * up from 1 and map to slot {@code id & mask}; answers may come in any order.
 */
final class InFlightRequests
{
    private final long[] requestIds;
    private final long[] tokens;
    private final long[] deadlinesNs;
    private final ResponseListener[] listeners;
    private final int mask;
    private long nextRequestId = 1;
    private int count;

    InFlightRequests(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        requestIds = new long[capacity];
        tokens = new long[capacity];
        deadlinesNs = new long[capacity];
        listeners = new ResponseListener[capacity];
        mask = capacity - 1;
    }

    int count()
    {
        return count;
    }

    int capacity()
    {
        return listeners.length;
    }

    /**
     * @return the request id to send, or -1 when every slot is taken.
     */
    long register(final ResponseListener listener, final long token, final long deadlineNs)
    {
        if (count == listeners.length)
        {
            return -1;
        }
        long requestId = nextRequestId;
        while (listeners[(int)requestId & mask] != null)
        {
            requestId++;
        }
        nextRequestId = requestId + 1;
        final int slot = (int)requestId & mask;
        requestIds[slot] = requestId;
        tokens[slot] = token;
        deadlinesNs[slot] = deadlineNs;
        listeners[slot] = listener;
        count++;
        return requestId;
    }

    /**
     * Takes back a registration whose frame could not be sent.
     */
    void cancel(final long requestId)
    {
        final int slot = (int)requestId & mask;
        if (listeners[slot] != null && requestIds[slot] == requestId)
        {
            clear(slot);
        }
    }

    /**
     * Delivers a response frame to its listener.
     *
     * @param last            false when more frames follow for this request (it stays registered).
     * @param nextDeadlineNs  for a request that stays registered, its new deadline: a stream times out only
     *                        when it stalls, not when it is long.
     * @return false when no request with that id is in flight (late, after a timeout, or bogus).
     */
    boolean complete(
        final long requestId, final boolean last, final long nextDeadlineNs, final io.netty.buffer.ByteBuf frame,
        final int at)
    {
        final int slot = (int)requestId & mask;
        final ResponseListener listener = listeners[slot];
        if (listener == null || requestIds[slot] != requestId)
        {
            return false;
        }
        final long token = tokens[slot];
        if (last)
        {
            clear(slot);
        }
        else
        {
            deadlinesNs[slot] = nextDeadlineNs;
        }
        listener.onResponse(token, frame, at);
        return true;
    }

    /**
     * Fails every request whose deadline passed.
     *
     * @return how many timed out.
     */
    int expire(final long nowNs)
    {
        int expired = 0;
        for (int slot = 0; slot < listeners.length && count > 0; slot++)
        {
            final ResponseListener listener = listeners[slot];
            if (listener != null && deadlinesNs[slot] - nowNs < 0)
            {
                final long token = tokens[slot];
                clear(slot);
                expired++;
                listener.onFailure(token, StatusCodes.TIMEOUT);
            }
        }
        return expired;
    }

    /**
     * Fails every request in flight, e.g. when the connection is lost.
     */
    void failAll(final short status)
    {
        for (int slot = 0; slot < listeners.length && count > 0; slot++)
        {
            final ResponseListener listener = listeners[slot];
            if (listener != null)
            {
                final long token = tokens[slot];
                clear(slot);
                listener.onFailure(token, status);
            }
        }
    }

    private void clear(final int slot)
    {
        listeners[slot] = null;
        count--;
    }
}
