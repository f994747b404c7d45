package io.metrodb.bench.logd;

import io.metrodb.bench.support.HarnessCommand;
import io.metrodb.bench.support.HelpOption;
import io.metrodb.bench.support.HistogramFiles;
import io.metrodb.bench.support.LatencyColumns;
import io.metrodb.bench.support.PeerConnections;
import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Request/response latency through a logd server over loopback on one connection: one request at a time (the
 * next is sent from the previous one's response callback, no pipelining), so each sample is one round trip.
 * <p>
 * Cases, for entries of 100 B and 4 KiB: APPEND (non-durable), READ of the offsets just appended (in append
 * order), APPEND durable (answered after the group commit's force). References in the same run: PING through
 * the same server and client (the protocol stack without the store), and the floor: a bare Netty server on
 * the same transport that answers each request frame with a reply of the size logd would send (24 B for an
 * APPEND of 120 or 4116 B, 120 or 4116 B for a 24 B READ), driven by a bare Netty client on one event loop.
 * <p>
 * The logd client is {@link PeerConnection} (what a MetroDB client uses; it flushes once per event-loop turn).
 * The server is started in-process on 127.0.0.1:0 with one I/O thread and a fresh store under {@code --dir}
 * (deleted at exit), unless {@code --host/--port} name a running logd. Latencies are recorded in ns into
 * HdrHistogram; the full percentile distribution of every case goes to {@code --out} (in us).
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * io.metrodb.bench.logd.LogdLatencyHarness [--warmup 20000] [--requests 100000] [--durable-warmup 2000]
 * [--durable-requests 20000] [--max-case-s 60] [--sizes 100,4096] [--dir bench/target/logd-bench]
 * [--out bench/target/logd-latency] [--host h --port p]}
 */
@Command(
    name = "LogdLatencyHarness",
    showDefaultValues = true,
    description = "Round-trip latency through a logd, one request at a time, next to a bare Netty floor.")
public final class LogdLatencyHarness implements Callable<Integer>
{
    private static final int CLIENT_MAX_IN_FLIGHT = 16;
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final int READ_REQUEST_LENGTH = FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH;
    private static final int APPEND_RESPONSE_LENGTH = FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH;
    private static final int PING_LENGTH = FrameHeader.HEADER_LENGTH + Ping.LENGTH;

    @CommandLine.Mixin
    private HelpOption help;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--warmup", description = "Unmeasured requests per case, >= 0.")
    private int warmup = 20_000;

    @Option(names = "--requests", description = "Measured requests per case, > 0.")
    private int requests = 100_000;

    @Option(names = "--durable-warmup", description = "Unmeasured durable APPENDs, >= 0.")
    private int durableWarmup = 2_000;

    @Option(names = "--durable-requests", description = "Measured durable APPENDs, > 0.")
    private int durableRequests = 20_000;

    @Option(names = "--max-case-s", description = "Time bound per case, seconds, > 0.")
    private long maxCaseS = 60;

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES", description = "Entry lengths.")
    private int[] sizes = {100, 4096};

    @Option(names = "--dir", description = "Where the in-process logd's store is made (and deleted).")
    private String baseDirectory = BenchFiles.DEFAULT_BASE_DIRECTORY;

    @Option(names = "--out", description = "Where each case's percentile distribution (.hgrm, us) goes.")
    private String out = "bench/target/logd-latency";

    @Option(names = "--host", showDefaultValue = CommandLine.Help.Visibility.NEVER,
        description = "A running logd's host (with --port) instead of an in-process one.")
    private String host;

    @Option(names = "--port", showDefaultValue = CommandLine.Help.Visibility.NEVER,
        description = "A running logd's port (with --host).")
    private int port = -1;

    private final List<String> rows = new ArrayList<>();

    public static void main(final String[] args)
    {
        HarnessCommand.run(new LogdLatencyHarness(), args);
    }

    private void validate()
    {
        HarnessCommand.require(spec, warmup >= 0 && requests > 0 && durableWarmup >= 0 && durableRequests > 0 &&
            maxCaseS > 0 && (host == null) == (port < 0), "counts must be > 0 (warmups >= 0), --max-case-s > 0, " +
            "--host and --port together");
        HarnessCommand.require(spec, Arrays.stream(sizes).allMatch(size -> size > 0), "--sizes must be > 0");
    }

    @Override
    public Integer call() throws Exception
    {
        validate();
        Files.createDirectories(Path.of(out));
        final EventLoopGroup clientGroup = Transports.newEventLoopGroup(1, "latency-client");
        final EventLoopGroup floorGroup = Transports.newEventLoopGroup(1, "floor-server");
        Path directory = null;
        LogdServer server = null;
        PeerConnection connection = null;
        Channel floorServer = null;
        try
        {
            final InetSocketAddress logdAddress;
            if (host == null)
            {
                directory = BenchFiles.newRunDirectory(baseDirectory, "latency-");
                server = LogdServer.start(new LogdConfig("127.0.0.1", 0, 1, null, 1,
                    ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH, new LogConfig()
                    .directory(directory)
                    .segmentLength(LogAppendBenchmark.SEGMENT_LENGTH)
                    .maxTotalBytes(2L * 1024 * 1024 * 1024)
                    .validate()));
                logdAddress = new InetSocketAddress("127.0.0.1", server.port());
            }
            else
            {
                logdAddress = new InetSocketAddress(host, port);
            }
            System.out.printf(Locale.ROOT, "logd latency: transport=%s server=%s warmup=%d requests=%d " +
                "durable warmup=%d durable requests=%d max per case=%d s%n", Transports.name(),
                server == null ? logdAddress : "in-process " + logdAddress + " (1 I/O thread)", warmup, requests,
                durableWarmup, durableRequests, maxCaseS);

            final EventLoop loop = clientGroup.next();
            connection = PeerConnections.connect(loop, logdAddress,
                new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
                CLIENT_MAX_IN_FLIGHT, REQUEST_TIMEOUT_MS, null);
            floorServer = FloorServer.start(floorGroup);
            final Channel floorClient = FloorServer.connectClient(loop, (InetSocketAddress)floorServer.localAddress());

            final PeerConnection logd = connection;
            final Histogram floorPing =
                measure(loop, "floor 24 B -> 24 B", new FloorServer.FloorCase(floorClient, PING_LENGTH, PING_LENGTH), warmup, requests,
                    null);
            measure(loop, "logd PING", new LogdCases.PingCase(logd), warmup, requests, floorPing);
            for (final int size : sizes)
            {
                final int appendLength = FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + size;
                final int readReplyLength = FrameHeader.HEADER_LENGTH + ReadResponse.ENTRY_OFFSET + size;
                final String floorAppendName = String.format("floor %d B -> %d B", appendLength, APPEND_RESPONSE_LENGTH);
                final String floorReadName = String.format("floor %d B -> %d B", READ_REQUEST_LENGTH, readReplyLength);
                final Histogram floorAppend = measure(loop, floorAppendName,
                    new FloorServer.FloorCase(floorClient, appendLength, APPEND_RESPONSE_LENGTH), warmup, requests, null);
                final LogdCases.AppendCase append = new LogdCases.AppendCase(logd, size, false, warmup + requests);
                measure(loop, "logd APPEND " + size + " B", append, warmup, requests, floorAppend);
                final Histogram floorRead = measure(loop, floorReadName,
                    new FloorServer.FloorCase(floorClient, READ_REQUEST_LENGTH, readReplyLength), warmup, requests, null);
                measure(loop, "logd READ " + size + " B", new LogdCases.ReadCase(logd, size, append.offsets(), append.count()),
                    warmup, requests, floorRead);
                measure(loop, "logd APPEND durable " + size + " B", new LogdCases.AppendCase(logd, size, true, 0),
                    durableWarmup, durableRequests, floorAppend);
            }
            if (server != null)
            {
                System.out.println("server store: " + server.store().stats());
            }

            System.out.println();
            System.out.println("| case | samples | p50 us | p99 us | p99.9 us | max us | mean us |" +
                " p50 / floor | p99 / floor | p99.9 / floor |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.println("percentile distributions (us): " + Path.of(out).toAbsolutePath() + "/*.hgrm");
        }
        finally
        {
            if (connection != null)
            {
                connection.close();
            }
            if (floorServer != null)
            {
                floorServer.close().syncUninterruptibly();
            }
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            floorGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (server != null)
            {
                server.close();
            }
            BenchFiles.deleteRecursively(directory);
        }
        return 0;
    }

    /**
     * Run one case to completion (or its time bound) and print its row, with ratios to {@code floor} if given.
     *
     * @return the measured latencies, ns.
     */
    private Histogram measure(
        final EventLoop loop, final String name, final RoundTripDriver.Case measuredCase, final int warmupCount, final int count,
        final Histogram floor) throws Exception
    {
        final Promise<Histogram> done = loop.newPromise();
        final long maxCaseNs = TimeUnit.SECONDS.toNanos(maxCaseS);
        final RoundTripDriver driver =
            new RoundTripDriver(measuredCase, warmupCount, count, System.nanoTime() + maxCaseNs, done);
        loop.execute(driver::next);
        final Histogram histogram = done.get(maxCaseS + 30, TimeUnit.SECONDS);
        if (driver.failure() != null)
        {
            throw new IllegalStateException(name + ": " + driver.failure());
        }

        final String row = String.format(Locale.ROOT, "| %s | %d%s | %s | %s | %s | %s |",
            name, histogram.getTotalCount(), histogram.getTotalCount() < count ? " (time bound)" : "",
            LatencyColumns.us(histogram), ratio(histogram, floor, 50), ratio(histogram, floor, 99),
            ratio(histogram, floor, 99.9));
        System.out.println(row);
        rows.add(row);
        final Path file = Path.of(out, name.replaceAll("[^A-Za-z0-9]+", "-") + ".hgrm");
        try
        {
            HistogramFiles.writePercentilesUs(file, histogram);
        }
        catch (final IOException ex)
        {
            System.out.println("cannot write " + file + ": " + ex);
        }
        return histogram;
    }

    private static String ratio(final Histogram measured, final Histogram floor, final double percentile)
    {
        return null == floor ? "-" : String.format(Locale.ROOT, "%.2f",
            (double)measured.getValueAtPercentile(percentile) / floor.getValueAtPercentile(percentile));
    }
}
