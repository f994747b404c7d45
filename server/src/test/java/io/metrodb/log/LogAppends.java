package io.metrodb.log;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test shorthands: appends of a {@code byte[]} to a {@link LogStore}, whose one payload type is a
 * {@code DirectBuffer}; the array is wrapped in an {@link UnsafeBuffer} per call (tests only).
 */
public final class LogAppends
{
    private LogAppends()
    {
    }

    public static long append(final LogStore store, final byte[] src)
    {
        return store.append(new UnsafeBuffer(src), 0, src.length);
    }

    public static long append(final LogStore store, final byte[] src, final int index, final int length)
    {
        return store.append(new UnsafeBuffer(src), index, length);
    }

    public static long appendDurable(
        final LogStore store,
        final byte[] src,
        final int index,
        final int length,
        final DurableListener listener,
        final long requestId,
        final Object context)
    {
        return store.appendDurable(new UnsafeBuffer(src), index, length, listener, requestId, context);
    }
}
