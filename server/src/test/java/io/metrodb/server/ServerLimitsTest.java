package io.metrodb.server;

import io.metrodb.log.LogConfig;
import io.metrodb.logd.LogdConfig;
import io.metrodb.logd.LogdCounter;
import io.metrodb.logd.LogdServer;
import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.ProtocolVersion;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.logd.AppendRequest;
import io.metrodb.protocol.logd.OffsetPayload;
import io.metrodb.protocol.netty.ServerLimits;
import io.metrodb.testing.Await;
import io.metrodb.testing.SocketClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits a daemon puts on its clients ({@link ServerLimits}), on a real logd over real sockets: handshake
 * timeout, incomplete-frame deadline and budget, connection limit, and no reading from a client that does not
 * read its replies. Each limit is set short or small here; the counters in the logd's counters file must show
 * each event.
 */
class ServerLimitsTest
{
    private static final String HOST = "127.0.0.1";
    private static final int SEGMENT_LENGTH = 16 << 20;
    private static final int MAX_ENTRY = 8 << 20;

    @TempDir
    Path dir;

    private LogdServer logd;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable client : clients)
        {
            client.close();
        }
        if (logd != null)
        {
            logd.close();
        }
    }

    private LogdServer start(final ServerLimits limits)
    {
        final LogConfig log = new LogConfig().directory(dir).segmentLength(SEGMENT_LENGTH).maxEntryLength(MAX_ENTRY)
            .validate();
        try
        {
            logd = LogdServer.start(new LogdConfig(HOST, 0, 7, null, 1, ProtocolLimits.frameLengthFor(MAX_ENTRY), log,
                limits));
        }
        catch (final InterruptedException e)
        {
            throw new AssertionError(e);
        }
        return logd;
    }

    private long counter(final LogdCounter counter)
    {
        return logd.counters().get(counter);
    }

    private SocketClient hello() throws IOException
    {
        final SocketClient client = SocketClient.connectWithHello(HOST, logd.port(), null);
        clients.add(client);
        final ByteBuf answer = client.lastHello();
        assertEquals(StatusCodes.OK, FrameHeader.status(answer, 0));
        answer.release();
        return client;
    }

    private Socket raw() throws IOException
    {
        final Socket socket = new Socket();
        clients.add(socket);
        socket.setSoTimeout(SocketClient.READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(HOST, logd.port()));
        return socket;
    }

    private static void assertPingAnswered(final SocketClient client, final long nonce) throws IOException
    {
        client.send(out -> Ping.encodeRequest(out, nonce, nonce));
        final ByteBuf reply = client.readFrame();
        try
        {
            assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0));
            assertEquals(nonce, Ping.nonce(reply, 0));
        }
        finally
        {
            reply.release();
        }
    }

    private static void assertErrorThenClosed(final SocketClient client, final short status) throws IOException
    {
        final ByteBuf error = client.readFrame();
        try
        {
            assertEquals(Opcodes.ERROR, FrameHeader.opcode(error, 0), ErrorPayload.message(error, 0));
            assertEquals(StatusCodes.name(status), StatusCodes.name(FrameHeader.status(error, 0)),
                ErrorPayload.message(error, 0));
        }
        finally
        {
            error.release();
        }
        assertTrue(client.isClosedByServer(), "closed after the ERROR frame");
    }

    /** The start of an APPEND whose header claims {@code entryLength} bytes of entry, and that many bytes sent. */
    private static ByteBuf appendStart(final long requestId, final int entryLength, final int entryBytesSent)
    {
        final ByteBuf out = Unpooled.buffer();
        AppendRequest.encode(out, requestId, false, new byte[entryLength]);
        return out.slice(0, FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + entryBytesSent);
    }

    @Test
    void shouldCloseConnectionThatNeverSendsHello() throws Exception
    {
        start(ServerLimits.DEFAULTS.withHandshakeTimeoutMs(300));
        final SocketClient keeps = hello();

        final Socket silent = raw();
        final SocketClient prefaceOnly = SocketClient.connect(HOST, logd.port());
        clients.add(prefaceOnly);

        assertEquals(-1, silent.getInputStream().read(), "a silent connection is closed without a word");
        assertErrorThenClosed(prefaceOnly, StatusCodes.TIMEOUT);
        assertEquals(2, counter(LogdCounter.SERVER_HANDSHAKE_TIMEOUTS));
        assertPingAnswered(keeps, 1);
        Await.until("the closed connections are no longer counted", 10_000,
            () -> counter(LogdCounter.SERVER_CONNECTIONS_OPEN) == 1);
    }

    @Test
    void shouldAcceptHelloSentByteByByteWithinTheTimeout() throws Exception
    {
        final long timeoutMs = 1_000;
        start(ServerLimits.DEFAULTS.withHandshakeTimeoutMs(timeoutMs));
        final ByteBuf bytes = Unpooled.buffer();
        Preface.write(bytes);
        HelloRequest.encode(bytes, 0, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.CURRENT, Roles.CLIENT, 0, null);
        final Socket socket = raw();
        final long startNs = System.nanoTime();
        final long gapNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs / 3) / bytes.readableBytes();
        while (bytes.isReadable())
        {
            socket.getOutputStream().write(bytes.readByte());
            socket.getOutputStream().flush();
            LockSupport.parkNanos(gapNs); // pacing, one byte per read at the server: not a synchronisation
        }
        final InputStream in = socket.getInputStream();
        final int length = new java.io.DataInputStream(in).readInt();
        final byte[] rest = in.readNBytes(length - 4);
        assertEquals(StatusCodes.OK, (short)(((rest[2] & 0xFF) << 8) | (rest[3] & 0xFF)), "HELLO answered OK");

        // Nothing to wait for: the timer must not fire. Past the timeout the connection still serves.
        LockSupport.parkNanos(startNs + TimeUnit.MILLISECONDS.toNanos(2 * timeoutMs) - System.nanoTime());
        final ByteBuf ping = Unpooled.buffer();
        Ping.encodeRequest(ping, 5, 55);
        socket.getOutputStream().write(ping.array(), ping.arrayOffset(), ping.readableBytes());
        final int pingLength = new java.io.DataInputStream(in).readInt();
        assertEquals(FrameHeader.HEADER_LENGTH + Ping.LENGTH, pingLength);
        in.readNBytes(pingLength - 4);
        assertEquals(0, counter(LogdCounter.SERVER_HANDSHAKE_TIMEOUTS));
    }

    @Test
    void shouldCloseConnectionWhoseFrameStaysIncompletePastTheDeadline() throws Exception
    {
        start(ServerLimits.DEFAULTS.withFrameTimeoutMs(400));
        final SocketClient slow = hello();
        final SocketClient other = hello();
        slow.writeRaw(appendStart(1, 1 << 20, 1000).retain());

        assertErrorThenClosed(slow, StatusCodes.TIMEOUT);
        assertEquals(1, counter(LogdCounter.SERVER_FRAME_TIMEOUTS));
        Await.until("the dropped frame's bytes are released", 10_000, () -> logd.server().edge().incompleteBytes() == 0);
        assertPingAnswered(other, 2);
    }

    @Test
    void shouldBufferOnlyTheBytesThatArrivedOfAFrameClaimingMore() throws Exception
    {
        start(ServerLimits.DEFAULTS);
        final SocketClient client = hello();
        final int sent = FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + 3000;
        client.writeRaw(appendStart(1, MAX_ENTRY, 3000).retain());

        // The frame claims 8 MiB: what is held for it is what arrived, not the claim.
        Await.until("the partial frame is held", 10_000, () -> logd.server().edge().incompleteBytes() == sent);
        final ByteBuf rest = Unpooled.buffer();
        AppendRequest.encode(rest, 1, false, new byte[MAX_ENTRY]);
        rest.skipBytes(sent);
        client.writeRaw(rest);
        final ByteBuf reply = client.readFrame();
        assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0));
        reply.release();
        assertEquals(0, logd.server().edge().incompleteBytes(), "released once the frame is whole");
    }

    @Test
    void shouldCloseConnectionWhoseIncompleteFrameFindsNoBudget() throws Exception
    {
        start(ServerLimits.DEFAULTS.withIncompleteFrameBudget(1 << 20));
        final SocketClient first = hello();
        final SocketClient second = hello();
        final SocketClient bystander = hello();
        final int firstEntry = 900 * 1024;
        final int firstSent = 500 * 1024;
        final int firstHeld = FrameHeader.HEADER_LENGTH + AppendRequest.ENTRY_OFFSET + firstSent;
        first.writeRaw(appendStart(1, firstEntry, firstSent).retain());
        Await.until("the first partial frame is held", 10_000,
            () -> logd.server().edge().incompleteBytes() == firstHeld);
        second.writeRaw(appendStart(1, 2 << 20, 600 * 1024).retain());

        assertErrorThenClosed(second, StatusCodes.OVERLOADED);
        assertEquals(1, counter(LogdCounter.SERVER_FRAME_BUDGET_REFUSALS));
        assertPingAnswered(bystander, 3);
        Await.until("the refused frame's bytes are given back", 10_000,
            () -> logd.server().edge().incompleteBytes() == firstHeld);

        // The first connection keeps its frame and completes it.
        final ByteBuf rest = Unpooled.buffer();
        AppendRequest.encode(rest, 1, false, new byte[firstEntry]);
        rest.skipBytes(firstHeld);
        first.writeRaw(rest);
        final ByteBuf reply = first.readFrame();
        assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0));
        reply.release();
        Await.until("every byte given back", 10_000, () -> logd.server().edge().incompleteBytes() == 0);
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimit() throws Exception
    {
        start(ServerLimits.DEFAULTS.withMaxConnections(3));
        final SocketClient first = hello();
        hello();
        hello();

        // The fourth is told why: its HELLO is answered OVERLOADED, then it is closed.
        final SocketClient refused = SocketClient.connectWithHello(HOST, logd.port(), null);
        clients.add(refused);
        final ByteBuf answer = refused.lastHello();
        try
        {
            assertEquals(StatusCodes.name(StatusCodes.OVERLOADED), StatusCodes.name(FrameHeader.status(answer, 0)));
            assertEquals(Opcodes.HELLO, FrameHeader.opcode(answer, 0));
            assertTrue(ErrorPayload.message(answer, 0).contains("--max-connections 3"),
                ErrorPayload.message(answer, 0));
        }
        finally
        {
            answer.release();
        }
        assertTrue(refused.isClosedByServer(), "the refused connection is closed");
        assertEquals(1, counter(LogdCounter.SERVER_CONNECTIONS_REFUSED));
        assertEquals(3, counter(LogdCounter.SERVER_CONNECTIONS_OPEN));
        assertPingAnswered(first, 4);

        first.close();
        Await.until("a slot is free", 10_000, () -> counter(LogdCounter.SERVER_CONNECTIONS_OPEN) == 2);
        assertPingAnswered(hello(), 5);
    }

    @Test
    void shouldStopReadingClientThatDoesNotReadItsReplies() throws Exception
    {
        start(ServerLimits.DEFAULTS);
        final SocketClient writer = hello();
        final int entryLength = 1 << 20;
        writer.send(out -> AppendRequest.encode(out, 1, false, new byte[entryLength]));
        final ByteBuf appended = writer.readFrame();
        final long offset = OffsetPayload.offset(appended, 0);
        appended.release();

        // 100 READs of 1 MiB each: 100 MiB of replies if the server answered them all at once.
        final int reads = 100;
        final SocketClient greedy = hello();
        final long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        greedy.send(out ->
        {
            for (int i = 0; i < reads; i++)
            {
                OffsetPayload.encodeReadRequest(out, 100 + i, offset);
            }
        });
        Await.until("the server stops reading the client that does not read", 30_000,
            () -> counter(LogdCounter.SERVER_READ_PAUSES) > 0);
        // One event loop serves both: once the writer's PING is answered the greedy client's batch is over.
        assertPingAnswered(writer, 6);
        final long held = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
        assertTrue(held < 32L << 20, "replies held for a client that does not read: " + held + " bytes");

        for (int i = 0; i < reads; i++)
        {
            final ByteBuf reply = greedy.readFrame();
            try
            {
                assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0), "reply " + i);
                assertEquals(100 + i, FrameHeader.requestId(reply, 0), "in order");
            }
            finally
            {
                reply.release();
            }
        }
        assertPingAnswered(greedy, 7);
    }
}
