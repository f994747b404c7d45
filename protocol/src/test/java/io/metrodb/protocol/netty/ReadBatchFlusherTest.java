package io.metrodb.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ReadBatchFlusherTest
{
    private EmbeddedChannel channel;

    @AfterEach
    void close()
    {
        if (channel != null)
        {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * Answers each request with a write, and flushes only at the end of the read batch, as the daemons' request
     * handlers do.
     */
    private static final class EchoAtReadComplete extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ctx.flush();
        }
    }

    /**
     * Next to the transport: counts the flushes that reach it while the read batch ends, and those that come later.
     */
    private static final class FlushRecorder extends ChannelDuplexHandler
    {
        boolean ending;
        int flushesAtBatchEnd;
        int flushesLater;

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ending = true;
            ctx.fireChannelReadComplete();
            ending = false;
        }

        @Override
        public void flush(final ChannelHandlerContext ctx)
        {
            if (ending)
            {
                flushesAtBatchEnd++;
            }
            else
            {
                flushesLater++;
            }
            ctx.flush();
        }
    }

    @Test
    void shouldSendRepliesFlushedInReadCompleteWithTheBatchNotInALaterTask()
    {
        final FlushRecorder recorder = new FlushRecorder();
        channel = new EmbeddedChannel(recorder, new ReadBatchFlusher(256), new EchoAtReadComplete());
        // A read batch as the event loop delivers it.
        channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(new byte[] {1}));
        channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(new byte[] {2}));
        assertNull(channel.readOutbound(), "nothing is flushed inside the batch");
        channel.pipeline().fireChannelReadComplete();
        channel.runPendingTasks();
        // Netty's FlushConsolidationHandler leaves this flush to a task, which a real event loop runs only after it
        // has read every other ready connection.
        assertEquals(1, recorder.flushesAtBatchEnd, "flushes as the batch ends");
        assertEquals(0, recorder.flushesLater, "flushes in a later task");
        assertReply(1);
        assertReply(2);
    }

    @Test
    void shouldFlushAWriteOutsideAReadInATaskOfTheLoop()
    {
        channel = new EmbeddedChannel(new ReadBatchFlusher(256), new ChannelInboundHandlerAdapter());
        channel.writeOneOutbound(Unpooled.wrappedBuffer(new byte[] {3}));
        channel.pipeline().flush();
        channel.writeOneOutbound(Unpooled.wrappedBuffer(new byte[] {4}));
        channel.pipeline().flush();
        channel.runPendingTasks();
        assertReply(3);
        assertReply(4);
    }

    @Test
    void shouldFlushInsideABatchEveryExplicitFlushAfterFlushes()
    {
        channel = new EmbeddedChannel(new ReadBatchFlusher(2), new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                ctx.writeAndFlush(msg, ctx.voidPromise());
            }
        });
        channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(new byte[] {5}));
        assertNull(channel.readOutbound(), "one flush of two");
        channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(new byte[] {6}));
        assertReply(5);
        assertReply(6);
        channel.pipeline().fireChannelReadComplete();
    }

    private void assertReply(final int expected)
    {
        final ByteBuf reply = channel.readOutbound();
        try
        {
            assertEquals(expected, reply == null ? -1 : reply.getByte(0), "reply flushed");
        }
        finally
        {
            if (reply != null)
            {
                reply.release();
            }
        }
    }
}
