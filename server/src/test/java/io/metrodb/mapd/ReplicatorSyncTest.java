package io.metrodb.mapd;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.fault.LinkProxy;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication's catch-up, against real sockets (see {@link ReplicatorTestBase}): the SYNC asked on link-up, on a gap
 * and after a reconnect, taking a snapshot stream, the SYNC answered from the backlog or as a snapshot, and catch-up
 * between two real mapds.
 */
class ReplicatorSyncTest extends ReplicatorTestBase
{
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
        final LinkProxy proxy = new LinkProxy("mapd->peer", TestCluster.HOST, peer.port());
        closeables.add(proxy);
        final MapdServer mapd = startMapd("mapd", NODE, List.of(proxy.port()), TestCluster.MAX_VALUE, 1 << 10);
        awaitLivePeers(mapd, 1);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertEquals(1, client.set("before", bytes("v")).peersLive());
            Await.until("pushed", AWAIT_MS, () -> peer.requests(Opcodes.REPLICATE).size() == 1);
            final long before = ReplicateRequest.sequence(peer.requests(Opcodes.REPLICATE).get(0).buf(), 0);

            proxy.drop();
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
}
