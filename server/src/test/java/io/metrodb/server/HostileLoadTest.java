package io.metrodb.server;

import io.metrodb.mapd.MapdCounter;
import io.metrodb.mapd.MapdServer;
import io.metrodb.mond.MondConfig;
import io.metrodb.mond.MondServer;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.mapd.EntryResponse;
import io.metrodb.protocol.mapd.KeyRequest;
import io.metrodb.protocol.mapd.SetRequest;
import io.metrodb.protocol.netty.ServerLimits;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real client works on a mapd (SET, GET; the mapd writes to two logds) and PINGs mond while hostile connections
 * hit all three daemons' ports: random bytes, mutated frames, partial frames, idle connections, connections opened
 * and dropped in a loop. Every real call must succeed at its first attempt (the mapd's timeout on its appends:
 * {@link #REQUEST_TIMEOUT_MS}) and the daemons must stay up. The attack is paced ({@code -Dhostile.rate} frames per
 * second, 0 for unpaced): one thread sends frames far faster than a server under paranoid leak detection answers
 * them, and what a server's event loop has not got to yet delays every connection on that loop (queueing, not a
 * stall: docs/RELIABILITY.md, "Hostile clients"). The default size suits CI (200 connections, 10,000 frames); the
 * long run of the issue is {@code -Dhostile.connections=10000 -Dhostile.frames=100000} (raise {@code ulimit -n}).
 * Seed: {@code -Dhostile.seed}.
 */
class HostileLoadTest
{
    private static final int CONNECTIONS = Integer.getInteger("hostile.connections", 200);
    private static final long FRAMES = Long.getLong("hostile.frames", 10_000);
    /** Hostile frames per second at most; 0 for as fast as one thread can send them. */
    private static final long RATE = Long.getLong("hostile.rate", 3_000);
    private static final long FRAME_TIMEOUT_MS = 1_000;
    /**
     * The mapd's timeout on its appends: 15 s, not 5 s, so a box loaded by other work (load 10+ on 2 cores) cannot
     * fail a real call by slowness alone; a server that stops serving still fails it.
     */
    private static final long REQUEST_TIMEOUT_MS = 15_000;

    @TempDir
    Path root;

    private TestCluster cluster;
    private MapdServer mapd;
    private MondServer mond;

    @AfterEach
    void stop()
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

    private void start(final ServerLimits limits, final int maxValueLength) throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).limits(limits).maxValueLength(maxValueLength)
            .requestTimeoutMs(REQUEST_TIMEOUT_MS), false);
        mond = MondServer.start(MondConfig.defaults(List.of(new InetSocketAddress(TestCluster.HOST, mapd.port())),
            cluster.logdAddresses()).withScrubPassMinMs(0).limits(limits));
    }

    @Test
    void shouldServeARealClientWhileHostileConnectionsSendRandomAndMutatedFrames() throws Exception
    {
        final long seed = Long.getLong("hostile.seed", System.nanoTime());
        System.out.println("HostileLoadTest seed=" + seed + ", rerun with -Dhostile.seed=" + seed);
        start(ServerLimits.DEFAULTS.withFrameTimeoutMs(FRAME_TIMEOUT_MS).withHandshakeTimeoutMs(2_000),
            TestCluster.MAX_VALUE);
        final int[] ports = {mapd.port(), cluster.logd(0).port(), mond.port()};
        final HostileConnections attackers = new HostileConnections(seed, ports, CONNECTIONS, FRAMES, RATE);
        final Thread attack = new Thread(attackers, "hostile-attackers");
        attack.start();
        int calls = 0;
        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null);
            SocketClient mondClient = SocketClient.connectWithHello(TestCluster.HOST, mond.port(), null))
        {
            client.lastHello().release();
            mondClient.lastHello().release();
            while (attack.isAlive() || calls < 50)
            {
                try
                {
                    setAndGet(client, calls, seed);
                }
                catch (final IOException | AssertionError e)
                {
                    throw new AssertionError("real call " + calls + " failed, seed " + seed + "; mapd INFO:\n" +
                        mapdInfo() + "\nmapd-data thread:\n" + dataThread(), e);
                }
                ping(mondClient, calls, seed);
                calls++;
            }
        }
        finally
        {
            attackers.stop();
            attack.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertTrue(attackers.error.get() == null, "attacker thread failed: " + attackers.error.get());
        System.out.println("HostileLoadTest: " + attackers.frames.get() + " hostile frames, " +
            attackers.connects.get() + " connections opened, " + calls + " real SET+GET+PING, seed " + seed);
        assertTrue(attackers.frames.get() >= FRAMES, "frames sent " + attackers.frames.get() + ", seed " + seed);
        for (final NettyServer server : new NettyServer[] {mapd.server(), cluster.logd(0).server()})
        {
            assertEquals(0, server.errors().internalErrors(), "INTERNAL_ERRORs, seed " + seed);
            Await.until("the hostile connections' partial frames are released", 10_000,
                () -> server.edge().incompleteBytes() == 0);
        }
        try (SocketClient after = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            after.lastHello().release();
            setAndGet(after, 1_000_000, seed);
        }
    }

    @Test
    void shouldDropFramesThatStopHalfWayAndKeepServingOthers() throws Exception
    {
        // The outside run's scenario scaled down: 20 connections each send 1 MiB of a frame claiming 60 MiB, then
        // sit. Other clients' calls are answered meanwhile, the frames are dropped at the deadline, and what they
        // held is given back.
        start(ServerLimits.DEFAULTS.withFrameTimeoutMs(FRAME_TIMEOUT_MS), 64 << 20);
        final int slowCount = 20;
        final List<SocketClient> slow = new ArrayList<>();
        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            client.lastHello().release();
            final long startNs = System.nanoTime();
            for (int i = 0; i < slowCount; i++)
            {
                final SocketClient sender = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null);
                slow.add(sender);
                sender.lastHello().release();
                final ByteBuf start = Unpooled.buffer(1 << 20);
                final byte[] slowKey = "slow-key".getBytes(StandardCharsets.US_ASCII);
                FrameHeader.writeRequest(start, SetRequest.KEY_OFFSET + slowKey.length + (60 << 20), Opcodes.SET,
                    (byte)0, 1);
                start.writeShort(slowKey.length);
                start.writeInt(60 << 20);
                start.writeBytes(slowKey);
                start.writeZero((1 << 20) - start.readableBytes());
                sender.writeRaw(start);
            }
            final long maxHeld = mapd.server().edge().incompleteBytes();
            assertTrue(maxHeld <= (long)slowCount << 20, "held " + maxHeld + " for " + slowCount + " x 1 MiB");
            for (int i = 0; i < 20; i++)
            {
                final long callNs = System.nanoTime();
                setAndGet(client, i, 0);
                assertTrue(System.nanoTime() - callNs < TimeUnit.SECONDS.toNanos(2),
                    "a SET + GET beside the slow senders took " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callNs) + " ms");
            }
            for (final SocketClient sender : slow)
            {
                assertTrue(sender.isClosedByServer(), "a frame stopped half-way is dropped at the deadline");
            }
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(FRAME_TIMEOUT_MS),
                "not before the deadline");
            Await.until("every slow frame timed out", 10_000,
                () -> mapd.counters().get(MapdCounter.FRAME_TIMEOUTS) == slowCount);
            Await.until("their bytes are given back", 10_000, () -> mapd.server().edge().incompleteBytes() == 0);
            setAndGet(client, 100, 0);
        }
        finally
        {
            for (final SocketClient sender : slow)
            {
                sender.close();
            }
        }
    }

    private String mapdInfo()
    {
        try (SocketClient info = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            info.lastHello().release();
            info.send(out -> io.metrodb.protocol.Info.encodeRequest(out, 5, ""));
            final ByteBuf reply = info.readFrame();
            final String text = reply.toString(StandardCharsets.UTF_8);
            reply.release();
            return text;
        }
        catch (final IOException e)
        {
            return "no INFO: " + e;
        }
    }

    private static String dataThread()
    {
        final StringBuilder text = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) ->
        {
            if (thread.getName().startsWith("mapd-data"))
            {
                text.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                for (final StackTraceElement frame : stack)
                {
                    text.append("  ").append(frame).append('\n');
                }
            }
        });
        return text.toString();
    }

    @Test
    void shouldKeepReadingAClientPastItsCapOfRequestsInProgress() throws Exception
    {
        // More GETs pipelined than the mapd takes in progress per connection (4096), and more bytes of them than
        // one read batch: the mapd stops reading at the cap and must read on once half are answered.
        cluster = TestCluster.builder(root).logds(2).start();
        // The same 15 s timeout on its logds as above: 10,000 replica reads at once on a loaded box must not look
        // like a silent logd (the link would be dropped and the reads in flight answered REPLICAS_UNREADABLE).
        mapd = cluster.startMapd(cluster.mapdConfig("mapd", 1, 2).withLocalReads(false)
            .requestTimeoutMs(REQUEST_TIMEOUT_MS), false);
        final int gets = 10_000;
        try (SocketClient client = SocketClient.connectWithHello(TestCluster.HOST, mapd.port(), null))
        {
            client.lastHello().release();
            // A 100-byte key: about 8,000 GETs in a read batch (16 reads of up to 64 KiB), 1.2 MB in all.
            final byte[] key = new byte[100];
            Arrays.fill(key, (byte)'k');
            client.send(out -> SetRequest.encode(out, 1, Opcodes.SET, key, new byte[] {1}));
            final ByteBuf set = client.readFrame();
            assertEquals(StatusCodes.OK, FrameHeader.status(set, 0));
            set.release();
            // Written from another thread: a mapd that stops reading for good would block the write, not fail it.
            final AtomicReference<Throwable> writeError = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    client.send(out ->
                    {
                        for (int i = 0; i < gets; i++)
                        {
                            KeyRequest.encode(out, 1_000 + i, Opcodes.GET, (byte)0, key);
                        }
                    });
                }
                catch (final IOException e)
                {
                    writeError.set(e);
                }
            }, "gets-writer");
            writer.setDaemon(true);
            writer.start();
            for (int i = 0; i < gets; i++)
            {
                final ByteBuf reply = client.readFrame();
                assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), "GET " + i);
                reply.release();
            }
            writer.join(10_000);
            assertTrue(writeError.get() == null, "writer: " + writeError.get());
        }
    }

    private static void setAndGet(final SocketClient client, final int i, final long seed) throws IOException
    {
        final byte[] key = ("real-" + i).getBytes(StandardCharsets.US_ASCII);
        final byte[] value = ("value-" + i + "-" + seed).getBytes(StandardCharsets.US_ASCII);
        client.send(out -> SetRequest.encode(out, 4L * i + 1, Opcodes.SET, key, value));
        final ByteBuf set = client.readFrame();
        final short setStatus = FrameHeader.status(set, 0);
        final String setError = StatusCodes.isError(setStatus) ? ErrorPayload.message(set, 0) : "";
        set.release();
        assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(setStatus),
            "real SET " + i + " (" + setError + "), seed " + seed);
        ByteBuf reply;
        client.send(out -> KeyRequest.encode(out, 4L * i + 4, Opcodes.GET, (byte)0, key));
        reply = client.readFrame();
        try
        {
            assertEquals(StatusCodes.name(StatusCodes.OK), StatusCodes.name(FrameHeader.status(reply, 0)),
                "real GET " + i + ", seed " + seed);
            final byte[] read = new byte[reply.getInt(FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_LENGTH_OFFSET)];
            reply.getBytes(FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET, read);
            assertArrayEquals(value, read, "real GET " + i + ", seed " + seed);
        }
        finally
        {
            reply.release();
        }
    }

    private static void ping(final SocketClient client, final int i, final long seed) throws IOException
    {
        client.send(out -> Ping.encodeRequest(out, i, i));
        final ByteBuf reply = client.readFrame();
        assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), "mond PING " + i + ", seed " + seed);
        reply.release();
    }
}
