package io.metrodb.mapd;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.ResponseListener;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.protocol.Ping;
import io.metrodb.server.NettyServer;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mapd's pool of logd connections against real logds on loopback (node ids 100, 101, 102): each known by the
 * id it announced, the choice rule (healthy, not excluded, least loaded, ties round-robin), logds marked down by
 * the cluster view or gone away skipped (a write falls back to one marked down when no other is left, and a
 * reconnection clears the mark), and a logd that comes back, a node that is not a logd, and a logd that refuses the
 * token.
 */
class LogdPoolTest
{
    private static final long AWAIT_MS = 15_000;
    private static final int[] NO_EXCLUDE = new int[0];

    @TempDir
    Path root;

    private TestCluster cluster;
    private EventLoopGroup group;
    private EventLoop loop;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startLoop()
    {
        group = Transports.newEventLoopGroup(1, "logd-pool-test");
        loop = group.next();
    }

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldKnowEachLogdByTheNodeIdItAnnounced() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        assertEquals(3, pool.size());
        onLoop(() ->
        {
            for (int i = 0; i < 3; i++)
            {
                assertSame(pool.connection(i), pool.byNodeId(100 + i), "logd " + (100 + i) + " by its HELLO");
                assertSame(pool.connection(i), pool.usable(100 + i));
                assertEquals(cluster.logdPorts()[i], pool.connection(i).address().getPort(), "in --logds order");
            }
            assertNull(pool.byNodeId(103), "no such logd");
            assertNull(pool.byNodeId(0));
            return null;
        });
    }

    @Test
    void shouldSpreadChoicesEvenlyWhenEveryLogdIsIdle() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        final Map<Integer, Integer> chosen = onLoop(() -> countChoices(pool, 300, NO_EXCLUDE, 0));
        assertEquals(Map.of(100, 100, 101, 100, 102, 100), chosen, "ties go round-robin");
        onLoop(() ->
        {
            final Set<Integer> three = new HashSet<>();
            for (int i = 0; i < 3; i++)
            {
                three.add(pool.choose(NO_EXCLUDE, 0).hello().nodeId());
            }
            assertEquals(3, three.size(), "three choices in a row go to three logds: " + three);
            return null;
        });
    }

    @Test
    void shouldOfferAWriteEachLogdOnceBetweenWaitsAndNeverItsSlotsFailedOrFullLogdsAfterOne() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            final AppendSlots slots = new AppendSlots();
            slots.reset(2);
            final Set<Integer> chosen = new HashSet<>();
            chosen.add(slots.nextLogd(pool, 0).hello().nodeId());
            slots.close(0);
            chosen.add(slots.nextLogd(pool, 1).hello().nodeId());
            chosen.add(slots.nextLogd(pool, 1).hello().nodeId());
            assertEquals(Set.of(100, 101, 102), chosen, "each logd once");
            assertNull(slots.nextLogd(pool, 1), "no logd twice before a wait");

            // After a wait: every logd again but slot 0's (it holds an append of the write).
            final int held = slots.logd(0);
            slots.restartChoice(2);
            final int first = slots.nextLogd(pool, 1).hello().nodeId();
            final int second = slots.nextLogd(pool, 1).hello().nodeId();
            assertEquals(Set.of(100, 101, 102), new HashSet<>(List.of(held, first, second)),
                "slot 0's logd not offered again");
            assertNull(slots.nextLogd(pool, 1));

            // A logd that failed a force and a full one stay out after every wait, however often they were excluded.
            slots.exclude(first);
            for (int i = 0; i < 1_000; i++)
            {
                slots.exclude(second);
            }
            slots.restartChoice(2);
            assertNull(slots.nextLogd(pool, 1), "slot 0's, the failed force's and the full logd are all out");
            slots.open(0);
            slots.restartChoice(2);
            assertEquals(held, slots.nextLogd(pool, 0).hello().nodeId(), "an open slot's logd may be tried again");
            return null;
        });
    }

    @Test
    void shouldChooseTheLeastLoadedLogd() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            // Answers are read on this loop, so nothing completes while this task runs.
            ping(pool.connection(0));
            ping(pool.connection(0));
            ping(pool.connection(1));
            assertEquals(2, pool.connection(0).inFlight());
            for (int i = 0; i < 6; i++)
            {
                assertEquals(102, pool.choose(NO_EXCLUDE, 0).hello().nodeId(), "the only idle logd, choice " + i);
            }
            for (int i = 0; i < 6; i++)
            {
                assertEquals(101, pool.choose(new int[] {102}, 1).hello().nodeId(), "1 in flight beats 2");
            }
            ping(pool.connection(2));
            ping(pool.connection(2));
            ping(pool.connection(2));
            assertEquals(101, pool.choose(NO_EXCLUDE, 0).hello().nodeId(), "now the least loaded");
            return null;
        });
        Await.until("the pings answered", AWAIT_MS, () -> onLoop(() ->
            pool.connection(0).inFlight() + pool.connection(1).inFlight() + pool.connection(2).inFlight() == 0));
        assertEquals(Map.of(100, 10, 101, 10, 102, 10), onLoop(() -> countChoices(pool, 30, NO_EXCLUDE, 0)),
            "even again once idle");
    }

    @Test
    void shouldNotChooseALogdAlreadyHoldingTheRecord() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            assertEquals(Map.of(102, 30), countChoices(pool, 30, new int[] {100, 101}, 2));
            assertEquals(Set.of(101, 102), countChoices(pool, 30, new int[] {100, 101, 102}, 1).keySet(),
                "only the first excludeCount entries exclude");
            assertNull(pool.choose(new int[] {101, 100, 102}, 3), "no healthy logd left");
            return null;
        });
    }

    @Test
    void shouldSkipALogdMarkedDownUntilItIsMarkedUp() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            pool.markDown(101, true);
            assertTrue(pool.isMarkedDown(101));
            assertEquals(2, pool.healthyCount());
            assertEquals(Set.of(100, 102), countChoices(pool, 30, NO_EXCLUDE, 0).keySet(), "writes avoid it");
            assertNull(pool.usable(101), "not usable for writes or probes");
            assertSame(pool.connection(1), pool.byNodeId(101), "still connected: GETs may read from it");

            pool.markDown(101, false);
            assertFalse(pool.isMarkedDown(101));
            assertEquals(3, pool.healthyCount());
            assertEquals(Map.of(100, 10, 101, 10, 102, 10), countChoices(pool, 30, NO_EXCLUDE, 0));
            return null;
        });
    }

    @Test
    void shouldTakeLogdStatesFromTheClusterView() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            pool.applyViewState(100, ClusterView.NODE_UP);
            pool.applyViewState(101, ClusterView.NODE_SUSPECT);
            pool.applyViewState(102, ClusterView.NODE_DOWN);
            assertEquals(0, pool.readRank(100), "UP read first");
            assertEquals(1, pool.readRank(101), "then SUSPECT");
            assertEquals(2, pool.readRank(102), "then DOWN");
            assertEquals(0, pool.readRank(7), "not in the view: as UP");
            assertFalse(pool.isMarkedDown(101), "SUSPECT still takes writes");
            assertTrue(pool.isMarkedDown(102), "DOWN does not");
            assertEquals(Set.of(100, 101), countChoices(pool, 20, NO_EXCLUDE, 0).keySet());

            pool.applyViewState(102, ClusterView.NODE_UP);
            assertFalse(pool.isMarkedDown(102), "UP again in a newer view");
            pool.applyViewState(100, ClusterView.NODE_DOWN);
            pool.clearViewStates();
            for (int id = 100; id <= 102; id++)
            {
                assertFalse(pool.isMarkedDown(id), "cleared: " + id);
                assertEquals(0, pool.readRank(id), "cleared: " + id);
            }
            assertEquals(3, pool.healthyCount());
            return null;
        });
    }

    /**
     * mond's DOWN is a hint for writes: a logd marked down is chosen only when no other connected logd is left,
     * however loaded the others are; probes and repairs ({@code choose}) still keep off it.
     */
    @Test
    void shouldWriteToALogdMarkedDownOnlyWhenNoOtherIsLeft() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            pool.applyViewState(102, ClusterView.NODE_DOWN);
            assertEquals(2, pool.healthyCount());
            assertEquals(3, pool.writableCount(), "connected, so writable");
            ping(pool.connection(0));
            ping(pool.connection(1));
            assertEquals(Set.of(100, 101), countWriteChoices(pool, 30, NO_EXCLUDE, 0).keySet(),
                "the idle logd marked down is not preferred to loaded ones");
            assertEquals(Map.of(101, 10), countWriteChoices(pool, 10, new int[] {100}, 1));
            assertEquals(Map.of(102, 10), countWriteChoices(pool, 10, new int[] {100, 101}, 2),
                "the last connected logd takes the write although marked down");
            assertNull(pool.choose(new int[] {100, 101}, 2), "but not a repair's copy");
            assertNull(pool.usable(102), "nor a probe's read");
            assertNull(pool.chooseForWrite(new int[] {100, 101, 102}, 3), "none left");
            return null;
        });
    }

    /**
     * A logd the view says is DOWN, stopped and started again: the mapd's new connection to it clears the mark
     * (mond may be down, or not have seen it back yet), so it takes writes and probes again at once.
     */
    @Test
    void shouldClearADownMarkWhenTheLogdReconnects() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);
        onLoop(() ->
        {
            pool.applyViewState(101, ClusterView.NODE_DOWN);
            return null;
        });
        cluster.stopLogd(1);
        Await.until("the lost logd no longer connected", AWAIT_MS, () -> onLoop(pool::writableCount) == 2);
        assertTrue(onLoop(() -> pool.isMarkedDown(101)), "still marked down while away");
        final long connects = onLoop(() -> pool.connection(1).connects());

        cluster.startLogd(1);
        Await.until("reconnected", AWAIT_MS, () -> onLoop(() -> pool.connection(1).connects()) > connects);
        onLoop(() ->
        {
            assertFalse(pool.isMarkedDown(101), "the new connection outranks the view");
            assertEquals(0, pool.readRank(101));
            assertSame(pool.connection(1), pool.usable(101));
            assertEquals(3, pool.healthyCount());
            assertEquals(Map.of(100, 10, 101, 10, 102, 10), countChoices(pool, 30, NO_EXCLUDE, 0));

            pool.applyViewState(101, ClusterView.NODE_DOWN);
            assertTrue(pool.isMarkedDown(101), "a newer view saying DOWN marks it again");
            return null;
        });
    }

    @Test
    void shouldStopChoosingALogdThatWentAwayAndTakeItBackWhenItReturns() throws Exception
    {
        final LogdPool pool = startPool(3, null);
        awaitHealthy(pool, 3);

        cluster.stopLogd(1);
        Await.until("the lost logd no longer healthy", AWAIT_MS, () -> onLoop(pool::healthyCount) == 2,
            () -> onLoop(() -> "ready " + pool.connection(0).isReady() + pool.connection(1).isReady() +
                pool.connection(2).isReady() + " connects " + pool.connection(1).connects()));
        onLoop(() ->
        {
            assertNull(pool.byNodeId(101), "not connected");
            assertNull(pool.usable(101));
            assertEquals(Set.of(100, 102), countChoices(pool, 30, NO_EXCLUDE, 0).keySet());
            return null;
        });
        final CompletableFuture<Void> three = whenHealthy(pool, 3);
        assertFalse(three.isDone(), "two of three");

        cluster.startLogd(1);
        three.get(AWAIT_MS, TimeUnit.MILLISECONDS);
        onLoop(() ->
        {
            assertSame(pool.connection(1), pool.byNodeId(101), "reconnected");
            assertEquals(Map.of(100, 10, 101, 10, 102, 10), countChoices(pool, 30, NO_EXCLUDE, 0));
            return null;
        });
    }

    @Test
    void shouldWaitForALogdThatIsNotUpYet() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        final int latePort = Ports.unused(1)[0];
        final LogdPool pool = startPool(List.of(address(cluster.logdPorts()[0]), address(cluster.logdPorts()[1]),
            address(latePort)), null);
        awaitHealthy(pool, 2);
        assertTrue(whenHealthy(pool, 1).isDone(), "already enough: completes at once");
        final CompletableFuture<Void> three = whenHealthy(pool, 3);
        assertEquals(2, onLoop(pool::healthyCount));
        assertNull(onLoop(() -> pool.choose(new int[] {100, 101}, 2)), "nothing else to choose");
        assertFalse(three.isDone());

        final LogdServer late = startLogd("late", latePort, 102, null);
        closeables.add(late);
        three.get(AWAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(102, onLoop(() -> pool.choose(new int[] {100, 101}, 2).hello().nodeId()));
    }

    /**
     * A logd restarted at the same address under another node id does not hold the old id's replicas: the old id
     * must find no connection (a READ for it would reach the wrong store and count as a data error).
     */
    @Test
    void shouldForgetANodeIdWhenTheLogdAtItsAddressComesBackUnderAnother() throws Exception
    {
        final int port = Ports.unused(1)[0];
        final LogdPool pool = startPool(List.of(address(port)), null);
        try (LogdServer before = startLogd("before", port, 100, null))
        {
            awaitHealthy(pool, 1);
            assertSame(onLoop(() -> pool.connection(0)), onLoop(() -> pool.byNodeId(100)));
        }

        final LogdServer after = startLogd("after", port, 150, null);
        closeables.add(after);
        Await.until("reconnected to node 150", AWAIT_MS, () -> onLoop(() -> pool.byNodeId(150) != null));
        onLoop(() ->
        {
            assertSame(pool.connection(0), pool.byNodeId(150));
            assertNull(pool.byNodeId(100), "node 100 is not at that address any more");
            assertNull(pool.usable(100));
            return null;
        });
    }

    @Test
    void shouldNotUseANodeThatIsNotALogd() throws Exception
    {
        cluster = TestCluster.builder(root).logds(1).start();
        final NettyServer mapd = NettyServer.start("not-a-logd", TestCluster.HOST, 0, 1,
            new HandshakeConfig(Roles.MAPD, 77, null, ProtocolLimits.frameLengthFor(TestCluster.MAX_VALUE)),
            ChannelInboundHandlerAdapter::new);
        closeables.add(mapd);
        final LogdPool pool = startPool(List.of(address(cluster.logdPorts()[0]), address(mapd.port())), null);
        awaitHealthy(pool, 1);
        Await.until("connected to the mapd", AWAIT_MS, () -> onLoop(() -> pool.connection(1).isReady()));
        onLoop(() ->
        {
            assertEquals(1, pool.healthyCount(), "a mapd in --logds is not counted");
            assertNull(pool.byNodeId(77));
            assertEquals(Map.of(100, 20), countChoices(pool, 20, NO_EXCLUDE, 0), "nor written to");
            return null;
        });
    }

    @Test
    void shouldUseOnlyOneOfTwoLogdsClaimingTheSameNodeId() throws Exception
    {
        final LogdServer first = startLogd("first", 0, 100, null);
        closeables.add(first);
        final LogdServer twin = startLogd("twin", 0, 100, null);
        closeables.add(twin);
        final LogdPool pool = startPool(List.of(address(first.port()), address(twin.port())), null);
        awaitHealthy(pool, 1);
        Await.until("both connected", AWAIT_MS,
            () -> onLoop(() -> pool.connection(0).isReady() && pool.connection(1).isReady()));
        onLoop(() ->
        {
            assertEquals(1, pool.healthyCount());
            final PeerConnection holder = pool.byNodeId(100);
            assertNotNull(holder);
            for (int i = 0; i < 10; i++)
            {
                assertSame(holder, pool.choose(NO_EXCLUDE, 0), "only the first to answer HELLO is used");
            }
            return null;
        });
    }

    @Test
    void shouldNotUseALogdThatRefusesTheToken() throws Exception
    {
        final LogdServer guarded = startLogd("guarded", 0, 100, "s3cret");
        closeables.add(guarded);
        final LogdPool wrong = startPool(List.of(address(guarded.port())), "wrong");
        final LogdPool right = startPool(List.of(address(guarded.port())), "s3cret");
        awaitHealthy(right, 1);
        final CompletableFuture<Void> refused = whenHealthy(wrong, 1);
        assertEquals(1, onLoop(right::healthyCount), "the right token is let in");
        assertEquals(0, onLoop(wrong::healthyCount), "the wrong one is not");
        assertFalse(onLoop(() -> wrong.connection(0).isReady()));
        assertNull(onLoop(() -> wrong.choose(NO_EXCLUDE, 0)));
        assertFalse(refused.isDone());
    }

    private LogdPool startPool(final int logds, final String token) throws Exception
    {
        cluster = TestCluster.builder(root).logds(logds).start();
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int port : cluster.logdPorts())
        {
            addresses.add(address(port));
        }
        return startPool(addresses, token);
    }

    private LogdPool startPool(final List<InetSocketAddress> addresses, final String token)
    {
        final LogdPool pool = new LogdPool(loop, addresses,
            new HandshakeConfig(Roles.MAPD, 1, token, ProtocolLimits.frameLengthFor(TestCluster.MAX_VALUE)), 64, 5_000);
        closeables.add(pool);
        pool.start();
        return pool;
    }

    private LogdServer startLogd(final String name, final int port, final int nodeId, final String token)
        throws Exception
    {
        final int maxEntry = 1 << 16;
        final LogConfig log = new LogConfig()
            .directory(root.resolve(name))
            .segmentLength(TestCluster.SEGMENT_LENGTH)
            .maxEntryLength(maxEntry)
            .validate();
        return LogdServer.start(new LogdConfig(TestCluster.HOST, port, nodeId, token, 1,
            ProtocolLimits.frameLengthFor(maxEntry), log));
    }

    private static InetSocketAddress address(final int port)
    {
        return new InetSocketAddress(TestCluster.HOST, port);
    }

    private <T> T onLoop(final Callable<T> task) throws Exception
    {
        return loop.submit(task).get(AWAIT_MS, TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Void> whenHealthy(final LogdPool pool, final int healthy) throws Exception
    {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        onLoop(() ->
        {
            pool.whenHealthy(healthy, future);
            return null;
        });
        return future;
    }

    private void awaitHealthy(final LogdPool pool, final int healthy) throws Exception
    {
        whenHealthy(pool, healthy).get(AWAIT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * @return how many of {@code n} choices went to each logd (by node id); fails on a null choice.
     */
    private static Map<Integer, Integer> countChoices(final LogdPool pool, final int n, final int[] exclude,
        final int excludeCount)
    {
        final Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++)
        {
            final PeerConnection chosen = pool.choose(exclude, excludeCount);
            assertNotNull(chosen, "choice " + i);
            counts.merge(chosen.hello().nodeId(), 1, Integer::sum);
        }
        return counts;
    }

    private static Map<Integer, Integer> countWriteChoices(final LogdPool pool, final int n, final int[] exclude,
        final int excludeCount)
    {
        final Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++)
        {
            final PeerConnection chosen = pool.chooseForWrite(exclude, excludeCount);
            assertNotNull(chosen, "choice " + i);
            counts.merge(chosen.hello().nodeId(), 1, Integer::sum);
        }
        return counts;
    }

    private static void ping(final PeerConnection connection)
    {
        final long id = connection.send((out, requestId) -> Ping.encodeRequest(out, requestId, 42), IGNORE, 0);
        assertTrue(id >= 0, "sent: " + id);
    }

    private static final ResponseListener IGNORE = new ResponseListener()
    {
        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
        }

        @Override
        public void onFailure(final long token, final short status)
        {
        }
    };
}
