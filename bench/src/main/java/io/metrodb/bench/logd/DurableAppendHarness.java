package io.metrodb.bench.logd;

import io.metrodb.logd.DurableListener;
import io.metrodb.logd.LogConfig;
import io.metrodb.logd.LogResult;
import io.metrodb.logd.LogStats;
import io.metrodb.logd.LogStore;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Durable appends per second with T concurrent appenders: each thread appends with
 * {@link LogStore#appendDurable} and parks until its listener says the entry is forced, then appends again.
 * Group commit is what makes T appenders faster than one; the store's counters over the measured window show
 * how many forces there were and how many appends each one acknowledged.
 * <p>
 * A fresh store (128 MiB segments, bounded by {@code --max-total-bytes}) per entry size and appender count,
 * deleted afterwards. Warm-up, then a fixed measured window; only completions inside the window count.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * io.metrodb.bench.logd.DurableAppendHarness [--appenders 1,16,64] [--sizes 4096,100] [--warmup-s 2]
 * [--duration-s 5] [--dir bench/target/logd-bench] [--max-total-bytes 4294967296]}
 */
public final class DurableAppendHarness
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final int[] appenderCounts;
    private final int[] entryLengths;
    private final long warmupNs;
    private final long durationNs;
    private final String baseDirectory;
    private final long maxTotalBytes;

    private DurableAppendHarness(final String[] args)
    {
        int[] appenders = {1, 16, 64};
        int[] sizes = {4096, 100};
        double warmupS = 2;
        double durationS = 5;
        String dir = BenchFiles.DEFAULT_BASE_DIRECTORY;
        long maxBytes = 4L * 1024 * 1024 * 1024;
        for (int i = 0; i < args.length; i++)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--appenders" -> appenders = parseInts(value);
                case "--sizes" -> sizes = parseInts(value);
                case "--warmup-s" -> warmupS = Double.parseDouble(value);
                case "--duration-s" -> durationS = Double.parseDouble(value);
                case "--dir" -> dir = value;
                case "--max-total-bytes" -> maxBytes = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (durationS <= 0 || durationS > 600 || warmupS < 0 || warmupS > 600)
        {
            throw new IllegalArgumentException("--duration-s must be in (0, 600], --warmup-s in [0, 600]");
        }
        this.appenderCounts = appenders;
        this.entryLengths = sizes;
        this.warmupNs = (long)(warmupS * 1e9);
        this.durationNs = (long)(durationS * 1e9);
        this.baseDirectory = dir;
        this.maxTotalBytes = maxBytes;
    }

    public static void main(final String[] args) throws InterruptedException
    {
        new DurableAppendHarness(args).run();
    }

    private void run() throws InterruptedException
    {
        System.out.printf(Locale.ROOT, "durable appends: appenders=%s sizes=%s warmup=%.1fs duration=%.1fs dir=%s%n",
            Arrays.toString(appenderCounts), Arrays.toString(entryLengths), warmupNs / 1e9,
            durationNs / 1e9, Path.of(baseDirectory).toAbsolutePath());
        final List<String> rows = new ArrayList<>();
        for (final int entryLength : entryLengths)
        {
            double singleRate = Double.NaN;
            for (final int appenders : appenderCounts)
            {
                final Result result = measure(entryLength, appenders);
                if (appenders == 1)
                {
                    singleRate = result.appendsPerSecond;
                }
                rows.add(result.row(singleRate));
            }
        }

        System.out.println();
        System.out.println("| entry B | appenders | durable appends/s | forces/s | group commits | mean group size |" +
            " max group size | latency p50 us | latency p99 us | latency max us | x 1-appender rate |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private Result measure(final int entryLength, final int appenderCount) throws InterruptedException
    {
        final Path directory = BenchFiles.newRunDirectory(baseDirectory, "durable-");
        final byte[] entry = new byte[entryLength];
        for (int i = 0; i < entryLength; i++)
        {
            entry[i] = (byte)(i * 31);
        }

        try (LogStore store = LogStore.open(new LogConfig()
            .directory(directory)
            .segmentLength(LogAppendBenchmark.SEGMENT_LENGTH)
            .maxTotalBytes(maxTotalBytes)
            .validate()))
        {
            final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            final long measureStartNs = startNs + warmupNs;
            final long measureEndNs = measureStartNs + durationNs;
            final Appender[] appenders = new Appender[appenderCount];
            for (int i = 0; i < appenderCount; i++)
            {
                appenders[i] = new Appender(store, entry, startNs, measureStartNs, measureEndNs);
                appenders[i].thread.start();
            }

            sleepUntil(measureStartNs);
            final LogStats stats = store.stats();
            final long forces0 = stats.forces();
            final long groups0 = stats.groupCommits();
            final long acks0 = stats.durableAcks();
            final long rollovers0 = stats.rollovers();
            final long writeBytes0 = BenchFiles.processBytesWritten();
            sleepUntil(measureEndNs);
            final long forces = stats.forces() - forces0;
            final long groups = stats.groupCommits() - groups0;
            final long acks = stats.durableAcks() - acks0;
            final long rollovers = stats.rollovers() - rollovers0;
            final long writeBytes = BenchFiles.processBytesWritten() - writeBytes0;

            final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
            long completed = 0;
            String failure = null;
            for (final Appender appender : appenders)
            {
                appender.thread.join(TimeUnit.NANOSECONDS.toMillis(WAIT_TIMEOUT_NS));
                if (appender.thread.isAlive())
                {
                    failure = "an appender did not finish within " + TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NS) +
                        " s of the window's end";
                    appender.thread.interrupt();
                    continue;
                }
                completed += appender.completedInWindow;
                latency.add(appender.latencyNs);
                if (appender.failure != null)
                {
                    failure = appender.failure;
                }
            }
            if (failure != null)
            {
                throw new IllegalStateException(entryLength + " B x " + appenderCount + " appenders: " + failure);
            }

            final double seconds = durationNs / 1e9;
            final Result result = new Result(entryLength, appenderCount, completed / seconds, forces / seconds, groups,
                groups == 0 ? 0.0 : (double)acks / groups, stats.maxGroupCommitSize(), latency);
            System.out.printf(Locale.ROOT, "%5d B x %2d appenders: %.0f durable appends/s, %d forces (%.0f/s), " +
                "%d group commits, mean group %.2f, max group %d (whole run), rollovers in window %d, " +
                "write_bytes %.1f MB (%.2f x appended), p50 %.0f us, p99 %.0f us%n",
                entryLength, appenderCount, result.appendsPerSecond, forces, result.forcesPerSecond, groups,
                result.meanGroupSize, result.maxGroupSize, rollovers, writeBytes / 1e6,
                completed > 0 ? (double)writeBytes / (completed * (long)entryLength) : 0.0,
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3);
            return result;
        }
        finally
        {
            BenchFiles.deleteRecursively(directory);
        }
    }

    private static void sleepUntil(final long deadlineNs) throws InterruptedException
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            TimeUnit.NANOSECONDS.sleep(remainingNs);
        }
    }

    private static int[] parseInts(final String csv)
    {
        final String[] parts = csv.split(",");
        final int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            values[i] = Integer.parseInt(parts[i].trim());
            if (values[i] <= 0)
            {
                throw new IllegalArgumentException("values must be > 0: " + csv);
            }
        }
        return values;
    }

    /**
     * One appender thread: append durably, park until acknowledged, repeat until the window ends.
     */
    private static final class Appender implements DurableListener, Runnable
    {
        private static final int PENDING = Integer.MIN_VALUE;

        private final LogStore store;
        private final byte[] entry;
        private final long startNs;
        private final long measureStartNs;
        private final long measureEndNs;
        private final Thread thread = new Thread(this, "durable-appender");
        private final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private volatile int status = PENDING;
        private long completedInWindow;
        private String failure;

        Appender(
            final LogStore store, final byte[] entry, final long startNs, final long measureStartNs,
            final long measureEndNs)
        {
            this.store = store;
            this.entry = entry;
            this.startNs = startNs;
            this.measureStartNs = measureStartNs;
            this.measureEndNs = measureEndNs;
        }

        @Override
        public void run()
        {
            while (System.nanoTime() - startNs < 0)
            {
                Thread.onSpinWait();
            }

            long nowNs = System.nanoTime();
            while (nowNs - measureEndNs < 0)
            {
                status = PENDING;
                final long sentNs = nowNs;
                long offset;
                while (LogResult.BACK_PRESSURED == (offset = store.appendDurable(entry, 0, entry.length, this, 0, null)))
                {
                    Thread.yield();
                }
                if (offset < 0)
                {
                    failure = "append failed: " + LogResult.describe(offset);
                    return;
                }
                while (PENDING == status)
                {
                    LockSupport.park(this);
                }
                if (LogResult.OK != status)
                {
                    failure = "durable append failed: " + LogResult.describe(status);
                    return;
                }
                nowNs = System.nanoTime();
                if (nowNs - measureStartNs >= 0 && nowNs - measureEndNs < 0)
                {
                    completedInWindow++;
                    latencyNs.recordValue(Math.min(nowNs - sentNs, HIGHEST_TRACKABLE_NS));
                }
            }
        }

        @Override
        public void onDurable(final long requestId, final Object context, final long offset, final int status)
        {
            this.status = status;
            LockSupport.unpark(thread);
        }
    }

    private record Result(
        int entryLength,
        int appenders,
        double appendsPerSecond,
        double forcesPerSecond,
        long groupCommits,
        double meanGroupSize,
        long maxGroupSize,
        Histogram latency)
    {
        String row(final double singleRate)
        {
            return String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %d | %.2f | %d | %.0f | %.0f | %.0f | %.2f |",
                entryLength, appenders, appendsPerSecond, forcesPerSecond, groupCommits, meanGroupSize, maxGroupSize,
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                latency.getMaxValue() / 1e3, appendsPerSecond / singleRate);
        }
    }
}
