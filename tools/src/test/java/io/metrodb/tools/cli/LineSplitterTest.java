package io.metrodb.tools.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LineSplitterTest
{
    private static List<String> words(final String line)
    {
        final List<String> words = new ArrayList<>();
        for (final byte[] word : LineSplitter.split(line))
        {
            words.add(new String(word, StandardCharsets.ISO_8859_1));
        }
        return words;
    }

    @Test
    void shouldSplitOnRunsOfBlanks()
    {
        assertEquals(List.of("SET", "k", "v"), words("  SET \t k   v  "));
        assertEquals(List.of(), words("   "));
        assertEquals(List.of(), words(""));
    }

    @Test
    void shouldKeepSpacesInsideQuotes()
    {
        assertEquals(List.of("SET", "my key", "a 'b' c"), words("SET \"my key\" 'a \\'b\\' c'"));
        assertEquals(List.of("ab c"), words("a\"b c\""));
    }

    @Test
    void shouldApplyEscapesInDoubleQuotes()
    {
        assertEquals(List.of("\n\r\t\b\u0007\\\"q"), words("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\""));
    }

    @Test
    void shouldDecodeHexEscapesToAnyByte()
    {
        assertArrayEquals(new byte[] {0x00, (byte)0xff, 'A', (byte)0x7f},
            LineSplitter.split("\"\\x00\\xFF\\x41\\x7f\"").get(0));
        assertEquals(List.of("xZZ"), words("\"\\xZZ\""), "\\x without two hex digits is x");
    }

    @Test
    void shouldTakeSingleQuotedTextLiterally()
    {
        assertEquals(List.of("\\n\\x41"), words("'\\n\\x41'"));
    }

    @Test
    void shouldEncodeUnicodeAsUtf8()
    {
        assertArrayEquals("clé ✓ 🚇".getBytes(StandardCharsets.UTF_8), LineSplitter.split("\"clé ✓ 🚇\"").get(0));
        assertArrayEquals("🚇".getBytes(StandardCharsets.UTF_8), LineSplitter.split("🚇").get(0));
    }

    @Test
    void shouldKeepAnEmptyQuotedWord()
    {
        assertEquals(List.of("SET", "k", ""), words("SET k \"\""));
    }

    @Test
    void shouldRejectUnbalancedQuotes()
    {
        assertThrows(IllegalArgumentException.class, () -> LineSplitter.split("SET k \"v"));
        assertThrows(IllegalArgumentException.class, () -> LineSplitter.split("SET k 'v"));
        assertThrows(IllegalArgumentException.class, () -> LineSplitter.split("GET \"k\\\""));
    }

    @Test
    void shouldRejectAClosingQuoteFollowedByText()
    {
        assertThrows(IllegalArgumentException.class, () -> LineSplitter.split("GET \"k\"x"));
        assertThrows(IllegalArgumentException.class, () -> LineSplitter.split("GET 'k'x"));
    }
}
