package io.metrodb.bench.mapd;

import io.metrodb.bench.support.HistogramFiles;
import io.metrodb.mapd.MapdConfig;
import io.metrodb.mapd.MapdServer;
import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.KeyGrid;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.server.NettyServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Loopback GET and SET latency through a real mapd (RF 2) on two in-process logds, at 1 and at 32 connections, each
 * connection a closed loop with one request outstanding (GET of a random preloaded key, then SET of a random key).
 * In the same run, on the same client code and pipeline:
 * <ul>
 * <li>echo: a server that answers GET and SET frames at once with mapd-sized answers, and PING; run first and last
 * at each connection count, and the pass with the lower p50 is the floor the ratios are to;</li>
 * <li>mapd PING: the mapd's data-path thread answering without the grid or a logd;</li>
 * <li>mapd-rf1: a second mapd on the same logds with RF 1 (one APPEND per SET instead of two in parallel);</li>
 * <li>logd READ/APPEND: straight to one logd, the record read for a GET and the append made (twice, in parallel)
 * for a SET.</li>
 * </ul>
 * Latency is send to answer in ns into HdrHistogram, printed in µs; percentile distributions go to
 * {@code -Dmetrodb.bench.dir}/mapd-latency/ (default bench/target). Closed loop: no coordinated-omission
 * correction, the numbers are service times at that concurrency.
 * <p>
 * Run: {@code java -Xmx2g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.metrodb.bench.mapd.MapdLatencyHarness}; knobs: -Dkeys (100000), -Dvalue.length (100), -Dwarmup (20000),
 * -Dmeasured (100000, per op type), -Dconnections (1,32), -Dclient.threads (1), -Dscenario.timeout.seconds (120).
 */
public final class MapdLatencyHarness
{
    private static final int KEYS = Integer.getInteger("keys", 100_000);
    private static final int VALUE_LENGTH = Integer.getInteger("value.length", 100);
    private static final int WARMUP = Integer.getInteger("warmup", 20_000);
    private static final int MEASURED = Integer.getInteger("measured", 100_000);
    private static final int CLIENT_THREADS = Integer.getInteger("client.threads", 1);
    private static final long SCENARIO_TIMEOUT_S = Long.getLong("scenario.timeout.seconds", 120);
    private static final int[] CONNECTIONS =
        Arrays.stream(System.getProperty("connections", "1,32").split(",")).mapToInt(Integer::parseInt).toArray();

    private MapdLatencyHarness()
    {
    }

    /**
     * What one scenario measured at one connection count.
     */
    private record Result(String name, String op0, String op1, int connections, Histogram h0, Histogram h1,
        double requestsPerSecond, long errors, long gcCount, long gcMs)
    {
    }

    private record Scenario(String name, String op0, String op1, InetSocketAddress address,
        Function<Long, LoopOp[]> ops)
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path root = BenchCluster.newRoot("mapd-latency-");
        final Path out = root.getParent().resolve("mapd-latency");
        Files.createDirectories(out);
        System.out.printf("keys %,d (key %d B, value %d B), RF 2, 2 logds, transport %s, client threads %d, " +
            "warmup %,d + measured %,d per op type, connections %s%n", KEYS, MapdKeys.KEY_LENGTH, VALUE_LENGTH,
            Transports.name(), CLIENT_THREADS, WARMUP, MEASURED, Arrays.toString(CONNECTIONS));

        final byte[] valueBytes = new byte[VALUE_LENGTH];
        ThreadLocalRandom.current().nextBytes(valueBytes);
        final ByteBuf value = Unpooled.directBuffer(VALUE_LENGTH).writeBytes(valueBytes);
        final EventLoopGroup clients = Transports.newEventLoopGroup(CLIENT_THREADS, "bench-client");
        final BenchCluster cluster = new BenchCluster(root, 2);
        NettyServer echo = null;
        MapdServer mapdRf1 = null;
        try
        {
            cluster.startMapd(cluster.mapdConfig(2, KEYS));
            preload(clients, cluster.mapdAddress(), value, "RF 2");
            final MapdConfig rf2 = cluster.mapdConfig(2, KEYS);
            mapdRf1 = MapdServer.start(new MapdConfig(rf2.host(), 0, root.resolve("mapd-rf1"), 2, rf2.logds(), 1,
                rf2.maxValueLength(), null, rf2.requestTimeoutMs(), 0, KEYS));
            mapdRf1.whenLogdsHealthy(cluster.logds.length).get(30, TimeUnit.SECONDS);
            final InetSocketAddress rf1Address = new InetSocketAddress(BenchCluster.HOST, mapdRf1.port());
            preload(clients, rf1Address, value, "RF 1");
            final long[] offsets = offsetsOn(cluster.mapd.grid(), cluster.logds[0].nodeId());

            echo = NettyServer.start("echo", BenchCluster.HOST, 0, 1,
                new HandshakeConfig(Roles.MAPD, 1, null, ProtocolLimits.frameLengthFor(BenchCluster.MAX_VALUE)),
                () -> new EchoHandler(VALUE_LENGTH));
            final InetSocketAddress echoAddress = new InetSocketAddress(BenchCluster.HOST, echo.port());

            final List<Scenario> scenarios = List.of(
                new Scenario("echo-1st", "PING", "PING", echoAddress,
                    seed -> new LoopOp[] { new LoopOps.PingOp(), new LoopOps.PingOp() }),
                new Scenario("echo-1st", "GET", "SET", echoAddress,
                    seed -> new LoopOp[] { new LoopOps.Get(KEYS, VALUE_LENGTH), new LoopOps.Set(KEYS, value) }),
                new Scenario("mapd", "PING", "PING", cluster.mapdAddress(),
                    seed -> new LoopOp[] { new LoopOps.PingOp(), new LoopOps.PingOp() }),
                new Scenario("mapd", "GET", "SET", cluster.mapdAddress(),
                    seed -> new LoopOp[] { new LoopOps.Get(KEYS, VALUE_LENGTH), new LoopOps.Set(KEYS, value) }),
                new Scenario("mapd-rf1", "GET", "SET", rf1Address,
                    seed -> new LoopOp[] { new LoopOps.Get(KEYS, VALUE_LENGTH), new LoopOps.Set(KEYS, value) }),
                new Scenario("logd", "READ", "APPEND", cluster.logdAddress(0),
                    seed -> new LoopOp[] { new LoopOps.Read(offsets), new LoopOps.Append(KEYS, value) }),
                new Scenario("echo-2nd", "GET", "SET", echoAddress,
                    seed -> new LoopOp[] { new LoopOps.Get(KEYS, VALUE_LENGTH), new LoopOps.Set(KEYS, value) }),
                new Scenario("echo-2nd", "PING", "PING", echoAddress,
                    seed -> new LoopOp[] { new LoopOps.PingOp(), new LoopOps.PingOp() }));

            final List<Result> results = new ArrayList<>();
            for (final int connections : CONNECTIONS)
            {
                for (final Scenario scenario : scenarios)
                {
                    final Result result = run(clients, scenario, connections);
                    results.add(result);
                    write(out, result);
                    System.out.printf("ran %s %s/%s at %d connections: %,.0f requests/s, errors %d, GCs %d (%d ms)%n",
                        result.name(), result.op0(), result.op1(), connections, result.requestsPerSecond(),
                        result.errors(), result.gcCount(), result.gcMs());
                }
            }
            print(results);
            System.out.println("percentile distributions (µs): " + out);
        }
        finally
        {
            if (echo != null)
            {
                echo.close();
            }
            if (mapdRf1 != null)
            {
                mapdRf1.close();
            }
            cluster.close();
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            value.release();
            BenchCluster.deleteTree(root);
        }
    }

    private static void preload(
        final EventLoopGroup clients, final InetSocketAddress mapd, final ByteBuf value, final String name)
        throws Exception
    {
        final SetLoader.Result preload = SetLoader.load(clients, mapd, 4, 64, 0, KEYS, value,
            TimeUnit.SECONDS.toMillis(SCENARIO_TIMEOUT_S));
        System.out.printf("preload %s: %,d keys in %.2f s (%,.0f SET/s), errors %,d%n", name, preload.keys(),
            preload.nanos() / 1e9, preload.perSecond(), preload.errors());
    }

    /**
     * @return the offsets of every record the grid keeps on logd {@code logdId}.
     */
    private static long[] offsetsOn(final KeyGrid grid, final int logdId)
    {
        final long[] offsets = new long[(int)grid.size()];
        final int[] count = new int[1];
        long cursor = 0;
        final GridEntry scratch = new GridEntry();
        while (cursor >= 0)
        {
            cursor = grid.forEach(cursor, 65_536, scratch, (keyBuffer, keyIndex, keyLength, entry) ->
            {
                for (int i = 0; i < entry.replicaCount(); i++)
                {
                    if (entry.logdId(i) == logdId && count[0] < offsets.length)
                    {
                        offsets[count[0]++] = entry.offset(i);
                    }
                }
            });
        }
        if (count[0] == 0)
        {
            throw new IllegalStateException("no record on logd " + logdId);
        }
        return Arrays.copyOf(offsets, count[0]);
    }

    private static Result run(final EventLoopGroup clients, final Scenario scenario, final int connections)
        throws Exception
    {
        final int warmupPerConnection = (WARMUP + connections - 1) / connections;
        final int measuredPerConnection = MEASURED / connections;
        final CountDownLatch ready = new CountDownLatch(connections);
        final CountDownLatch done = new CountDownLatch(connections);
        final ClosedLoopConnection[] loops = new ClosedLoopConnection[connections];
        for (int c = 0; c < connections; c++)
        {
            final LoopOp[] ops = scenario.ops().apply((long)c);
            loops[c] = new ClosedLoopConnection(clients.next(), scenario.address(), BenchCluster.CLIENT_HANDSHAKE,
                ops[0], ops[1], warmupPerConnection, measuredPerConnection, MapdKeys.mix(c + 1L), ready, done);
        }
        try
        {
            if (!ready.await(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("could not connect to " + scenario.address());
            }
            final long gcCountBefore = gcCount();
            final long gcMsBefore = gcMs();
            for (final ClosedLoopConnection loop : loops)
            {
                loop.begin();
            }
            if (!done.await(SCENARIO_TIMEOUT_S, TimeUnit.SECONDS))
            {
                throw new IllegalStateException(scenario.name() + " at " + connections + " connections did not " +
                    "finish within " + SCENARIO_TIMEOUT_S + " s");
            }
            final long gcCount = gcCount() - gcCountBefore;
            final long gcMs = gcMs() - gcMsBefore;
            final Histogram h0 = new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3);
            final Histogram h1 = new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3);
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            long errors = 0;
            for (final ClosedLoopConnection loop : loops)
            {
                h0.add(loop.histograms[0]);
                h1.add(loop.histograms[1]);
                start = Math.min(start, loop.measureStartNs);
                end = Math.max(end, loop.measureEndNs);
                errors += loop.errors;
            }
            final double perSecond = (h0.getTotalCount() + h1.getTotalCount()) * 1e9 / (end - start);
            return new Result(scenario.name(), scenario.op0(), scenario.op1(), connections, h0, h1, perSecond,
                errors, gcCount, gcMs);
        }
        finally
        {
            for (final ClosedLoopConnection loop : loops)
            {
                loop.connection.close();
            }
        }
    }

    private static void write(final Path dir, final Result result) throws Exception
    {
        final String suffix = "-c" + result.connections() + ".hgrm";
        if (result.op0().equals(result.op1()))
        {
            final Histogram merged = result.h0().copy();
            merged.add(result.h1());
            HistogramFiles.writePercentilesUs(dir.resolve(result.name() + "-" + result.op0() + suffix), merged);
        }
        else
        {
            HistogramFiles.writePercentilesUs(dir.resolve(result.name() + "-" + result.op0() + suffix), result.h0());
            HistogramFiles.writePercentilesUs(dir.resolve(result.name() + "-" + result.op1() + suffix), result.h1());
        }
    }

    private static void print(final List<Result> results)
    {
        System.out.println();
        System.out.println("Ratios are to the echo pass with the lower p50 at the same connection count (GET, READ: " +
            "echo GET; SET, APPEND: echo SET; PING: echo PING).");
        System.out.println("| target | op | conns | count | p50 µs | p99 µs | p99.9 µs | max µs | requests/s (both ops) |" +
            " p50 / echo | p99 / echo | p99.9 / echo |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (final Result result : results)
        {
            if (result.op0().equals(result.op1()))
            {
                row(result, result.op0(), histogram(result, 0),
                    echoFloor(results, result.connections(), "PING", 0));
            }
            else
            {
                row(result, result.op0(), result.h0(), echoFloor(results, result.connections(), "GET", 0));
                row(result, result.op1(), result.h1(), echoFloor(results, result.connections(), "GET", 1));
            }
        }
    }

    /**
     * @return the echo pass (of the two at this connection count) with the lower p50 for that op shape: the floor.
     */
    private static Histogram echoFloor(final List<Result> results, final int connections, final String op0,
        final int op)
    {
        Histogram floor = null;
        for (final Result result : results)
        {
            if (result.name().startsWith("echo") && result.op0().equals(op0) && result.connections() == connections)
            {
                final Histogram h = histogram(result, op);
                if (floor == null || h.getValueAtPercentile(50.0) < floor.getValueAtPercentile(50.0))
                {
                    floor = h;
                }
            }
        }
        return floor;
    }

    private static Histogram histogram(final Result result, final int op)
    {
        if (result.op0().equals(result.op1()))
        {
            final Histogram merged = result.h0().copy();
            merged.add(result.h1());
            return merged;
        }
        return op == 0 ? result.h0() : result.h1();
    }

    private static void row(final Result result, final String op, final Histogram h, final Histogram echo)
    {
        final String ratios = String.format(" | %.2f | %.2f | %.2f |",
            ratio(h, echo, 50.0), ratio(h, echo, 99.0), ratio(h, echo, 99.9));
        System.out.printf("| %s | %s | %d | %,d | %.1f | %.1f | %.1f | %.1f | %,.0f%s%n", result.name(), op,
            result.connections(), h.getTotalCount(), us(h.getValueAtPercentile(50.0)), us(h.getValueAtPercentile(99.0)),
            us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), result.requestsPerSecond(), ratios);
    }

    private static double ratio(final Histogram h, final Histogram echo, final double percentile)
    {
        return (double)h.getValueAtPercentile(percentile) / echo.getValueAtPercentile(percentile);
    }

    private static double us(final long ns)
    {
        return ns / 1000.0;
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
}
