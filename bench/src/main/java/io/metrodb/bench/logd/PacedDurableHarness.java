package io.metrodb.bench.logd;

import io.metrodb.log.LogConfig;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogStore;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The latency of a durable append to an idle store: one thread appends durably and waits, then pauses, again and
 * again, for each pause in {@code --pauses-ms}. With pauses longer than the sync thread's
 * {@code syncSleepAfterIdleMs} every append finds it asleep and pays its wake-up; with shorter ones it is still
 * backing off. A fresh store per pause; 20 appends of warm-up first. Prints p50/p90/p99/max (HdrHistogram) and the
 * store's sync thread counters ({@code sync_sleeps} is 0 for builds whose sync thread never sleeps).
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED [--add-modules jdk.incubator.foreign]
 * --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.metrodb.bench.logd.PacedDurableHarness
 * [--pauses-ms 2,10,50] [--count 300] [--size 100] [--dir bench/target/logd-bench]
 * [--sleep-after-idle-ms 5]}
 */
public final class PacedDurableHarness
{
    private static final int WARMUP = 20;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    private PacedDurableHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        long[] pausesMs = {2, 10, 50};
        int count = 300;
        int size = 100;
        String base = BenchFiles.DEFAULT_BASE_DIRECTORY;
        long sleepAfterIdleMs = -1;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String value = args[i + 1];
            switch (args[i])
            {
                case "--pauses-ms" -> pausesMs = Arrays.stream(value.split(",")).mapToLong(Long::parseLong).toArray();
                case "--count" -> count = Integer.parseInt(value);
                case "--size" -> size = Integer.parseInt(value);
                case "--dir" -> base = value;
                case "--sleep-after-idle-ms" -> sleepAfterIdleMs = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }

        for (final long pauseMs : pausesMs)
        {
            final Path directory = BenchFiles.newRunDirectory(base, "paced-");
            try
            {
                run(directory, pauseMs, count, size, sleepAfterIdleMs);
            }
            finally
            {
                BenchFiles.deleteRecursively(directory);
            }
        }
    }

    private static void run(
        final Path directory, final long pauseMs, final int count, final int size, final long sleepAfterIdleMs)
        throws InterruptedException
    {
        final LogConfig config = new LogConfig().directory(directory).segmentLength(16 << 20);
        if (sleepAfterIdleMs >= 0)
        {
            config.syncSleepAfterIdleMs(sleepAfterIdleMs);
        }
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final StringBuilder counters = new StringBuilder();
        try (LogStore store = LogStore.open(config.validate()))
        {
            final byte[] payload = new byte[size];
            for (int i = -WARMUP; i < count; i++)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
                final long startNs = System.nanoTime();
                final long offset = store.appendDurableAndWait(payload);
                final long latencyNs = System.nanoTime() - startNs;
                if (offset < 0)
                {
                    throw new IllegalStateException("durable append failed: " + LogResult.describe(offset));
                }
                if (i >= 0)
                {
                    histogram.recordValue(Math.min(latencyNs, HIGHEST_TRACKABLE_NS));
                }
            }
            store.stats().forEach((name, value) ->
            {
                if (name.startsWith("sync_") || name.equals("forces"))
                {
                    counters.append(' ').append(name).append('=').append(value);
                }
            });
        }
        System.out.printf(Locale.ROOT, "pause %d ms, %d durable appends of %d B: p50 %d us, p90 %d us, p99 %d us, " +
            "max %d us;%s%n", pauseMs, count, size, histogram.getValueAtPercentile(50) / 1000,
            histogram.getValueAtPercentile(90) / 1000, histogram.getValueAtPercentile(99) / 1000,
            histogram.getMaxValue() / 1000, counters);
    }
}
