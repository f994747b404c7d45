package io.metrodb.mapd;

import io.metrodb.mapd.grid.GridEntry;
import io.metrodb.mapd.grid.GridKeys;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A logd killed after it answered a SETSAFE record's offset and before its forced answer does not fail the SETSAFE
 * while another logd can take the record: the mapd appends it again to that logd and, once forced, gives the key the
 * new replica list (grid, journal, peers), then answers OK. Real logds (two, in this JVM) and two real mapds (peers,
 * RF 2); the first mapd's third logd is {@link ForceDyingLogd}, which dies between the two answers of its first
 * offset-first APPEND.
 */
class SetSafeReappendTest
{
    /** Generous: the test waits for each event, however slowly a loaded 2-core machine gets there. */
    private static final long AWAIT_MS = 60_000;
    private static final int DYING_LOGD_ID = 50;

    @TempDir
    Path root;

    private TestCluster cluster;
    private ForceDyingLogd dying;
    private final List<ForceHoldingLogd> holding = new ArrayList<>();
    private MapdServer writer;
    private MapdServer peer;

    @AfterEach
    void stop() throws Exception
    {
        if (writer != null)
        {
            writer.close();
        }
        if (peer != null)
        {
            peer.close();
        }
        if (dying != null)
        {
            dying.close();
        }
        for (final ForceHoldingLogd logd : holding)
        {
            logd.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldAppendAgainToAnotherLogdWhenALogdDiesBeforeForcing() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        dying = new ForceDyingLogd(DYING_LOGD_ID);
        final int[] ports = Ports.unused(2);
        final List<InetSocketAddress> real = cluster.logdAddresses();
        writer = MapdServer.start(config("writer", 11, ports[0],
            List.of(dying.address(), real.get(0), real.get(1)), ports[1]), false);
        peer = MapdServer.start(config("peer", 12, ports[1], real, ports[0]), false);
        writer.whenLogdsHealthy(3).get(AWAIT_MS, TimeUnit.MILLISECONDS);
        peer.whenLogdsHealthy(2).get(AWAIT_MS, TimeUnit.MILLISECONDS);
        Await.until("the mapds see each other", AWAIT_MS, () ->
            writer.onDataPath(writer::livePeers) == 1 && peer.onDataPath(peer::livePeers) == 1);

        try (MapdClient client = new MapdClient(writer.port()))
        {
            // RF 2 of 3 logds, least loaded first and ties in turn: within a few SETSAFEs one goes to the dying logd.
            String victim = null;
            MapdClient.Reply reply = null;
            for (int i = 0; i < 12 && victim == null; i++)
            {
                reply = client.setSafe("k" + i, bytes("value-" + i));
                if (dying.isDead())
                {
                    victim = "k" + i;
                }
                else
                {
                    assertEquals(StatusCodes.OK, reply.status(), "k" + i + ": " + reply.message());
                }
            }
            assertNotNull(victim, "no SETSAFE went to the dying logd");
            // On the code before the re-append: STORAGE_ERROR "logd 50 took the record but did not force it".
            assertEquals(StatusCodes.OK, reply.status(), victim + ": " + StatusCodes.name(reply.status()) + " " +
                reply.message());
            assertEquals(1, dying.appends(), "the dying logd got the record once, and never again");
            assertEquals(1, writer.counters().get(MapdCounter.FORCE_REAPPENDS), "one record appended again");
            assertEquals(0, writer.counters().get(MapdCounter.FORCE_FAILURES), "no write failed its force");

            final Set<Integer> realIds = Set.of(TestCluster.logdId(0), TestCluster.logdId(1));
            assertEquals(realIds, replicas(writer, victim, reply.version()),
                "the writer's grid names the logd that took the record again, not the dead one");
            final String key = victim;
            final long version = reply.version();
            Await.until("the peer holds the new replica list of " + key, AWAIT_MS,
                () -> realIds.equals(replicas(peer, key, version)));

            final String index = victim.substring(1);
            assertArrayEquals(bytes("value-" + index), client.get(victim).value(), "read back from the writer");
            try (MapdClient other = new MapdClient(peer.port()))
            {
                assertArrayEquals(bytes("value-" + index), other.get(victim).value(), "read back from the peer");
            }
            // The writer goes on over the two logds left.
            assertEquals(StatusCodes.OK, client.setSafe("after", bytes("after")).status());
        }
    }

    /**
     * A logd that answers its force with an error: the record goes to the third logd, the SETSAFE is answered only
     * once that logd forced it, and the key's replicas name it. A second SETSAFE whose key is written again (SET)
     * while its record is appended again: OK, and the later SET stays (the new replica list is not installed over
     * it). Three fake logds whose forces end when the test says.
     */
    @Test
    void shouldAnswerOnceTheRecordIsForcedElsewhereAndNeverUndoALaterWrite() throws Exception
    {
        for (int id = 1; id <= 3; id++)
        {
            holding.add(new ForceHoldingLogd(id));
        }
        final List<InetSocketAddress> addresses = new ArrayList<>();
        holding.forEach(logd -> addresses.add(logd.address()));
        writer = MapdServer.start(new MapdConfig(TestCluster.HOST, 0, root.resolve("writer"), 7, addresses, 2,
            TestCluster.MAX_VALUE, null, 5_000, 0, 0).withLocalReads(false), false);
        writer.whenLogdsHealthy(3).get(AWAIT_MS, TimeUnit.MILLISECONDS);

        try (MapdClient client = new MapdClient(writer.port()); MapdClient other = new MapdClient(writer.port()))
        {
            final long version = failOneForce(client, 1, "k1");
            final int spare = holderOfReappend();
            // Pipelined on the same connection: EXISTS is answered first, the SETSAFE still waits for the force.
            client.socket().send(out -> KeyRequest.encode(out, 2, Opcodes.EXISTS, (byte)0, bytes("k1")));
            assertEquals(2, readReply(client).requestId(), "the SETSAFE is not answered before its record is forced");
            holding.get(spare - 1).answerForced(StatusCodes.OK);
            final Reply reply = readReply(client);
            assertEquals(1, reply.requestId());
            assertEquals(StatusCodes.OK, reply.status(), reply.message());
            assertEquals(Set.of(firstForced, spare), replicas(writer, "k1", version),
                "the replicas are the logd that forced and the one that took the record again");
            assertEquals(1, writer.counters().get(MapdCounter.FORCE_REAPPENDS));

            final long secondVersion = failOneForce(client, 3, "k2");
            final int secondSpare = holderOfReappend();
            final MapdClient.Reply later = other.set("k2", bytes("later"));
            assertEquals(StatusCodes.OK, later.status(), later.message());
            assertTrue(Long.compareUnsigned(later.version(), secondVersion) > 0, "the SET is the later write");
            holding.get(secondSpare - 1).answerForced(StatusCodes.OK);
            final Reply second = readReply(client);
            assertEquals(StatusCodes.OK, second.status(), second.message());
            final GridEntry entry = new GridEntry();
            assertTrue(GridKeys.get(writer.grid(), bytes("k2"), entry));
            assertEquals(later.version(), entry.version(), "the later SET stays in the grid");
            assertEquals(later.versionNode(), entry.versionNode());
            assertEquals(0, writer.counters().get(MapdCounter.FORCE_FAILURES));
        }
    }

    /** The logd that forced the last SETSAFE of {@link #failOneForce}. */
    private int firstForced;

    /**
     * Sends a SETSAFE, waits until two logds hold its forced answer, answers OK on one and STORAGE_ERROR on the
     * other, and waits until the third holds the record appended again.
     *
     * @return the SETSAFE's version, from the grid.
     */
    private long failOneForce(final MapdClient client, final long requestId, final String key) throws Exception
    {
        client.socket().send(out -> SetRequest.encode(out, requestId, Opcodes.SETSAFE, bytes(key), bytes("v")));
        Await.until(key + ": two logds hold the forced answer", AWAIT_MS, () -> heldCount() == 2);
        final GridEntry entry = new GridEntry();
        Await.until(key + " installed while the logds force", AWAIT_MS,
            () -> GridKeys.get(writer.grid(), bytes(key), entry));
        int first = 0;
        int second = 0;
        for (int id = 1; id <= 3; id++)
        {
            if (holding.get(id - 1).held() == 1)
            {
                if (first == 0)
                {
                    first = id;
                }
                else
                {
                    second = id;
                }
            }
        }
        firstForced = first;
        holding.get(first - 1).answerForced(StatusCodes.OK);
        holding.get(second - 1).answerForced(StatusCodes.STORAGE_ERROR);
        final int failed = second;
        Await.until(key + ": the third logd holds the record appended again", AWAIT_MS,
            () -> heldCount() == 1 && holding.get(failed - 1).held() == 0 && holding.get(failed - 1).appends() > 0);
        return entry.version();
    }

    private int heldCount()
    {
        int held = 0;
        for (final ForceHoldingLogd logd : holding)
        {
            held += logd.held();
        }
        return held;
    }

    /** @return the id of the one logd holding a forced answer. */
    private int holderOfReappend()
    {
        for (int id = 1; id <= 3; id++)
        {
            if (holding.get(id - 1).held() == 1)
            {
                return id;
            }
        }
        throw new AssertionError("no logd holds the record appended again");
    }

    /** An answer: its request id, status, and error message. */
    private record Reply(long requestId, short status, String message)
    {
    }

    private static Reply readReply(final MapdClient client) throws Exception
    {
        final ByteBuf frame = client.socket().readFrame();
        try
        {
            final short status = FrameHeader.status(frame, 0);
            return new Reply(FrameHeader.requestId(frame, 0), status,
                StatusCodes.isError(status) ? ErrorPayload.message(frame, 0) : "");
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * @return the logd ids of the key's replicas in the mapd's grid, or an empty set when the key is not there at
     * {@code version}.
     */
    private static Set<Integer> replicas(final MapdServer mapd, final String key, final long version)
    {
        final GridEntry entry = new GridEntry();
        final Set<Integer> logds = new TreeSet<>();
        if (GridKeys.get(mapd.grid(), bytes(key), entry) && entry.version() == version)
        {
            for (int r = 0; r < entry.replicaCount(); r++)
            {
                logds.add(entry.logdId(r));
            }
        }
        return logds;
    }

    private MapdConfig config(final String dir, final int nodeId, final int port,
        final List<InetSocketAddress> logds, final int peerPort)
    {
        return new MapdConfig(TestCluster.HOST, port, root.resolve(dir), nodeId, logds, 2, TestCluster.MAX_VALUE, null,
            5_000, 0, 0, List.of(new InetSocketAddress(TestCluster.HOST, peerPort)), 1_000, 100, 1 << 16);
    }
}
