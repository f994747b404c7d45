package io.metrodb.protocol.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RespParser} on golden inputs: RESP multibulk and inline lines, split at every byte, pipelined, over the
 * limits, and garbage.
 */
class RespParserTest
{
    private static final int MAX_BULK = 1024;
    private static final int MAX_ARGS = 64;
    private static final int MAX_INLINE = 256;

    private static ByteBuf bytes(final String text)
    {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private static List<String> args(final RespCommand command)
    {
        final List<String> args = new ArrayList<>();
        for (int i = 0; i < command.argCount(); i++)
        {
            args.add(new String(command.argBytes(i), StandardCharsets.ISO_8859_1));
        }
        return args;
    }

    /**
     * Parses every complete command in {@code in}.
     */
    static List<List<String>> parseAll(final RespParser parser, final ByteBuf in)
    {
        final List<List<String>> commands = new ArrayList<>();
        RespCommand command;
        while ((command = parser.parse(in)) != null)
        {
            if (command.argCount() > 0)
            {
                commands.add(args(command));
            }
        }
        return commands;
    }

    private static List<String> single(final String input)
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes(input);
        final RespCommand command = parser.parse(in);
        assertNotNull(command, input);
        assertEquals(0, in.readableBytes(), "the whole command is consumed: " + input);
        final List<String> args = args(command);
        in.release();
        return args;
    }

    private static RespException rejects(final String input)
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes(input);
        try
        {
            return assertThrows(RespException.class, () -> parseAll(parser, in), input);
        }
        finally
        {
            in.release();
        }
    }

    @Test
    void shouldParseAMultibulkCommand()
    {
        assertEquals(List.of("SET", "k", "hello"), single("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"));
    }

    @Test
    void shouldKeepBinaryBytesOfABulkArgument()
    {
        assertEquals(List.of("SET", "k", "a\r\n\0\u00ff$*"), single("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$7\r\na\r\n\0\u00ff$*\r\n"));
        assertEquals(List.of("GET", ""), single("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"));
    }

    @Test
    void shouldPointArgumentsIntoTheCallersBufferWithoutCopying()
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
        final RespCommand command = parser.parse(in);
        assertTrue(command.source() == in, "multibulk arguments stay in the input buffer");
        assertEquals(17, command.argIndex(1));
        assertEquals(3, command.argLength(1));
        in.release();
    }

    @Test
    void shouldSkipEmptyMultibulks()
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
        assertEquals(0, parser.parse(in).argCount());
        assertEquals(0, parser.parse(in).argCount());
        assertEquals(List.of("PING"), args(parser.parse(in)));
        assertNull(parser.parse(in));
        in.release();
    }

    @Test
    void shouldParseInlineLinesAsRedisServerSplitsThem()
    {
        assertEquals(List.of("SET", "k", "v"), single("SET k v\r\n"));
        assertEquals(List.of("SET", "k", "v"), single("  SET\tk   v  \n"));
        assertEquals(List.of("SET", "hello world", "it's"), single("SET \"hello world\" 'it\\'s'\r\n"));
        assertEquals(List.of("SET", "aA\n\r\t\b\u0007\\\"z", ""), single("SET \"a\\x41\\n\\r\\t\\b\\a\\\\\\\"\\z\" \"\"\r\n"));
        assertEquals(List.of("GET", "\\x4", "a\\nb"), single("GET \"\\\\x4\" 'a\\nb'\r\n"));
        assertEquals(List.of("$3", "abc"), single("$3 abc\r\n"));
        assertEquals(List.of(), single("\r\n"));
        assertEquals(List.of(), single("   \n"));
    }

    @Test
    void shouldRejectUnbalancedQuotesInALine()
    {
        assertEquals("Protocol error: unbalanced quotes in request", rejects("SET \"abc\r\n").getMessage());
        rejects("SET 'abc\r\n");
        rejects("SET \"abc\"def\r\n");
        rejects("SET 'abc'def\r\n");
    }

    @Test
    void shouldParsePipelinedCommandsInOrder()
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes("*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nc\r\nECHO x\n");
        assertEquals(List.of(List.of("GET", "a"), List.of("PING"), List.of("SET", "b", "c"), List.of("ECHO", "x")),
            parseAll(parser, in));
        assertEquals(0, in.readableBytes());
        in.release();
    }

    @Test
    void shouldWaitForTheRestOfACommandSplitAtEveryByte()
    {
        final String input = "*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$10\r\n0123456789\r\nGET \"k 1\" k2\r\n" +
            "*0\r\n*1\r\n$4\r\nPING\r\n";
        final List<List<String>> expected =
            List.of(List.of("SET", "k1", "0123456789"), List.of("GET", "k 1", "k2"), List.of("PING"));
        // One byte at a time.
        {
            final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
            final ByteBuf in = Unpooled.buffer();
            final List<List<String>> parsed = new ArrayList<>();
            for (final byte b : input.getBytes(StandardCharsets.ISO_8859_1))
            {
                in.writeByte(b);
                parsed.addAll(parseAll(parser, in));
                in.discardReadBytes();
            }
            assertEquals(expected, parsed);
            in.release();
        }
        // Two pieces, cut at every position.
        for (int cut = 0; cut <= input.length(); cut++)
        {
            final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
            final ByteBuf in = Unpooled.buffer();
            in.writeCharSequence(input.substring(0, cut), StandardCharsets.ISO_8859_1);
            final List<List<String>> parsed = new ArrayList<>(parseAll(parser, in));
            in.writeCharSequence(input.substring(cut), StandardCharsets.ISO_8859_1);
            parsed.addAll(parseAll(parser, in));
            assertEquals(expected, parsed, "cut at " + cut);
            in.release();
        }
    }

    @Test
    void shouldRejectABulkLengthOverTheLimitBeforeItsBytesArrive()
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        // Only the length line has arrived: the parser must not wait for (or make room for) the claimed bytes.
        final ByteBuf in = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (MAX_BULK + 1) + "\r\n");
        final RespException error = assertThrows(RespException.class, () -> parser.parse(in));
        assertEquals("Protocol error: invalid bulk length", error.getMessage());
        assertTrue(in.capacity() < 64, "nothing sized by the claimed length: capacity " + in.capacity());
        in.release();
        assertEquals(List.of("SET", "k", "x".repeat(MAX_BULK)),
            single("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + MAX_BULK + "\r\n" + "x".repeat(MAX_BULK) + "\r\n"));
        rejects("*1\r\n$99999999999999999999\r\n");
        rejects("*1\r\n$-1\r\n");
    }

    @Test
    void shouldRejectAMultibulkCountOverTheBoundAndGrowOnlyWithArrivingArguments()
    {
        assertEquals("Protocol error: invalid multibulk length", rejects("*" + (MAX_ARGS + 1) + "\r\n").getMessage());
        rejects("*9223372036854775808\r\n");
        assertEquals(MAX_ARGS, single("*" + MAX_ARGS + "\r\n" + "$1\r\nx\r\n".repeat(MAX_ARGS)).size(),
            "a count at the bound is accepted");
    }

    @Test
    void shouldGrowArgumentArraysWithTheArgumentsThatArriveNotTheCountClaimed()
    {
        final RespParser parser = new RespParser(MAX_BULK, 1 << 20, MAX_INLINE);
        final ByteBuf in = bytes("*1000000\r\n$1\r\na\r\n$1\r\nb\r\n");
        assertNull(parser.parse(in));
        // The command object is the parser's; its arrays hold the two arguments seen, not a million slots.
        final java.lang.reflect.Field field;
        try
        {
            field = RespParser.class.getDeclaredField("command");
            field.setAccessible(true);
            final RespCommand command = (RespCommand)field.get(parser);
            assertEquals(2, command.argCount);
            assertTrue(command.argOffsets.length <= 8, "arrays sized " + command.argOffsets.length);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new AssertionError(e);
        }
        in.release();
    }

    @Test
    void shouldRejectGarbage()
    {
        assertEquals("Protocol error: expected '$', got '+'", rejects("*2\r\n+3\r\n").getMessage());
        assertEquals("Protocol error: expected '$', got '\\x00'", rejects("*1\r\n\0").getMessage());
        rejects("*x\r\n");
        rejects("*1x\r\n");
        rejects("*01\r\n");
        rejects("*1\r\n$01\r\na\r\n");
        rejects("*1\r\n$3\r\nabcXY");
        rejects("*1\r\n$3\r\nabc\rX");
        rejects("*1\r\n$3\rX");
        rejects("*1" + "1".repeat(40));
        rejects("*1\r\n$" + "1".repeat(40));
        rejects("*1\r\n$-\r\n");
    }

    @Test
    void shouldRejectAnInlineLineOverTheLimitAndAcceptOneAtIt()
    {
        assertEquals("Protocol error: too big inline request", rejects("x".repeat(MAX_INLINE + 1)).getMessage());
        assertEquals(1, single("x".repeat(MAX_INLINE) + "\n").size());
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes("x".repeat(MAX_INLINE));
        assertNull(parser.parse(in), "a line at the limit may still end");
        in.release();
    }

    @Test
    void shouldParseDecimalsAsRedisServer()
    {
        final String[] valid = {"0", "7", "-7", "9223372036854775807", "-9223372036854775808", "1048576"};
        for (final String text : valid)
        {
            final ByteBuf buf = bytes(text);
            assertEquals(Long.parseLong(text), RespParser.parseLong(buf, 0, text.length(), -99), text);
            buf.release();
        }
        final String[] invalid = {"", "-", "+1", "01", "-01", "1 ", " 1", "1a", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999", "--1"};
        for (final String text : invalid)
        {
            final ByteBuf buf = bytes(text);
            assertEquals(-99, RespParser.parseLong(buf, 0, text.length(), -99), "'" + text + "'");
            buf.release();
        }
    }

    @Test
    void shouldRefuseNonsenseLimits()
    {
        assertThrows(IllegalArgumentException.class, () -> new RespParser(-1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RespParser(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RespParser(1, 1, 0));
    }

    @Test
    void shouldPackCommandNamesCaseInsensitively()
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = bytes("sEtSaFe k v\r\n");
        final RespCommand command = parser.parse(in);
        assertEquals(RespCommand.pack("SETSAFE"), command.packedName(0));
        assertTrue(command.argIs(0, "SETSAFE".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(RespCommand.pack("K"), command.packedName(1));
        assertTrue(!command.argIs(1, "KK".getBytes(StandardCharsets.US_ASCII)));
        in.release();
        final ByteBuf long9 = bytes("ABCDEFGHI\r\n");
        assertEquals(0, parser.parse(long9).packedName(0), "longer than 8 bytes packs to 0");
        long9.release();
        assertThrows(IllegalArgumentException.class, () -> RespCommand.pack("ABCDEFGHI"));
    }
}
