package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PeerConnection} against real loopback servers: pipelining, timeouts, loss and reconnect.
 */
class PeerConnectionTest
{
    private static final HandshakeConfig CLIENT =
        new HandshakeConfig(Roles.CLIENT, 0, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
    private static final HandshakeConfig SERVER =
        new HandshakeConfig(Roles.LOGD, 9, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);

    private EventLoopGroup group;

    @BeforeEach
    void setUp()
    {
        group = Transports.newEventLoopGroup(2, "peer-test");
    }

    @AfterEach
    void tearDown()
    {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers PING, or swallows every request when {@code silent}. */
    private static final class PingServer extends ChannelInboundHandlerAdapter
    {
        private final boolean silent;

        PingServer(final boolean silent)
        {
            this.silent = silent;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            if (!silent && FrameHeader.opcode(frame, frame.readerIndex()) == Opcodes.PING)
            {
                final ByteBuf out = ctx.alloc().buffer();
                Ping.encodeResponse(out, FrameHeader.requestId(frame, frame.readerIndex()),
                    Ping.nonce(frame, frame.readerIndex()));
                ctx.write(out);
            }
            frame.release();
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ctx.flush();
        }
    }

    private Channel startServer(final int port, final boolean silent) throws InterruptedException
    {
        return startServer(port, silent, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
    }

    private Channel startServer(final int port, final boolean silent, final ChannelGroup children)
        throws InterruptedException
    {
        return new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannelClass())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    children.add(ch);
                    ProtocolPipeline.initServer(ch.pipeline(), SERVER, new PingServer(silent), new ProtocolErrorHandler());
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    private static int port(final Channel server)
    {
        return ((InetSocketAddress)server.localAddress()).getPort();
    }

    /** Collects outcomes by token. */
    private static final class Outcomes implements ResponseListener
    {
        final ConcurrentHashMap<Long, Short> statuses = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Long, Long> nonces = new ConcurrentHashMap<>();
        final CountDownLatch done;

        Outcomes(final int expected)
        {
            done = new CountDownLatch(expected);
        }

        @Override
        public void onResponse(final long token, final ByteBuf frame, final int at)
        {
            statuses.put(token, FrameHeader.status(frame, at));
            nonces.put(token, Ping.nonce(frame, at));
            done.countDown();
        }

        @Override
        public void onFailure(final long token, final short status)
        {
            statuses.put(token, status);
            done.countDown();
        }
    }

    private static PeerConnection connectAndAwaitReady(
        final EventLoopGroup group, final int port, final long timeoutMs) throws Exception
    {
        final CompletableFuture<HandshakeResult> ready = new CompletableFuture<>();
        final PeerConnection connection = new PeerConnection(group.next(), new InetSocketAddress("127.0.0.1", port), CLIENT, 1024, timeoutMs,
            new PeerConnection.StateListener()
            {
                @Override
                public void onReady(final PeerConnection c, final HandshakeResult hello)
                {
                    ready.complete(hello);
                }

                @Override
                public void onLost(final PeerConnection c)
                {
                }
            });
        connection.start();
        assertEquals(9, ready.get(10, TimeUnit.SECONDS).nodeId());
        return connection;
    }

    private static void sendPings(final PeerConnection connection, final Outcomes outcomes, final int count)
        throws Exception
    {
        connection.eventLoop().submit(() ->
        {
            for (int i = 0; i < count; i++)
            {
                final long nonce = i * 7L;
                final long requestId = connection.send((out, id) -> Ping.encodeRequest(out, id, nonce), outcomes, i);
                assertTrue(requestId > 0, "sent " + i);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldPipelineManyRequestsAndMatchAnswersById() throws Exception
    {
        final Channel server = startServer(0, false);
        final PeerConnection connection = connectAndAwaitReady(group, port(server), 10_000);
        final Outcomes outcomes = new Outcomes(1000);
        sendPings(connection, outcomes, 500);
        sendPings(connection, outcomes, 500);
        assertTrue(outcomes.done.await(10, TimeUnit.SECONDS));
        for (long i = 0; i < 500; i++)
        {
            assertEquals(StatusCodes.OK, outcomes.statuses.get(i));
            assertEquals(i * 7, outcomes.nonces.get(i));
        }
        connection.close();
        server.close().sync();
    }

    @Test
    void shouldTimeOutRequestsAServerNeverAnswers() throws Exception
    {
        final Channel server = startServer(0, true);
        final PeerConnection connection = connectAndAwaitReady(group, port(server), 200);
        final Outcomes outcomes = new Outcomes(10);
        sendPings(connection, outcomes, 10);
        assertTrue(outcomes.done.await(10, TimeUnit.SECONDS));
        outcomes.statuses.values().forEach(status -> assertEquals(StatusCodes.TIMEOUT, status));
        connection.close();
        server.close().sync();
    }

    @Test
    void shouldTimeOutRequestsSentAfterTheConnectionHadNoneInFlight() throws Exception
    {
        // The timeout scan runs only while requests are in flight: once the first batch has timed out it stops,
        // and the next send must start it again.
        final Channel server = startServer(0, true);
        final PeerConnection connection = connectAndAwaitReady(group, port(server), 200);
        for (int batch = 0; batch < 3; batch++)
        {
            // Each batch's timeouts also close the connection (the server sent nothing): send once it is back.
            awaitReady(connection);
            final Outcomes outcomes = new Outcomes(5);
            sendPings(connection, outcomes, 5);
            assertTrue(outcomes.done.await(10, TimeUnit.SECONDS), "batch " + batch + " timed out");
            outcomes.statuses.values().forEach(status -> assertEquals(StatusCodes.TIMEOUT, status));
            assertEquals(0, connection.eventLoop().submit(connection::inFlight).get(10, TimeUnit.SECONDS));
        }
        connection.close();
        server.close().sync();
    }

    /**
     * A peer that accepted the connection and then sends nothing (a half-open connection: it vanished without a
     * FIN, or its socket was never closed) must not hold the link forever: once requests time out with nothing
     * heard for a request timeout, the connection is closed and established again.
     */
    @Test
    void shouldCloseAndReestablishAConnectionWhosePeerWentSilent() throws Exception
    {
        final Channel server = startServer(0, true);
        final PeerConnection connection = connectAndAwaitReady(group, port(server), 200);
        final Outcomes outcomes = new Outcomes(3);
        sendPings(connection, outcomes, 3);
        assertTrue(outcomes.done.await(10, TimeUnit.SECONDS));
        outcomes.statuses.values().forEach(status -> assertEquals(StatusCodes.TIMEOUT, status));
        Await.until("the silent connection closed and established again", 10_000, () ->
            connection.eventLoop().submit(() -> connection.connects() == 2 && connection.isReady())
                .get(10, TimeUnit.SECONDS));
        assertEquals(1L, connection.eventLoop().submit(connection::silentCloses).get(10, TimeUnit.SECONDS));
        connection.close();
        server.close().sync();
    }

    /**
     * A peer that answers, however late within the timeout, keeps its connection.
     */
    @Test
    void shouldKeepAConnectionWhosePeerAnswers() throws Exception
    {
        final Channel server = startServer(0, false);
        final PeerConnection connection = connectAndAwaitReady(group, port(server), 200);
        for (int batch = 0; batch < 3; batch++)
        {
            final Outcomes outcomes = new Outcomes(5);
            sendPings(connection, outcomes, 5);
            assertTrue(outcomes.done.await(10, TimeUnit.SECONDS));
            outcomes.statuses.values().forEach(status -> assertEquals(StatusCodes.OK, status));
        }
        assertEquals(1L, connection.eventLoop().submit(connection::connects).get(10, TimeUnit.SECONDS));
        assertEquals(0L, connection.eventLoop().submit(connection::silentCloses).get(10, TimeUnit.SECONDS));
        connection.close();
        server.close().sync();
    }

    private static void awaitReady(final PeerConnection connection) throws Exception
    {
        Await.until("connection ready", 10_000, () ->
            connection.eventLoop().submit(connection::isReady).get(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldFailInFlightRequestsOnLossAndReconnectWhenTheServerReturns() throws Exception
    {
        final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        final Channel silent = startServer(0, true, children);
        final int port = port(silent);
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        final PeerConnection connection = new PeerConnection(group.next(), new InetSocketAddress("127.0.0.1", port),
            CLIENT, 1024, 60_000, new PeerConnection.StateListener()
            {
                @Override
                public void onReady(final PeerConnection c, final HandshakeResult hello)
                {
                    events.add("ready");
                }

                @Override
                public void onLost(final PeerConnection c)
                {
                    events.add("lost");
                }
            });
        connection.start();
        assertEquals("ready", events.poll(10, TimeUnit.SECONDS));

        final Outcomes lost = new Outcomes(5);
        sendPings(connection, lost, 5);
        silent.close().sync();
        children.close().sync();
        assertTrue(lost.done.await(10, TimeUnit.SECONDS));
        lost.statuses.values().forEach(status -> assertEquals(StatusCodes.UNAVAILABLE, status));
        assertEquals("lost", events.poll(10, TimeUnit.SECONDS));

        final Channel answering = startServer(port, false, children);
        assertEquals("ready", events.poll(10, TimeUnit.SECONDS));
        final Outcomes after = new Outcomes(5);
        sendPings(connection, after, 5);
        assertTrue(after.done.await(10, TimeUnit.SECONDS));
        after.statuses.values().forEach(status -> assertEquals(StatusCodes.OK, status));
        assertEquals(2, connection.connects());

        connection.close();
        answering.close().sync();
        children.close().sync();
    }

    @Test
    void shouldRefuseSendsWhileNotConnected() throws Exception
    {
        final PeerConnection connection = new PeerConnection(group.next(), new InetSocketAddress("127.0.0.1", 1),
            CLIENT, 16, 1_000, null);
        connection.start();
        final long result = connection.eventLoop().submit(() ->
            connection.send((out, id) -> Ping.encodeRequest(out, id, 1), new Outcomes(1), 0)).get(10, TimeUnit.SECONDS);
        assertEquals(PeerConnection.NOT_READY, result);
        connection.close();
    }

    @Test
    void shouldGiveUpOnAPeerThatNeverAnswersHelloAndTryAgain() throws Exception
    {
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        final Channel mute = new ServerBootstrap()
            .group(group)
            .channel(Transports.serverChannelClass())
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    accepted.incrementAndGet();
                    children.add(ch);
                }
            })
            .bind("127.0.0.1", 0).sync().channel();
        final LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        final PeerConnection connection = new PeerConnection(group.next(), (InetSocketAddress)mute.localAddress(),
            CLIENT, 16, 200, new PeerConnection.StateListener()
            {
                @Override
                public void onReady(final PeerConnection c, final HandshakeResult hello)
                {
                }

                @Override
                public void onLost(final PeerConnection c)
                {
                }

                @Override
                public void onHandshakeFailed(final PeerConnection c, final Throwable cause)
                {
                    failures.add(cause);
                }
            });
        connection.start();
        final Throwable cause = failures.poll(30, TimeUnit.SECONDS);
        assertTrue(cause instanceof io.metrodb.protocol.ProtocolException, String.valueOf(cause));
        assertEquals(StatusCodes.TIMEOUT, ((io.metrodb.protocol.ProtocolException)cause).status());
        final Throwable again = failures.poll(30, TimeUnit.SECONDS);
        assertTrue(again != null && accepted.get() >= 2, "reconnected after giving up: " + accepted.get());
        connection.close();
        mute.close().sync();
        children.close().sync();
    }
}
