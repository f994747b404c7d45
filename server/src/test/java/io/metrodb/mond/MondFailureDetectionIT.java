package io.metrodb.mond;

import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.testing.OncePerSuite;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.metrodb.mond.MondTestClient.View;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mond watching a real cluster: every node UP with its id and role, the view pushed to the mapds, and a logd
 * SIGKILLed in its own JVM marked DOWN by the miss rule, then UP again after a restart.
 * <p>
 * How fast DOWN comes is a performance claim, not asserted here: {@code NodeHealthTest} proves the documented
 * bound with a fake clock, and this test only prints the time it saw.
 */
class MondFailureDetectionIT
{
    /** Generous: the test waits for each event, however slowly a loaded 2-core machine gets there. */
    private static final long AWAIT_MS = 60_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MondServer mond;

    /** Heavy, and depends on no JDK feature the later passes' other tests do not exercise. */
    @BeforeAll
    static void oncePerSuite()
    {
        OncePerSuite.assume("MondFailureDetectionIT");
    }

    @AfterEach
    void stop() throws Exception
    {
        if (mond != null)
        {
            mond.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldServeTheViewWithEveryNodeUpAndPushItToTheMapds() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).start();
        final long startedMs = System.currentTimeMillis();
        final long startedNs = System.nanoTime();
        mond = MondServer.start(cluster.mondConfig());
        final long ms = Await.until("every node UP in mond's view", AWAIT_MS,
            () -> MondTestClient.allUp(MondTestClient.view(mond.port()), 6),
            () -> MondTestClient.view(mond.port()).toString());
        System.out.println("6 nodes UP in mond's view " + ms + " ms after start");

        final View view = MondTestClient.view(mond.port());
        final long upForUs = (System.nanoTime() - startedNs) / 1_000;
        assertTrue(view.epoch() >= startedMs, "the epoch starts from the clock: " + view.epoch() + " < " + startedMs);
        for (int i = 0; i < 3; i++)
        {
            final MondTestClient.Node logd = view.byPort(cluster.logdPorts()[i]);
            assertEquals(TestCluster.logdId(i), logd.id());
            assertEquals(Roles.LOGD, logd.role());
            assertEquals(TestCluster.HOST, logd.host());
            final MondTestClient.Node mapd = view.byPort(cluster.mapdPorts()[i]);
            assertEquals(TestCluster.FIRST_MAPD_ID + i, mapd.id());
            assertEquals(Roles.MAPD, mapd.role());
            // A round trip in us: more than nothing, and no longer than mond has been running.
            assertTrue(mapd.rttUs() > 0 && mapd.rttUs() < upForUs, "rtt " + mapd.rttUs() + " us, up " + upForUs);
        }

        for (final int mapdPort : cluster.mapdPorts())
        {
            Await.until("mapd " + mapdPort + " holds mond's view", AWAIT_MS, () ->
            {
                final View held = MondTestClient.view(mapdPort);
                return held.epoch() == MondTestClient.view(mond.port()).epoch() && MondTestClient.allUp(held, 6);
            }, () -> MondTestClient.view(mapdPort).toString());
        }

        // A node may miss a heartbeat on a loaded machine (SUSPECT until its next answer): wait for all 6 UP.
        Await.until("INFO counts every node UP", AWAIT_MS,
            () -> MondTestClient.infoLong(MondTestClient.info(mond.port()), "nodes_up") == 6,
            () -> MondTestClient.info(mond.port()).toString());
        final Map<String, String> info = MondTestClient.info(mond.port());
        assertEquals("mond", info.get("role"));
        assertEquals("1", info.get("view_settled"));
        assertEquals(6, MondTestClient.infoLong(info, "nodes"));
        assertTrue(MondTestClient.infoLong(info, "views_pushed") >= 3);
        assertTrue(MondTestClient.infoLong(info, "heartbeats_answered") >= 6);

        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, mond.port(), null))
        {
            client.lastHello().release();
            client.send(out -> HeartbeatRequest.encode(out, 7, 123_456_789L, 0));
            ByteBuf frame = client.readFrame();
            assertEquals(StatusCodes.OK, FrameHeader.status(frame, 0));
            assertEquals(Roles.MOND, HeartbeatResponse.role(frame, 0));
            assertEquals(123_456_789L, HeartbeatResponse.sendTimeNs(frame, 0));
            assertTrue(HeartbeatResponse.viewEpoch(frame, 0) >= view.epoch());
            frame.release();

            client.send(out ->
            {
                ClusterView.encodeViewHeader(out, 8, false, Long.MAX_VALUE >> 1, 0, 0, 0, 0, 0, 0);
            });
            frame = client.readFrame();
            assertEquals(StatusCodes.WRONG_ROLE, FrameHeader.status(frame, 0), "mond does not take pushed views");
            frame.release();

            client.send(out -> io.metrodb.protocol.mapd.KeyRequest.encode(out, 9, Opcodes.GET, (byte)0,
                MapdClient.bytes("k")));
            frame = client.readFrame();
            assertEquals(StatusCodes.WRONG_ROLE, FrameHeader.status(frame, 0));
            frame.release();
        }
        assertTrue(MondTestClient.view(mond.port()).epoch() < Long.MAX_VALUE >> 1, "the refused push changed nothing");
    }

    @Test
    void shouldPresentItsAuthTokenToTheNodesAndRequireItFromItsClients() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).mapds(1).authToken("s3cret").start();
        final MondConfig open = cluster.mondConfig();
        mond = MondServer.start(new MondConfig(open.host(), 0, 0, open.mapds(), open.logds(), "s3cret",
            open.heartbeatIntervalMs(), open.downAfter(), open.probeKeysPerSec(), open.scrubKeysPerSec(),
            open.repairsPerSec(), open.repairGraceMs(), open.maxPendingRepairs(), open.requestTimeoutMs(),
            open.scrubPassMinMs()));
        try (SocketClient anonymous = SocketClient.connectWithHello(TestCluster.HOST, mond.port(), null);
            SocketClient withToken = SocketClient.connectWithHello(TestCluster.HOST, mond.port(), "s3cret"))
        {
            final ByteBuf refused = anonymous.lastHello();
            assertEquals(StatusCodes.AUTH_FAILED, FrameHeader.status(refused, 0), "HELLO without the token");
            refused.release();
            final ByteBuf accepted = withToken.lastHello();
            assertEquals(StatusCodes.OK, FrameHeader.status(accepted, 0));
            accepted.release();
        }
        Await.until("every node UP: mond's HELLO carried the token", AWAIT_MS, () ->
        {
            try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, mond.port(), "s3cret"))
            {
                client.lastHello().release();
                client.send(out -> io.metrodb.protocol.Info.encodeRequest(out, 1, ""));
                final ByteBuf frame = client.readFrame();
                try
                {
                    return io.metrodb.protocol.Info.text(frame, 0).contains("nodes_up:3\n");
                }
                finally
                {
                    frame.release();
                }
            }
        });
    }

    @Test
    void shouldMarkAKilledLogdDownAfterItsMissesAndUpAgainAfterARestart() throws Exception
    {
        cluster = TestCluster.builder(root).logds(3).mapds(3).logdsAsProcesses(true).start();
        mond = MondServer.start(cluster.mondConfig());
        Await.until("every node UP", AWAIT_MS, () -> MondTestClient.allUp(MondTestClient.view(mond.port()), 6),
            () -> MondTestClient.view(mond.port()).toString());
        final long epochBefore = MondTestClient.view(mond.port()).epoch();
        final int port = cluster.logdPorts()[0];
        final int id = TestCluster.logdId(0);

        cluster.killLogd(0);
        final long detectedMs = Await.until("logd " + id + " DOWN at mond", AWAIT_MS,
            () -> MondTestClient.view(mond.port()).stateOf(port) == ClusterView.NODE_DOWN,
            () -> MondTestClient.view(mond.port()).toString());
        // How fast is a benchmark's question; NodeHealthTest proves the documented bound with a fake clock.
        System.out.println("SIGKILLed logd DOWN at mond after " + detectedMs + " ms (documented at most " +
            mond.config().maxDownDetectionMs() + " ms after its last answer)");
        final View down = MondTestClient.view(mond.port());
        assertTrue(down.epoch() > epochBefore, "a state change is a new epoch");
        assertEquals(id, down.byPort(port).id(), "the view keeps the DOWN logd's id");
        final String line = nodeLine(MondTestClient.info(mond.port()), port);
        assertTrue(line.contains(",state=DOWN,"), line);
        assertTrue(field(line, "misses") >= mond.config().downAfter(),
            "DOWN only after --down-after consecutive misses: " + line);

        for (final int mapdPort : cluster.mapdPorts())
        {
            final long ms = Await.until("mapd " + mapdPort + " holds a view with logd " + id + " DOWN", AWAIT_MS,
                () -> MondTestClient.view(mapdPort).byId(id).state() == ClusterView.NODE_DOWN,
                () -> MondTestClient.view(mapdPort).toString());
            System.out.println("mapd " + mapdPort + " held the DOWN view " + ms + " ms after mond");
        }

        cluster.startLogd(0);
        final long upMs = Await.until("logd " + id + " UP again at mond", AWAIT_MS,
            () -> MondTestClient.view(mond.port()).stateOf(port) == ClusterView.NODE_UP,
            () -> MondTestClient.view(mond.port()).toString());
        System.out.println("restarted logd UP at mond " + upMs + " ms after it listened");
        for (final int mapdPort : cluster.mapdPorts())
        {
            Await.until("mapd " + mapdPort + " holds a view with logd " + id + " UP", AWAIT_MS,
                () -> MondTestClient.allUp(MondTestClient.view(mapdPort), 6),
                () -> MondTestClient.view(mapdPort).toString());
        }
        assertTrue(MondTestClient.view(mond.port()).epoch() > down.epoch());
    }

    /**
     * @return the INFO line of the node at {@code port}, e.g. {@code role=LOGD,addr=...,state=DOWN,misses=5,...}.
     */
    private static String nodeLine(final Map<String, String> info, final int port)
    {
        for (final Map.Entry<String, String> entry : info.entrySet())
        {
            if (entry.getKey().startsWith("node") && entry.getValue().contains(":" + port + ","))
            {
                return entry.getValue();
            }
        }
        throw new AssertionError("no INFO line for the node at port " + port + ": " + info);
    }

    private static long field(final String line, final String name)
    {
        for (final String pair : line.split(","))
        {
            if (pair.startsWith(name + "="))
            {
                return Long.parseLong(pair.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }
}
