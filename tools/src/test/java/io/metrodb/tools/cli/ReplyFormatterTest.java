package io.metrodb.tools.cli;

import io.metrodb.protocol.testing.TestSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplyFormatterTest
{
    @Test
    void shouldFormatEachReplyKindLikeRedisCli()
    {
        assertEquals("OK", ReplyFormatter.format(Reply.OK));
        assertEquals("PONG", ReplyFormatter.format(Reply.status("PONG")));
        assertEquals("(nil)", ReplyFormatter.format(Reply.bulk(null)));
        assertEquals("\"hello\"", ReplyFormatter.format(Reply.bulk("hello".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("\"\"", ReplyFormatter.format(Reply.bulk(new byte[0])));
        assertEquals("(integer) 42", ReplyFormatter.format(Reply.integer(42)));
        assertEquals("(error) ERR boom", ReplyFormatter.format(Reply.error("ERR boom")));
        assertEquals("(error) ERR bad", ReplyFormatter.format(Reply.usageError("ERR bad")));
        assertEquals("(empty array)", ReplyFormatter.format(Reply.array(List.of())));
        assertEquals("line 1\nline 2", ReplyFormatter.format(Reply.text("line 1\nline 2")));
    }

    @Test
    void shouldEscapeBytesThatAreNotPrintableAscii()
    {
        final byte[] value = {'a', '"', '\\', '\n', '\r', '\t', 0x07, '\b', 0x00, 0x1f, 0x7f, (byte)0x80, (byte)0xff, ' '};
        assertEquals("\"a\\\"\\\\\\n\\r\\t\\a\\b\\x00\\x1f\\x7f\\x80\\xff \"", ReplyFormatter.quote(value));
        assertEquals("\"caf\\xc3\\xa9\"", ReplyFormatter.quote("café".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldNumberListElementsAlignedOnTheWidestNumber()
    {
        final List<Reply> three = List.of(Reply.bulk("a".getBytes(StandardCharsets.US_ASCII)), Reply.NIL,
            Reply.integer(3));
        assertEquals("1) \"a\"\n2) (nil)\n3) (integer) 3", ReplyFormatter.format(Reply.array(three)));
        final List<Reply> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++)
        {
            eleven.add(Reply.integer(i));
        }
        final String[] lines = ReplyFormatter.format(Reply.array(eleven)).split("\n");
        assertEquals(11, lines.length);
        assertEquals(" 1) (integer) 0", lines[0]);
        assertEquals("11) (integer) 10", lines[10]);
    }

    @RegisterExtension
    final TestSeed seed = new TestSeed("cli.quote.seed");

    @Test
    void shouldQuoteSoThatTheSplitterReadsTheSameBytesBack()
    {
        final SplittableRandom random = seed.random();
        for (int round = 0; round < 200; round++)
        {
            final byte[] value = new byte[random.nextInt(64)];
            random.nextBytes(value);
            final String quoted = ReplyFormatter.quote(value);
            final List<byte[]> words = LineSplitter.split("SET k " + quoted);
            assertEquals(3, words.size(), seed + ": " + quoted);
            assertArrayEquals(value, words.get(2), seed + ": " + quoted);
        }
    }
}
