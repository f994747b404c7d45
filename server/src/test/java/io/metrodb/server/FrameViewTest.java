package io.metrodb.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameViewTest
{
    private static final byte[] FRAME = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final FrameView view = new FrameView();

    @Test
    void shouldSeeTheSameBytesAtTheSameIndexForEveryBufferKind()
    {
        final int n = FRAME.length;
        final ByteBuf heap = Unpooled.buffer(n).writeBytes(FRAME);
        final ByteBuf direct = Unpooled.directBuffer(n).writeBytes(FRAME);
        final ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(n + 8).writeZero(8).writeBytes(FRAME);
        final ByteBuf pooledSlice = pooled.retainedSlice(8, n);
        final ByteBuf arraySlice = Unpooled.wrappedBuffer(new byte[n + 5]).setBytes(5, FRAME).slice(5, n);
        final CompositeByteBuf composite = Unpooled.compositeBuffer()
            .addComponent(true, Unpooled.wrappedBuffer(FRAME, 0, 3))
            .addComponent(true, Unpooled.wrappedBuffer(FRAME, 3, n - 3));
        final CompositeByteBuf single = Unpooled.compositeBuffer().addComponent(true, Unpooled.directBuffer(n)
            .writeBytes(FRAME));
        try
        {
            for (final ByteBuf buf : new ByteBuf[]{ heap, direct, pooledSlice, arraySlice, composite, single })
            {
                final DirectBuffer viewed = view.wrap(buf);
                final String kind = buf.getClass().getSimpleName();
                assertEquals(buf.capacity(), viewed.capacity(), kind);
                for (int i = 0; i < n; i++)
                {
                    assertEquals(buf.getByte(i), viewed.getByte(i), kind + " byte " + i);
                }
                assertEquals(buf.getLong(4), viewed.getLong(4, ByteOrder.BIG_ENDIAN), kind);
            }
        }
        finally
        {
            heap.release();
            direct.release();
            pooledSlice.release();
            pooled.release();
            composite.release();
            single.release();
        }
    }

    @Test
    void shouldFollowWritesToTheBufferWithoutCopying()
    {
        final ByteBuf direct = Unpooled.directBuffer(4, 4).writeInt(1);
        try
        {
            final DirectBuffer viewed = view.wrap(direct);
            direct.setInt(0, 0x0A0B0C0D);
            assertEquals(0x0A, viewed.getByte(0), "a view of the memory, not a copy");
            assertEquals(0x0D, viewed.getByte(3));
        }
        finally
        {
            direct.release();
        }
    }

    @Test
    void shouldReuseOneViewAndCheckBoundsAtTheBuffersCapacity()
    {
        final ByteBuf first = Unpooled.buffer(4, 4).writeInt(7);
        final ByteBuf second = Unpooled.directBuffer(2, 2).writeShort(9);
        try
        {
            final DirectBuffer a = view.wrap(first);
            final DirectBuffer b = view.wrap(second);
            assertSame(a, b, "one view, rewrapped: no allocation per frame");
            assertEquals(2, b.capacity());
            assertThrows(IndexOutOfBoundsException.class, () -> b.boundsCheck(1, 2));
        }
        finally
        {
            first.release();
            second.release();
        }
    }

    @Test
    void shouldRefuseAReleasedBuffer()
    {
        final ByteBuf released = Unpooled.directBuffer(8).writeLong(1);
        released.release();

        assertThrows(IllegalReferenceCountException.class, () -> view.wrap(released));
    }
}
