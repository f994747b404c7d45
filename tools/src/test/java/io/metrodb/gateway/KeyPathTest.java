package io.metrodb.gateway;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeyPathTest
{
    @Test
    void shouldPercentDecodeThePathIntoBytes()
    {
        assertArrayEquals(utf8("a b"), KeyPath.key("/a%20b"));
        assertArrayEquals(utf8("ü+x"), KeyPath.key("/%C3%bc+x"));
        assertArrayEquals(new byte[] { 0, (byte)0xFF, 'z' }, KeyPath.key("/%00%ffz"));
    }

    @Test
    void shouldGiveTheSameKeyForSlashAndEncodedSlash()
    {
        assertArrayEquals(utf8("a/b"), KeyPath.key("/a/b"));
        assertArrayEquals(utf8("a/b"), KeyPath.key("/a%2Fb"));
        assertArrayEquals(utf8("/lead"), KeyPath.key("//lead"));
    }

    @Test
    void shouldStopAtTheQuery()
    {
        assertArrayEquals(utf8("k"), KeyPath.key("/k?safe=1"));
        assertEquals("/k", KeyPath.path("/k?safe=1"));
        assertEquals("1", KeyPath.query("/k?x=2&safe=1", "safe"));
        assertEquals("", KeyPath.query("/k?safe", "safe"));
        assertNull(KeyPath.query("/k?unsafe=1", "safe"));
        assertNull(KeyPath.query("/k", "safe"));
    }

    @Test
    void shouldRejectBadKeys()
    {
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/?safe=1"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/%zz"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/a%4"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/a%"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("k"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/\u0100"));
        assertThrows(IllegalArgumentException.class, () -> KeyPath.key("/" + "k".repeat(65_536)));
        assertEquals(65_535, KeyPath.key("/" + "k".repeat(65_535)).length);
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
