package io.metrodb.server;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sizes on the command line ({@code --segment-size 128m}): binary units, an optional b/ib, and a clear error
 * for anything that is not a size.
 */
class ByteSizeTest
{
    @Test
    void shouldParsePlainBytes()
    {
        assertEquals(0, ByteSize.parse("0"));
        assertEquals(4096, ByteSize.parse("4096"));
        assertEquals(Long.MAX_VALUE, ByteSize.parse(Long.toString(Long.MAX_VALUE)));
    }

    @Test
    void shouldParseBinaryUnitsInEitherCase()
    {
        assertEquals(64L << 10, ByteSize.parse("64k"));
        assertEquals(64L << 10, ByteSize.parse("64K"));
        assertEquals(128L << 20, ByteSize.parse("128m"));
        assertEquals(128L << 20, ByteSize.parse("128M"));
        assertEquals(1L << 30, ByteSize.parse("1g"));
        assertEquals(3L << 40, ByteSize.parse("3T"));
    }

    @Test
    void shouldAcceptATrailingBOrIb()
    {
        assertEquals(128L << 20, ByteSize.parse("128MiB"));
        assertEquals(128L << 20, ByteSize.parse("128mb"));
        assertEquals(64L << 10, ByteSize.parse("64KB"));
        assertEquals(2L << 30, ByteSize.parse("2gib"));
        assertEquals(512, ByteSize.parse("512b"), "bytes with a b");
        assertEquals(512, ByteSize.parse("512B"));
    }

    @Test
    void shouldIgnoreSurroundingWhitespace()
    {
        assertEquals(64L << 10, ByteSize.parse("  64k\t"));
        assertEquals(7, ByteSize.parse("\n7 "));
    }

    @Test
    void shouldConvertForPicocliAsParseDoes() throws Exception
    {
        assertEquals(1L << 20, new ByteSize().convert("1m"));
        final CommandLine.ITypeConverter<Long> converter = new ByteSize();
        assertThrows(IllegalArgumentException.class, () -> converter.convert("lots"));
    }

    @Test
    void shouldRejectEmptyText()
    {
        assertNotASize("");
        assertNotASize("   ");
        assertNotASize("b", "a unit alone");
        assertNotASize("k");
        assertNotASize("MiB");
    }

    @Test
    void shouldRejectUnknownSuffixesAndMalformedNumbers()
    {
        assertNotASize("64x");
        assertNotASize("64p", "no peta");
        assertNotASize("64kk");
        assertNotASize("64bb");
        assertNotASize("1.5g", "no fractions");
        assertNotASize("64 k", "no space inside");
        assertNotASize("k64");
        assertNotASize("0x40");
        assertNotASize("lots");
    }

    @Test
    void shouldRejectSizesThatOverflowALong()
    {
        assertNotASize("9223372036854775808", "Long.MAX_VALUE + 1");
        assertNotASize("8388608t", "2^23 TiB = 2^63 bytes");
        assertNotASize("8589934592g", "2^33 GiB = 2^63 bytes");
        assertNotASize("99999999999999999999k");
        assertEquals(8388607L << 40, ByteSize.parse("8388607t"), "the largest whole number of TiB that fits");
    }

    @Test
    void shouldRejectNegativeSizes()
    {
        assertNotASize("-1");
        assertNotASize("-64k");
        assertNotASize("-9223372036854775808");
    }

    @Test
    void shouldNarrowToAnIntOrNameTheOption()
    {
        assertEquals(0, ByteSize.toInt(0, "--x"));
        assertEquals(Integer.MAX_VALUE, ByteSize.toInt(Integer.MAX_VALUE, "--x"));
        final IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
            () -> ByteSize.toInt(1L << 31, "--segment-size"));
        assertEquals("--segment-size must be in 0..2147483647 bytes, was 2147483648", tooBig.getMessage());
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> ByteSize.toInt(-1, "--max-entry"));
        assertTrue(negative.getMessage().startsWith("--max-entry must be in 0.."), negative.getMessage());
    }

    private static void assertNotASize(final String text)
    {
        assertNotASize(text, "");
    }

    private static void assertNotASize(final String text, final String why)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text),
            "'" + text + "' " + why);
        assertTrue(e.getMessage().startsWith("not a size: '" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("examples: 4096, 64k"), e.getMessage());
    }
}
