package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ChangeFlyweight;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.testing.ReplicateFrames;
import io.metrodb.server.NettyServer;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fixtures shared by {@link ReplicatorPushTest} and {@link ReplicatorSyncTest}: a real mapd (with real logds) whose peer
 * is played by the test ({@link FakePeer}, a Netty server that completes HELLO as mapd {@value #PEER}, records every
 * request and answers as told), a plain socket client that pushes and pulls changes as a peer would, and helpers to
 * read what came back.
 */
abstract class ReplicatorTestBase
{
    static final int NODE = 1;
    static final int PEER = 50;
    static final long AWAIT_MS = 15_000;
    /** Long enough that no periodic SYNC runs during a test: every SYNC seen is a link-up or a gap. */
    static final long NO_PERIODIC_SYNC_MS = 600_000;
    static final Pattern LAST_APPLIED = Pattern.compile("peer0:.*,last_applied=(\\d+),");

    @TempDir
    Path root;

    TestCluster cluster;
    final List<MapdServer> mapds = new ArrayList<>();
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (final MapdServer mapd : mapds)
        {
            if (mapd != null)
            {
                mapd.close();
            }
        }
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    FakePeer fakePeer() throws Exception
    {
        if (cluster == null)
        {
            cluster = TestCluster.builder(root).logds(2).start();
        }
        final FakePeer peer = new FakePeer();
        closeables.add(peer);
        return peer;
    }

    MapdConfig config(final String dirName, final int nodeId, final int port, final List<Integer> peerPorts,
        final int maxValue, final long syncIntervalMs, final int backlog)
    {
        final List<InetSocketAddress> peers = new ArrayList<>();
        for (final int peerPort : peerPorts)
        {
            peers.add(new InetSocketAddress(TestCluster.HOST, peerPort));
        }
        final MapdConfig base = cluster.mapdConfig(dirName, nodeId, 2);
        return new MapdConfig(TestCluster.HOST, port, base.dir(), nodeId, base.logds(), 2, maxValue, null, 5_000, 0,
            0, peers, 1_000, syncIntervalMs, backlog);
    }

    MapdServer startMapd(final String dirName, final int nodeId, final List<Integer> peerPorts,
        final int maxValue, final int backlog) throws Exception
    {
        return start(config(dirName, nodeId, 0, peerPorts, maxValue, NO_PERIODIC_SYNC_MS, backlog));
    }

    MapdServer start(final MapdConfig config) throws Exception
    {
        final MapdServer mapd = MapdServer.start(config);
        mapds.add(mapd);
        mapd.whenLogdsHealthy(2).get(10, TimeUnit.SECONDS);
        return mapd;
    }

    MapdServer restart(final MapdServer mapd, final List<Integer> peerPorts) throws Exception
    {
        mapd.close();
        mapds.set(mapds.indexOf(mapd), null);
        return startMapd("mapd", NODE, peerPorts, TestCluster.MAX_VALUE, 1 << 10);
    }

    static void awaitLivePeers(final MapdServer mapd, final int live) throws Exception
    {
        Await.until(live + " live peers", AWAIT_MS, () -> mapd.onDataPath(mapd::livePeers) == live);
    }

    static String info(final MapdServer mapd) throws Exception
    {
        return mapd.onDataPath(mapd::replicationInfo);
    }

    static long lastApplied(final MapdServer mapd) throws Exception
    {
        final Matcher matcher = LAST_APPLIED.matcher(info(mapd));
        assertTrue(matcher.find(), info(mapd));
        return Long.parseLong(matcher.group(1));
    }

    static long versionNow()
    {
        return System.currentTimeMillis() << HybridClock.COUNTER_BITS;
    }

    static Map<String, byte[]> entries(final String prefix, final int count)
    {
        final Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            entries.put(prefix + "-" + i, bytes("v" + i));
        }
        return entries;
    }

    /**
     * Pushes one change as peer {@code origin} would and expects it acknowledged.
     */
    static void replicate(final SocketClient pusher, final long sequence, final int origin, final String key,
        final long version, final int versionNode) throws IOException
    {
        pusher.send(out -> ReplicateFrames.wrapForAppend(out, new ChangeFlyweight(), sequence, sequence, origin,
            bytes(key).length, 2).version(version).versionNode(versionNode).flags(0).valueLength(1).checksum(0)
            .key(bytes(key)).replicas(2, new short[] {100, 101}, new long[] {0, 0}).commit());
        final ByteBuf ack = pusher.readFrame();
        try
        {
            assertEquals(sequence, FrameHeader.requestId(ack, 0));
            assertEquals(StatusCodes.OK, FrameHeader.status(ack, 0), "REPLICATE " + sequence + " acknowledged");
            assertTrue(ReplicateRequest.isValidAck(ack, 0));
        }
        finally
        {
            ack.release();
        }
    }

    /**
     * Asks for this mapd's changes from {@code from} and reads the whole stream.
     */
    static List<ByteBuf> sync(final SocketClient puller, final long requestId, final long from)
        throws IOException
    {
        puller.send(out -> SyncRequest.encode(out, requestId, from, NODE));
        final List<ByteBuf> frames = new ArrayList<>();
        while (true)
        {
            final ByteBuf frame = puller.readFrame();
            assertEquals(requestId, FrameHeader.requestId(frame, 0));
            assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
            assertTrue(SyncResponse.isValid(frame, 0));
            frames.add(frame);
            if (!SyncResponse.hasMore(frame, 0))
            {
                return frames;
            }
        }
    }

    static List<String> keys(final ByteBuf frame)
    {
        final List<String> keys = new ArrayList<>();
        int change = SyncResponse.firstChangeIndex(0);
        for (int i = 0; i < SyncResponse.changeCount(frame, 0); i++)
        {
            keys.add(key(frame, change));
            change = SyncResponse.nextChangeIndex(frame, change);
        }
        return keys;
    }

    static List<String> allKeys(final List<ByteBuf> frames)
    {
        final List<String> keys = new ArrayList<>();
        for (final ByteBuf frame : frames)
        {
            keys.addAll(keys(frame));
        }
        return keys;
    }

    static String key(final ByteBuf frame, final int change)
    {
        return frame.toString(Change.keyIndex(change), Change.keyLength(frame, change), StandardCharsets.UTF_8);
    }

    /**
     * A peer mapd played by the test: a Netty server that completes HELLO as mapd {@value #PEER}, records every
     * request, acknowledges REPLICATE (or holds the acknowledgements) and answers SYNC as told (by default: "you
     * missed nothing"). All its connections share one event loop, which runs every handler and answer.
     */
    static final class FakePeer implements AutoCloseable
    {
        /** One request received, copied out. */
        record Request(int connection, byte opcode, byte[] frame)
        {
            ByteBuf buf()
            {
                return Unpooled.wrappedBuffer(frame);
            }
        }

        /** Answers a SYNC, on the peer's event loop. */
        @FunctionalInterface
        interface SyncAnswer
        {
            void answer(ChannelHandlerContext ctx, long requestId, long fromSequence);
        }

        private final NettyServer server;
        private final List<Request> requests = new CopyOnWriteArrayList<>();
        private final List<Channel> channels = new CopyOnWriteArrayList<>();
        private final List<Runnable> heldAcks = new ArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private volatile boolean holdAcks;
        private volatile SyncAnswer syncAnswer = FakePeer::nothingMissed;

        FakePeer() throws InterruptedException
        {
            server = NettyServer.start("fake-peer", TestCluster.HOST, 0, 1,
                new HandshakeConfig(Roles.MAPD, PEER, null, ProtocolLimits.frameLengthFor(TestCluster.MAX_VALUE)),
                Handler::new);
        }

        int port()
        {
            return server.port();
        }

        int connections()
        {
            return connections.get();
        }

        List<Request> requests(final byte opcode)
        {
            return requests.stream().filter(request -> request.opcode() == opcode).toList();
        }

        List<Request> requestsOn(final int connection)
        {
            return requests.stream().filter(request -> request.connection() == connection).toList();
        }

        List<Long> syncsFrom()
        {
            return requests(Opcodes.SYNC).stream().map(request -> SyncRequest.fromSequence(request.buf(), 0))
                .toList();
        }

        void syncAnswer(final SyncAnswer answer)
        {
            syncAnswer = answer;
        }

        /**
         * Holds every REPLICATE acknowledgement from now on, or sends the held ones and acknowledges again.
         */
        void holdAcks(final boolean hold) throws Exception
        {
            channels.get(0).eventLoop().submit(() ->
            {
                holdAcks = hold;
                if (!hold)
                {
                    heldAcks.forEach(Runnable::run);
                    heldAcks.clear();
                }
            }).get(AWAIT_MS, TimeUnit.MILLISECONDS);
        }

        void dropConnections()
        {
            for (final Channel channel : channels)
            {
                channel.close().syncUninterruptibly();
            }
        }

        static void nothingMissed(final ChannelHandlerContext ctx, final long requestId, final long from)
        {
            writeSync(ctx, requestId, false, SyncResponse.MODE_BACKLOG, from, Map.of());
        }

        /**
         * Writes one SYNC response frame carrying a change (version node {@value #PEER}) per key.
         */
        static void writeSync(final ChannelHandlerContext ctx, final long requestId, final boolean more,
            final int mode, final long sequence, final Map<String, Long> versions)
        {
            final ByteBuf changes = Unpooled.buffer();
            versions.forEach((key, version) -> new ChangeFlyweight().wrapForAppend(changes, bytes(key).length, 2)
                .version(version).versionNode(PEER).flags(0).valueLength(1).checksum(0).key(bytes(key))
                .replicas(2, new short[] {100, 101}, new long[] {0, 0}).commit());
            final ByteBuf out = ctx.alloc().ioBuffer();
            SyncResponse.encodeHeader(out, requestId, more, mode, versions.size(), sequence, changes.readableBytes());
            out.writeBytes(changes);
            changes.release();
            ctx.writeAndFlush(out, ctx.voidPromise());
        }

        @Override
        public void close()
        {
            server.close();
        }

        private final class Handler extends ChannelInboundHandlerAdapter
        {
            private int connection;

            @Override
            public void handlerAdded(final ChannelHandlerContext ctx)
            {
                connection = connections.incrementAndGet();
                channels.add(ctx.channel());
            }

            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                final ByteBuf frame = (ByteBuf)msg;
                try
                {
                    final int at = frame.readerIndex();
                    final byte opcode = FrameHeader.opcode(frame, at);
                    final long requestId = FrameHeader.requestId(frame, at);
                    requests.add(new Request(connection, opcode,
                        ByteBufUtil.getBytes(frame, at, FrameHeader.frameLength(frame, at))));
                    if (opcode == Opcodes.REPLICATE)
                    {
                        final Runnable ack = () ->
                        {
                            final ByteBuf out = ctx.alloc().ioBuffer(FrameHeader.HEADER_LENGTH);
                            ReplicateRequest.encodeAck(out, requestId);
                            ctx.writeAndFlush(out, ctx.voidPromise());
                        };
                        if (holdAcks)
                        {
                            heldAcks.add(ack);
                        }
                        else
                        {
                            ack.run();
                        }
                    }
                    else if (opcode == Opcodes.SYNC)
                    {
                        syncAnswer.answer(ctx, requestId, SyncRequest.fromSequence(frame, at));
                    }
                }
                finally
                {
                    frame.release();
                }
            }
        }
    }
}
