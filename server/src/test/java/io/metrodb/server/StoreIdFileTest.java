package io.metrodb.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A logd store's identity in {@code DIR/store.id}: random on the first start, kept across restarts, distinct
 * between directories; a file that holds no id is an error, not a new identity.
 */
class StoreIdFileTest
{
    @TempDir
    Path root;

    @Test
    void shouldCreateARandomIdOnceAndKeepItAcrossRestarts() throws Exception
    {
        final Path dir = root.resolve("store");
        assertEquals(StoreIdFile.NONE, StoreIdFile.read(dir.resolveSibling("absent")));
        final long id = StoreIdFile.resolve(dir);
        assertNotEquals(StoreIdFile.NONE, id);
        assertEquals(StoreIdFile.format(id) + "\n", Files.readString(dir.resolve(StoreIdFile.FILE_NAME),
            StandardCharsets.US_ASCII));
        assertFalse(Files.exists(dir.resolve(StoreIdFile.FILE_NAME + ".tmp")), "written through a renamed temp file");
        for (int restart = 0; restart < 3; restart++)
        {
            assertEquals(id, StoreIdFile.resolve(dir), "restart " + restart);
            assertEquals(id, StoreIdFile.read(dir), "restart " + restart);
        }
        assertNotEquals(id, StoreIdFile.resolve(root.resolve("another")), "another directory, another store");
    }

    @Test
    void shouldFormatAndParseSixteenHexDigits()
    {
        for (final long id : new long[] {1, 0xABCDEFL, -1, Long.MIN_VALUE, 0x0123_4567_89AB_CDEFL})
        {
            final String text = StoreIdFile.format(id);
            assertEquals(16, text.length(), text);
            assertEquals(id, StoreIdFile.parse(text), text);
        }
        assertEquals(StoreIdFile.NONE, StoreIdFile.parse("12345"));
        assertEquals(StoreIdFile.NONE, StoreIdFile.parse("xyz4567890abcdef"));
    }

    @Test
    void shouldRefuseAFileThatHoldsNoId() throws Exception
    {
        final Path dir = Files.createDirectories(root.resolve("bad"));
        Files.writeString(dir.resolve(StoreIdFile.FILE_NAME), "not an id\n", StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> StoreIdFile.read(dir));
        assertThrows(IOException.class, () -> StoreIdFile.resolve(dir));
        Files.writeString(dir.resolve(StoreIdFile.FILE_NAME), "0000000000000000\n", StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> StoreIdFile.read(dir));
    }
}
