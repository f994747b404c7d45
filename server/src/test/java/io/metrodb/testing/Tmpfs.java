package io.metrodb.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory, so a test meets a disk that is really full ({@code ENOSPC} from the kernel,
 * not a byte budget). Needs root (or CAP_SYS_ADMIN) and {@code mount}; {@link #mount} says why it could not. A test
 * JVM that crashes (a SIGBUS) leaves its mount behind: {@code umount -l} it.
 */
public final class Tmpfs implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_S = 30;
    /**
     * Set by bin/verify on its second JDK pass: tests that mount run once per suite, in the first pass.
     */
    public static final String SECOND_PASS_PROPERTY = "metrodb.test.secondPass";
    private static volatile String lastReason = "";

    private final Path directory;
    private boolean mounted;

    private Tmpfs(final Path directory)
    {
        this.directory = directory;
        this.mounted = true;
    }

    /**
     * Mounts a tmpfs of {@code sizeBytes} on {@code directory} (created if needed).
     *
     * @return the mount, or null where the machine does not allow it; then {@link #whyNot()} is set.
     */
    public static Tmpfs mount(final Path directory, final long sizeBytes) throws IOException, InterruptedException
    {
        Files.createDirectories(directory);
        if (Boolean.getBoolean(SECOND_PASS_PROPERTY))
        {
            lastReason = "runs once per suite, in bin/verify's first JDK pass (-D" + SECOND_PASS_PROPERTY + "=true)";
            return null;
        }
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            lastReason = "not Linux (" + System.getProperty("os.name") + ")";
            return null;
        }
        final String result = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes + ",mode=0755", "tmpfs",
            directory.toString()));
        if (null != result)
        {
            lastReason = "cannot mount a tmpfs (needs root and mount): " + result;
            return null;
        }
        return new Tmpfs(directory);
    }

    /**
     * @return why the last {@link #mount} returned null.
     */
    public static String whyNot()
    {
        return lastReason;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @return bytes the file system still has for a new file.
     */
    public long usableBytes() throws IOException
    {
        return Files.getFileStore(directory).getUsableSpace();
    }

    /**
     * Writes {@code file} until the file system refuses with "No space left on device": the disk is full after.
     *
     * @return bytes written.
     */
    public static long fill(final Path file) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long written = 0;
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
        {
            while (true)
            {
                chunk.clear();
                try
                {
                    while (chunk.hasRemaining())
                    {
                        written += channel.write(chunk);
                    }
                }
                catch (final IOException e)
                {
                    if (null != e.getMessage() && e.getMessage().contains("No space left"))
                    {
                        return written;
                    }
                    throw e;
                }
            }
        }
    }

    /**
     * Fills the file system with {@code file}, then gives back {@code leaveBytes} of it (rounded to pages).
     *
     * @return the filler's length.
     */
    public static long fillLeaving(final Path file, final long leaveBytes) throws IOException
    {
        final long written = fill(file);
        final long length = Math.max(0, written - leaveBytes);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(length);
        }
        return length;
    }

    /**
     * Unmounts (lazily, should a file still be open); idempotent.
     */
    @Override
    public void close() throws IOException
    {
        if (!mounted)
        {
            return;
        }
        mounted = false;
        try
        {
            final String result = run(List.of("umount", "-l", directory.toString()));
            if (null != result)
            {
                throw new IOException("cannot unmount " + directory + ": " + result);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + directory, e);
        }
    }

    /**
     * @return null when the command exited 0, else what it printed and its exit status.
     */
    private static String run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException e)
        {
            return String.join(" ", command) + ": " + e.getMessage();
        }
        if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return String.join(" ", command) + ": no exit in " + COMMAND_TIMEOUT_S + " s";
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return 0 == process.exitValue() ? null : String.join(" ", command) + " exited " + process.exitValue() +
            (output.isEmpty() ? "" : ": " + output);
    }
}
