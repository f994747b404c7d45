package io.metrodb.bench.logd;

import io.metrodb.log.DurableListener;
import io.metrodb.log.LogConfig;
import io.metrodb.log.LogResult;
import io.metrodb.log.LogStats;
import io.metrodb.log.LogStore;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.netty.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
public final class DurableAppendHarness
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    private final String[] modes;
    private final int[] appenderCounts;
    private final int[] entryLengths;
    private final int drivers;
    private final int connections;
    private final int repeats;
    private final long warmupNs;
    private final long durationNs;
    private final String baseDirectory;
    private final long maxTotalBytes;
    private final int segmentLength;
    private final long checkpointIntervalMs;
    private final int[] groupDelaysUs;
    private final int[] prefillWriteLengths;

    private DurableAppendHarness(final String[] args)
    {
        String[] modeNames = {"threads", "async", "server"};
        int[] appenders = {1, 16, 64};
        int[] sizes = {4096, 100};
        int driverCount = 2;
        int connectionCount = 1;
        int repeatCount = 1;
        double warmupS = 2;
        double durationS = 5;
        String dir = BenchFiles.DEFAULT_BASE_DIRECTORY;
        long maxBytes = 4L * 1024 * 1024 * 1024;
        int segmentBytes = LogAppendBenchmark.SEGMENT_LENGTH;
        long checkpointMs = LogConfig.DEFAULT_CHECKPOINT_INTERVAL_MS;
        int[] prefills = {LogConfig.DEFAULT_PREFILL_WRITE_LENGTH};
        int[] delaysUs = {(int)TimeUnit.NANOSECONDS.toMicros(LogConfig.DEFAULT_GROUP_COMMIT_MAX_DELAY_NS)};
        for (int i = 0; i < args.length; i++)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--modes" -> modeNames = value.split(",");
                case "--appenders" -> appenders = parseInts(value);
                case "--sizes" -> sizes = parseInts(value);
                case "--drivers" -> driverCount = Integer.parseInt(value);
                case "--connections" -> connectionCount = Integer.parseInt(value);
                case "--repeats" -> repeatCount = Integer.parseInt(value);
                case "--warmup-s" -> warmupS = Double.parseDouble(value);
                case "--duration-s" -> durationS = Double.parseDouble(value);
                case "--dir" -> dir = value;
                case "--max-total-bytes" -> maxBytes = Long.parseLong(value);
                case "--segment-length" -> segmentBytes = Integer.parseInt(value);
                case "--checkpoint-interval-ms" -> checkpointMs = Long.parseLong(value);
                case "--prefill-write-lengths" ->
                    prefills = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--group-delays-us" -> delaysUs = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (durationS <= 0 || durationS > 600 || warmupS < 0 || warmupS > 600)
        {
            throw new IllegalArgumentException("--duration-s must be in (0, 600], --warmup-s in [0, 600]");
        }
        if (driverCount <= 0 || connectionCount <= 0 || repeatCount <= 0)
        {
            throw new IllegalArgumentException("--drivers, --connections and --repeats must be > 0");
        }
        for (final String mode : modeNames)
        {
            if (!Arrays.asList("threads", "async", "server").contains(mode))
            {
                throw new IllegalArgumentException("unknown mode " + mode + " (threads, async, server)");
            }
        }
        this.modes = modeNames;
        this.appenderCounts = appenders;
        this.entryLengths = sizes;
        this.drivers = driverCount;
        this.connections = connectionCount;
        this.repeats = repeatCount;
        this.warmupNs = (long)(warmupS * 1e9);
        this.durationNs = (long)(durationS * 1e9);
        this.baseDirectory = dir;
        this.maxTotalBytes = maxBytes;
        this.segmentLength = segmentBytes;
        this.checkpointIntervalMs = checkpointMs;
        this.groupDelaysUs = delaysUs;
        this.prefillWriteLengths = prefills;
    }

    public static void main(final String[] args) throws Exception
    {
        new DurableAppendHarness(args).run();
    }

    private void run() throws Exception
    {
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
                                final Result result = measure(repeat, mode, delayUs, prefill, entryLength, appenders);
                                if (appenders == 1)
                                {
                                    singleRate = result.appendsPerSecond;
                                }
                                rows.add(result.row(singleRate));
                            }
                        }
                    }
                }
            }
        }

        System.out.println();
        System.out.println("| repeat | mode | group delay us | prefill B | entry B | appenders | durable appends/s | x 1-appender rate | forces/s |" +
            " mean group size | force us (mean) | sync thread in force % | acknowledging % | write_bytes per force KB |" +
            " CPU cores busy | ctx switches per append | latency p50 us | latency p99 us |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private Result measure(
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
        final Window window = new Window(startNs, measureStartNs, measureEndNs);

        LogStore store = null;
        LogdServer server = null;
        EventLoopGroup clientGroup = null;
        Load load = null;
        try
        {
            switch (mode)
            {
                case "threads" ->
                {
                    store = LogStore.open(config);
                    load = new ThreadsLoad(store, entry(entryLength), appenderCount, window);
                }
                case "async" ->
                {
                    store = LogStore.open(config);
                    load = new AsyncLoad(store, entry(entryLength), appenderCount, drivers, window);
                }
                default ->
                {
                    server = LogdServer.start(new LogdConfig("127.0.0.1", 0, 1, null, 1,
                        ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH, config));
                    store = server.store();
                    clientGroup = Transports.newEventLoopGroup(1, "durable-client");
                    load = new ServerLoad(clientGroup.next(), new InetSocketAddress("127.0.0.1", server.port()),
                        entryLength, appenderCount, Math.min(connections, appenderCount), window);
                }
            }
            load.start();

            sleepUntil(measureStartNs);
            final Snapshot before = new Snapshot(store.stats());
            sleepUntil(measureEndNs);
            final Snapshot after = new Snapshot(store.stats());
            load.finish();

            final double seconds = durationNs / 1e9;
            final Snapshot delta = after.minus(before);
            final long completed = load.completedInWindow();
            final Result result = new Result(repeat, mode, delayUs, prefill, entryLength, appenderCount,
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

    private static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private record Window(long startNs, long measureStartNs, long measureEndNs)
    {
        boolean inWindow(final long nowNs)
        {
            return nowNs - measureStartNs >= 0 && nowNs - measureEndNs < 0;
        }

        boolean over(final long nowNs)
        {
            return nowNs - measureEndNs >= 0;
        }
    }

    /**
     * One way of keeping N durable appends in flight.
     */
    private interface Load extends AutoCloseable
    {
        void start() throws Exception;

        /**
         * Wait for the load to stop after the window (every append in flight answered).
         *
         * @throws IllegalStateException when an append failed or the load did not stop in time.
         */
        void finish() throws Exception;

        long completedInWindow();

        Histogram latency();

        @Override
        default void close()
        {
        }
    }

    /**
     * N threads, each: append durably, park until acknowledged, repeat.
     */
    private static final class ThreadsLoad implements Load
    {
        private final Appender[] appenders;

        ThreadsLoad(final LogStore store, final byte[] entry, final int count, final Window window)
        {
            appenders = new Appender[count];
            for (int i = 0; i < count; i++)
            {
                appenders[i] = new Appender(store, entry, window);
            }
        }

        public void start()
        {
            for (final Appender appender : appenders)
            {
                appender.thread.start();
            }
        }

        public void finish() throws InterruptedException
        {
            String failure = null;
            for (final Appender appender : appenders)
            {
                appender.thread.join(TimeUnit.NANOSECONDS.toMillis(WAIT_TIMEOUT_NS));
                if (appender.thread.isAlive())
                {
                    failure = "an appender did not finish within " + TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NS) +
                        " s of the window's end";
                    appender.thread.interrupt();
                }
                else if (appender.failure != null)
                {
                    failure = appender.failure;
                }
            }
            if (failure != null)
            {
                throw new IllegalStateException(failure);
            }
        }

        public long completedInWindow()
        {
            long completed = 0;
            for (final Appender appender : appenders)
            {
                completed += appender.completedInWindow;
            }
            return completed;
        }

        public Histogram latency()
        {
            final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
            for (final Appender appender : appenders)
            {
                latency.add(appender.latencyNs);
            }
            return latency;
        }
    }

    /**
     * One appender thread: append durably, park until acknowledged, repeat until the window ends.
     */
    private static final class Appender implements DurableListener, Runnable
    {
        private static final int PENDING = Integer.MIN_VALUE;

        private final LogStore store;
        private final UnsafeBuffer entry;
        private final Window window;
        private final Thread thread = new Thread(this, "durable-appender");
        private final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private volatile int status = PENDING;
        private long completedInWindow;
        private String failure;

        Appender(final LogStore store, final byte[] entry, final Window window)
        {
            this.store = store;
            this.entry = new UnsafeBuffer(entry);
            this.window = window;
        }

        @Override
        public void run()
        {
            while (System.nanoTime() - window.startNs < 0)
            {
                Thread.onSpinWait();
            }

            long nowNs = System.nanoTime();
            while (!window.over(nowNs))
            {
                status = PENDING;
                final long sentNs = nowNs;
                long offset;
                while (LogResult.BACK_PRESSURED ==
                    (offset = store.appendDurable(entry, 0, entry.capacity(), this, 0, null)))
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
                if (window.inWindow(nowNs))
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

    /**
     * N durable appends in flight, spread over D driver threads that re-append from acknowledgements.
     */
    private static final class AsyncLoad implements Load
    {
        private final Driver[] drivers;

        AsyncLoad(final LogStore store, final byte[] entry, final int inFlight, final int driverCount,
            final Window window)
        {
            final int count = Math.min(driverCount, inFlight);
            drivers = new Driver[count];
            for (int i = 0; i < count; i++)
            {
                drivers[i] = new Driver(store, entry, inFlight / count + (i < inFlight % count ? 1 : 0), window);
            }
        }

        public void start()
        {
            for (final Driver driver : drivers)
            {
                driver.thread.start();
            }
        }

        public void finish() throws InterruptedException
        {
            String failure = null;
            for (final Driver driver : drivers)
            {
                driver.thread.join(TimeUnit.NANOSECONDS.toMillis(WAIT_TIMEOUT_NS));
                if (driver.thread.isAlive())
                {
                    failure = "a driver did not finish within " + TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NS) +
                        " s of the window's end";
                    driver.thread.interrupt();
                }
                else if (driver.failure != null)
                {
                    failure = driver.failure;
                }
            }
            if (failure != null)
            {
                throw new IllegalStateException(failure);
            }
        }

        public long completedInWindow()
        {
            long completed = 0;
            for (final Driver driver : drivers)
            {
                completed += driver.completedInWindow;
            }
            return completed;
        }

        public Histogram latency()
        {
            final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
            for (final Driver driver : drivers)
            {
                latency.add(driver.latencyNs);
            }
            return latency;
        }
    }

    /**
     * Keeps {@code slots} durable appends in flight. The listener runs on the sync thread: it puts the slot on a
     * single-producer ring and unparks the driver only if the driver is parked, so a group commit costs one
     * wake-up per driver, as an event loop gets one wake-up per batch of replies.
     */
    private static final class Driver implements DurableListener, Runnable
    {
        private final LogStore store;
        private final UnsafeBuffer entry;
        private final int slots;
        private final Window window;
        private final Thread thread = new Thread(this, "durable-driver");
        private final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private final long[] sentNs;
        private final int[] acknowledged;
        private final int mask;
        private final AtomicLong acknowledgedCount = new AtomicLong();
        private volatile boolean parked;
        private volatile int failedStatus = LogResult.OK;
        private long consumed;
        private long completedInWindow;
        private String failure;

        Driver(final LogStore store, final byte[] entry, final int slots, final Window window)
        {
            this.store = store;
            this.entry = new UnsafeBuffer(entry);
            this.slots = slots;
            this.window = window;
            this.sentNs = new long[slots];
            final int capacity = Integer.highestOneBit(Math.max(1, slots - 1)) << 1;
            this.acknowledged = new int[capacity];
            this.mask = capacity - 1;
        }

        @Override
        public void run()
        {
            while (System.nanoTime() - window.startNs < 0)
            {
                Thread.onSpinWait();
            }
            for (int slot = 0; slot < slots; slot++)
            {
                if (!send(slot, System.nanoTime()))
                {
                    return;
                }
            }

            int inFlight = slots;
            while (inFlight > 0)
            {
                final long available = acknowledgedCount.get();
                if (available == consumed)
                {
                    parked = true;
                    if (acknowledgedCount.get() == consumed)
                    {
                        LockSupport.park(this);
                    }
                    parked = false;
                    continue;
                }
                if (failedStatus != LogResult.OK)
                {
                    failure = "durable append failed: " + LogResult.describe(failedStatus);
                    return;
                }
                final long nowNs = System.nanoTime();
                for (; consumed < available; consumed++)
                {
                    final int slot = acknowledged[(int)consumed & mask];
                    if (window.inWindow(nowNs))
                    {
                        completedInWindow++;
                        latencyNs.recordValue(Math.min(nowNs - sentNs[slot], HIGHEST_TRACKABLE_NS));
                    }
                    if (window.over(nowNs))
                    {
                        inFlight--;
                    }
                    else if (!send(slot, nowNs))
                    {
                        return;
                    }
                }
            }
        }

        private boolean send(final int slot, final long nowNs)
        {
            sentNs[slot] = nowNs;
            long offset;
            while (LogResult.BACK_PRESSURED ==
                (offset = store.appendDurable(entry, 0, entry.capacity(), this, slot, null)))
            {
                Thread.yield();
            }
            if (offset < 0)
            {
                failure = "append failed: " + LogResult.describe(offset);
                return false;
            }
            return true;
        }

        @Override
        public void onDurable(final long requestId, final Object context, final long offset, final int status)
        {
            if (status != LogResult.OK)
            {
                failedStatus = status;
            }
            final long index = acknowledgedCount.get();
            acknowledged[(int)index & mask] = (int)requestId;
            acknowledgedCount.set(index + 1);
            if (parked)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * N durable APPENDs in flight through a logd server, over C connections on one client event loop; each answer
     * sends the next APPEND from the answer's callback.
     */
    private static final class ServerLoad implements Load, ResponseListener
    {
        private final EventLoop loop;
        private final InetSocketAddress address;
        private final int entryLength;
        private final int inFlight;
        private final Window window;
        private final PeerConnection[] connections;
        private final ByteBuf entry;
        private final long[] sentNs;
        private final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final RequestWriter writer;
        private int outstanding;
        private long completedInWindow;

        ServerLoad(final EventLoop loop, final InetSocketAddress address, final int entryLength, final int inFlight,
            final int connectionCount, final Window window)
        {
            this.loop = loop;
            this.address = address;
            this.entryLength = entryLength;
            this.inFlight = inFlight;
            this.window = window;
            this.connections = new PeerConnection[connectionCount];
            this.sentNs = new long[inFlight];
            entry = PooledByteBufAllocator.DEFAULT.directBuffer(entryLength);
            for (int i = 0; i < entryLength; i++)
            {
                entry.writeByte(i * 31);
            }
            writer = (out, requestId) -> AppendRequest.encode(out, requestId, true, entry, 0, entryLength);
        }

        public void start() throws Exception
        {
            final int maxInFlight = Integer.highestOneBit(Math.max(1, inFlight - 1)) << 1;
            final List<CompletableFuture<HandshakeResult>> ready = new ArrayList<>();
            for (int i = 0; i < connections.length; i++)
            {
                final CompletableFuture<HandshakeResult> connected = new CompletableFuture<>();
                ready.add(connected);
                connections[i] = new PeerConnection(loop, address,
                    new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
                    maxInFlight, REQUEST_TIMEOUT_MS, new PeerConnection.StateListener()
                    {
                        @Override
                        public void onReady(final PeerConnection c, final HandshakeResult hello)
                        {
                            connected.complete(hello);
                        }

                        @Override
                        public void onLost(final PeerConnection c)
                        {
                            connected.completeExceptionally(new IllegalStateException("connection lost"));
                            if (!done.isDone())
                            {
                                done.completeExceptionally(new IllegalStateException("connection lost"));
                            }
                        }
                    });
                connections[i].start();
            }
            for (final CompletableFuture<HandshakeResult> connected : ready)
            {
                connected.get(10, TimeUnit.SECONDS);
            }
            loop.execute(() ->
            {
                outstanding = inFlight;
                loop.schedule(() ->
                {
                    final long nowNs = System.nanoTime();
                    for (int slot = 0; slot < inFlight; slot++)
                    {
                        send(slot, nowNs);
                    }
                }, Math.max(0, window.startNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            });
        }

        private void send(final int slot, final long nowNs)
        {
            sentNs[slot] = nowNs;
            final long id = connections[slot % connections.length].send(
                writer, this, slot, FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + entryLength);
            if (id < 0)
            {
                done.completeExceptionally(new IllegalStateException("send refused: " + id));
            }
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            if (FrameHeader.status(frame, at) != StatusCodes.OK)
            {
                done.completeExceptionally(new IllegalStateException("APPEND answered " + FrameHeader.status(frame, at)));
                return;
            }
            final int slot = (int)token;
            final long nowNs = System.nanoTime();
            if (window.inWindow(nowNs))
            {
                completedInWindow++;
                latencyNs.recordValue(Math.min(nowNs - sentNs[slot], HIGHEST_TRACKABLE_NS));
            }
            if (window.over(nowNs))
            {
                if (--outstanding == 0)
                {
                    done.complete(null);
                }
            }
            else
            {
                send(slot, nowNs);
            }
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            done.completeExceptionally(new IllegalStateException("APPEND failed with status " + status));
        }

        public void finish() throws Exception
        {
            done.get(TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NS), TimeUnit.SECONDS);
        }

        public long completedInWindow()
        {
            return completedInWindow;
        }

        public Histogram latency()
        {
            return latencyNs;
        }

        @Override
        public void close()
        {
            for (final PeerConnection connection : connections)
            {
                if (connection != null)
                {
                    connection.close();
                }
            }
            entry.release();
        }
    }

    /**
     * Counters at one instant: the store's, this process's storage writes, CPU time and context switches.
     */
    private record Snapshot(
        long forces,
        long groups,
        long acks,
        long rollovers,
        long forceNs,
        long acknowledgeNs,
        long forcedBytes,
        long groupWaits,
        long writeBytes,
        long cpuNs,
        long contextSwitches)
    {
        Snapshot(final LogStats stats)
        {
            this(stats.forces(), stats.groupCommits(), stats.durableAcks(), stats.rollovers(), stats.forceNs(),
                stats.acknowledgeNs(), stats.forcedBytes(), stats.groupWaits(), BenchFiles.processBytesWritten(), processCpuNs(),
                BenchFiles.processContextSwitches());
        }

        Snapshot minus(final Snapshot o)
        {
            return new Snapshot(forces - o.forces, groups - o.groups, acks - o.acks, rollovers - o.rollovers,
                forceNs - o.forceNs, acknowledgeNs - o.acknowledgeNs, forcedBytes - o.forcedBytes,
                groupWaits - o.groupWaits, writeBytes - o.writeBytes, cpuNs - o.cpuNs, contextSwitches - o.contextSwitches);
        }
    }

    private record Result(
        int repeat,
        String mode,
        int delayUs,
        int prefill,
        int entryLength,
        int appenders,
        double appendsPerSecond,
        Snapshot delta,
        long durationNs,
        long completed,
        Histogram latency)
    {
        double forcesPerSecond()
        {
            return delta.forces * 1e9 / durationNs;
        }

        double meanGroupSize()
        {
            return delta.groups == 0 ? 0.0 : (double)delta.acks / delta.groups;
        }

        double meanForceUs()
        {
            return delta.forces == 0 ? 0.0 : delta.forceNs / 1e3 / delta.forces;
        }

        String line()
        {
            return String.format(Locale.ROOT, "%s delay %d us prefill %d %5d B x %2d appenders: " +
                "%.0f durable appends/s, %d forces (%.0f/s, mean %.0f us, %.1f%% of the window; acknowledging %.1f%%), mean group %.2f, rollovers %d, " +
                "forced %.1f KB and write_bytes %.1f KB per force (%.2f x appended), CPU %.2f cores, " +
                "%.2f context switches per append, %d group waits, p50 %.0f us, p99 %.0f us",
                mode, delayUs, prefill, entryLength, appenders, appendsPerSecond, delta.forces, forcesPerSecond(),
                meanForceUs(),
                100.0 * delta.forceNs / durationNs, 100.0 * delta.acknowledgeNs / durationNs, meanGroupSize(),
                delta.rollovers, perForce(delta.forcedBytes) / 1e3, perForce(delta.writeBytes) / 1e3,
                completed > 0 ? (double)delta.writeBytes / (completed * (long)entryLength) : 0.0,
                (double)delta.cpuNs / durationNs, completed > 0 ? (double)delta.contextSwitches / completed : 0.0,
                delta.groupWaits, latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3);
        }

        String row(final double singleRate)
        {
            return String.format(Locale.ROOT, "| %d | %s | %d | %d | %d | %d | %.0f | %.2f | %.0f | %.2f | %.0f |" +
                " %.1f | %.1f | %.0f | %.2f | %.2f | %.0f | %.0f |",
                repeat, mode, delayUs, prefill, entryLength, appenders, appendsPerSecond, appendsPerSecond / singleRate,
                forcesPerSecond(), meanGroupSize(), meanForceUs(), 100.0 * delta.forceNs / durationNs,
                100.0 * delta.acknowledgeNs / durationNs, perForce(delta.writeBytes) / 1e3,
                (double)delta.cpuNs / durationNs, completed > 0 ? (double)delta.contextSwitches / completed : 0.0,
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3);
        }

        private double perForce(final long value)
        {
            return delta.forces == 0 ? 0.0 : (double)value / delta.forces;
        }
    }
}
