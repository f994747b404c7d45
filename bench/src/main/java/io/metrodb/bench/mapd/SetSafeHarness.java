package io.metrodb.bench.mapd;

import io.metrodb.client.MetroClient;
import io.metrodb.client.OverflowPolicy;
import io.metrodb.log.LogStats;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.netty.Transports;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * SETSAFE end to end: the Java client SDK against a real mapd (RF 2) on two real logds, in process on loopback,
 * with {@code window} SETSAFEs in flight on one connection. Each completion issues the next call from the client's
 * I/O thread, so the window stays full. A SETSAFE answers once both logds forced the value and the mapd forced its
 * journal, so this is what the logds' group commit and durable answers look like from a client. Prints SETSAFEs/s,
 * latency, and the logds' forces and mean group per window.
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-modules jdk.incubator.foreign
 * --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.metrodb.bench.mapd.SetSafeHarness};
 * knobs: -Dwindows (1,16,64), -Dvalue.length (100), -Dwarmup.seconds (1), -Dmeasured.seconds (3), -Dkeys (100000).
 */
public final class SetSafeHarness
{
    private static final int[] WINDOWS = Arrays.stream(System.getProperty("windows", "1,16,64").split(","))
        .mapToInt(Integer::parseInt).toArray();
    private static final int VALUE_LENGTH = Integer.getInteger("value.length", 100);
    private static final double WARMUP_S = Double.parseDouble(System.getProperty("warmup.seconds", "1"));
    private static final double MEASURED_S = Double.parseDouble(System.getProperty("measured.seconds", "3"));
    private static final int KEYS = Integer.getInteger("keys", 100_000);

    private SetSafeHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        System.out.printf("SETSAFE, RF 2, value %d B, transport %s, windows %s, warm-up %.1f s, measured %.1f s%n",
            VALUE_LENGTH, Transports.name(), Arrays.toString(WINDOWS), WARMUP_S, MEASURED_S);
        final byte[][] keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++)
        {
            keys[i] = ("setsafe-key-" + i).getBytes(StandardCharsets.US_ASCII);
        }
        final byte[] value = new byte[VALUE_LENGTH];
        ThreadLocalRandom.current().nextBytes(value);

        final Path root = BenchCluster.newRoot("setsafe-");
        try (BenchCluster cluster = new BenchCluster(root, 2))
        {
            cluster.startMapd(cluster.mapdConfig(2, KEYS));
            System.out.println("| window | SETSAFE/s | p50 us | p99 us | p99.9 us | errors | logd forces/s | " +
                "logd mean group |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (final int window : WINDOWS)
            {
                run(cluster, keys, value, window);
            }
        }
        finally
        {
            BenchCluster.deleteTree(root);
        }
    }

    private static void run(final BenchCluster cluster, final byte[][] keys, final byte[] value, final int window)
        throws Exception
    {
        final InetSocketAddress address = cluster.mapdAddress();
        try (MetroClient client = MetroClient.builder(List.of(address))
            .connectionsPerNode(1)
            .maxInFlight(Math.max(window, 1))
            .overflowPolicy(OverflowPolicy.WAIT)
            .requestTimeoutMs(TimeUnit.SECONDS.toMillis(30))
            .build())
        {
            client.setSafe(keys[0], value);
            final Loop loop = new Loop(client, keys, value, window);
            final long startNs = System.nanoTime();
            loop.measureFromNs = startNs + (long)(WARMUP_S * 1e9);
            loop.stopAtNs = loop.measureFromNs + (long)(MEASURED_S * 1e9);
            final long[] before = new long[2];
            final long[] after = new long[2];
            loop.start();
            // The logds' counters at the start of the measured window (a point in time, not a condition).
            long waitNs;
            while ((waitNs = loop.measureFromNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(waitNs);
            }
            logdTotals(cluster, before);
            if (!loop.done.await((long)(WARMUP_S + MEASURED_S) + 60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("window " + window + " did not finish");
            }
            logdTotals(cluster, after);
            final double seconds = MEASURED_S;
            final Histogram h = loop.latencyNs;
            final long forces = after[0] - before[0];
            final long acks = after[1] - before[1];
            System.out.printf(Locale.ROOT, "| %d | %.0f | %.1f | %.1f | %.1f | %d | %.0f | %.2f |%n", window,
                loop.measured.get() / seconds, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, loop.errors.get(), forces / seconds / cluster.logds.length,
                forces == 0 ? 0.0 : (double)acks / forces);
        }
    }

    private static void logdTotals(final BenchCluster cluster, final long[] totals)
    {
        for (final LogdServer logd : cluster.logds)
        {
            final LogStats stats = logd.store().stats();
            totals[0] += stats.forces();
            totals[1] += stats.durableAcks();
        }
    }

    /**
     * Keeps {@code window} SETSAFEs in flight; each completion records its latency and issues the next one until
     * the measured period ends, then the last completion opens {@link #done}.
     */
    private static final class Loop
    {
        private final MetroClient client;
        private final byte[][] keys;
        private final byte[] value;
        private final int window;
        private final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final AtomicLong measured = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicLong inFlight = new AtomicLong();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile long measureFromNs;
        private volatile long stopAtNs;
        private long next;

        Loop(final MetroClient client, final byte[][] keys, final byte[] value, final int window)
        {
            this.client = client;
            this.keys = keys;
            this.value = value;
            this.window = window;
        }

        void start()
        {
            inFlight.set(window);
            for (int i = 0; i < window; i++)
            {
                issue();
            }
        }

        private void issue()
        {
            final byte[] key;
            synchronized (this)
            {
                key = keys[(int)(next++ % keys.length)];
            }
            final long sentNs = System.nanoTime();
            client.setSafeAsync(key, value).whenComplete((result, failure) -> completed(sentNs, failure));
        }

        private void completed(final long sentNs, final Throwable failure)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - measureFromNs >= 0 && nowNs - stopAtNs < 0)
            {
                if (null != failure)
                {
                    errors.incrementAndGet();
                }
                else
                {
                    measured.incrementAndGet();
                    synchronized (latencyNs)
                    {
                        latencyNs.recordValue(Math.min(nowNs - sentNs, latencyNs.getHighestTrackableValue()));
                    }
                }
            }
            if (nowNs - stopAtNs < 0)
            {
                issue();
            }
            else if (0 == inFlight.decrementAndGet())
            {
                done.countDown();
            }
        }
    }
}
