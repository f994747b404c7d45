package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.fault.LinkProxy;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.metrodb.mapd.MapdClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mapd closing while clients write: it refuses new client requests with SHUTTING_DOWN, finishes the ones in
 * progress with their real answer, and only then closes its connections and its logd links, so no client ever
 * sees NOT_ENOUGH_REPLICAS for a write that met a stopping mapd.
 */
class MapdShutdownTest
{
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private LinkProxy proxy;
    private MapdServer mapd;
    private Thread closer;

    @AfterEach
    void stop() throws Exception
    {
        if (proxy != null)
        {
            proxy.heal();
        }
        if (closer != null)
        {
            closer.join(WAIT_MS);
        }
        if (mapd != null)
        {
            mapd.close();
        }
        if (proxy != null)
        {
            proxy.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldRefuseNewRequestsWithShuttingDownAndAnswerTheOneInProgressBeforeClosing() throws Exception
    {
        cluster = TestCluster.builder(root).logds(1).start();
        proxy = new LinkProxy("mapd->logd", TestCluster.HOST, cluster.logdPorts()[0]);
        final MapdConfig config = new MapdConfig(TestCluster.HOST, 0, root.resolve("mapd"), 1,
            List.of(new InetSocketAddress(TestCluster.HOST, proxy.port())), 1, TestCluster.MAX_VALUE, null, 60_000, 0,
            0);
        mapd = MapdServer.start(config);
        mapd.whenLogdsHealthy(1).get(WAIT_MS, TimeUnit.MILLISECONDS);
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        try (MapdClient client = new MapdClient(mapd.port()); MondClient mond = new MondClient(mapd.port()))
        {
            assertEquals(StatusCodes.OK, client.set("before", bytes("v0")).status());

            proxy.stall();
            final SocketClient socket = client.socket();
            socket.send(out -> SetRequest.encode(out, 100, Opcodes.SET, bytes("in-progress"), bytes("v1")));
            Await.until("the mapd has the SET in progress", WAIT_MS,
                () -> mapd.onDataPath(() -> mapd.counters().sets.get() == 2));

            final MapdServer closing = mapd;
            closer = new Thread(() ->
            {
                closing.close();
                closed.complete(null);
            }, "mapd-closer");
            closer.setDaemon(true);
            closer.start();
            mapd = null;
            Await.until("HEARTBEAT says stopping", WAIT_MS,
                () -> mond.heartbeat(1, 0).state() == HeartbeatResponse.STATE_STOPPING);

            socket.send(out -> SetRequest.encode(out, 101, Opcodes.SET, bytes("after"), bytes("v2")));
            assertReply(socket, 101, StatusCodes.SHUTTING_DOWN, "a SET sent once the mapd is stopping");
            assertTrue(!closed.isDone(), "close() waits for the SET in progress");

            proxy.heal();
            assertReply(socket, 100, StatusCodes.OK, "the SET in progress when close() began");
            assertTrue(socket.isClosedByServer(), "the connection closes once nothing is in progress");
            closed.get(WAIT_MS, TimeUnit.MILLISECONDS);
        }

        mapd = MapdServer.start(config);
        mapd.whenLogdsHealthy(1).get(WAIT_MS, TimeUnit.MILLISECONDS);
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            assertArrayEquals(bytes("v1"), client.get("in-progress").value(), "the answered SET survives the restart");
            assertEquals(StatusCodes.NOT_FOUND, client.get("after").status(), "the refused SET changed nothing");
        }
    }

    @Test
    void shouldAnswerWritesInFlightOnlyOkOrShuttingDownWhileTheMapdCloses() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        mapd = cluster.startMapd(2);
        cluster.forgetMapd();
        final int writers = 3;
        final AtomicLong oks = new AtomicLong();
        final AtomicBoolean failed = new AtomicBoolean();
        final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++)
        {
            final int writer = w;
            final MapdClient client = new MapdClient(mapd.port());
            final Thread thread = new Thread(() -> write(client, writer, oks, acknowledged, unexpected, failed),
                "writer-" + w);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        Await.until("writes acknowledged before closing", WAIT_MS, () -> oks.get() >= 500 || failed.get());
        mapd.close();
        mapd = null;
        for (final Thread thread : threads)
        {
            thread.join(WAIT_MS);
            assertTrue(!thread.isAlive(), thread.getName() + " sees its connection close");
        }
        assertTrue(!failed.get(), "writers ended only on a lost connection: " + unexpected);
        assertEquals(List.of(), unexpected, "only OK or SHUTTING_DOWN while the mapd closes");

        mapd = cluster.startMapd(2);
        cluster.forgetMapd();
        try (MapdClient client = new MapdClient(mapd.port()))
        {
            final Map<String, MapdClient.Reply> replies = client.getAll(acknowledged.keySet());
            for (final Map.Entry<String, byte[]> entry : acknowledged.entrySet())
            {
                assertArrayEquals(entry.getValue(), replies.get(entry.getKey()).value(),
                    "acknowledged " + entry.getKey() + " survives the restart");
            }
        }
    }

    /**
     * Pipelines batches of SET and SETSAFE until the connection is lost; records every status but OK and
     * SHUTTING_DOWN.
     */
    private static void write(final MapdClient client, final int writer, final AtomicLong oks,
        final Map<String, byte[]> acknowledged, final List<String> unexpected, final AtomicBoolean failed)
    {
        final SocketClient socket = client.socket();
        long id = 0;
        try (client)
        {
            while (true)
            {
                final Map<Long, String> keys = new HashMap<>();
                final long first = id;
                for (int i = 0; i < 32; i++)
                {
                    keys.put(first + i, "w" + writer + "-" + (first + i));
                }
                socket.send(out ->
                {
                    for (long i = first; i < first + 32; i++)
                    {
                        SetRequest.encode(out, i, i % 4 == 0 ? Opcodes.SETSAFE : Opcodes.SET, bytes(keys.get(i)),
                            bytes("value-" + i));
                    }
                });
                id += 32;
                for (int i = 0; i < 32; i++)
                {
                    final ByteBuf frame = socket.readFrame();
                    try
                    {
                        final long requestId = FrameHeader.requestId(frame, 0);
                        final short status = FrameHeader.status(frame, 0);
                        if (status == StatusCodes.OK)
                        {
                            acknowledged.put(keys.get(requestId), bytes("value-" + requestId));
                            oks.incrementAndGet();
                        }
                        else if (status != StatusCodes.SHUTTING_DOWN)
                        {
                            unexpected.add(keys.get(requestId) + "=" + StatusCodes.name(status));
                        }
                    }
                    finally
                    {
                        frame.release();
                    }
                }
            }
        }
        catch (final IOException e)
        {
            // the mapd closed the connection: the end of this writer
        }
        catch (final RuntimeException | Error e)
        {
            unexpected.add("writer " + writer + ": " + e);
            failed.set(true);
        }
    }

    private static void assertReply(final SocketClient socket, final long requestId, final short status,
        final String what) throws IOException
    {
        final ByteBuf frame = socket.readFrame();
        try
        {
            assertEquals(requestId, FrameHeader.requestId(frame, 0), what + ": request id");
            assertEquals(StatusCodes.name(status), StatusCodes.name(FrameHeader.status(frame, 0)), what);
        }
        finally
        {
            frame.release();
        }
    }
}
