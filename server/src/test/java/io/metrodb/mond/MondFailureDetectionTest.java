package io.metrodb.mond;

import io.metrodb.mapd.MapdClient;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mond.ClusterView;
import io.metrodb.protocol.mond.HeartbeatRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.protocol.testing.Await;
import io.metrodb.protocol.testing.SocketClient;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.metrodb.mond.MondTestClient.View;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mond watching a real cluster: every node UP with its id and role, the view pushed to the mapds, and a logd
 * SIGKILLed in its own JVM marked DOWN within the documented time, then UP again after a restart.
 */
class MondFailureDetectionTest
{
    /** Scheduling slack on a loaded 2-core machine, on top of the documented worst case. */
    private static final long SLACK_MS = 750;

    @TempDir
    Path root;

    private MondCluster cluster;
    private MondServer mond;

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

    static boolean allUp(final View view, final int nodes)
    {
        return view.nodes().size() == nodes &&
            view.nodes().stream().allMatch(node -> node.state() == ClusterView.NODE_UP);
    }

    @Test
    void shouldServeTheViewWithEveryNodeUpAndPushItToTheMapds() throws Exception
    {
        cluster = new MondCluster(root, 3, 3, false);
        mond = MondServer.start(cluster.mondConfig());
        final long startedMs = System.currentTimeMillis();
        final long ms = Await.until("every node UP in mond's view", 10_000,
            () -> allUp(MondTestClient.view(mond.port()), 6), () -> MondTestClient.view(mond.port()).toString());
        System.out.println("6 nodes UP in mond's view " + ms + " ms after start");

        final View view = MondTestClient.view(mond.port());
        assertTrue(view.epoch() >= startedMs - 10_000, "the epoch starts from the clock: " + view.epoch());
        for (int i = 0; i < 3; i++)
        {
            final MondTestClient.Node logd = view.byPort(cluster.logdPorts[i]);
            assertEquals(MondCluster.logdId(i), logd.id());
            assertEquals(Roles.LOGD, logd.role());
            assertEquals(MondCluster.HOST, logd.host());
            final MondTestClient.Node mapd = view.byPort(cluster.mapdPorts[i]);
            assertEquals(MondCluster.FIRST_MAPD_ID + i, mapd.id());
            assertEquals(Roles.MAPD, mapd.role());
            assertTrue(mapd.rttUs() > 0 && mapd.rttUs() < 1_000_000, "rtt " + mapd.rttUs());
        }

        for (final int mapdPort : cluster.mapdPorts)
        {
            Await.until("mapd " + mapdPort + " holds mond's view", 5_000, () ->
            {
                final View held = MondTestClient.view(mapdPort);
                return held.epoch() == MondTestClient.view(mond.port()).epoch() && allUp(held, 6);
            }, () -> MondTestClient.view(mapdPort).toString());
        }

        final Map<String, String> info = MondTestClient.info(mond.port());
        assertEquals("mond", info.get("role"));
        assertEquals("1", info.get("view_settled"));
        assertEquals(6, MondTestClient.infoLong(info, "nodes_up"));
        assertTrue(MondTestClient.infoLong(info, "views_pushed") >= 3);
        assertTrue(MondTestClient.infoLong(info, "heartbeats_answered") >= 6);

        try (SocketClient client = SocketClient.connectWithHello(MondCluster.HOST, mond.port(), null))
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
        cluster = new MondCluster(root, 2, 1, false, "s3cret");
        final MondConfig open = cluster.mondConfig();
        mond = MondServer.start(new MondConfig(open.host(), 0, 0, open.mapds(), open.logds(), "s3cret",
            open.heartbeatIntervalMs(), open.downAfter(), open.probeKeysPerSec(), open.scrubKeysPerSec(),
            open.repairsPerSec(), open.repairGraceMs(), open.maxPendingRepairs(), open.requestTimeoutMs()));
        try (SocketClient anonymous = SocketClient.connectWithHello(MondCluster.HOST, mond.port(), null);
            SocketClient withToken = SocketClient.connectWithHello(MondCluster.HOST, mond.port(), "s3cret"))
        {
            final ByteBuf refused = anonymous.lastHello();
            assertEquals(StatusCodes.AUTH_FAILED, FrameHeader.status(refused, 0), "HELLO without the token");
            refused.release();
            final ByteBuf accepted = withToken.lastHello();
            assertEquals(StatusCodes.OK, FrameHeader.status(accepted, 0));
            accepted.release();
        }
        Await.until("every node UP: mond's HELLO carried the token", 10_000, () ->
        {
            try (SocketClient client = SocketClient.connectWithHello(MondCluster.HOST, mond.port(), "s3cret"))
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
    void shouldMarkAKilledLogdDownWithinTheDocumentedTimeAndUpAgainAfterARestart() throws Exception
    {
        cluster = new MondCluster(root, 3, 3, true);
        mond = MondServer.start(cluster.mondConfig());
        Await.until("every node UP", 20_000, () -> allUp(MondTestClient.view(mond.port()), 6),
            () -> MondTestClient.view(mond.port()).toString());
        final long epochBefore = MondTestClient.view(mond.port()).epoch();
        final int port = cluster.logdPorts[0];
        final int id = MondCluster.logdId(0);

        final long killedNs = System.nanoTime();
        cluster.killLogd(0);
        Await.until("logd " + id + " DOWN at mond", 10_000,
            () -> MondTestClient.view(mond.port()).stateOf(port) == ClusterView.NODE_DOWN);
        final long detectedMs = (System.nanoTime() - killedNs) / 1_000_000;
        final long documentedMs = mond.config().maxDownDetectionMs();
        System.out.println("SIGKILLed logd DOWN at mond after " + detectedMs + " ms (documented at most " +
            documentedMs + " ms after its last answer)");
        assertTrue(detectedMs <= documentedMs + SLACK_MS, "DOWN after " + detectedMs + " ms");
        final View down = MondTestClient.view(mond.port());
        assertTrue(down.epoch() > epochBefore, "a state change is a new epoch");
        assertEquals(id, down.byPort(port).id(), "the view keeps the DOWN logd's id");

        for (final int mapdPort : cluster.mapdPorts)
        {
            final long ms = Await.until("mapd " + mapdPort + " holds a view with logd " + id + " DOWN", 5_000,
                () -> MondTestClient.view(mapdPort).byId(id).state() == ClusterView.NODE_DOWN,
                () -> MondTestClient.view(mapdPort).toString());
            System.out.println("mapd " + mapdPort + " held the DOWN view " + ms + " ms after mond");
        }

        cluster.startLogd(0);
        final long upMs = Await.until("logd " + id + " UP again at mond", 10_000,
            () -> MondTestClient.view(mond.port()).stateOf(port) == ClusterView.NODE_UP);
        System.out.println("restarted logd UP at mond " + upMs + " ms after it listened");
        for (final int mapdPort : cluster.mapdPorts)
        {
            Await.until("mapd " + mapdPort + " holds a view with logd " + id + " UP", 5_000,
                () -> allUp(MondTestClient.view(mapdPort), 6), () -> MondTestClient.view(mapdPort).toString());
        }
        assertTrue(MondTestClient.view(mond.port()).epoch() > down.epoch());
    }
}
