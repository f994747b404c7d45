package io.metrodb.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * A logd store's identity lives in its data directory ({@code store.id}): a random 64-bit id created with the
 * store and kept for as long as the directory is. A mapd on the same host reads the log's segment files itself
 * only when the directory the logd announces holds the same id (see the mapd's local reads).
 */
public final class StoreIdFile
{
    public static final String FILE_NAME = "store.id";
    /** Never a store id: what {@link #read} returns when there is none. */
    public static final long NONE = 0;

    private StoreIdFile()
    {
    }

    /**
     * @param dir the store's data directory (created if missing).
     * @return the stored id, or a new random one, stored atomically.
     * @throws IOException on a file error, or when the file does not hold an id.
     */
    public static long resolve(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final long stored = read(dir);
        if (stored != NONE)
        {
            return stored;
        }
        final SecureRandom random = new SecureRandom();
        long id;
        do
        {
            id = random.nextLong();
        }
        while (id == NONE);
        final Path tmp = dir.resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, format(id) + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return id;
    }

    /**
     * @param dir a store's data directory.
     * @return its id, or {@link #NONE} when it has no {@code store.id}.
     * @throws IOException on a file error, or when the file does not hold an id.
     */
    public static long read(final Path dir) throws IOException
    {
        final Path file = dir.resolve(FILE_NAME);
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        catch (final NoSuchFileException e)
        {
            return NONE;
        }
        final long id = parse(text);
        if (id == NONE)
        {
            throw new IOException(file + " does not hold a store id: '" + text + "'");
        }
        return id;
    }

    /**
     * @return the id as 16 lower-case hex digits (as stored and as logd's INFO shows it).
     */
    public static String format(final long id)
    {
        final String hex = Long.toHexString(id);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /**
     * @return the id in 16 hex digits, or {@link #NONE} when {@code text} is not one.
     */
    public static long parse(final String text)
    {
        if (text.length() != 16)
        {
            return NONE;
        }
        try
        {
            return Long.parseUnsignedLong(text, 16);
        }
        catch (final NumberFormatException e)
        {
            return NONE;
        }
    }
}
