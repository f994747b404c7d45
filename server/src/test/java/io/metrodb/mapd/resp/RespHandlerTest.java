package io.metrodb.mapd.resp;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mapd.WriteResponse;
import io.metrodb.protocol.netty.ErrorReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RespHandler} in an {@link EmbeddedChannel} in front of a stand-in for the mapd's request handler that
 * collects the binary requests and lets the test answer them in any order: replies in command order, MGET and DEL
 * aggregated, a read of a key being written held until the write is answered, parsing paused past the pending bound,
 * GET values split from their header (empty, small, large).
 */
class RespHandlerTest
{
    private static final int MAX_VALUE = 1 << 20;

    /** Stands in for MapdRequestHandler: keeps the requests; the test answers through its context. */
    private static final class Requests extends ChannelInboundHandlerAdapter
    {
        final List<ByteBuf> frames = new ArrayList<>();
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            frames.add((ByteBuf)msg);
        }

        long id(final int i)
        {
            return FrameHeader.requestId(frames.get(i), 0);
        }

        String key(final int i)
        {
            final ByteBuf frame = frames.get(i);
            final byte opcode = FrameHeader.opcode(frame, 0);
            if (opcode == Opcodes.SET || opcode == Opcodes.SETSAFE)
            {
                return frame.toString(SetRequest.keyIndex(0), SetRequest.keyLength(frame, 0), StandardCharsets.UTF_8);
            }
            return frame.toString(KeyRequest.keyIndex(0), KeyRequest.keyLength(frame, 0), StandardCharsets.UTF_8);
        }

        void answerValue(final int i, final String value)
        {
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            final ByteBuf header = ctx.alloc().buffer();
            EntryResponse.encodeGetHeader(header, id(i), 1, 1, bytes.length);
            ctx.write(header, ctx.voidPromise());
            // As MapdRequestHandler.replyValue: the value in a write of its own.
            ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes), ctx.voidPromise());
        }

        void answerStatus(final int i, final short status)
        {
            final ByteBuf out = ctx.alloc().buffer();
            FrameHeader.writeResponse(out, 0, FrameHeader.opcode(frames.get(i), 0), status, id(i));
            ctx.writeAndFlush(out, ctx.voidPromise());
        }

        void answerWrite(final int i)
        {
            final ByteBuf out = ctx.alloc().buffer();
            WriteResponse.encode(out, FrameHeader.opcode(frames.get(i), 0), id(i), 1, 1, 2, 0, 0);
            ctx.writeAndFlush(out, ctx.voidPromise());
        }

        void answerError(final int i, final short status, final String message)
        {
            ErrorReplies.write(ctx, FrameHeader.opcode(frames.get(i), 0), id(i), status, message);
            ctx.flush();
        }

        void release()
        {
            frames.forEach(ByteBuf::release);
            frames.clear();
        }
    }

    private final Requests requests = new Requests();
    private final EmbeddedChannel channel =
        new EmbeddedChannel(new RespHandler(new RespProtocol(MAX_VALUE, new byte[0]), null), requests);

    @AfterEach
    void release()
    {
        requests.release();
        channel.finishAndReleaseAll();
    }

    private void send(final String text)
    {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /**
     * @return everything written to the client so far.
     */
    private String written()
    {
        final StringBuilder text = new StringBuilder();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null)
        {
            text.append(out.toString(StandardCharsets.UTF_8));
            out.release();
        }
        return text.toString();
    }

    @Test
    void shouldWriteRepliesInCommandOrderWhateverOrderTheyComplete()
    {
        send("GET a\r\nGET b\r\nPING\r\nSET c v\r\nEXISTS a b c\r\n");
        assertEquals(List.of("a", "b", "c"), List.of(requests.key(0), requests.key(1), requests.key(2)));
        assertEquals(3, requests.frames.size(), "EXISTS of c waits for the SET of c");
        requests.answerWrite(2);
        requests.answerValue(1, "bee");
        assertEquals("", written(), "nothing before the first command's reply");
        channel.runPendingTasks();
        assertEquals(6, requests.frames.size(), "EXISTS a b c goes once the SET of c is answered");
        requests.answerStatus(5, StatusCodes.OK);
        requests.answerStatus(0, StatusCodes.NOT_FOUND);
        assertEquals("$-1\r\n$3\r\nbee\r\n+PONG\r\n+OK\r\n", written());
        requests.answerStatus(4, StatusCodes.NOT_FOUND);
        requests.answerStatus(3, StatusCodes.OK);
        assertEquals(":2\r\n", written());
    }

    @Test
    void shouldAggregateMgetInKeyOrderAndReplaceItWithAnError()
    {
        send("*4\r\n$4\r\nMGET\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\nMGET p q\r\n");
        assertEquals(5, requests.frames.size());
        requests.answerValue(2, "zz");
        requests.answerStatus(1, StatusCodes.NOT_FOUND);
        requests.answerValue(0, "");
        assertEquals("*3\r\n$0\r\n\r\n$-1\r\n$2\r\nzz\r\n", written());
        requests.answerError(4, StatusCodes.REPLICAS_UNREADABLE, "no replica");
        requests.answerValue(3, "p");
        assertEquals("-ERR REPLICAS_UNREADABLE no replica\r\n", written());
    }

    @Test
    void shouldCountDeletedKeysOnceEach()
    {
        send("DEL k1 k2 k1 k3\r\n");
        assertEquals(3, requests.frames.size(), "k1 named twice is deleted once");
        requests.answerWrite(0);
        requests.answerStatus(1, StatusCodes.NOT_FOUND);
        assertEquals("", written());
        requests.answerWrite(2);
        assertEquals(":2\r\n", written());
    }

    @Test
    void shouldHoldAReadOfAKeyBeingWrittenButNotOtherCommands()
    {
        send("SET k v1\r\nSET k v2\r\nGET other\r\nGET k\r\nPING\r\n");
        assertEquals(List.of("k", "k", "other"), List.of(requests.key(0), requests.key(1), requests.key(2)),
            "a write after a write goes at once; the read of k waits");
        requests.answerWrite(1);
        channel.runPendingTasks();
        assertEquals(3, requests.frames.size(), "still one write of k in flight");
        requests.answerWrite(0);
        channel.runPendingTasks();
        assertEquals(4, requests.frames.size());
        assertEquals("k", requests.key(3));
        requests.answerValue(2, "o");
        requests.answerValue(3, "v2");
        assertEquals("+OK\r\n+OK\r\n$1\r\no\r\n$2\r\nv2\r\n+PONG\r\n", written());
    }

    @Test
    void shouldStopParsingPastThePendingBoundAndResumeOnceHalfAreAnswered()
    {
        final StringBuilder pipeline = new StringBuilder();
        final int commands = RespHandler.MAX_PENDING_COMMANDS * 2;
        for (int i = 0; i < commands; i++)
        {
            pipeline.append("GET key").append(i).append("\r\n");
        }
        send(pipeline.toString());
        assertEquals(RespHandler.MAX_PENDING_COMMANDS, requests.frames.size());
        assertFalse(channel.config().isAutoRead(), "not read while the replies are owed");
        for (int i = 0; i < RespHandler.MAX_PENDING_COMMANDS / 2 - 1; i++)
        {
            requests.answerStatus(i, StatusCodes.NOT_FOUND);
        }
        channel.runPendingTasks();
        assertEquals(RespHandler.MAX_PENDING_COMMANDS, requests.frames.size(), "one short of half answered");
        requests.answerStatus(RespHandler.MAX_PENDING_COMMANDS / 2 - 1, StatusCodes.NOT_FOUND);
        channel.runPendingTasks();
        assertTrue(requests.frames.size() > RespHandler.MAX_PENDING_COMMANDS);
        for (int i = RespHandler.MAX_PENDING_COMMANDS / 2; i < requests.frames.size(); i++)
        {
            requests.answerStatus(i, StatusCodes.NOT_FOUND);
            channel.runPendingTasks();
        }
        assertEquals(commands, requests.frames.size());
        assertEquals("$-1\r\n".repeat(commands), written());
        assertTrue(channel.config().isAutoRead());
    }

    @Test
    void shouldSendLargeValuesWithoutCorruptingThem()
    {
        final String large = "0123456789abcdef".repeat(RespHandler.COPY_THRESHOLD / 8) + "!";
        send("GET big\r\nGET small\r\n");
        requests.answerValue(1, "s");
        requests.answerValue(0, large);
        assertEquals("$" + large.length() + "\r\n" + large + "\r\n$1\r\ns\r\n", written());
    }

    @Test
    void shouldAnswerLocallyWithoutTheRequestHandler()
    {
        send("PING hello\r\nECHO x\r\nSELECT 0\r\nCOMMAND COUNT\r\nCLIENT SETNAME me\r\nCLIENT GETNAME\r\nNOPE 1\r\n");
        assertEquals(0, requests.frames.size());
        assertEquals("$5\r\nhello\r\n$1\r\nx\r\n+OK\r\n:" + RespCommands.COUNT + "\r\n+OK\r\n$2\r\nme\r\n" +
            "-ERR unknown command 'NOPE', with args beginning with: '1' \r\n", written());
    }

    @Test
    void shouldAnswerAProtocolErrorAfterThePendingRepliesAndClose()
    {
        send("GET a\r\n*1\r\n$x\r\n");
        assertTrue(channel.isOpen(), "the reply to GET a is still owed");
        requests.answerStatus(0, StatusCodes.NOT_FOUND);
        assertEquals("$-1\r\n-ERR Protocol error: invalid length line\r\n", written());
        assertFalse(channel.isOpen());
    }
}
