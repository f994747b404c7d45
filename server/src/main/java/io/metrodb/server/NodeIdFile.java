package io.metrodb.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * A node's id lives in its data directory ({@code node.id}) so it survives restarts: mapds record logd ids
 * in their replica lists, so a logd must keep its id for as long as it keeps its data.
 */
public final class NodeIdFile
{
    public static final String FILE_NAME = "node.id";
    public static final int UNSET = 0;

    private NodeIdFile()
    {
    }

    /**
     * @param dir       the node's data directory (created if missing).
     * @param requested id from the command line, or {@link #UNSET} to keep the stored one or pick a random one.
     * @return the node's id, 1..65535.
     * @throws IllegalArgumentException when {@code requested} disagrees with the stored id.
     * @throws IOException on a file error.
     */
    public static int resolve(final Path dir, final int requested) throws IOException
    {
        if (requested != UNSET && (requested < 1 || requested > 0xFFFF))
        {
            throw new IllegalArgumentException("--node-id must be in 1..65535, was " + requested);
        }
        Files.createDirectories(dir);
        final Path file = dir.resolve(FILE_NAME);
        if (Files.exists(file))
        {
            final int stored = read(dir);
            if (requested != UNSET && requested != stored)
            {
                throw new IllegalArgumentException("--node-id " + requested + " disagrees with " + file +
                    " (" + stored + "); a node keeps its id as long as it keeps its data");
            }
            return stored;
        }
        final int id = requested != UNSET ? requested : 1 + new SecureRandom().nextInt(0xFFFF);
        final Path tmp = dir.resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return id;
    }

    /**
     * @param dir a node's data directory.
     * @return the id stored there, or {@link #UNSET} when there is no {@code node.id}.
     * @throws IOException on a file error, or when the file does not hold a node id.
     */
    public static int read(final Path dir) throws IOException
    {
        final Path file = dir.resolve(FILE_NAME);
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        catch (final java.nio.file.NoSuchFileException e)
        {
            return UNSET;
        }
        final int stored;
        try
        {
            stored = Integer.parseInt(text);
        }
        catch (final NumberFormatException e)
        {
            throw new IOException(file + " does not hold a node id: '" + text + "'", e);
        }
        if (stored < 1 || stored > 0xFFFF)
        {
            throw new IOException(file + " does not hold a node id: '" + text + "'");
        }
        return stored;
    }
}
