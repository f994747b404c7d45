package io.metrodb.protocol.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Golden bytes of every reply {@link RespReplies} writes.
 */
class RespRepliesTest
{
    private static String written(final java.util.function.Consumer<ByteBuf> writer)
    {
        final ByteBuf out = Unpooled.buffer(4);
        writer.accept(out);
        final String text = out.toString(StandardCharsets.UTF_8);
        out.release();
        return text;
    }

    @Test
    void shouldWriteIntegersDigitByDigit()
    {
        assertEquals(":0\r\n", written(out -> RespReplies.writeInteger(out, 0)));
        assertEquals(":42\r\n", written(out -> RespReplies.writeInteger(out, 42)));
        assertEquals(":-7\r\n", written(out -> RespReplies.writeInteger(out, -7)));
        assertEquals(":9223372036854775807\r\n", written(out -> RespReplies.writeInteger(out, Long.MAX_VALUE)));
        assertEquals(":-9223372036854775808\r\n", written(out -> RespReplies.writeInteger(out, Long.MIN_VALUE)));
        for (long v = 1; v > 0 && v < Long.MAX_VALUE / 3; v = v * 3 + 1)
        {
            final long value = v;
            assertEquals(":" + value + "\r\n", written(out -> RespReplies.writeInteger(out, value)));
        }
    }

    @Test
    void shouldWriteBulksArraysAndConstants()
    {
        assertEquals("$5\r\nhello\r\n", written(out -> RespReplies.writeBulk(out, "hello")));
        assertEquals("$0\r\n\r\n", written(out -> RespReplies.writeBulk(out, new byte[0])));
        assertEquals("*3\r\n", written(out -> RespReplies.writeArrayHeader(out, 3)));
        assertEquals("$12\r\n", written(out -> RespReplies.writeBulkHeader(out, 12)));
        assertEquals("$-1\r\n+OK\r\n+PONG\r\n*0\r\n", written(out -> out.writeBytes(RespReplies.NULL_BULK)
            .writeBytes(RespReplies.OK).writeBytes(RespReplies.PONG).writeBytes(RespReplies.EMPTY_ARRAY)));
        final ByteBuf value = Unpooled.copiedBuffer("xxabcxx", StandardCharsets.US_ASCII);
        assertEquals("$3\r\nabc\r\n", written(out -> RespReplies.writeBulk(out, value, 2, 3)));
        value.release();
        for (final int length : new int[] {0, 9, 10, 99, 100, 123456})
        {
            assertEquals(written(out -> RespReplies.writeBulk(out, new byte[length])).length(),
                RespReplies.bulkLength(length), "bulkLength(" + length + ")");
        }
    }

    @Test
    void shouldWriteErrorsOnOneLine()
    {
        assertEquals("-ERR bad thing\r\n", written(out -> RespReplies.writeError(out, "ERR bad thing")));
        assertEquals("-ERR two  lines\r\n", written(out -> RespReplies.writeError(out, "ERR two\r\nlines")));
        assertEquals("-ERR caf\u00e9\r\n", written(out -> RespReplies.writeError(out, "ERR caf\u00e9")));
    }
}
