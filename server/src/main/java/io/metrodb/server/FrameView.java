package io.metrodb.server;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reused Agrona view of a Netty buffer's bytes: the Netty edge wraps a frame once and the server works on the one
 * buffer type {@link DirectBuffer} inside (the key grid, the log). View index {@code i} is buffer index {@code i},
 * over the buffer's capacity {@code [0, capacity)} (the range a {@code ByteBuf}'s absolute {@code getX(index)}
 * accepts), so offsets read from the frame stay valid and bounds are checked alike.
 * <p>
 * <b>No copy, no allocation</b> for the buffers Netty hands to handlers: a direct buffer with a memory address
 * (pooled or unpooled, and their slices) is wrapped by address, a heap buffer by its array. A direct buffer without
 * a memory address (no {@code sun.misc.Unsafe}) is wrapped through a one-buffer {@code nioBuffer} (a small
 * {@code ByteBuffer} per wrap). A composite buffer of several components, which the frame decoder never produces
 * (it merges), is copied into a scratch array that this view keeps and grows.
 * <p>
 * <b>Lifetime.</b> The view does not retain the buffer: use it only while the buffer is alive (its reference count
 * above 0) and before the next {@link #wrap}. One view per thread or per owner that is used by one thread at a time
 * (a handler, a pooled session); not thread-safe.
 */
public final class FrameView
{
    private static final byte[] EMPTY = new byte[0];

    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private byte[] copy = EMPTY;

    /**
     * Points this view at a buffer's bytes {@code [0, capacity)}.
     *
     * @param buf buffer to view; not retained, reference count unchanged.
     * @return this view's buffer, valid until the next wrap or until {@code buf} is released.
     * @throws IllegalReferenceCountException when {@code buf} was released already.
     */
    public DirectBuffer wrap(final ByteBuf buf)
    {
        if (buf.refCnt() == 0)
        {
            throw new IllegalReferenceCountException(0);
        }

        final int length = buf.capacity();
        if (buf.hasMemoryAddress())
        {
            view.wrap(buf.memoryAddress(), length);
        }
        else if (buf.hasArray())
        {
            view.wrap(buf.array(), buf.arrayOffset(), length);
        }
        else if (buf.nioBufferCount() == 1)
        {
            view.wrap(buf.nioBuffer(0, length), 0, length);
        }
        else
        {
            if (copy.length < length)
            {
                copy = new byte[length];
            }
            buf.getBytes(0, copy, 0, length);
            view.wrap(copy, 0, length);
        }

        return view;
    }
}
