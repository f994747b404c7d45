package io.metrodb.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's id in {@code DIR/node.id}: picked (or taken from {@code --node-id}) on the first start, then kept for
 * as long as the directory lives; a disagreeing {@code --node-id} or a file that holds no id stops the start.
 */
class NodeIdFileTest
{
    @TempDir
    Path root;

    @Test
    void shouldPickARandomIdOnTheFirstStartAndKeepItAcrossRestarts() throws Exception
    {
        final Path dir = root.resolve("node");
        final int id = NodeIdFile.resolve(dir, NodeIdFile.UNSET);
        assertTrue(id >= 1 && id <= 0xFFFF, "id " + id);
        assertEquals(id + "\n", Files.readString(dir.resolve(NodeIdFile.FILE_NAME), StandardCharsets.US_ASCII));
        assertFalse(Files.exists(dir.resolve(NodeIdFile.FILE_NAME + ".tmp")), "written through a renamed temp file");

        for (int restart = 0; restart < 3; restart++)
        {
            assertEquals(id, NodeIdFile.resolve(dir, NodeIdFile.UNSET), "restart " + restart);
        }
        assertEquals(id, NodeIdFile.resolve(dir, id), "--node-id equal to the stored one");
    }

    @Test
    void shouldStoreTheRequestedIdAndCreateMissingDirectories() throws Exception
    {
        final Path dir = root.resolve("a").resolve("b").resolve("c");
        assertEquals(4242, NodeIdFile.resolve(dir, 4242));
        assertEquals("4242\n", Files.readString(dir.resolve(NodeIdFile.FILE_NAME), StandardCharsets.US_ASCII));
        assertEquals(4242, NodeIdFile.resolve(dir, NodeIdFile.UNSET), "kept without --node-id");
        assertEquals(1, NodeIdFile.resolve(root.resolve("low"), 1));
        assertEquals(0xFFFF, NodeIdFile.resolve(root.resolve("high"), 0xFFFF));
    }

    @Test
    void shouldRefuseANodeIdThatDisagreesWithTheStoredOne() throws Exception
    {
        final Path dir = root.resolve("node");
        NodeIdFile.resolve(dir, 7);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> NodeIdFile.resolve(dir, 8));
        assertTrue(e.getMessage().contains("--node-id 8 disagrees with " + dir.resolve(NodeIdFile.FILE_NAME) + " (7)"),
            e.getMessage());
        assertEquals(7, NodeIdFile.resolve(dir, NodeIdFile.UNSET), "the stored id is left alone");
    }

    @Test
    void shouldRefuseARequestedIdOutOfRangeBeforeTouchingTheDirectory()
    {
        for (final int bad : new int[] {-1, 0x10000, Integer.MAX_VALUE, Integer.MIN_VALUE})
        {
            final Path dir = root.resolve("node" + bad);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeIdFile.resolve(dir, bad));
            assertEquals("--node-id must be in 1..65535, was " + bad, e.getMessage());
            assertFalse(Files.exists(dir), "nothing created for --node-id " + bad);
        }
    }

    @Test
    void shouldReadAnIdWrittenByHandWithSurroundingWhitespace() throws Exception
    {
        final Path dir = Files.createDirectories(root.resolve("node"));
        Files.writeString(dir.resolve(NodeIdFile.FILE_NAME), "  12  \r\n");
        assertEquals(12, NodeIdFile.resolve(dir, NodeIdFile.UNSET));
        assertEquals(12, NodeIdFile.resolve(dir, 12));
    }

    @Test
    void shouldIgnoreATempFileLeftByACrashedFirstStart() throws Exception
    {
        final Path dir = Files.createDirectories(root.resolve("node"));
        Files.writeString(dir.resolve(NodeIdFile.FILE_NAME + ".tmp"), "99");
        assertEquals(5, NodeIdFile.resolve(dir, 5), "the id file was never renamed into place: a fresh start");
        assertEquals(5, NodeIdFile.resolve(dir, NodeIdFile.UNSET));
    }

    @Test
    void shouldRefuseAFileThatHoldsNoNodeId() throws Exception
    {
        for (final String content : new String[] {"", "\n", "abc", "12a", "1.5", "99999999999"})
        {
            final Path dir = Files.createDirectories(root.resolve("corrupt" + content.hashCode()));
            final Path file = dir.resolve(NodeIdFile.FILE_NAME);
            Files.writeString(file, content, StandardCharsets.US_ASCII);
            final IOException e = assertThrows(IOException.class, () -> NodeIdFile.resolve(dir, NodeIdFile.UNSET),
                "content '" + content + "'");
            assertEquals(file + " does not hold a node id: '" + content.trim() + "'", e.getMessage());
            assertThrows(IOException.class, () -> NodeIdFile.resolve(dir, 3), "not overwritten by --node-id");
            assertEquals(content, Files.readString(file, StandardCharsets.US_ASCII), "left for the operator");
        }
    }

    @Test
    void shouldRefuseAStoredIdOutsideOneTo65535() throws Exception
    {
        for (final String content : new String[] {"0", "-5", "65536", "70000"})
        {
            final Path dir = Files.createDirectories(root.resolve("range" + content));
            final Path file = dir.resolve(NodeIdFile.FILE_NAME);
            Files.writeString(file, content + "\n", StandardCharsets.US_ASCII);
            final IOException e = assertThrows(IOException.class, () -> NodeIdFile.resolve(dir, NodeIdFile.UNSET),
                "stored '" + content + "'");
            assertEquals(file + " does not hold a node id: '" + content + "'", e.getMessage());
        }
    }

    @Test
    void shouldFailWithAnIoErrorWhenTheIdFileCannotBeRead() throws Exception
    {
        final Path dir = Files.createDirectories(root.resolve("node"));
        Files.createDirectory(dir.resolve(NodeIdFile.FILE_NAME));
        assertThrows(IOException.class, () -> NodeIdFile.resolve(dir, NodeIdFile.UNSET),
            "node.id is a directory");

        final Path notADir = Files.writeString(root.resolve("plain-file"), "x");
        assertThrows(IOException.class, () -> NodeIdFile.resolve(notADir, 3), "the data directory is a file");
    }
}
