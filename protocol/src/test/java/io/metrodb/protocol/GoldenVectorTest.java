package io.metrodb.protocol;

import io.metrodb.protocol.netty.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hex examples of PROTOCOL.md are the bytes our encoders write and our decoders read.
 */
class GoldenVectorTest
{
    private static final Pattern EXAMPLE = Pattern.compile(
        "<!-- example: ([a-z0-9-]+) -->\\s*```hex\\n([0-9a-f\\s]*?)```");

    static Map<String, byte[]> specExamples() throws IOException
    {
        final String spec = Files.readString(Path.of("PROTOCOL.md"));
        final Map<String, byte[]> examples = new LinkedHashMap<>();
        final Matcher matcher = EXAMPLE.matcher(spec);
        while (matcher.find())
        {
            final byte[] previous = examples.put(matcher.group(1), Hex.parse(matcher.group(2)));
            assertNull(previous, "example " + matcher.group(1) + " appears twice in PROTOCOL.md");
        }
        return examples;
    }

    @Test
    void shouldHaveAnEncoderForEverySpecExampleAndAnExampleForEveryEncoder() throws IOException
    {
        final Map<String, byte[]> spec = specExamples();
        for (final GoldenVectors.Example example : GoldenVectors.all())
        {
            assertTrue(spec.containsKey(example.name()), "PROTOCOL.md lacks example " + example.name());
        }
        assertEquals(GoldenVectors.all().size(), spec.size(), "PROTOCOL.md has examples without an encoder");
    }

    @Test
    void shouldCoverEveryOpcodeInTheSpec() throws IOException
    {
        final Map<String, byte[]> spec = specExamples();
        for (int opcode = 0; opcode < 256; opcode++)
        {
            if (!Opcodes.isKnown(opcode))
            {
                continue;
            }
            boolean found = false;
            for (final Map.Entry<String, byte[]> entry : spec.entrySet())
            {
                final byte[] bytes = entry.getValue();
                found |= GoldenVectors.isFrame(entry.getKey()) && bytes.length >= FrameHeader.HEADER_LENGTH &&
                    (bytes[FrameHeader.OPCODE_OFFSET] & 0xFF) == opcode;
            }
            assertTrue(found, "no worked example for opcode " + Opcodes.name(opcode));
        }
    }

    @TestFactory
    Stream<DynamicTest> shouldEncodeAndDecodeEachSpecExample() throws IOException
    {
        final Map<String, byte[]> spec = specExamples();
        return GoldenVectors.all().stream().map(example -> DynamicTest.dynamicTest(example.name(), () ->
        {
            final byte[] expected = spec.get(example.name());
            assertNotNull(expected, "PROTOCOL.md lacks example " + example.name());

            final ByteBuf encoded = example.encode();
            try
            {
                assertEquals(Hex.format(Unpooled.wrappedBuffer(expected)), Hex.format(encoded));
                assertArrayEquals(expected, ByteBufUtil.getBytes(encoded));
            }
            finally
            {
                encoded.release();
            }

            if (example.name().equals("preface"))
            {
                assertPrefaceAccepted(expected);
            }
            else if (!example.isFrame())
            {
                example.check().accept(Unpooled.wrappedBuffer(expected));
            }
            else
            {
                assertDecodes(example, expected, expected.length);
                assertDecodes(example, expected, 1);
            }
        }));
    }

    private static void assertPrefaceAccepted(final byte[] preface)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024, true));
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(preface)));
        assertNull(channel.readInbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    private static void assertDecodes(final GoldenVectors.Example example, final byte[] bytes, final int chunk)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024, false));
        for (int i = 0; i < bytes.length; i += chunk)
        {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
            if (i + chunk < bytes.length)
            {
                assertNull(channel.readInbound(), "a frame before all its bytes arrived");
            }
        }
        final ByteBuf frame = channel.readInbound();
        assertNotNull(frame, "no frame decoded from example " + example.name());
        try
        {
            example.check().accept(frame);
        }
        finally
        {
            frame.release();
        }
        assertFalse(channel.finishAndReleaseAll());
    }
}
