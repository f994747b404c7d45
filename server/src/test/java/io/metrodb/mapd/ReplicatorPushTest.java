package io.metrodb.mapd;

import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.Change;
import io.metrodb.protocol.mapd.ReplicateRequest;
import io.metrodb.protocol.mapd.SyncRequest;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication's push side and clock, against real sockets (see {@link ReplicatorTestBase}): the numbering of own
 * changes, in-order pipelined pushes and SETSAFE waiting for the peer, applying a peer's changes with gap detection,
 * and the numbering and the clock across a restart and a peer's versions.
 */
class ReplicatorPushTest extends ReplicatorTestBase
{
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
            final List<String> failed = MapdClient.failures(client.setAll(Opcodes.SET, entries));
            assertTrue(failed.isEmpty(), "SETs failed: " + failed);
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
}
