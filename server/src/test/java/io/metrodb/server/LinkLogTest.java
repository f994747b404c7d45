package io.metrodb.server;

import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.netty.HandshakeConfig;
import io.metrodb.protocol.netty.HandshakeResult;
import io.metrodb.protocol.netty.PeerConnection;
import io.metrodb.protocol.netty.Transports;
import io.metrodb.testing.Await;
import io.metrodb.testing.EventLines;
import io.metrodb.testing.FakeServer;
import io.metrodb.testing.Ports;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LinkLog} as the listener of a real {@link PeerConnection} (to a {@link FakeServer}): it passes every state
 * change on to the owner's listener, logs a link the server cuts but not one closed for good, and does not call a
 * link to a node of another role up.
 */
class LinkLogTest
{
    private static final long AWAIT_MS = 30_000;
    private static final HandshakeConfig CLIENT =
        new HandshakeConfig(Roles.MAPD, 7, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);

    private final Recorder owner = new Recorder();
    private final List<Channel> accepted = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private EventLoop loop;
    private FakeServer server;
    private PeerConnection connection;
    private EventLines events;

    @BeforeEach
    void start()
    {
        group = Transports.newEventLoopGroup(1, "link-log-test");
        loop = group.next();
        events = EventLines.capture();
    }

    @AfterEach
    void stop()
    {
        if (connection != null)
        {
            connection.close();
        }
        if (server != null)
        {
            server.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        events.close();
    }

    @Test
    void shouldLogALinkTheServerCutsAndItsReconnectButNotALinkClosedForGood() throws Exception
    {
        server = FakeServer.start(new HandshakeConfig(Roles.LOGD, 101, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
            new Ignore(), accepted::add);
        final String peer = "logd " + server.address().getHostString() + ":" + server.port();
        final LinkLog link = connect(Roles.LOGD, server.address());
        Await.until("the link up", AWAIT_MS, () -> owner.ready.get() == 1 && onLoop(link::isUp));

        accepted.get(0).close();
        Await.until("the loss logged", AWAIT_MS, () -> events.count("mapd 7: lost the link to " + peer) == 1,
            events::dump);
        Await.until("the reconnect logged and the owner told", AWAIT_MS,
            () -> events.count("mapd 7: reconnected to " + peer + " (logd 101) after ") == 1 &&
                owner.ready.get() == 2, events::dump);
        assertEquals(1, owner.lost.get(), "the owner is told the loss");

        connection.close();
        Await.until("the owner told the close", AWAIT_MS, () -> owner.lost.get() == 2);
        assertEquals(1, events.count("lost the link to " + peer), "a link closed for good is no event: " +
            events.dump());
    }

    @Test
    void shouldNotCallALinkToANodeOfAnotherRoleUp() throws Exception
    {
        server = FakeServer.start(new HandshakeConfig(Roles.MOND, 9, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH),
            new Ignore(), accepted::add);
        final LinkLog link = connect(Roles.LOGD, server.address());
        Await.until("the owner told the handshake", AWAIT_MS, () -> owner.ready.get() == 1);
        assertFalse(onLoop(link::isUp), "a mond where a logd is expected is not a link up");

        accepted.get(0).close();
        Await.until("the owner told the loss", AWAIT_MS, () -> owner.lost.get() == 1);
        assertEquals(0, events.count("lost the link"), "a link never up is not lost: " + events.dump());
    }

    @Test
    void shouldCountFailedConnectsAndHandshakesAndPassThemOn() throws Exception
    {
        final LinkLog refused = connect(Roles.LOGD, new InetSocketAddress(Ports.HOST, Ports.unused(1)[0]));
        Await.until("connects refused", AWAIT_MS, () -> owner.connectFailed.get() >= 2);
        assertTrue(onLoop(refused::failedAttempts) >= 2, "failed attempts counted");
        connection.close();

        server = FakeServer.start(Roles.LOGD, 101, "the-token", new Ignore());
        final LinkLog wrongToken = connect(Roles.LOGD, server.address());
        Await.until("handshakes refused", AWAIT_MS, () -> owner.handshakeFailed.get() >= 2);
        assertTrue(onLoop(wrongToken::failedAttempts) >= 2, "failed handshakes counted");
        assertFalse(onLoop(wrongToken::isUp));
    }

    private LinkLog connect(final byte role, final InetSocketAddress address)
    {
        final LinkLog link = new LinkLog("mapd 7", Roles.name(role), role, address, owner);
        connection = new PeerConnection(loop, address, CLIENT, 16, 5_000, link);
        connection.start();
        return link;
    }

    private <T> T onLoop(final Callable<T> task) throws Exception
    {
        return loop.submit(task).get(AWAIT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * The owner's listener: counts what it is told.
     */
    private static final class Recorder implements PeerConnection.StateListener
    {
        final AtomicInteger ready = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger connectFailed = new AtomicInteger();
        final AtomicInteger handshakeFailed = new AtomicInteger();

        @Override
        public void onReady(final PeerConnection connection, final HandshakeResult hello)
        {
            ready.incrementAndGet();
        }

        @Override
        public void onLost(final PeerConnection connection)
        {
            lost.incrementAndGet();
        }

        @Override
        public void onConnectFailed(final PeerConnection connection, final Throwable cause)
        {
            connectFailed.incrementAndGet();
        }

        @Override
        public void onHandshakeFailed(final PeerConnection connection, final Throwable cause)
        {
            handshakeFailed.incrementAndGet();
        }
    }

    /**
     * The fake server's request handler: no request is sent here.
     */
    @ChannelHandler.Sharable
    private static final class Ignore extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ReferenceCountUtil.release(msg);
        }
    }
}
