package io.metrodb.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespConnectionTest
{
    private final List<String> outcomes = new ArrayList<>();
    private final RequestListener listener = (request, outcome) -> outcomes.add(
        request.op.label() + ":" + (outcome == Request.OK ? "ok" : outcome == Request.MISS ? "miss" :
        "error " + request.error));

    private Request request(final Op op, final long key)
    {
        final Request request = new Request(listener);
        request.op = op;
        Keys.write(request.key, key);
        return request;
    }

    private static String outbound(final EmbeddedChannel channel)
    {
        final StringBuilder text = new StringBuilder();
        ByteBuf buffer;
        while ((buffer = channel.readOutbound()) != null)
        {
            text.append(buffer.toString(StandardCharsets.US_ASCII));
            buffer.release();
        }
        return text.toString();
    }

    @Test
    void shouldEncodeCommandsAndMatchRepliesSplitAnywhereInOrder()
    {
        final RedisTarget.RespConnection connection = new RedisTarget.RespConnection(8);
        final EmbeddedChannel channel = new EmbeddedChannel(connection);
        connection.get(request(Op.GET, 1));
        connection.set(request(Op.SET, 2), "hello".getBytes(StandardCharsets.US_ASCII));
        connection.setSafe(request(Op.SETSAFE, 3), new byte[0]);
        connection.del(request(Op.DEL, 4));
        connection.get(request(Op.GET, 5));
        connection.del(request(Op.DEL, 6));
        connection.get(request(Op.GET, 7));
        assertEquals("", outbound(channel), "nothing before the flush");
        connection.flush();

        assertEquals("*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000001\r\n" +
            "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000002\r\n$5\r\nhello\r\n" +
            "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000003\r\n$0\r\n\r\n" +
            "*2\r\n$3\r\nDEL\r\n$16\r\nkey:000000000004\r\n" +
            "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000005\r\n" +
            "*2\r\n$3\r\nDEL\r\n$16\r\nkey:000000000006\r\n" +
            "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000007\r\n", outbound(channel));

        final byte[] replies = ("$12\r\nvalue\r\nvalue\r\n+OK\r\n+OK\r\n:1\r\n$-1\r\n:0\r\n" +
            "-WRONGTYPE Operation against a key\r\n").getBytes(StandardCharsets.US_ASCII);
        // One byte at a time: every reply arrives split at every possible place.
        for (final byte b : replies)
        {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }

        assertEquals(List.of("get:ok", "set:ok", "setsafe:ok", "del:ok", "get:miss", "del:miss",
            "get:error redis: WRONGTYPE Operation against a key"), outcomes);
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldFailEveryPendingRequestAndCloseOnAReplyItCannotRead()
    {
        final RedisTarget.RespConnection connection = new RedisTarget.RespConnection(4);
        final EmbeddedChannel channel = new EmbeddedChannel(connection);
        connection.get(request(Op.GET, 1));
        connection.get(request(Op.GET, 2));
        connection.flush();
        outbound(channel);

        channel.writeInbound(Unpooled.copiedBuffer("$abc\r\n", StandardCharsets.US_ASCII));

        assertEquals(List.of("get:error protocol error: a malformed bulk length",
            "get:error protocol error: a malformed bulk length"), outcomes);
        assertFalse(channel.isOpen());
        connection.get(request(Op.GET, 3));
        assertEquals("get:error connection closed", outcomes.get(2), "a request after the close fails at once");
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldWriteDecimalLengths()
    {
        for (final int value : new int[] {0, 1, 9, 10, 99, 100, 12_345, Integer.MAX_VALUE})
        {
            final ByteBuf buffer = Unpooled.buffer();
            RedisTarget.RespConnection.writeDecimal(buffer, value);
            assertEquals(Integer.toString(value), buffer.toString(StandardCharsets.US_ASCII));
            buffer.release();
        }
    }
}
