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
import io.metrodb.testing.Ports;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication as one mapd does it, against real sockets: a real mapd (with real logds) whose peer is played by
 * the test ({@link FakePeer}, a Netty server that completes HELLO as mapd {@value #PEER}, records every request and
 * answers as told), and a plain socket client that pushes and pulls changes as a peer would. Checks the numbering
 * of own changes, in-order pipelined pushes, applying a peer's changes with gap detection, the SYNC asked on
 * link-up, on a gap and after a reconnect, the SYNC answered from the backlog or as a snapshot, and catch-up
 * between two real mapds.
 */
class ReplicatorTest
{
    private static final int NODE = 1;
    private static final int PEER = 50;
    private static final long AWAIT_MS = 15_000;
    /** Long enough that no periodic SYNC runs during a test: every SYNC seen is a link-up or a gap. */
    private static final long NO_PERIODIC_SYNC_MS = 600_000;
    private static final Pattern LAST_APPLIED = Pattern.compile("peer0:.*,last_applied=(\\d+),");

    @TempDir
    Path root;

    private TestCluster cluster;
    private final List<MapdServer> mapds = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

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

    @Test
    void shouldNumberOwnChangesFromTheClockAndPushThemInOrderToThePeer() throws Exception
    {
        final FakePeer peer = fakePeer();
        final long startMs = System.currentTimeMillis();
        final MapdServer mapd = startMapd("mapd", NODE, List.of(peer.port()), TestCluster.MAX_VALUE, 1 << 10);
        final long startedMs = System.currentTimeMillis();
        awaitLivePeers(mapd, 1);

        final Map<String, byte[]> entries = entries("k", 300);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertTrue(MapdClient.failures(client.setAll(Opcodes.SET, entries)).isEmpty());
        }
        Await.until("300 changes pushed", AWAIT_MS, () -> peer.requests(Opcodes.REPLICATE).size() >= 300);

        final List<FakePeer.Request> pushes = peer.requests(Opcodes.REPLICATE);
        assertEquals(300, pushes.size(), "each change pushed once");
        final long first = ReplicateRequest.sequence(pushes.get(0).buf(), 0);
        assertTrue(first > startMs << HybridClock.COUNTER_BITS && first <= (startedMs << HybridClock.COUNTER_BITS) + 1,
            "a new mapd numbers from the clock, so a lost directory never reuses numbers: " + first);
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < pushes.size(); i++)
        {
            final ByteBuf frame = pushes.get(i).buf();
            assertEquals(first + i, ReplicateRequest.sequence(frame, 0), "consecutive and in order, push " + i);
            assertEquals(NODE, ReplicateRequest.originNode(frame, 0));
            final int change = ReplicateRequest.changeIndex(0);
            assertEquals(NODE, Change.versionNode(frame, change));
            keys.add(key(frame, change));
        }
        assertEquals(entries.keySet(), new TreeSet<>(keys), "every change pushed");
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final ByteBuf last = pushes.get(299).buf();
            final String key = key(last, ReplicateRequest.changeIndex(0));
            assertEquals(Change.version(last, ReplicateRequest.changeIndex(0)), client.exists(key).version(),
                "the pushed change is the one the grid holds");
        }
    }

    @Test
    void shouldPipelinePushesAndAnswerSetSafeOnlyOnceThePeerAcknowledged() throws Exception
    {
        final FakePeer peer = fakePeer();
        final MapdServer mapd = startMapd("mapd", NODE, List.of(peer.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);

        peer.holdAcks(true);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertTrue(MapdClient.failures(client.setAll(Opcodes.SET, entries("held", 100))).isEmpty(),
                "SET does not wait for peers");
            Await.until("100 pushes in flight at once", AWAIT_MS,
                () -> peer.requests(Opcodes.REPLICATE).size() >= 100, () -> "acked none, got " +
                    peer.requests(Opcodes.REPLICATE).size());

            final MapdClient.Reply unacked = client.setSafe("safe-1", bytes("v"));
            assertEquals(StatusCodes.OK, unacked.status());
            assertEquals(1, unacked.peersLive());
            assertEquals(0, unacked.peersAcked(), "the peer never acknowledged: answered after --peer-timeout-ms");

            peer.holdAcks(false);
            // The peer sent nothing for a whole --peer-timeout-ms with pushes in flight, so its link was taken for
            // dead and is being established again.
            awaitLivePeers(mapd, 1);
            final MapdClient.Reply acked = client.setSafe("safe-2", bytes("v"));
            assertEquals(StatusCodes.OK, acked.status());
            assertEquals(1, acked.peersLive());
            assertEquals(1, acked.peersAcked(), "answered once the peer acknowledged");
        }
    }

    @Test
    void shouldApplyAPeersChangesAndAskForTheMissingOnesWhenAGapShows() throws Exception
    {
        final FakePeer peer = fakePeer();
        final long v = versionNow();
        peer.syncAnswer((ctx, requestId, from) ->
        {
            if (from == 4)
            {
                final Map<String, Long> missed = new LinkedHashMap<>();
                missed.put("p4", v + 4);
                missed.put("p5", v + 5);
                FakePeer.writeSync(ctx, requestId, true, SyncResponse.MODE_BACKLOG, 4, missed);
                FakePeer.writeSync(ctx, requestId, false, SyncResponse.MODE_BACKLOG, 6, Map.of());
            }
            else
            {
                FakePeer.nothingMissed(ctx, requestId, from);
            }
        });
        final MapdServer mapd = startMapd("mapd", NODE, List.of(peer.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);
        Await.until("the link-up SYNC", AWAIT_MS, () -> peer.syncsFrom().size() == 1);
        assertEquals(List.of(1L), peer.syncsFrom(), "on link-up, from the first change not applied");
        assertEquals(PEER, SyncRequest.originNode(peer.requests(Opcodes.SYNC).get(0).buf(), 0),
            "asks for the peer's own changes");

        try (SocketClient pusher = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null);
            MapdClient client = new MapdClient(mapd.port()))
        {
            replicate(pusher, 1, PEER, "p1", v + 1, PEER);
            replicate(pusher, 2, PEER, "p2", v + 2, PEER);
            replicate(pusher, 3, PEER, "p3", v + 3, PEER);
            assertEquals(v + 2, client.exists("p2").version(), "applied");
            assertEquals(PEER, client.exists("p2").versionNode());
            assertEquals(3, lastApplied(mapd));
            assertTrue(info(mapd).contains("replication_gaps:0"), info(mapd));

            replicate(pusher, 2, PEER, "p2", v + 2, PEER);
            assertEquals(3, lastApplied(mapd), "a change already applied is acknowledged and changes nothing");
            assertTrue(info(mapd).contains("replication_gaps:0"), "a repeat is not a gap: " + info(mapd));

            replicate(pusher, 5, PEER, "p5", v + 5, PEER);
            assertEquals(v + 5, client.exists("p5").version(), "a change ahead of a gap is applied at once");
            Await.until("the missing change asked for and applied", AWAIT_MS, () -> lastApplied(mapd) == 5,
                () -> info(mapd) + " syncs from " + peer.syncsFrom());
            assertEquals(List.of(1L, 4L), peer.syncsFrom(), "the gap, and only the gap, asked for a SYNC from 4");
            assertEquals(v + 4, client.exists("p4").version(), "streamed by the SYNC");
            assertTrue(info(mapd).contains("replication_gaps:1"), info(mapd));

            replicate(pusher, 6, PEER, "p1", v, PEER);
            assertEquals(v + 1, client.exists("p1").version(), "an older version of a key loses");
            replicate(pusher, 7, PEER, "p1", v + 1, PEER + 1);
            assertEquals(PEER + 1, client.exists("p1").versionNode(), "an equal version from a higher node wins");
            assertEquals(7, lastApplied(mapd));
        }
    }

    @Test
    void shouldTakeASnapshotStreamAsEverythingUpToItsSequence() throws Exception
    {
        final FakePeer peer = fakePeer();
        final long v = versionNow();
        peer.syncAnswer((ctx, requestId, from) ->
        {
            final Map<String, Long> first = new LinkedHashMap<>();
            first.put("s1", v + 1);
            first.put("s2", v + 2);
            FakePeer.writeSync(ctx, requestId, true, SyncResponse.MODE_SNAPSHOT, 41, first);
            FakePeer.writeSync(ctx, requestId, true, SyncResponse.MODE_SNAPSHOT, 41, Map.of("s3", v + 3));
            FakePeer.writeSync(ctx, requestId, false, SyncResponse.MODE_SNAPSHOT, 42, Map.of());
        });
        final MapdServer mapd = startMapd("mapd", NODE, List.of(peer.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);
        Await.until("the snapshot applied", AWAIT_MS, () -> lastApplied(mapd) == 41, () -> info(mapd));
        assertTrue(info(mapd).contains("syncs=1,snapshots=1"), info(mapd));
        assertTrue(info(mapd).contains("replication_gaps:0"), "snapshot changes carry no sequence: " + info(mapd));

        try (SocketClient pusher = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null);
            MapdClient client = new MapdClient(mapd.port()))
        {
            for (final String key : List.of("s1", "s2", "s3"))
            {
                assertEquals(StatusCodes.OK, client.exists(key).status(), key);
            }
            replicate(pusher, 42, PEER, "live", v + 4, PEER);
            assertEquals(42, lastApplied(mapd), "the live stream goes on from the snapshot's sequence");
            assertTrue(info(mapd).contains("replication_gaps:0"), info(mapd));
        }
    }

    @Test
    void shouldAskAgainFromTheFirstChangeNotAppliedWhenTheLinkComesBack() throws Exception
    {
        final FakePeer peer = fakePeer();
        final MapdServer mapd = startMapd("mapd", NODE, List.of(peer.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);
        final long v = versionNow();
        try (SocketClient pusher = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            for (int sequence = 1; sequence <= 3; sequence++)
            {
                replicate(pusher, sequence, PEER, "p" + sequence, v + sequence, PEER);
            }
        }
        assertEquals(1, peer.connections());

        peer.dropConnections();
        Await.until("the link re-established and a SYNC asked", AWAIT_MS,
            () -> peer.connections() == 2 && !peer.requestsOn(2).isEmpty());
        final FakePeer.Request firstOnNewLink = peer.requestsOn(2).get(0);
        assertEquals(Opcodes.SYNC, firstOnNewLink.opcode(), "the first request after a reconnect is a SYNC");
        assertEquals(4, SyncRequest.fromSequence(firstOnNewLink.buf(), 0), "from the first change not applied");

        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, client.set("after", bytes("v")).status());
        }
        Await.until("pushes resume on the new link", AWAIT_MS, () -> peer.requestsOn(2).stream()
            .anyMatch(request -> request.opcode() == Opcodes.REPLICATE));
    }

    @Test
    void shouldSkipPushesWhileCutOffAndServeThemFromTheBacklogAfterwards() throws Exception
    {
        final FakePeer peer = fakePeer();
        final FaultyProxy proxy = new FaultyProxy(peer.port());
        closeables.add(proxy);
        final MapdServer mapd = startMapd("mapd", NODE, List.of(proxy.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(1, client.set("before", bytes("v")).peersLive());
            Await.until("pushed", AWAIT_MS, () -> peer.requests(Opcodes.REPLICATE).size() == 1);
            final long before = ReplicateRequest.sequence(peer.requests(Opcodes.REPLICATE).get(0).buf(), 0);

            proxy.partition();
            awaitLivePeers(mapd, 0);
            for (int i = 0; i < 5; i++)
            {
                assertEquals(0, client.set("cut-off-" + i, bytes("v")).peersLive(), "no live peer to push to");
            }
            assertEquals(1, peer.requests(Opcodes.REPLICATE).size(), "nothing pushed while cut off");

            try (SocketClient puller = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
            {
                final List<ByteBuf> stream = sync(puller, 9, before + 1);
                assertEquals(2, stream.size(), "one frame of changes, then the end frame");
                assertEquals(SyncResponse.MODE_BACKLOG, SyncResponse.mode(stream.get(0), 0));
                assertEquals(before + 1, SyncResponse.sequence(stream.get(0), 0));
                assertEquals(List.of("cut-off-0", "cut-off-1", "cut-off-2", "cut-off-3", "cut-off-4"),
                    keys(stream.get(0)), "the missed changes, in order");
                assertEquals(before + 6, SyncResponse.sequence(stream.get(1), 0), "then the next live sequence");
            }
        }
    }

    @Test
    void shouldAnswerSyncFromTheBacklogWhileItReachesBackAndWithASnapshotOnceItMovedOn() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdServer mapd = startMapd("mapd", NODE, List.of(), TestCluster.MAX_VALUE, 16);
        try (MapdClient client = new MapdClient(mapd.port());
            SocketClient puller = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            for (int i = 1; i <= 10; i++)
            {
                assertEquals(StatusCodes.OK, client.set("a" + i, bytes("v")).status());
            }
            final List<ByteBuf> full = sync(puller, 1, 1);
            assertEquals(SyncResponse.MODE_SNAPSHOT, SyncResponse.mode(full.get(0), 0),
                "sequence 1 was never this mapd's: it numbers from the clock");
            final long newest = SyncResponse.sequence(full.get(full.size() - 1), 0) - 1;
            assertEquals(10, allKeys(full).size());
            assertEquals(allKeys(full), allKeys(sync(puller, 2, 0)), "from 0 counts as from 1");

            final List<ByteBuf> tail = sync(puller, 3, newest - 6);
            assertEquals(SyncResponse.MODE_BACKLOG, SyncResponse.mode(tail.get(0), 0));
            assertEquals(List.of("a4", "a5", "a6", "a7", "a8", "a9", "a10"), allKeys(tail));
            assertEquals(newest + 1, SyncResponse.sequence(tail.get(tail.size() - 1), 0));

            final List<ByteBuf> upToDate = sync(puller, 4, newest + 1);
            assertEquals(1, upToDate.size(), "nothing missed: the end frame alone");
            assertEquals(newest + 1, SyncResponse.sequence(upToDate.get(0), 0));

            for (int i = 11; i <= 40; i++)
            {
                assertEquals(StatusCodes.OK, client.set("a" + i, bytes("v")).status());
            }
            final List<ByteBuf> fellOff = sync(puller, 5, newest - 6);
            assertEquals(SyncResponse.MODE_SNAPSHOT, SyncResponse.mode(fellOff.get(0), 0), "the backlog holds 16");
            assertEquals(40, allKeys(fellOff).size());
            assertEquals(newest + 31, SyncResponse.sequence(fellOff.get(fellOff.size() - 1), 0));

            final List<ByteBuf> lastSixteen = sync(puller, 6, newest + 30 - 15);
            assertEquals(SyncResponse.MODE_BACKLOG, SyncResponse.mode(lastSixteen.get(0), 0));
            assertEquals(16, allKeys(lastSixteen).size());
            assertEquals("a25", allKeys(lastSixteen).get(0));
        }
    }

    @Test
    void shouldGoOnNumberingAfterARestart() throws Exception
    {
        final FakePeer peer = fakePeer();
        MapdServer mapd = startMapd("mapd", NODE, List.of(peer.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.set("one", bytes("v"));
            client.set("two", bytes("v"));
        }
        Await.until("pushed", AWAIT_MS, () -> peer.requests(Opcodes.REPLICATE).size() == 2);
        final long second = ReplicateRequest.sequence(peer.requests(Opcodes.REPLICATE).get(1).buf(), 0);

        mapd = restart(mapd, List.of(peer.port()));
        awaitLivePeers(mapd, 1);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            client.set("three", bytes("v"));
        }
        Await.until("pushed after the restart", AWAIT_MS, () -> peer.requests(Opcodes.REPLICATE).size() == 3);
        assertEquals(second + 1, ReplicateRequest.sequence(peer.requests(Opcodes.REPLICATE).get(2).buf(), 0),
            "a restarted mapd goes on from its last number");
    }

    @Test
    void shouldMoveItsClockPastAPeersVersion() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final MapdServer mapd = startMapd("mapd", NODE, List.of(), TestCluster.MAX_VALUE, 1 << 10);
        final long future = versionNow() + (TimeUnit.HOURS.toMillis(1) << HybridClock.COUNTER_BITS);
        try (SocketClient pusher = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null);
            MapdClient client = new MapdClient(mapd.port()))
        {
            replicate(pusher, 1, PEER, "k", future, PEER);
            assertEquals(PEER, client.exists("k").versionNode());

            final MapdClient.Reply written = client.set("k", bytes("mine"));
            assertTrue(written.version() > future, "a peer an hour ahead moves this mapd's clock past it");
            assertEquals(NODE, client.exists("k").versionNode(), "so a write after it wins");
        }
    }

    @Test
    void shouldStillWinOverAPeersFutureVersionAfterARestart() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        MapdServer mapd = startMapd("mapd", NODE, List.of(), TestCluster.MAX_VALUE, 1 << 10);
        final long future = versionNow() + (TimeUnit.HOURS.toMillis(1) << HybridClock.COUNTER_BITS);
        try (SocketClient pusher = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            replicate(pusher, 1, PEER, "k", future, PEER);
        }

        mapd = restart(mapd, List.of());
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(future, client.exists("k").version(), "recovered");
            final MapdClient.Reply written = client.set("k", bytes("mine"));
            assertEquals(StatusCodes.OK, written.status());
            assertTrue(written.version() > future, "the clock is past every version the grid recovered: " +
                written.version() + " after " + future);
            assertEquals(NODE, client.exists("k").versionNode(), "read-your-writes: the write after the restart wins");
        }
    }

    @Test
    void shouldCatchUpALongBacklogBetweenMapdsWithASmallMaxValue() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int portA = Ports.unused(1)[0];
        final int portB = Ports.unused(1)[0];
        // --max-value 4k: each mapd reads frames of at most 4 KiB + FRAME_OVERHEAD.
        final MapdConfig a = config("a", 1, portA, List.of(portB), 4096, 100, 1 << 14);
        final MapdConfig b = config("b", 2, portB, List.of(portA), 4096, 100, 1 << 14);
        start(a);
        MapdServer mapdB = start(b);
        try (MapdClient client = new MapdClient(portA))
        {
            assertEquals(StatusCodes.OK, client.set("first", bytes("v")).status());
        }
        Convergence.awaitConverged(AWAIT_MS, Set.of("first"), portA, portB);

        mapdB.close();
        mapds.set(mapds.indexOf(mapdB), null);
        final Set<String> written = new HashSet<>(Set.of("first"));
        try (MapdClient client = new MapdClient(portA))
        {
            // 3000 changes of 52 bytes: one BACKLOG frame of them all would exceed B's 132 KiB frame limit.
            for (int batch = 0; batch < 12; batch++)
            {
                final Map<String, byte[]> batchEntries = entries("missed" + (char)('a' + batch), 250);
                final List<String> failed = MapdClient.failures(client.setAll(Opcodes.SET, batchEntries));
                assertTrue(failed.isEmpty(), failed.toString());
                written.addAll(batchEntries.keySet());
            }
        }
        mapdB = start(b);
        try
        {
            Convergence.awaitConverged(60_000, written, portA, portB);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError(e.getMessage() + "\nB: " + info(mapdB), e);
        }
        assertEquals(3001, GridDump.of(portB).size());
        assertTrue(info(mapdB).contains("snapshots=0"), "caught up from the backlog: " + info(mapdB));
    }

    private FakePeer fakePeer() throws Exception
    {
        if (cluster == null)
        {
            cluster = TestCluster.builder(root).logds(2).start();
        }
        final FakePeer peer = new FakePeer();
        closeables.add(peer);
        return peer;
    }

    private MapdConfig config(final String dirName, final int nodeId, final int port, final List<Integer> peerPorts,
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

    private MapdServer startMapd(final String dirName, final int nodeId, final List<Integer> peerPorts,
        final int maxValue, final int backlog) throws Exception
    {
        return start(config(dirName, nodeId, 0, peerPorts, maxValue, NO_PERIODIC_SYNC_MS, backlog));
    }

    private MapdServer start(final MapdConfig config) throws Exception
    {
        final MapdServer mapd = MapdServer.start(config);
        mapds.add(mapd);
        mapd.whenLogdsHealthy(2).get(10, TimeUnit.SECONDS);
        return mapd;
    }

    private MapdServer restart(final MapdServer mapd, final List<Integer> peerPorts) throws Exception
    {
        mapd.close();
        mapds.set(mapds.indexOf(mapd), null);
        return startMapd("mapd", NODE, peerPorts, TestCluster.MAX_VALUE, 1 << 10);
    }

    private static void awaitLivePeers(final MapdServer mapd, final int live) throws Exception
    {
        Await.until(live + " live peers", AWAIT_MS, () -> mapd.onDataPath(mapd::livePeers) == live);
    }

    private static String info(final MapdServer mapd) throws Exception
    {
        return mapd.onDataPath(mapd::replicationInfo);
    }

    private static long lastApplied(final MapdServer mapd) throws Exception
    {
        final Matcher matcher = LAST_APPLIED.matcher(info(mapd));
        assertTrue(matcher.find(), info(mapd));
        return Long.parseLong(matcher.group(1));
    }

    private static long versionNow()
    {
        return System.currentTimeMillis() << HybridClock.COUNTER_BITS;
    }

    private static Map<String, byte[]> entries(final String prefix, final int count)
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
    private static void replicate(final SocketClient pusher, final long sequence, final int origin, final String key,
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
    private static List<ByteBuf> sync(final SocketClient puller, final long requestId, final long from)
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

    private static List<String> keys(final ByteBuf frame)
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

    private static List<String> allKeys(final List<ByteBuf> frames)
    {
        final List<String> keys = new ArrayList<>();
        for (final ByteBuf frame : frames)
        {
            keys.addAll(keys(frame));
        }
        return keys;
    }

    private static String key(final ByteBuf frame, final int change)
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
