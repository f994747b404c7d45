package io.metrodb.bench.logd;

import io.metrodb.bench.support.Deadlines;
import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.log.LogConfig;
import io.metrodb.log.LogStore;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.netty.Transports;
import io.netty.channel.EventLoopGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Durable appends per second with N appenders in flight, in one of three shapes ({@code --modes}):
 * <ul>
 *     <li>{@code threads}: N threads, each {@link LogStore#appendDurable} and park until its listener fires,
 *     then append again (N blocking callers).</li>
 *     <li>{@code async}: N durable appends kept in flight by {@code --drivers} threads through the listener API:
 *     the listener (on the sync thread) queues the acknowledged slot to its driver and wakes it only if it is
 *     parked, and the driver appends again. This is what N pipelined durable APPENDs look like inside logd.</li>
 *     <li>{@code server}: an in-process {@link LogdServer} on 127.0.0.1 (1 I/O thread) and N durable APPENDs
 *     in flight over {@code --connections} loopback connections from one client event loop, as mapd SETSAFE
 *     drives a logd.</li>
 * </ul>
 * Group commit is what makes N in flight faster than one; the store's counters over the measured window show
 * how many forces there were, how many appends each acknowledged, and where the sync thread spent its time.
 * <p>
 * A fresh store (128 MiB segments, bounded by {@code --max-total-bytes}) per case, deleted afterwards. Warm-up,
 * then a fixed measured window; only completions inside the window count. {@code --repeats} runs the whole
 * grid again in the same JVM, so every ratio has repeats measured minutes apart.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED
 * io.metrodb.bench.logd.DurableAppendHarness [--modes threads,async,server] [--appenders 1,16,64]
 * [--sizes 4096,100] [--drivers 2] [--connections 1] [--repeats 1] [--warmup-s 2] [--duration-s 5]
 * [--dir bench/target/logd-bench] [--max-total-bytes 4294967296] [--segment-length 134217728]
 * [--checkpoint-interval-ms 1000] [--group-delays-us 0,100] [--prefill-write-lengths 0,65536]}
 */
@Command(
    name = "DurableAppendHarness",
    showDefaultValues = true,
    description = "Durable appends per second with N appenders in flight; one line per case, then a table.")
public final class DurableAppendHarness implements Callable<Integer>
{
    private static final List<String> MODES = List.of("threads", "async", "server");

    @CommandLine.Mixin
    private HelpOption help;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--modes", split = ",", paramLabel = "MODE",
        description = "threads, async and/or server (comma-separated).")
    private String[] modes = {"threads", "async", "server"};

    @Option(names = "--appenders", split = ",", paramLabel = "N", description = "Appends in flight per case, > 0.")
    private int[] appenderCounts = {1, 16, 64};

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES", description = "Entry lengths, > 0.")
    private int[] entryLengths = {4096, 100};

    @Option(names = "--drivers", description = "Driver threads of mode async.")
    private int drivers = 2;

    @Option(names = "--connections", description = "Loopback connections of mode server.")
    private int connections = 1;

    @Option(names = "--repeats", description = "Times to run the whole grid.")
    private int repeats = 1;

    @Option(names = "--warmup-s", description = "Warm-up per case, seconds, in [0, 600].")
    private double warmupS = 2;

    @Option(names = "--duration-s", description = "Measured window per case, seconds, in (0, 600].")
    private double durationS = 5;

    @Option(names = "--dir", description = "Where each case's store is made (and deleted).")
    private String baseDirectory = BenchFiles.DEFAULT_BASE_DIRECTORY;

    @Option(names = "--max-total-bytes", description = "The store's bound on its files.")
    private long maxTotalBytes = 4L * 1024 * 1024 * 1024;

    @Option(names = "--segment-length", description = "Segment length, bytes.")
    private int segmentLength = LogAppendBenchmark.SEGMENT_LENGTH;

    @Option(names = "--checkpoint-interval-ms", description = "The store's checkpoint interval.")
    private long checkpointIntervalMs = LogConfig.DEFAULT_CHECKPOINT_INTERVAL_MS;

    @Option(names = "--group-delays-us", split = ",", paramLabel = "US",
        description = "Group commit max delays to run.")
    private int[] groupDelaysUs = {(int)TimeUnit.NANOSECONDS.toMicros(LogConfig.DEFAULT_GROUP_COMMIT_MAX_DELAY_NS)};

    @Option(names = "--prefill-write-lengths", split = ",", paramLabel = "BYTES",
        description = "Prefill write lengths to run.")
    private int[] prefillWriteLengths = {LogConfig.DEFAULT_PREFILL_WRITE_LENGTH};

    private long warmupNs;
    private long durationNs;

    public static void main(final String[] args)
    {
        HarnessCommand.run(new DurableAppendHarness(), args);
    }

    private void validate()
    {
        HarnessCommand.require(spec, durationS > 0 && durationS <= 600 && warmupS >= 0 && warmupS <= 600,
            "--duration-s must be in (0, 600], --warmup-s in [0, 600]");
        HarnessCommand.require(spec, drivers > 0 && connections > 0 && repeats > 0,
            "--drivers, --connections and --repeats must be > 0");
        HarnessCommand.require(spec, Arrays.stream(appenderCounts).allMatch(value -> value > 0) &&
            Arrays.stream(entryLengths).allMatch(value -> value > 0),
            "--appenders and --sizes values must be > 0");
        for (final String mode : modes)
        {
            HarnessCommand.require(spec, MODES.contains(mode), "unknown mode " + mode + " (threads, async, server)");
        }
        warmupNs = (long)(warmupS * 1e9);
        durationNs = (long)(durationS * 1e9);
    }

    @Override
    public Integer call() throws Exception
    {
        validate();
        System.out.printf(Locale.ROOT, "durable appends: modes=%s appenders=%s sizes=%s drivers=%d connections=%d " +
            "repeats=%d group commit max delays (us)=%s prefill write lengths=%s warmup=%.1fs duration=%.1fs " +
            "segment=%d B checkpoint every %d ms dir=%s%n", Arrays.toString(modes), Arrays.toString(appenderCounts),
            Arrays.toString(entryLengths), drivers, connections, repeats, Arrays.toString(groupDelaysUs),
            Arrays.toString(prefillWriteLengths), warmupNs / 1e9, durationNs / 1e9, segmentLength, checkpointIntervalMs,
            Path.of(baseDirectory).toAbsolutePath());
        final List<String> rows = new ArrayList<>();
        for (int repeat = 1; repeat <= repeats; repeat++)
        {
            for (final int entryLength : entryLengths)
            {
                for (final String mode : modes)
                {
                    for (final int delayUs : groupDelaysUs)
                    {
                        for (final int prefill : prefillWriteLengths)
                        {
                            double singleRate = Double.NaN;
                            for (final int appenders : appenderCounts)
                            {
                                final DurableResult result =
                                    measure(repeat, mode, delayUs, prefill, entryLength, appenders);
                                if (appenders == 1)
                                {
                                    singleRate = result.appendsPerSecond();
                                }
                                rows.add(result.row(singleRate));
                            }
                        }
                    }
                }
            }
        }

        System.out.println();
        System.out.println(DurableResult.TABLE_HEADER);
        rows.forEach(System.out::println);
        return 0;
    }

    private DurableResult measure(
        final int repeat, final String mode, final int delayUs, final int prefill, final int entryLength,
        final int appenderCount)
        throws Exception
    {
        final Path directory = BenchFiles.newRunDirectory(baseDirectory, "durable-");
        final LogConfig config = new LogConfig()
            .directory(directory)
            .segmentLength(segmentLength)
            .checkpointIntervalMs(checkpointIntervalMs)
            .groupCommitMaxDelayNs(TimeUnit.MICROSECONDS.toNanos(delayUs))
            .prefillWriteLength(prefill)
            .maxTotalBytes(maxTotalBytes)
            .validate();
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        final long measureStartNs = startNs + warmupNs;
        final long measureEndNs = measureStartNs + durationNs;
        final DurableLoad.Window window = new DurableLoad.Window(startNs, measureStartNs, measureEndNs);

        LogStore store = null;
        LogdServer server = null;
        EventLoopGroup clientGroup = null;
        DurableLoad load = null;
        try
        {
            switch (mode)
            {
                case "threads" ->
                {
                    store = LogStore.open(config);
                    load = ThreadedDurableLoad.threads(store, entry(entryLength), appenderCount, window);
                }
                case "async" ->
                {
                    store = LogStore.open(config);
                    load = ThreadedDurableLoad.async(store, entry(entryLength), appenderCount, drivers, window);
                }
                default ->
                {
                    server = LogdServer.start(new LogdConfig("127.0.0.1", 0, 1, null, 1,
                        ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH, config));
                    store = server.store();
                    clientGroup = Transports.newEventLoopGroup(1, "durable-client");
                    load = new ServerDurableLoad(clientGroup.next(), new InetSocketAddress("127.0.0.1", server.port()),
                        entryLength, appenderCount, Math.min(connections, appenderCount), window);
                }
            }
            load.start();

            Deadlines.parkUntil(measureStartNs);
            final DurableResult.Snapshot before = new DurableResult.Snapshot(store.stats());
            Deadlines.parkUntil(measureEndNs);
            final DurableResult.Snapshot after = new DurableResult.Snapshot(store.stats());
            load.finish();

            final double seconds = durationNs / 1e9;
            final DurableResult.Snapshot delta = after.minus(before);
            final long completed = load.completedInWindow();
            final DurableResult result = new DurableResult(repeat, mode, delayUs, prefill, entryLength, appenderCount,
                completed / seconds, delta, durationNs, completed, load.latency());
            System.out.println(result.line());
            return result;
        }
        finally
        {
            if (load != null)
            {
                load.close();
            }
            if (clientGroup != null)
            {
                clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (server != null)
            {
                server.close();
            }
            else if (store != null)
            {
                store.close();
            }
            BenchFiles.deleteRecursively(directory);
        }
    }

    private static byte[] entry(final int entryLength)
    {
        final byte[] entry = new byte[entryLength];
        for (int i = 0; i < entryLength; i++)
        {
            entry[i] = (byte)(i * 31);
        }
        return entry;
    }
}
