package io.metrodb.protocol.resp;

import io.metrodb.protocol.testing.TestSeed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random pipelines of RESP and inline commands, fed to {@link RespParser} in random pieces: intact ones must
 * parse to exactly the commands generated; mutated ones (bytes flipped, inserted, dropped, or plain garbage) may
 * parse or fail, but only with {@link RespException}, and every argument returned must lie inside its buffer.
 * Reproduce a failure with {@code -Dresp.fuzz.seed=<seed printed>}.
 */
class RespParserFuzzTest
{
    private static final int INPUTS = Integer.getInteger("resp.fuzz.inputs", 100_000);
    private static final int MAX_BULK = 48;
    private static final int MAX_ARGS = 12;
    private static final int MAX_INLINE = 96;
    private static final byte[] INLINE_CHARS =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-.$+".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] SPECIALS = "*$\r\n-0123456789\"'\\ ".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    final TestSeed seed = new TestSeed("resp.fuzz.seed");

    @Test
    void shouldParseIntactInputsExactlyAndFailMutatedOnesOnlyWithTheTypedError()
    {
        final SplittableRandom random = seed.random();
        int intact = 0;
        int failed = 0;
        for (int n = 0; n < INPUTS; n++)
        {
            final List<List<String>> expected = new ArrayList<>();
            final ByteArrayOutputStream input = new ByteArrayOutputStream();
            final int commands = 1 + random.nextInt(4);
            for (int c = 0; c < commands; c++)
            {
                if (random.nextInt(3) == 0)
                {
                    inline(random, input, expected);
                }
                else
                {
                    multibulk(random, input, expected);
                }
            }
            byte[] bytes = input.toByteArray();
            final boolean mutated = random.nextBoolean();
            if (mutated)
            {
                bytes = mutate(random, bytes);
            }
            else
            {
                intact++;
            }
            final List<List<String>> parsed = new ArrayList<>();
            final boolean threw = feed(random, bytes, parsed, n);
            failed += threw ? 1 : 0;
            if (!mutated)
            {
                assertEquals(expected, parsed, "input " + n + ": " + ByteBufUtil.hexDump(bytes));
            }
        }
        assertTrue(intact > INPUTS / 3, "intact inputs " + intact);
        assertTrue(failed > 0 || INPUTS < 100, "no mutated input was refused: the mutations test nothing");
    }

    /**
     * @return true when the parser refused the input with {@link RespException}.
     */
    private static boolean feed(final SplittableRandom random, final byte[] bytes, final List<List<String>> parsed,
        final int n)
    {
        final RespParser parser = new RespParser(MAX_BULK, MAX_ARGS, MAX_INLINE);
        final ByteBuf in = Unpooled.buffer(16);
        try
        {
            int at = 0;
            while (at < bytes.length)
            {
                final int piece = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 64));
                in.writeBytes(bytes, at, piece);
                at += piece;
                RespCommand command;
                while ((command = parser.parse(in)) != null)
                {
                    final List<String> args = new ArrayList<>();
                    for (int i = 0; i < command.argCount(); i++)
                    {
                        final int index = command.argIndex(i);
                        final int length = command.argLength(i);
                        if (index < 0 || length < 0 || index + length > command.source().writerIndex())
                        {
                            fail("input " + n + ": argument " + i + " at " + index + "+" + length +
                                " outside its buffer of " + command.source().writerIndex());
                        }
                        args.add(new String(command.argBytes(i), StandardCharsets.ISO_8859_1));
                    }
                    if (!args.isEmpty())
                    {
                        parsed.add(args);
                    }
                }
                in.discardSomeReadBytes();
            }
            return false;
        }
        catch (final RespException expected)
        {
            return true;
        }
        catch (final RuntimeException | Error e)
        {
            throw new AssertionError("input " + n + " threw " + e + ": " + ByteBufUtil.hexDump(bytes), e);
        }
        finally
        {
            in.release();
        }
    }

    private static void multibulk(
        final SplittableRandom random, final ByteArrayOutputStream out, final List<List<String>> expected)
    {
        final int count = random.nextInt(MAX_ARGS + 1);
        out.writeBytes(("*" + count + "\r\n").getBytes(StandardCharsets.US_ASCII));
        final List<String> args = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] arg = new byte[random.nextInt(random.nextBoolean() ? 8 : MAX_BULK + 1)];
            for (int b = 0; b < arg.length; b++)
            {
                arg[b] = (byte)random.nextInt(256);
            }
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes(new byte[] {'\r', '\n'});
            args.add(new String(arg, StandardCharsets.ISO_8859_1));
        }
        if (count > 0)
        {
            expected.add(args);
        }
    }

    private static void inline(
        final SplittableRandom random, final ByteArrayOutputStream out, final List<List<String>> expected)
    {
        final int count = random.nextInt(5);
        final List<String> args = new ArrayList<>();
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            final StringBuilder arg = new StringBuilder();
            final int length = 1 + random.nextInt(10);
            for (int b = 0; b < length; b++)
            {
                arg.append((char)INLINE_CHARS[random.nextInt(INLINE_CHARS.length)]);
            }
            args.add(arg.toString());
            line.append(" ".repeat(i == 0 ? random.nextInt(2) : 1 + random.nextInt(2)));
            if (random.nextInt(4) == 0)
            {
                line.append('"').append(arg).append('"');
            }
            else
            {
                line.append(arg);
            }
        }
        line.append(random.nextBoolean() ? "\r\n" : "\n");
        out.writeBytes(line.toString().getBytes(StandardCharsets.US_ASCII));
        if (count > 0)
        {
            expected.add(args);
        }
    }

    private static byte[] mutate(final SplittableRandom random, final byte[] bytes)
    {
        switch (random.nextInt(5))
        {
            case 0:
            {
                final byte[] copy = bytes.clone();
                for (int i = 0, flips = 1 + random.nextInt(3); i < flips && copy.length > 0; i++)
                {
                    copy[random.nextInt(copy.length)] = (byte)random.nextInt(256);
                }
                return copy;
            }
            case 1:
            {
                final int at = random.nextInt(bytes.length + 1);
                final byte[] inserted = new byte[1 + random.nextInt(4)];
                for (int i = 0; i < inserted.length; i++)
                {
                    inserted[i] = SPECIALS[random.nextInt(SPECIALS.length)];
                }
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.writeBytes(inserted);
                out.write(bytes, at, bytes.length - at);
                return out.toByteArray();
            }
            case 2:
            {
                if (bytes.length < 2)
                {
                    return bytes;
                }
                final int at = random.nextInt(bytes.length - 1);
                final int length = 1 + random.nextInt(Math.min(8, bytes.length - at));
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.write(bytes, at + length, bytes.length - at - length);
                return out.toByteArray();
            }
            case 3:
            {
                final byte[] garbage = new byte[1 + random.nextInt(200)];
                for (int i = 0; i < garbage.length; i++)
                {
                    garbage[i] = (byte)random.nextInt(256);
                }
                return garbage;
            }
            default:
            {
                // Lengths and counts pushed past the limits.
                final String text = new String(bytes, StandardCharsets.ISO_8859_1)
                    .replaceFirst("\\$\\d+", "\\$" + (MAX_BULK + 1 + random.nextInt(1 << 20)))
                    .replaceFirst("\\*\\d+", "*" + (MAX_ARGS + 1 + random.nextInt(1 << 20)));
                return text.getBytes(StandardCharsets.ISO_8859_1);
            }
        }
    }
}
