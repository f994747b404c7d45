package io.metrodb.mapd.resp;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The reply to one Redis command, filled in as its binary requests are answered (in any order) and written once
 * every command before it has been. Pooled in {@link ReplyRing}: reset, never reallocated but for a larger MGET.
 */
final class ReplySlot
{
    /** One binary request or a local reply: the reply as it is. */
    static final byte SINGLE = 0;
    /** MGET: an array of the replies, in key order; any error replaces the whole reply. */
    static final byte ARRAY = 1;
    /** DEL and EXISTS: an integer, the number of keys found; any error replaces it. */
    static final byte COUNT = 2;
    /** MSET: +OK once every SET is, else the first error. */
    static final byte ALL_OK = 3;

    byte kind;
    int expected;
    int received;
    long count;
    boolean closeAfter;
    ByteBuf error;
    ByteBuf[] parts = new ByteBuf[1];
    /** True when the binary requests are writes (SET, SETSAFE, DEL), tracked by key in {@link #buckets}. */
    boolean writes;
    /** Per binary request of a write: the bucket of its key in the connection's table of writes in flight. */
    int[] buckets = new int[1];
    /** INFO: the sections asked for (bits of {@link RespInfo}); DBSIZE: {@link RespInfo#DBSIZE}. */
    int info;

    void start(final byte kind, final int expected)
    {
        this.kind = kind;
        this.expected = expected;
        received = 0;
        count = 0;
        closeAfter = false;
        error = null;
        info = 0;
        writes = false;
        if (kind == ARRAY && parts.length < expected)
        {
            parts = new ByteBuf[Math.max(expected, parts.length * 2)];
        }
    }

    /**
     * Marks the slot's binary requests as writes; {@link #buckets} then has room for each.
     */
    void tracksWrites()
    {
        writes = true;
        if (buckets.length < expected)
        {
            buckets = new int[Math.max(expected, buckets.length * 2)];
        }
    }

    boolean isDone()
    {
        return received >= expected;
    }

    /**
     * Takes {@code reply} (owned) as the answer to sub-request {@code sub}.
     */
    void onReply(final int sub, final ByteBuf reply, final boolean isError, final int found)
    {
        received++;
        if (isError)
        {
            if (error == null)
            {
                error = reply;
            }
            else
            {
                reply.release();
            }
            return;
        }
        switch (kind)
        {
            case SINGLE -> parts[0] = reply;
            case ARRAY -> parts[sub] = reply;
            default ->
            {
                count += found;
                if (reply != null)
                {
                    reply.release();
                }
            }
        }
    }

    void release()
    {
        if (error != null)
        {
            error.release();
            error = null;
        }
        final int n = kind == ARRAY ? expected : 1;
        for (int i = 0; i < n && i < parts.length; i++)
        {
            if (parts[i] != null)
            {
                parts[i].release();
                parts[i] = null;
            }
        }
        if (parts.length > 1024)
        {
            parts = new ByteBuf[1];
        }
        else
        {
            Arrays.fill(parts, 0, Math.min(n, parts.length), null);
        }
    }
}
