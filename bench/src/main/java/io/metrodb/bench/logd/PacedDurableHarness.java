package io.metrodb.bench.logd;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.log.LogConfig;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogStore;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
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
@Command(
    name = "PacedDurableHarness",
    showDefaultValues = true,
    description = "The latency of a durable append to an idle store, one at a time with a pause between them.")
public final class PacedDurableHarness implements Callable<Integer>
{
    private static final int WARMUP = 20;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    @CommandLine.Mixin
    private HelpOption help;

    @Option(names = "--pauses-ms", split = ",", paramLabel = "MS", description = "Pauses between appends to run.")
    private long[] pausesMs = {2, 10, 50};

    @Option(names = "--count", description = "Measured durable appends per pause.")
    private int count = 300;

    @Option(names = "--size", description = "Entry length, bytes.")
    private int size = 100;

    @Option(names = "--dir", description = "Where each pause's store is made (and deleted).")
    private String base = BenchFiles.DEFAULT_BASE_DIRECTORY;

    @Option(names = "--sleep-after-idle-ms", showDefaultValue = CommandLine.Help.Visibility.NEVER,
        description = "The store's syncSleepAfterIdleMs (default: the store's own).")
    private long sleepAfterIdleMs = -1;

    private PacedDurableHarness()
    {
    }

    public static void main(final String[] args)
    {
        HarnessCommand.run(new PacedDurableHarness(), args);
    }

    @Override
    public Integer call() throws Exception
    {
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
        return 0;
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
