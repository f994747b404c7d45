package io.metrodb.bench.replication;

import io.metrodb.bench.support.ProcessCpu;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Where the CPU went over a measurement window: this process's threads grouped by role (thread name without
 * its numbers, or a label the caller gives a thread id), this process in total, and the whole box from
 * {@code /proc/stat}, so that the share other processes took on the shared machine is visible next to a result.
 */
final class CpuAccounting
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** USER_HZ on Linux: /proc/stat counts in 1/100 s. */
    private static final long NS_PER_JIFFY = 10_000_000L;

    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> startCpuNs = new HashMap<>();
    private long startWallNs;
    private long startProcessCpuNs;
    private long[] startBoxJiffies;
    private long startGcCount;
    private long startGcMs;

    /**
     * Takes the window's starting counters.
     */
    void start()
    {
        names.clear();
        startCpuNs.clear();
        for (final ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds()))
        {
            if (info != null)
            {
                names.put(info.getThreadId(), info.getThreadName());
                startCpuNs.put(info.getThreadId(), Math.max(0, THREADS.getThreadCpuTime(info.getThreadId())));
            }
        }
        startProcessCpuNs = ProcessCpu.nanos();
        startBoxJiffies = boxJiffies();
        startGcCount = gcCount();
        startGcMs = gcMs();
        startWallNs = System.nanoTime();
    }

    /**
     * Ends the window.
     *
     * @param owner      the component that started a thread ("logd", "mapd A"), or null for the bench's own.
     * @param operations what one op is for "per op" figures (e.g. SETs acknowledged in the window).
     * @return the accounts.
     */
    Result stop(final LongFunction<String> owner, final long operations)
    {
        final long wallNs = System.nanoTime() - startWallNs;
        final long processNs = ProcessCpu.nanos() - startProcessCpuNs;
        final long[] box = boxJiffies();
        final Map<String, Long> byRole = new TreeMap<>();
        for (final ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds()))
        {
            if (info == null)
            {
                continue;
            }
            final long id = info.getThreadId();
            final long cpuNs = THREADS.getThreadCpuTime(id) - startCpuNs.getOrDefault(id, 0L);
            final String name = info.getThreadName().replaceAll("[-#]?\\d+", "");
            final String given = owner.apply(id);
            byRole.merge(given != null ? given + ": " + name : name, Math.max(0, cpuNs), Long::sum);
        }
        final long busyNs = startBoxJiffies != null && box != null ? (box[0] - startBoxJiffies[0]) * NS_PER_JIFFY : -1;
        final long stealNs = startBoxJiffies != null && box != null ? (box[2] - startBoxJiffies[2]) * NS_PER_JIFFY : -1;
        return new Result(wallNs, processNs, busyNs, stealNs, gcCount() - startGcCount, gcMs() - startGcMs, byRole,
            Math.max(1, operations));
    }

    /**
     * CPU over one window.
     *
     * @param byRoleNs CPU ns by "owner: thread name" (or thread name for the bench's own threads).
     */
    record Result(long wallNs, long processNs, long boxBusyNs, long stealNs, long gcCount, long gcMs,
        Map<String, Long> byRoleNs, long operations)
    {
        /**
         * @return CPU us per op of every role starting with {@code prefix}.
         */
        double usPerOp(final String prefix)
        {
            long ns = 0;
            for (final Map.Entry<String, Long> e : byRoleNs.entrySet())
            {
                ns += e.getKey().startsWith(prefix) ? e.getValue() : 0;
            }
            return ns / 1e3 / operations;
        }

        double processUsPerOp()
        {
            return processNs / 1e3 / operations;
        }

        /**
         * @return cores other processes on the box used on average (busy CPU of the box minus this process).
         */
        double otherProcessCores()
        {
            return boxBusyNs < 0 ? Double.NaN : Math.max(0, boxBusyNs - processNs) / (double)wallNs;
        }

        String format()
        {
            final StringBuilder text = new StringBuilder();
            text.append(String.format(Locale.ROOT, "cpu over %.2f s: this process %.2f cores (%.2f us per op)",
                wallNs / 1e9, processNs / (double)wallNs, processUsPerOp()));
            if (boxBusyNs >= 0)
            {
                text.append(String.format(Locale.ROOT, "; box busy %.2f of %d cores, other processes %.2f cores, " +
                    "steal %.2f cores", boxBusyNs / (double)wallNs, Runtime.getRuntime().availableProcessors(),
                    otherProcessCores(), stealNs / (double)wallNs));
            }
            text.append(String.format(Locale.ROOT, "; GC: %d collections, %d ms%n", gcCount, gcMs));
            byRoleNs.entrySet().stream()
                .filter(e -> e.getValue() >= wallNs / 200)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> text.append(String.format(Locale.ROOT, "  %-36s %6.3f cores %8.2f us/op%n", e.getKey(),
                    e.getValue() / (double)wallNs, e.getValue() / 1e3 / operations)));
            return text.toString();
        }
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long gcMs()
    {
        long ms = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    /**
     * @return {busy, total, steal} jiffies of the whole box since boot, or null when unreadable.
     */
    private static long[] boxJiffies()
    {
        try
        {
            final String[] f = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            final long user = Long.parseLong(f[1]);
            final long nice = Long.parseLong(f[2]);
            final long system = Long.parseLong(f[3]);
            final long idle = Long.parseLong(f[4]);
            final long iowait = Long.parseLong(f[5]);
            final long irq = Long.parseLong(f[6]);
            final long softirq = Long.parseLong(f[7]);
            final long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            final long busy = user + nice + system + irq + softirq;
            return new long[] {busy, busy + idle + iowait + steal, steal};
        }
        catch (final IOException | RuntimeException e)
        {
            return null;
        }
    }
}
