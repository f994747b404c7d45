package io.metrodb.bench.mapd;

import io.metrodb.bench.support.CpuSampler;
import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.protocol.netty.Transports;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
    private static final long HIGHEST_NS = VsRedisWorkload.HIGHEST_NS;
    private static final long DRAIN_TIMEOUT_MS = VsRedisWorkload.DRAIN_TIMEOUT_MS;

    private static byte[][] keys;
    private static byte[] value;
    private static VsRedisWorkload workload;

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
        workload = new VsRedisWorkload(keys, value, WARMUP_S, MEASURED_S, SERVER, CPU);
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
                    final VsRedisMeasure measure =
                        shape == 1 ? blocking(client, op) : async(client, op, shape, retryLater);
                    measure.print(op, shape, CPU);
                }
            }
        }
        finally
        {
            retryLater.shutdownNow();
        }
    }

    private static void awaitConnected(final MetroClient client) throws InterruptedException
    {
        if (!client.awaitConnected(MAPDS.length, 30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("only " + client.readyConnections() + " of " + MAPDS.length +
                " mapds connected after 30 s: " + String.join(",", MAPDS));
        }
    }

    /**
     * SETs every key, then reads every key back; keys whose SET or GET failed, or that read back missing, go round
     * again, at most {@link #PRELOAD_ROUNDS} times, so every GET below hits.
     */
    private static void preload(final MetroClient client) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final VsRedisMeasure tally = new VsRedisMeasure();
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
        final VsRedisMeasure tally) throws InterruptedException
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
    private static VsRedisMeasure blocking(final MetroClient client, final String op)
    {
        final VsRedisMeasure measure = new VsRedisMeasure();
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

    private static VsRedisMeasure async(
        final MetroClient client, final String op, final int inFlight, final ScheduledExecutorService retryLater)
        throws InterruptedException
    {
        return new VsRedisAsyncLoad(client, workload, op, inFlight, retryLater).run();
    }
}
