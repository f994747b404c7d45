package io.metrodb.mapd;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.mapd.SyncResponse;
import io.metrodb.protocol.mond.HeartbeatResponse;
import io.metrodb.testing.Await;
import io.metrodb.testing.Ports;
import io.metrodb.testing.TestCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state a mapd reports in HEARTBEAT while a peer has not finished its first SYNC: the peer is a fake that
 * completes HELLO as a mapd and answers SYNC only when told to.
 */
class HeartbeatStateTest
{
    @TempDir
    Path root;

    private TestCluster cluster;
    private MapdServer mapd;

    @AfterEach
    void stop()
    {
        if (mapd != null)
        {
            mapd.close();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldSayCatchingUpUntilTheFirstSyncFromAPeerEnds() throws Exception
    {
        cluster = TestCluster.builder(root).logds(2).start();
        try (ServerSocket fakePeer = new ServerSocket(0, 1, InetAddress.getByName(TestCluster.HOST)))
        {
            mapd = MapdServer.start(cluster.peerConfig("mapd", 1, Ports.unused(1)[0],
                List.of(fakePeer.getLocalPort()), 1 << 10));
            final AtomicBoolean answerSyncs = new AtomicBoolean();
            final AtomicInteger syncsSeen = new AtomicInteger();
            final Thread peer = new Thread(() -> servePeer(fakePeer, answerSyncs, syncsSeen), "fake-peer");
            peer.setDaemon(true);
            peer.start();
            try (MondClient mond = new MondClient(mapd.port()))
            {
                awaitTrue(() -> syncsSeen.get() > 0, "the mapd asks its peer to SYNC");
                assertEquals(HeartbeatResponse.STATE_CATCHING_UP, mond.heartbeat(1, 0).state());
                answerSyncs.set(true);
                awaitTrue(() -> mond.heartbeat(2, 0).state() == HeartbeatResponse.STATE_SERVING,
                    "serving once the SYNC ended");
            }
            peer.interrupt();
        }
    }

    private static void awaitTrue(final Await.Condition condition, final String what) throws Exception
    {
        Await.until(what, 10_000, condition);
    }

    /**
     * Accepts the mapd's link, answers its HELLO as mapd 9, then reads requests; once told, ends every SYNC
     * (the last one seen and any later one) with an empty end frame.
     */
    private static void servePeer(final ServerSocket server, final AtomicBoolean answerSyncs,
        final AtomicInteger syncsSeen)
    {
        try (Socket socket = server.accept())
        {
            socket.setSoTimeout(20);
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final OutputStream out = socket.getOutputStream();
            readFully(in, new byte[8]);
            final ByteBuf hello = readFrame(in);
            write(out, buf -> HelloResponse.encode(buf, FrameHeader.requestId(hello, 0), 1, Roles.MAPD, 9,
                ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH));
            long unanswered = -1;
            while (!Thread.currentThread().isInterrupted())
            {
                if (answerSyncs.get() && unanswered >= 0)
                {
                    final long id = unanswered;
                    write(out, buf -> SyncResponse.encodeHeader(buf, id, false, SyncResponse.MODE_BACKLOG, 0, 1, 0));
                    unanswered = -1;
                }
                final ByteBuf frame;
                try
                {
                    frame = readFrame(in);
                }
                catch (final SocketTimeoutException e)
                {
                    continue;
                }
                if (FrameHeader.opcode(frame, 0) == Opcodes.SYNC)
                {
                    syncsSeen.incrementAndGet();
                    unanswered = FrameHeader.requestId(frame, 0);
                }
            }
        }
        catch (final IOException e)
        {
            // the mapd closed the link at the end of the test
        }
    }

    /**
     * @throws SocketTimeoutException when no frame has begun within the read timeout (nothing consumed).
     */
    private static ByteBuf readFrame(final DataInputStream in) throws IOException
    {
        final int first = in.read();
        if (first < 0)
        {
            throw new EOFException();
        }
        final byte[] rest = new byte[3];
        readFully(in, rest, 0, 3);
        final int length = first << 24 | (rest[0] & 0xFF) << 16 | (rest[1] & 0xFF) << 8 | (rest[2] & 0xFF);
        assertTrue(length >= FrameHeader.HEADER_LENGTH && length < (1 << 20), "frame length " + length);
        final byte[] frame = new byte[length];
        frame[0] = (byte)(length >>> 24);
        frame[1] = (byte)(length >>> 16);
        frame[2] = (byte)(length >>> 8);
        frame[3] = (byte)length;
        readFully(in, frame, 4, length - 4);
        return Unpooled.wrappedBuffer(frame);
    }

    private static void readFully(final DataInputStream in, final byte[] bytes) throws IOException
    {
        readFully(in, bytes, 0, bytes.length);
    }

    /** As {@link DataInputStream#readFully}, but carries on across read timeouts once a frame has begun. */
    private static void readFully(final DataInputStream in, final byte[] bytes, final int from, final int length)
        throws IOException
    {
        int done = 0;
        while (done < length)
        {
            try
            {
                final int n = in.read(bytes, from + done, length - done);
                if (n < 0)
                {
                    throw new EOFException();
                }
                done += n;
            }
            catch (final SocketTimeoutException e)
            {
                if (Thread.currentThread().isInterrupted())
                {
                    throw e;
                }
            }
        }
    }

    private static void write(final OutputStream out, final Consumer<ByteBuf> encoder)
        throws IOException
    {
        final ByteBuf buf = Unpooled.buffer();
        encoder.accept(buf);
        buf.readBytes(out, buf.readableBytes());
        out.flush();
    }
}
