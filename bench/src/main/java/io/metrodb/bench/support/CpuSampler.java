package io.metrodb.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU time (user + system) of this JVM and of the processes named in a list of name:pid, from
 * {@code /proc/PID/stat}; a process whose file cannot be read counts -1.
 */
public final class CpuSampler
{
    private final String[] names;
    private final String[] stats;
    private final double nsPerTick;

    /**
     * @param pids           name:pid,... of the other processes to sample, may be empty.
     * @param ticksPerSecond the kernel's clock ticks per second ({@code getconf CLK_TCK}).
     */
    public CpuSampler(final String pids, final int ticksPerSecond)
    {
        final String[] entries = pids.isEmpty() ? new String[0] : pids.split(",");
        names = new String[entries.length + 1];
        stats = new String[entries.length + 1];
        names[0] = "client";
        stats[0] = "/proc/self/stat";
        for (int i = 0; i < entries.length; i++)
        {
            final int colon = entries[i].indexOf(':');
            names[i + 1] = entries[i].substring(0, colon);
            stats[i + 1] = "/proc/" + entries[i].substring(colon + 1) + "/stat";
        }
        nsPerTick = 1e9 / ticksPerSecond;
    }

    /**
     * @return per process (this JVM first), its CPU time so far in ns, or -1 when unreadable.
     */
    public long[] sample()
    {
        final long[] ns = new long[stats.length];
        for (int i = 0; i < stats.length; i++)
        {
            try
            {
                final String stat = Files.readString(Path.of(stats[i]));
                // Fields 14 and 15 (utime, stime), counted after the command name in parentheses.
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ns[i] = (long)((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * nsPerTick);
            }
            catch (final IOException | RuntimeException e)
            {
                ns[i] = -1;
            }
        }
        return ns;
    }

    /**
     * @return "name=cores ..." for each process: CPU seconds used between the samples per second of wall time.
     */
    public String cores(final long[] before, final long[] after, final double seconds)
    {
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < names.length; i++)
        {
            line.append(i == 0 ? "" : " ").append(names[i]).append('=');
            if (before[i] < 0 || after[i] < 0)
            {
                line.append('?');
            }
            else
            {
                line.append(String.format(Locale.ROOT, "%.2f", (after[i] - before[i]) / 1e9 / seconds));
            }
        }
        return line.toString();
    }
}
