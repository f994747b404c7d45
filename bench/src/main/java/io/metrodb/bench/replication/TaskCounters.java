package io.metrodb.bench.replication;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Context switches of one thread from {@code /proc/self/task/<tid>/status}: voluntary = it blocked (an event loop:
 * in epoll_wait, nothing to do), involuntary = the kernel preempted it (another runnable thread wanted the core).
 * (The {@code io} file's syscr/syscw are not used: they miss the socket calls Netty's epoll transport makes.)
 */
final class TaskCounters
{
    private final Path task;
    private long[] start;

    /**
     * @param nativeTid the thread's kernel id (read {@code /proc/thread-self} on that thread).
     */
    TaskCounters(final long nativeTid)
    {
        task = Path.of("/proc/self/task/" + nativeTid);
    }

    /**
     * @return the calling thread's kernel id, or -1 when /proc is not readable.
     */
    static long currentNativeTid()
    {
        try
        {
            final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        }
        catch (final IOException | RuntimeException e)
        {
            return -1;
        }
    }

    void start()
    {
        start = read();
    }

    /**
     * @return voluntary and involuntary switches per op over the window, or "n/a".
     */
    String stop(final long operations)
    {
        final long[] end = read();
        if (start == null || end == null)
        {
            return "n/a";
        }
        final double ops = Math.max(1, operations);
        return String.format(Locale.ROOT, "%d voluntary switches (%.4f/op), %d involuntary (%.4f/op)",
            end[0] - start[0], (end[0] - start[0]) / ops, end[1] - start[1], (end[1] - start[1]) / ops);
    }

    /**
     * @return {voluntary, involuntary}, or null.
     */
    private long[] read()
    {
        try
        {
            final long[] values = new long[2];
            for (final String line : Files.readAllLines(task.resolve("status")))
            {
                if (line.startsWith("voluntary_ctxt_switches:"))
                {
                    values[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
                else if (line.startsWith("nonvoluntary_ctxt_switches:"))
                {
                    values[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return values;
        }
        catch (final IOException | RuntimeException e)
        {
            return null;
        }
    }
}
