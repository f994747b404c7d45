package io.metrodb.bench.logd;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.logd.ReadResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.RequestWriter;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.netty.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.Promise;
import org.HdrHistogram.Histogram;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
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
public final class LogdLatencyHarness
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int CLIENT_MAX_IN_FLIGHT = 16;
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final int READ_REQUEST_LENGTH = FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH;
    private static final int APPEND_RESPONSE_LENGTH = FrameHeader.HEADER_LENGTH + OffsetPayload.LENGTH;
    private static final int PING_LENGTH = FrameHeader.HEADER_LENGTH + Ping.LENGTH;
    /** Floor request: the first 4 bytes are the frame length (as in {@link FrameHeader}), the next 4 the reply's. */
    private static final int FLOOR_REPLY_LENGTH_OFFSET = 4;
    private static final int FLOOR_MAX_FRAME_LENGTH = 1 << 20;

    private int warmup = 20_000;
    private int requests = 100_000;
    private int durableWarmup = 2_000;
    private int durableRequests = 20_000;
    private long maxCaseNs = TimeUnit.SECONDS.toNanos(60);
    private int[] sizes = {100, 4096};
    private String baseDirectory = BenchFiles.DEFAULT_BASE_DIRECTORY;
    private String out = "bench/target/logd-latency";
    private String host;
    private int port = -1;

    private final List<String> rows = new ArrayList<>();

    public static void main(final String[] args) throws Exception
    {
        final LogdLatencyHarness harness = new LogdLatencyHarness();
        harness.parse(args);
        harness.run();
    }

    private void parse(final String[] args)
    {
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--requests" -> requests = Integer.parseInt(value);
                case "--durable-warmup" -> durableWarmup = Integer.parseInt(value);
                case "--durable-requests" -> durableRequests = Integer.parseInt(value);
                case "--max-case-s" -> maxCaseNs = TimeUnit.SECONDS.toNanos(Long.parseLong(value));
                case "--sizes" -> sizes = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--dir" -> baseDirectory = value;
                case "--out" -> out = value;
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (warmup < 0 || requests <= 0 || durableWarmup < 0 || durableRequests <= 0 || maxCaseNs <= 0 ||
            (host == null) != (port < 0))
        {
            throw new IllegalArgumentException("counts must be > 0 (warmups >= 0), --max-case-s > 0, " +
                "--host and --port together");
        }
    }

    private void run() throws Exception
    {
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
                durableWarmup, durableRequests, TimeUnit.NANOSECONDS.toSeconds(maxCaseNs));

            final EventLoop loop = clientGroup.next();
            connection = connect(loop, logdAddress);
            floorServer = startFloorServer(floorGroup);
            final Channel floorClient = connectFloorClient(loop, (InetSocketAddress)floorServer.localAddress());

            final PeerConnection logd = connection;
            final Histogram floorPing =
                measure(loop, "floor 24 B -> 24 B", new FloorCase(floorClient, PING_LENGTH, PING_LENGTH), warmup, requests,
                    null);
            measure(loop, "logd PING", new PingCase(logd), warmup, requests, floorPing);
            for (final int size : sizes)
            {
                final int appendLength = FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + size;
                final int readReplyLength = FrameHeader.HEADER_LENGTH + ReadResponse.ENTRY_OFFSET + size;
                final String floorAppendName = String.format("floor %d B -> %d B", appendLength, APPEND_RESPONSE_LENGTH);
                final String floorReadName = String.format("floor %d B -> %d B", READ_REQUEST_LENGTH, readReplyLength);
                final Histogram floorAppend = measure(loop, floorAppendName,
                    new FloorCase(floorClient, appendLength, APPEND_RESPONSE_LENGTH), warmup, requests, null);
                final AppendCase append = new AppendCase(logd, size, false, warmup + requests);
                measure(loop, "logd APPEND " + size + " B", append, warmup, requests, floorAppend);
                final Histogram floorRead = measure(loop, floorReadName,
                    new FloorCase(floorClient, READ_REQUEST_LENGTH, readReplyLength), warmup, requests, null);
                measure(loop, "logd READ " + size + " B", new ReadCase(logd, size, append.offsets, append.count),
                    warmup, requests, floorRead);
                measure(loop, "logd APPEND durable " + size + " B", new AppendCase(logd, size, true, 0),
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
    }

    private static PeerConnection connect(final EventLoop loop, final InetSocketAddress address) throws Exception
    {
        final CompletableFuture<HandshakeResult> ready = new CompletableFuture<>();
        final PeerConnection connection = new PeerConnection(loop, address,
            new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
            CLIENT_MAX_IN_FLIGHT, REQUEST_TIMEOUT_MS, new PeerConnection.StateListener()
            {
                @Override
                public void onReady(final PeerConnection c, final HandshakeResult hello)
                {
                    ready.complete(hello);
                }

                @Override
                public void onLost(final PeerConnection c)
                {
                    ready.completeExceptionally(new IllegalStateException("connection to " + address + " lost"));
                }
            });
        connection.start();
        ready.get(10, TimeUnit.SECONDS);
        return connection;
    }

    /**
     * The floor's server: frames by the length prefix, answers each frame with a reply of the length it asks for.
     */
    private static Channel startFloorServer(final EventLoopGroup group) throws InterruptedException
    {
        return new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannelClass())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(newFloorFrameDecoder(), new ChannelInboundHandlerAdapter()
                    {
                        @Override
                        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                        {
                            final ByteBuf request = (ByteBuf)msg;
                            final int replyLength = request.getInt(request.readerIndex() + FLOOR_REPLY_LENGTH_OFFSET);
                            request.release();
                            final ByteBuf reply = ctx.alloc().ioBuffer(replyLength);
                            reply.writeInt(replyLength).writeZero(replyLength - 4);
                            ctx.write(reply, ctx.voidPromise());
                        }

                        @Override
                        public void channelReadComplete(final ChannelHandlerContext ctx)
                        {
                            ctx.flush();
                        }
                    });
                }
            })
            .bind("127.0.0.1", 0).sync().channel();
    }

    private static Channel connectFloorClient(final EventLoop loop, final InetSocketAddress address)
        throws InterruptedException
    {
        return new Bootstrap()
            .group(loop)
            .channel(Transports.channelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .handler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(newFloorFrameDecoder(), new FloorClientHandler());
                }
            })
            .connect(address).sync().channel();
    }

    private static LengthFieldBasedFrameDecoder newFloorFrameDecoder()
    {
        return new LengthFieldBasedFrameDecoder(FLOOR_MAX_FRAME_LENGTH, 0, 4, -4, 0);
    }

    /**
     * Run one case to completion (or its time bound) and print its row, with ratios to {@code floor} if given.
     *
     * @return the measured latencies, ns.
     */
    private Histogram measure(
        final EventLoop loop, final String name, final Case measuredCase, final int warmupCount, final int count,
        final Histogram floor) throws Exception
    {
        final Promise<Histogram> done = loop.newPromise();
        final Driver driver = new Driver(measuredCase, warmupCount, count, System.nanoTime() + maxCaseNs, done);
        loop.execute(driver::next);
        final Histogram histogram = done.get(TimeUnit.NANOSECONDS.toSeconds(maxCaseNs) + 30, TimeUnit.SECONDS);
        if (driver.failure != null)
        {
            throw new IllegalStateException(name + ": " + driver.failure);
        }

        final String row = String.format(Locale.ROOT, "| %s | %d%s | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |",
            name, histogram.getTotalCount(), histogram.getTotalCount() < count ? " (time bound)" : "",
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, histogram.getMean() / 1e3,
            ratio(histogram, floor, 50), ratio(histogram, floor, 99), ratio(histogram, floor, 99.9));
        System.out.println(row);
        rows.add(row);
        final Path file = Path.of(out, name.replaceAll("[^A-Za-z0-9]+", "-") + ".hgrm");
        try (PrintStream stream = new PrintStream(new FileOutputStream(file.toFile()), false, "US-ASCII"))
        {
            histogram.outputPercentileDistribution(stream, 1000.0);
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

    /**
     * One kind of request: sends it, and checks its answer.
     */
    private interface Case
    {
        /**
         * Send request number {@code sequence}; the answer must reach {@link Driver#onAnswer}.
         *
         * @return null, or why it could not be sent.
         */
        String send(Driver driver, long sequence);
    }

    /**
     * Closed loop on the client event loop: send, wait for the answer, record, send the next.
     */
    private static final class Driver implements ResponseListener
    {
        private final Case measuredCase;
        private final int warmupCount;
        private final int total;
        private final long deadlineNs;
        private final Promise<Histogram> done;
        private final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private long sequence;
        private long sentNs;
        private String failure;

        Driver(final Case measuredCase, final int warmupCount, final int count, final long deadlineNs,
            final Promise<Histogram> done)
        {
            this.measuredCase = measuredCase;
            this.warmupCount = warmupCount;
            this.total = warmupCount + count;
            this.deadlineNs = deadlineNs;
            this.done = done;
        }

        void next()
        {
            sentNs = System.nanoTime();
            final String error = measuredCase.send(this, sequence);
            if (error != null)
            {
                fail(error);
            }
        }

        /** An answer arrived (on the event loop); {@code error} is null when it was the expected one. */
        void onAnswer(final String error)
        {
            final long nowNs = System.nanoTime();
            if (error != null)
            {
                fail(error);
                return;
            }
            if (sequence >= warmupCount)
            {
                histogram.recordValue(Math.min(nowNs - sentNs, HIGHEST_TRACKABLE_NS));
            }
            sequence++;
            if (sequence < total && nowNs - deadlineNs < 0)
            {
                next();
            }
            else
            {
                done.trySuccess(histogram);
            }
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            final short status = FrameHeader.status(frame, at);
            onAnswer(status == StatusCodes.OK ? ((LogdCase)measuredCase).onResponse(frame, at) :
                "status " + status + " for " + Opcodes.name(FrameHeader.opcode(frame, at)));
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            fail("request failed with status " + status);
        }

        private void fail(final String error)
        {
            failure = error;
            done.trySuccess(histogram);
        }
    }

    /**
     * A request through {@link PeerConnection}; parses its OK answer.
     */
    private abstract static class LogdCase implements Case, RequestWriter
    {
        final PeerConnection connection;

        LogdCase(final PeerConnection connection)
        {
            this.connection = connection;
        }

        @Override
        public String send(final Driver driver, final long sequence)
        {
            prepare(sequence);
            final long requestId = connection.send(this, driver, sequence);
            return requestId < 0 ? "send refused: " + requestId : null;
        }

        void prepare(final long sequence)
        {
        }

        /** @return null when the OK answer is as expected, else what is wrong. */
        abstract String onResponse(ByteBuf frame, int at);
    }

    private static final class PingCase extends LogdCase
    {
        PingCase(final PeerConnection connection)
        {
            super(connection);
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            Ping.encodeRequest(out, requestId, requestId);
        }

        @Override
        String onResponse(final ByteBuf frame, final int at)
        {
            return null;
        }
    }

    private static final class AppendCase extends LogdCase
    {
        private final ByteBuf entry;
        private final int length;
        private final boolean durable;
        private final long[] offsets;
        private int count;

        AppendCase(final PeerConnection connection, final int length, final boolean durable, final int keepOffsets)
        {
            super(connection);
            this.length = length;
            this.durable = durable;
            this.offsets = new long[keepOffsets];
            entry = PooledByteBufAllocator.DEFAULT.directBuffer(length);
            for (int i = 0; i < length; i++)
            {
                entry.writeByte(i * 31);
            }
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            AppendRequest.encode(out, requestId, durable, entry, 0, length);
        }

        @Override
        String onResponse(final ByteBuf frame, final int at)
        {
            if (FrameHeader.payloadLength(frame, at) != OffsetPayload.LENGTH)
            {
                return "APPEND answer of " + FrameHeader.frameLength(frame, at) + " bytes";
            }
            if (count < offsets.length)
            {
                offsets[count++] = OffsetPayload.offset(frame, at);
            }
            return null;
        }
    }

    private static final class ReadCase extends LogdCase
    {
        private final int length;
        private final long[] offsets;
        private final int count;
        private long offset;

        ReadCase(final PeerConnection connection, final int length, final long[] offsets, final int count)
        {
            super(connection);
            if (count == 0)
            {
                throw new IllegalStateException("no appended offsets to read");
            }
            this.length = length;
            this.offsets = offsets;
            this.count = count;
        }

        @Override
        void prepare(final long sequence)
        {
            offset = offsets[(int)(sequence % count)];
        }

        @Override
        public void write(final ByteBuf out, final long requestId)
        {
            OffsetPayload.encodeReadRequest(out, requestId, offset);
        }

        @Override
        String onResponse(final ByteBuf frame, final int at)
        {
            return ReadResponse.isValid(frame, at) && ReadResponse.entryLength(frame, at) == length ? null :
                "READ answer of " + FrameHeader.frameLength(frame, at) + " bytes at offset " + offset;
        }
    }

    /**
     * The floor's client side: one handler on the floor connection hands each reply to the case being measured.
     */
    private static final class FloorClientHandler extends ChannelInboundHandlerAdapter
    {
        private FloorCase current;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf reply = (ByteBuf)msg;
            final int length = reply.readableBytes();
            reply.release();
            current.onReply(length);
        }
    }

    /**
     * The floor: a length-prefixed frame to the bare server, answered with {@code replyLength} bytes.
     */
    private static final class FloorCase implements Case
    {
        private final Channel channel;
        private final FloorClientHandler handler;
        private final int requestLength;
        private final int replyLength;
        private Driver driver;

        FloorCase(final Channel channel, final int requestLength, final int replyLength)
        {
            this.channel = channel;
            this.handler = channel.pipeline().get(FloorClientHandler.class);
            this.requestLength = requestLength;
            this.replyLength = replyLength;
        }

        @Override
        public String send(final Driver driver, final long sequence)
        {
            this.driver = driver;
            handler.current = this;
            final ByteBuf request = channel.alloc().ioBuffer(requestLength);
            request.writeInt(requestLength).writeInt(replyLength).writeZero(requestLength - 8);
            channel.writeAndFlush(request, channel.voidPromise());
            return null;
        }

        void onReply(final int length)
        {
            driver.onAnswer(length == replyLength ? null : "floor reply of " + length + " bytes");
        }
    }
}
