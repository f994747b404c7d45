package io.metrodb.bench.mapd;

import io.metrodb.bench.mapd.SdkLatencyReport.Row;
import io.metrodb.client.MetroClient;
import io.metrodb.client.MetroException;
import io.metrodb.client.OverflowPolicy;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.server.NettyServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * What the Java client SDK adds to a request, next to a bare Netty client on the same pipeline in the same run.
 * Every target is one connection on loopback:
 * <ul>
 * <li>round trip: one request outstanding, GET of a random key then SET of a random key, repeated. The bare client
 * ({@link ClosedLoopConnection}, sending from its event loop) against the echo server is the floor, run first and
 * last; the SDK runs blocking calls from the main thread ({@code sdk-sync}: the hand-off to the I/O thread and the
 * wake-up of the caller included) and chained async calls issued from each completion on the client's I/O thread
 * ({@code sdk-async}: no hand-off). The same against a real mapd with RF 2 on two logds.</li>
 * <li>pipelined: {@code window} GETs in flight on the connection. The bare client ({@link WindowedConnection}) sends
 * the next request from each answer; the SDK either does the same from each completion ({@code sdk-chain}) or is
 * driven by the main thread calling {@code getAsync} in a loop, held to the window by the client's own in-flight
 * bound ({@code sdk-caller}, the way an application uses it; its latency is counted from the call, so it includes
 * waiting for an in-flight slot).</li>
 * </ul>
 * Run: {@code java -Xmx2g --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.metrodb.bench.mapd.SdkLatencyHarness}; knobs: -Dkeys (100000), -Dvalue.length (100), -Dwarmup (20000),
 * -Dmeasured (100000 per op type), -Dwindow (64), -Dpipelined (300000), -Dscenario.timeout.seconds (120).
 */
public final class SdkLatencyHarness
{
    private static final int KEYS = Integer.getInteger("keys", 100_000);
    private static final int VALUE_LENGTH = Integer.getInteger("value.length", 100);
    private static final int WARMUP = Integer.getInteger("warmup", 20_000);
    private static final int MEASURED = Integer.getInteger("measured", 100_000);
    private static final int WINDOW = Integer.getInteger("window", 64);
    private static final int PIPELINED = Integer.getInteger("pipelined", 300_000);
    private static final long TIMEOUT_S = Long.getLong("scenario.timeout.seconds", 120);

    private static byte[][] keys;
    private static byte[] valueBytes;

    private SdkLatencyHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        System.out.printf("keys %,d (key %d B, value %d B), transport %s, warmup %,d + measured %,d per op type, " +
            "pipelined %,d GETs with %d in flight%n", KEYS, MapdKeys.KEY_LENGTH, VALUE_LENGTH, Transports.name(),
            WARMUP, MEASURED, PIPELINED, WINDOW);
        keys = MapdKeys.keyArrays(KEYS);
        valueBytes = new byte[VALUE_LENGTH];
        ThreadLocalRandom.current().nextBytes(valueBytes);
        final ByteBuf value = Unpooled.directBuffer(VALUE_LENGTH).writeBytes(valueBytes);

        final java.nio.file.Path root = BenchCluster.newRoot("sdk-latency-");
        final EventLoopGroup rawClients = Transports.newEventLoopGroup(1, "bench-client");
        final BenchCluster cluster = new BenchCluster(root, 2);
        NettyServer echo = null;
        try
        {
            cluster.startMapd(cluster.mapdConfig(2, KEYS));
            final SetLoader.Result preload = SetLoader.load(rawClients, cluster.mapdAddress(), 4, 64, 0, KEYS, value,
                TimeUnit.SECONDS.toMillis(TIMEOUT_S));
            System.out.printf("preload: %,d keys, errors %,d%n", preload.keys(), preload.errors());
            echo = NettyServer.start("echo", BenchCluster.HOST, 0, 1,
                new HandshakeConfig(Roles.MAPD, 1, null, ProtocolLimits.frameLengthFor(BenchCluster.MAX_VALUE)),
                () -> new EchoHandler(VALUE_LENGTH));
            final InetSocketAddress echoAddress = new InetSocketAddress(BenchCluster.HOST, echo.port());
            final InetSocketAddress mapdAddress = cluster.mapdAddress();

            final List<Row> rows = new ArrayList<>();
            rows.addAll(rawRoundTrip(rawClients, "echo-1st", echoAddress, value));
            rows.addAll(sdkSync("echo", echoAddress));
            rows.addAll(sdkAsync("echo", echoAddress));
            rows.addAll(rawRoundTrip(rawClients, "mapd", mapdAddress, value));
            rows.addAll(sdkSync("mapd", mapdAddress));
            rows.addAll(sdkAsync("mapd", mapdAddress));
            rows.addAll(rawRoundTrip(rawClients, "echo-2nd", echoAddress, value));

            rows.add(rawWindow(rawClients, "echo-1st", echoAddress));
            rows.add(sdkWindow("sdk-chain", "echo", echoAddress, true));
            rows.add(sdkWindow("sdk-caller", "echo", echoAddress, false));
            rows.add(rawWindow(rawClients, "mapd", mapdAddress));
            rows.add(sdkWindow("sdk-chain", "mapd", mapdAddress, true));
            rows.add(sdkWindow("sdk-caller", "mapd", mapdAddress, false));
            rows.add(rawWindow(rawClients, "echo-2nd", echoAddress));
            SdkLatencyReport.print(rows, WINDOW);
        }
        finally
        {
            if (echo != null)
            {
                echo.close();
            }
            cluster.close();
            rawClients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            value.release();
            BenchCluster.deleteTree(root);
        }
    }

    private static List<Row> rawRoundTrip(
        final EventLoopGroup group, final String target, final InetSocketAddress address, final ByteBuf value)
        throws Exception
    {
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final ClosedLoopConnection loop = new ClosedLoopConnection(group.next(), address,
            BenchCluster.CLIENT_HANDSHAKE, new LoopOps.Get(KEYS, VALUE_LENGTH), new LoopOps.Set(KEYS, value), WARMUP,
            MEASURED, MapdKeys.mix(7), ready, done);
        try
        {
            await(ready, "connect to " + address);
            loop.begin();
            await(done, "bare " + target + " round trips");
            final double perSecond = 2.0 * MEASURED * 1e9 / (loop.measureEndNs - loop.measureStartNs);
            report("bare", target, perSecond, loop.errors);
            return List.of(new Row("bare", target, "GET", loop.histograms[0], perSecond, loop.errors),
                new Row("bare", target, "SET", loop.histograms[1], perSecond, loop.errors));
        }
        finally
        {
            loop.connection.close();
        }
    }

    private static List<Row> sdkSync(final String target, final InetSocketAddress address)
    {
        final Histogram get = new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3);
        final Histogram set = new Histogram(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3);
        long errors = 0;
        long random = MapdKeys.mix(11);
        long startNs = 0;
        try (MetroClient client = client(address, 16))
        {
            for (int i = 0; i < WARMUP + MEASURED; i++)
            {
                if (i == WARMUP)
                {
                    startNs = System.nanoTime();
                }
                random = MapdKeys.next(random);
                long t0 = System.nanoTime();
                try
                {
                    final byte[] read = client.get(keys[(int)MapdKeys.index(random, KEYS)]);
                    if (read == null || read.length != VALUE_LENGTH)
                    {
                        errors++;
                    }
                }
                catch (final MetroException e)
                {
                    errors++;
                }
                final long t1 = System.nanoTime();
                random = MapdKeys.next(random);
                try
                {
                    client.set(keys[(int)MapdKeys.index(random, KEYS)], valueBytes);
                }
                catch (final MetroException e)
                {
                    errors++;
                }
                final long t2 = System.nanoTime();
                if (i >= WARMUP)
                {
                    get.recordValue(t1 - t0);
                    set.recordValue(t2 - t1);
                }
            }
        }
        final double perSecond = 2.0 * MEASURED * 1e9 / (System.nanoTime() - startNs);
        report("sdk-sync", target, perSecond, errors);
        return List.of(new Row("sdk-sync", target, "GET", get, perSecond, errors),
            new Row("sdk-sync", target, "SET", set, perSecond, errors));
    }

    private static List<Row> sdkAsync(final String target, final InetSocketAddress address) throws Exception
    {
        try (MetroClient client = client(address, 16))
        {
            final SdkAsyncChain chain = new SdkAsyncChain(client, keys, valueBytes, WARMUP, MEASURED);
            chain.next();
            await(chain.done, "sdk-async " + target);
            final double perSecond = 2.0 * MEASURED * 1e9 / (chain.endNs - chain.startNs);
            report("sdk-async", target, perSecond, chain.errors);
            return List.of(new Row("sdk-async", target, "GET", chain.histograms[0], perSecond, chain.errors),
                new Row("sdk-async", target, "SET", chain.histograms[1], perSecond, chain.errors));
        }
    }

    private static Row rawWindow(final EventLoopGroup group, final String target, final InetSocketAddress address)
        throws Exception
    {
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final WindowedConnection loop = new WindowedConnection(group.next(), address, BenchCluster.CLIENT_HANDSHAKE,
            new LoopOps.Get(KEYS, VALUE_LENGTH), WINDOW, PIPELINED, MapdKeys.mix(17), ready, done);
        try
        {
            await(ready, "connect to " + address);
            loop.begin();
            await(done, "bare pipelined " + target);
            final double perSecond = PIPELINED * 1e9 / (loop.endNs - loop.startNs);
            report("bare-pipelined", target, perSecond, loop.errors);
            return new Row("bare-pipelined", target, "GET", loop.histogram, perSecond, loop.errors);
        }
        finally
        {
            loop.connection.close();
        }
    }

    private static Row sdkWindow(final String shape, final String target, final InetSocketAddress address,
        final boolean chained) throws Exception
    {
        final Recorder recorder = new Recorder(ClosedLoopConnection.HIGHEST_TRACKABLE_NS, 3);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong answered = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong endNs = new AtomicLong();
        try (MetroClient client = client(address, WINDOW))
        {
            final long startNs = System.nanoTime();
            if (chained)
            {
                final long[] random = { MapdKeys.mix(19) };
                final long[] sent = { 0 };
                final BiConsumer<Integer, Long>[] issue = new BiConsumer[1];
                issue[0] = (ignored, unused) ->
                {
                    random[0] = MapdKeys.next(random[0]);
                    sent[0]++;
                    final long t0 = System.nanoTime();
                    client.getAsync(keys[(int)MapdKeys.index(random[0], KEYS)]).whenComplete((read, failure) ->
                    {
                        recorder.recordValue(System.nanoTime() - t0);
                        if (failure != null || read == null)
                        {
                            errors.incrementAndGet();
                        }
                        if (answered.incrementAndGet() == PIPELINED)
                        {
                            endNs.set(System.nanoTime());
                            done.countDown();
                        }
                        else if (sent[0] < PIPELINED)
                        {
                            issue[0].accept(0, 0L);
                        }
                    });
                };
                // Fill the window from the I/O thread too, so the chain's state has one owner.
                final CompletableFuture<Void> filled = new CompletableFuture<>();
                client.getAsync(keys[0]).whenComplete((read, failure) ->
                {
                    for (int i = 0; i < WINDOW; i++)
                    {
                        issue[0].accept(0, 0L);
                    }
                    filled.complete(null);
                });
                filled.get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            else
            {
                long random = MapdKeys.mix(23);
                for (int i = 0; i < PIPELINED; i++)
                {
                    random = MapdKeys.next(random);
                    final long t0 = System.nanoTime();
                    client.getAsync(keys[(int)MapdKeys.index(random, KEYS)]).whenComplete((read, failure) ->
                    {
                        recorder.recordValue(System.nanoTime() - t0);
                        if (failure != null || read == null)
                        {
                            errors.incrementAndGet();
                        }
                        if (answered.incrementAndGet() == PIPELINED)
                        {
                            endNs.set(System.nanoTime());
                            done.countDown();
                        }
                    });
                }
            }
            await(done, shape + " " + target);
            final double perSecond = PIPELINED * 1e9 / (endNs.get() - startNs);
            report(shape, target, perSecond, errors.get());
            return new Row(shape, target, "GET", recorder.getIntervalHistogram(), perSecond, errors.get());
        }
    }

    private static MetroClient client(final InetSocketAddress address, final int maxInFlight)
    {
        final MetroClient client = MetroClient.builder(List.of(address))
            .connectionsPerNode(1)
            .maxInFlight(maxInFlight)
            .overflowPolicy(OverflowPolicy.WAIT)
            .requestTimeoutMs(TimeUnit.SECONDS.toMillis(TIMEOUT_S))
            .build();
        // The first call waits for the connection; it is not measured.
        client.get(ByteBuffer.wrap(keys[0]));
        return client;
    }

    private static void await(final CountDownLatch latch, final String what) throws InterruptedException
    {
        if (!latch.await(TIMEOUT_S, TimeUnit.SECONDS))
        {
            throw new IllegalStateException(what + " did not finish within " + TIMEOUT_S + " s");
        }
    }

    private static void report(final String shape, final String target, final double perSecond, final long errors)
    {
        System.out.printf("ran %s %s: %,.0f requests/s, errors %d%n", shape, target, perSecond, errors);
    }
}
