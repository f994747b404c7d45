package io.metrodb.bench.mapd;

import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.protocol.netty.Transports;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The MetroDB half of {@code bench/scripts/vs-redis.sh} (issue 12): the Java client SDK, with its defaults, against
 * a running cluster (the README's {@code bin/cluster start}: 3 peer mapds, RF 2, 3 logds), under the load
 * {@code redis-benchmark -d 100 -r 100000 -t get,set} puts on Redis: 100-byte values over 100,000 keys named as
 * redis-benchmark names them ({@code key:000000012345}, 16 bytes), picked uniformly at random.
 * <p>
 * It preloads every key (so GETs hit), warms up (see -Dwarmup.pass), then runs each op (GET, SET, SETSAFE) in each shape:
 * <ul>
 * <li>{@code 1}: one thread making blocking calls, one request outstanding; latency per call from the caller's
 * side, so it includes the SDK's hand-off to its I/O thread and back.</li>
 * <li>{@code N} (50, 800): async calls with exactly N outstanding, each completion (on the client's I/O thread)
 * issuing the next one; latency from the call to its completion.</li>
 * </ul>
 * Each measure is its own warm-up ({@code warmup.seconds} of the same load, not recorded) followed by
 * {@code measured.seconds} whose completions are counted and recorded in an HdrHistogram. One line per measure for
 * the script to read:
 * <pre>
 * RESULT metrodb OP SHAPE OPS_PER_S P50_US P99_US COUNT ERRORS MISSES
 * </pre>
 * then the first failure of a measure, if any, as {@code FAILURE OP SHAPE class: message}. The preload prints
 * {@code PRELOAD KEYS SECONDS ROUNDS FAILED_CALLS KEYS_MISSING}, and each measure the cores each process used
 * during its measured period, this JVM ({@code client}) and those of {@code -Dcpu.pids}:
 * {@code CPU OP SHAPE client=0.61 mapd1=0.40 ...}; and each mapd's own timings of the measured period (INFO
 * {@code latency-reset}, docs/MAPD.md): {@code SERVER OP SHAPE ADDRESS latency_NAME_us:count=..,p50=..,...}.
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.metrodb.bench.mapd.ClusterVsRedisHarness}; knobs: -Dmapds (127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552),
 * -Dkeys (100000), -Dvalue.length (100), -Dops (GET,SET,SETSAFE), -Dshapes (1,50,800), -Dwarmup.seconds (1),
 * -Dmeasured.seconds (3), -Dwarmup.pass (true: after the preload, every op once at 50 in flight for warm-up plus
 * measured seconds, unmeasured, so that the daemons' JIT compilers are done), -Dpreload.window (512), -Dcpu.pids (name:pid,..., none), -Dcpu.ticks (100, getconf CLK_TCK).
 */
public final class ClusterVsRedisHarness
{
    private static final String[] MAPDS =
        System.getProperty("mapds", "127.0.0.1:7550,127.0.0.1:7551,127.0.0.1:7552").split(",");
    private static final int KEYS = Integer.getInteger("keys", 100_000);
    private static final int VALUE_LENGTH = Integer.getInteger("value.length", 100);
    private static final String[] OPS = System.getProperty("ops", "GET,SET,SETSAFE").split(",");
    private static final int[] SHAPES = Arrays.stream(System.getProperty("shapes", "1,50,800").split(","))
        .mapToInt(Integer::parseInt).toArray();
    private static final double WARMUP_S = Double.parseDouble(System.getProperty("warmup.seconds", "1"));
    private static final double MEASURED_S = Double.parseDouble(System.getProperty("measured.seconds", "3"));
    private static final boolean WARMUP_PASS = Boolean.parseBoolean(System.getProperty("warmup.pass", "true"));
    private static final int PRELOAD_WINDOW = Integer.getInteger("preload.window", 512);
    private static final int PRELOAD_ROUNDS = 5;
    /** The mapds' own timings of each measured period (INFO latency-reset at its start and its end). */
    private static final ServerTimings SERVER = new ServerTimings(MAPDS);
    private static final CpuSampler CPU =
        new CpuSampler(System.getProperty("cpu.pids", ""), Integer.getInteger("cpu.ticks", 100));
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    /** How long a measure may take to drain its last calls: past the SDK's request timeout, with room. */
    private static final long DRAIN_TIMEOUT_MS = 2 * MetroClient.DEFAULT_REQUEST_TIMEOUT_MS + 5_000;

    private static byte[][] keys;
    private static byte[] value;

    private ClusterVsRedisHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        for (final int shape : SHAPES)
        {
            if (shape < 1 || shape > MetroClient.DEFAULT_MAX_IN_FLIGHT)
            {
                throw new IllegalArgumentException("shapes must be in 1.." + MetroClient.DEFAULT_MAX_IN_FLIGHT +
                    " (the SDK's default in-flight bound), was " + shape);
            }
        }
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++)
        {
            keys[i] = String.format(Locale.ROOT, "key:%012d", i).getBytes(StandardCharsets.US_ASCII);
        }
        value = new byte[VALUE_LENGTH];
        Arrays.fill(value, (byte)'x');
        System.out.printf(Locale.ROOT, "INFO mapds %s, keys %,d (key %d B, value %d B), ops %s, shapes %s, " +
            "warm-up %.1f s + measured %.1f s per measure, SDK transport %s%n", String.join(",", MAPDS), KEYS,
            keys[0].length, VALUE_LENGTH, String.join(",", OPS), Arrays.toString(SHAPES), WARMUP_S, MEASURED_S,
            Transports.name());

        final ScheduledExecutorService retryLater = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "vs-redis-retry");
            thread.setDaemon(true);
            return thread;
        });
        // The SDK with its defaults (1 I/O thread, 1 connection per mapd, 1024 in flight, 5 s timeout).
        try (MetroClient client = MetroClient.builder(MAPDS).build())
        {
            awaitConnected(client);
            preload(client);
            if (WARMUP_PASS)
            {
                // A fresh cluster's JIT compilers take seconds of both cores: let them finish before measuring.
                for (final String op : OPS)
                {
                    async(client, op, 50, retryLater);
                }
                System.out.println("WARMUP pass done: every op at 50 in flight, unmeasured");
            }
            for (final String op : OPS)
            {
                for (final int shape : SHAPES)
                {
                    final Measure measure = shape == 1 ? blocking(client, op) : async(client, op, shape, retryLater);
                    measure.print(op, shape);
                }
            }
        }
        finally
        {
            retryLater.shutdownNow();
        }
    }

    private static void awaitConnected(final MetroClient client)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.readyConnections() < MAPDS.length)
        {
            if (deadlineNs - System.nanoTime() < 0)
            {
                throw new IllegalStateException("only " + client.readyConnections() + " of " + MAPDS.length +
                    " mapds connected after 30 s: " + String.join(",", MAPDS));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * SETs every key, then reads every key back; keys whose SET or GET failed, or that read back missing, go round
     * again, at most {@link #PRELOAD_ROUNDS} times, so every GET below hits.
     */
    private static void preload(final MetroClient client) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final Measure tally = new Measure();
        int[] todo = new int[KEYS];
        Arrays.setAll(todo, i -> i);
        int rounds = 0;
        while (todo.length > 0 && rounds < PRELOAD_ROUNDS)
        {
            rounds++;
            windowed(client, todo, true, tally);
            todo = windowed(client, todo, false, tally);
        }
        System.out.printf(Locale.ROOT, "PRELOAD %d %.1f %d %d %d%n", KEYS, (System.nanoTime() - startNs) / 1e9,
            rounds, tally.errors.sum(), todo.length);
        if (tally.firstFailure != null)
        {
            System.out.printf(Locale.ROOT, "FAILURE PRELOAD %d %s (by class: %s)%n", PRELOAD_WINDOW,
                tally.firstFailure, tally.failures);
        }
        if (todo.length > 0)
        {
            throw new IllegalStateException("preload: " + todo.length + " keys still not read back after " +
                rounds + " rounds");
        }
    }

    /**
     * SETs or GETs the keys of {@code indexes}, {@link #PRELOAD_WINDOW} in flight.
     *
     * @return the indexes whose call failed, or (GET) that read back missing.
     */
    private static int[] windowed(final MetroClient client, final int[] indexes, final boolean set,
        final Measure tally) throws InterruptedException
    {
        final Semaphore window = new Semaphore(PRELOAD_WINDOW);
        final ConcurrentLinkedQueue<Integer> failed = new ConcurrentLinkedQueue<>();
        for (final int i : indexes)
        {
            if (!window.tryAcquire(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("preload stalled at key " + i);
            }
            final CompletableFuture<Boolean> call = set ? client.setAsync(keys[i], value).thenApply(result -> true) :
                client.getAsync(keys[i]).thenApply(read -> read != null && read.length == VALUE_LENGTH);
            call.whenComplete((ok, failure) ->
            {
                if (failure != null)
                {
                    tally.failed(failure, true);
                }
                if (failure != null || !ok)
                {
                    failed.add(i);
                }
                window.release();
            });
        }
        if (!window.tryAcquire(PRELOAD_WINDOW, DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("preload did not drain");
        }
        return failed.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * One thread, blocking calls, for the warm-up then the measured period: the calls that start in the measured
     * period are counted, over the time from the first one's start to the last one's end.
     */
    private static Measure blocking(final MetroClient client, final String op)
    {
        final Measure measure = new Measure();
        final Histogram histogram = new Histogram(HIGHEST_NS, 3);
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long measureFromNs = System.nanoTime() + (long)(WARMUP_S * 1e9);
        final long stopAtNs = measureFromNs + (long)(MEASURED_S * 1e9);
        long firstNs = 0;
        long lastNs = 0;
        long startNs;
        while ((startNs = System.nanoTime()) - stopAtNs < 0)
        {
            final boolean inMeasure = startNs - measureFromNs >= 0;
            if (inMeasure && firstNs == 0)
            {
                SERVER.read();
                measure.cpuBefore = CPU.sample();
                startNs = System.nanoTime();
            }
            boolean ok = true;
            try
            {
                if (!call(client, op, keys[random.nextInt(KEYS)]) && inMeasure)
                {
                    measure.misses.increment();
                }
            }
            catch (final MetroException e)
            {
                ok = false;
                measure.failed(e, inMeasure);
            }
            final long endNs = System.nanoTime();
            if (inMeasure)
            {
                if (firstNs == 0)
                {
                    firstNs = startNs;
                }
                lastNs = endNs;
                if (ok)
                {
                    histogram.recordValue(Math.min(endNs - startNs, HIGHEST_NS));
                }
            }
        }
        measure.cpuAfter = CPU.sample();
        measure.server = SERVER.read();
        measure.histogram = histogram;
        measure.seconds = lastNs == firstNs ? MEASURED_S : (lastNs - firstNs) / 1e9;
        return measure;
    }

    /**
     * @return false for a GET that found no value of the preloaded length (a miss), true otherwise.
     */
    private static boolean call(final MetroClient client, final String op, final byte[] key)
    {
        switch (op)
        {
            case "GET":
                final byte[] read = client.get(key);
                return read != null && read.length == VALUE_LENGTH;
            case "SET":
                client.set(key, value);
                return true;
            case "SETSAFE":
                client.setSafe(key, value);
                return true;
            default:
                throw new IllegalArgumentException("unknown op " + op);
        }
    }

    private static Measure async(
        final MetroClient client, final String op, final int inFlight, final ScheduledExecutorService retryLater)
        throws InterruptedException
    {
        final AsyncLoad load = new AsyncLoad(client, op, inFlight, retryLater);
        load.run();
        return load.measure;
    }

    /**
     * Keeps exactly {@code inFlight} calls outstanding: each completion records its latency and issues the next
     * call, until the measured period ends; then the calls drain and the last one opens {@link #drained}. A failed
     * call's successor is issued 1 ms later from another thread, so a cluster that fails every call at once costs
     * neither a spin nor a deep stack of synchronous completions.
     */
    private static final class AsyncLoad
    {
        private final MetroClient client;
        private final String op;
        private final int inFlight;
        private final ScheduledExecutorService retryLater;
        private final Recorder recorder = new Recorder(HIGHEST_NS, 3);
        private final Measure measure = new Measure();
        private final AtomicInteger outstanding = new AtomicInteger();
        private final CountDownLatch drained = new CountDownLatch(1);
        private volatile long measureFromNs;
        private volatile long stopAtNs;

        AsyncLoad(final MetroClient client, final String op, final int inFlight,
            final ScheduledExecutorService retryLater)
        {
            this.client = client;
            this.op = op;
            this.inFlight = inFlight;
            this.retryLater = retryLater;
        }

        void run() throws InterruptedException
        {
            final long startNs = System.nanoTime();
            measureFromNs = startNs + (long)(WARMUP_S * 1e9);
            stopAtNs = measureFromNs + (long)(MEASURED_S * 1e9);
            outstanding.set(inFlight);
            for (int i = 0; i < inFlight; i++)
            {
                issue();
            }
            // The processes' CPU time at the start and the end of the measured period (points in time).
            parkUntil(measureFromNs);
            SERVER.read();
            measure.cpuBefore = CPU.sample();
            parkUntil(stopAtNs);
            measure.cpuAfter = CPU.sample();
            measure.server = SERVER.read();
            final long waitMs = (long)((WARMUP_S + MEASURED_S) * 1000) + DRAIN_TIMEOUT_MS;
            if (!drained.await(waitMs, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException(op + " with " + inFlight + " in flight: " + outstanding.get() +
                    " calls still outstanding " + waitMs + " ms after the start");
            }
            measure.histogram = recorder.getIntervalHistogram();
            measure.seconds = MEASURED_S;
        }

        private static void parkUntil(final long deadlineNs)
        {
            long waitNs;
            while ((waitNs = deadlineNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(waitNs);
            }
        }

        private void issue()
        {
            final byte[] key = keys[ThreadLocalRandom.current().nextInt(KEYS)];
            final long sentNs = System.nanoTime();
            switch (op)
            {
                case "GET":
                    client.getAsync(key).whenComplete((read, failure) ->
                        completed(sentNs, failure, failure == null && (read == null || read.length != VALUE_LENGTH)));
                    break;
                case "SET":
                    client.setAsync(key, value).whenComplete((result, failure) -> completed(sentNs, failure, false));
                    break;
                case "SETSAFE":
                    client.setSafeAsync(key, value).whenComplete((result, failure) ->
                        completed(sentNs, failure, false));
                    break;
                default:
                    throw new IllegalArgumentException("unknown op " + op);
            }
        }

        private void completed(final long sentNs, final Throwable failure, final boolean miss)
        {
            final long nowNs = System.nanoTime();
            final boolean inMeasure = nowNs - measureFromNs >= 0 && nowNs - stopAtNs < 0;
            if (failure != null)
            {
                measure.failed(failure, inMeasure);
            }
            else if (inMeasure)
            {
                recorder.recordValue(Math.min(nowNs - sentNs, HIGHEST_NS));
                if (miss)
                {
                    measure.misses.increment();
                }
            }
            if (nowNs - stopAtNs >= 0)
            {
                if (outstanding.decrementAndGet() == 0)
                {
                    drained.countDown();
                }
            }
            else if (failure != null)
            {
                retryLater.schedule(this::issue, 1, TimeUnit.MILLISECONDS);
            }
            else
            {
                issue();
            }
        }
    }

    /**
     * CPU time (user + system) of this JVM and of the processes named in {@code -Dcpu.pids} (name:pid,...), from
     * {@code /proc/PID/stat}; a process whose file cannot be read counts -1.
     */
    private static final class CpuSampler
    {
        private final String[] names;
        private final String[] stats;
        private final double nsPerTick;

        CpuSampler(final String pids, final int ticksPerSecond)
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

        long[] sample()
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
        String cores(final long[] before, final long[] after, final double seconds)
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

    /**
     * What one measure found.
     */
    private static final class Measure
    {
        final LongAdder errors = new LongAdder();
        final LongAdder warmupErrors = new LongAdder();
        final LongAdder misses = new LongAdder();
        final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
        volatile String firstFailure;
        Histogram histogram;
        double seconds;
        long[] cpuBefore;
        long[] cpuAfter;
        List<String> server = List.of();

        /**
         * Counts a failed call: in {@link #errors} when it ended in the measured period, else in the warm-up's.
         */
        void failed(final Throwable failure, final boolean inMeasure)
        {
            final Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            (inMeasure ? errors : warmupErrors).increment();
            failures.computeIfAbsent(cause.getClass().getSimpleName(), name -> new LongAdder()).increment();
            if (firstFailure == null)
            {
                firstFailure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
        }

        void print(final String op, final int shape)
        {
            // Successful calls of the measured period (each recorded once).
            final long completed = histogram.getTotalCount();
            System.out.printf(Locale.ROOT, "RESULT metrodb %s %d %.0f %.1f %.1f %d %d %d%n", op, shape,
                completed / seconds, histogram.getValueAtPercentile(50) / 1e3,
                histogram.getValueAtPercentile(99) / 1e3, completed, errors.sum(), misses.sum());
            if (cpuBefore != null && cpuAfter != null)
            {
                System.out.printf(Locale.ROOT, "CPU %s %d %s%n", op, shape, CPU.cores(cpuBefore, cpuAfter, seconds));
            }
            for (final String line : server)
            {
                System.out.printf(Locale.ROOT, "SERVER %s %d %s%n", op, shape, line);
            }
            if (firstFailure != null)
            {
                System.out.printf(Locale.ROOT, "FAILURE %s %d %s (by class: %s; %d in the warm-up)%n", op, shape,
                    firstFailure, failures, warmupErrors.sum());
            }
        }
    }
}
