package io.metrodb.bench.logd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Run directories for the logd benchmarks, and the process's storage write counter, so a run can show how many
 * bytes it sent to the disk for the bytes it appended.
 */
final class BenchFiles
{
    /** Where the benchmarks write unless told otherwise: the repository's filesystem, git-ignored. */
    static final String DEFAULT_BASE_DIRECTORY = "bench/target/logd-bench";
    private static final Path PROC_SELF_IO = Path.of("/proc/self/io");
    private static final Path PROC_SELF_TASKS = Path.of("/proc/self/task");
    private static final String WRITE_BYTES = "write_bytes:";

    private BenchFiles()
    {
    }

    /**
     * @return a new, empty directory under {@code base} (created if needed).
     */
    static Path newRunDirectory(final String base, final String prefix)
    {
        try
        {
            final Path basePath = Path.of(base).toAbsolutePath();
            Files.createDirectories(basePath);
            return Files.createTempDirectory(basePath, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a run directory under " + base, ex);
        }
    }

    static void deleteRecursively(final Path directory)
    {
        if (null == directory || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + directory, ex);
        }
    }

    /**
     * Bytes this process has caused to be sent to storage ({@code write_bytes} of {@code /proc/self/io}): pages
     * it dirtied through write() or a shared mapping, counted when dirtied, again after each writeback. Per
     * process, so other writers on a shared box do not count.
     *
     * @return the count so far, or -1 when it cannot be read.
     */
    static long processBytesWritten()
    {
        try
        {
            for (final String line : Files.readAllLines(PROC_SELF_IO))
            {
                if (line.startsWith(WRITE_BYTES))
                {
                    return Long.parseLong(line.substring(WRITE_BYTES.length()).trim());
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * Voluntary plus involuntary context switches of this process's live threads (summed over
     * {@code /proc/self/task/<tid>/status}); threads that ended meanwhile drop out, so compare over a window in
     * which the same threads live.
     *
     * @return the count so far, or -1 when it cannot be read.
     */
    static long processContextSwitches()
    {
        try (Stream<Path> tasks = Files.list(PROC_SELF_TASKS))
        {
            long switches = 0;
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                try
                {
                    for (final String line : Files.readAllLines(task.resolve("status")))
                    {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:"))
                        {
                            switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                }
                catch (final IOException ended)
                {
                    // the thread ended between the listing and the read
                }
            }
            return switches;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
