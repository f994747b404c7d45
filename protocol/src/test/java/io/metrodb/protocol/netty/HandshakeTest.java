package io.metrodb.protocol.netty;

import io.metrodb.protocol.ErrorPayload;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.HelloRequest;
import io.metrodb.protocol.HelloResponse;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.ProtocolLimits;
import io.metrodb.protocol.Roles;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest
{
    private static final HandshakeConfig SERVER_WITH_TOKEN =
        new HandshakeConfig(Roles.LOGD, 7, "s3cret", ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
    private static final HandshakeConfig SERVER_OPEN =
        new HandshakeConfig(Roles.LOGD, 7, null, ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);

    /** Answers PING so the tests see which frames got past the handshake. */
    private static final class PingResponder extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            final ByteBuf out = ctx.alloc().buffer();
            Ping.encodeResponse(out, FrameHeader.requestId(frame, frame.readerIndex()), Ping.nonce(frame, frame.readerIndex()));
            frame.release();
            ctx.writeAndFlush(out);
        }
    }

    private static EmbeddedChannel server(final HandshakeConfig config)
    {
        return new EmbeddedChannel(new ServerHandshakeHandler(config), new PingResponder());
    }

    private static ByteBuf hello(final String token, final int minVersion, final int maxVersion)
    {
        final ByteBuf out = Unpooled.buffer();
        HelloRequest.encode(out, 0, minVersion, maxVersion, Roles.CLIENT, 0,
            token == null ? null : token.getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static ByteBuf ping(final long requestId)
    {
        final ByteBuf out = Unpooled.buffer();
        Ping.encodeRequest(out, requestId, 99);
        return out;
    }

    private static short replyStatus(final EmbeddedChannel channel)
    {
        final ByteBuf reply = channel.readOutbound();
        try
        {
            return FrameHeader.status(reply, 0);
        }
        finally
        {
            reply.release();
        }
    }

    @Test
    void shouldRefuseRequestsUntilHelloCarriesTheToken()
    {
        final EmbeddedChannel channel = server(SERVER_WITH_TOKEN);
        channel.writeInbound(ping(1));
        assertEquals(StatusCodes.AUTH_REQUIRED, replyStatus(channel));
        assertTrue(channel.isOpen());

        channel.writeInbound(hello("s3cret", 1, 1));
        final ByteBuf reply = channel.readOutbound();
        assertEquals(StatusCodes.OK, FrameHeader.status(reply, 0));
        assertTrue(HelloResponse.isValid(reply, 0));
        assertEquals(Roles.LOGD, HelloResponse.role(reply, 0));
        assertEquals(7, HelloResponse.nodeId(reply, 0));
        reply.release();

        channel.writeInbound(ping(2));
        assertEquals(StatusCodes.OK, replyStatus(channel));
        assertEquals(Roles.CLIENT, channel.attr(ProtocolAttributes.PEER_ROLE).get());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldCloseOnWrongToken()
    {
        final EmbeddedChannel channel = server(SERVER_WITH_TOKEN);
        channel.writeInbound(hello("guess", 1, 1));
        final ByteBuf reply = channel.readOutbound();
        assertEquals(StatusCodes.AUTH_FAILED, FrameHeader.status(reply, 0));
        assertEquals("wrong auth token", ErrorPayload.message(reply, 0));
        reply.release();
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldCloseOnMissingToken()
    {
        final EmbeddedChannel channel = server(SERVER_WITH_TOKEN);
        channel.writeInbound(hello(null, 1, 1));
        assertEquals(StatusCodes.AUTH_FAILED, replyStatus(channel));
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldServeWithoutHelloWhenNoTokenIsConfigured()
    {
        final EmbeddedChannel channel = server(SERVER_OPEN);
        channel.writeInbound(ping(1));
        assertEquals(StatusCodes.OK, replyStatus(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldNegotiateHighestCommonVersionAndRefuseDisjointRanges()
    {
        final EmbeddedChannel channel = server(SERVER_OPEN);
        channel.writeInbound(hello(null, 1, 9));
        final ByteBuf reply = channel.readOutbound();
        assertEquals(1, HelloResponse.version(reply, 0));
        reply.release();
        assertFalse(channel.finishAndReleaseAll());

        final EmbeddedChannel newer = server(SERVER_OPEN);
        newer.writeInbound(hello(null, 2, 3));
        assertEquals(StatusCodes.UNSUPPORTED_VERSION, replyStatus(newer));
        assertFalse(newer.isOpen());
        newer.finishAndReleaseAll();
    }

    @Test
    void shouldAnswerSecondHelloWithBadRequestAndStayOpen()
    {
        final EmbeddedChannel channel = server(SERVER_OPEN);
        channel.writeInbound(hello(null, 1, 1));
        assertEquals(StatusCodes.OK, replyStatus(channel));
        channel.writeInbound(hello(null, 1, 1));
        assertEquals(StatusCodes.BAD_REQUEST, replyStatus(channel));
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldCloseOnMalformedHello()
    {
        final EmbeddedChannel channel = server(SERVER_OPEN);
        final ByteBuf bad = Unpooled.buffer();
        FrameHeader.writeRequest(bad, 3, Opcodes.HELLO, (byte)0, 0);
        bad.writeZero(3);
        channel.writeInbound(bad);
        assertEquals(StatusCodes.BAD_REQUEST, replyStatus(channel));
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void clientShouldSendPrefaceAndHelloThenCompleteOnAnswer()
    {
        final HandshakeConfig clientConfig =
            new HandshakeConfig(Roles.CLIENT, 0, "s3cret", ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH);
        final ClientHandshakeHandler handshake = new ClientHandshakeHandler(clientConfig);
        final EmbeddedChannel client = new EmbeddedChannel(handshake);
        final EmbeddedChannel server = new EmbeddedChannel(
            new FrameDecoder(ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH, true), new ServerHandshakeHandler(SERVER_WITH_TOKEN));

        ByteBuf bytes;
        while ((bytes = client.readOutbound()) != null)
        {
            server.writeInbound(bytes);
        }
        assertFalse(handshake.result().isDone());
        client.writeInbound((ByteBuf)server.readOutbound());

        assertTrue(handshake.result().isSuccess());
        assertEquals(Roles.LOGD, handshake.result().getNow().role());
        assertEquals(7, handshake.result().getNow().nodeId());
        assertNull(client.pipeline().get(ClientHandshakeHandler.class));
        assertFalse(client.finishAndReleaseAll());
        assertFalse(server.finishAndReleaseAll());
    }

    @Test
    void clientShouldFailItsPromiseWhenRefused()
    {
        final ClientHandshakeHandler handshake = new ClientHandshakeHandler(
            new HandshakeConfig(Roles.CLIENT, 0, "wrong", ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH));
        final EmbeddedChannel client = new EmbeddedChannel(handshake);
        final EmbeddedChannel server = new EmbeddedChannel(
            new FrameDecoder(ProtocolLimits.DEFAULT_MAX_FRAME_LENGTH, true), new ServerHandshakeHandler(SERVER_WITH_TOKEN));
        ByteBuf bytes;
        while ((bytes = client.readOutbound()) != null)
        {
            server.writeInbound(bytes);
        }
        client.writeInbound((ByteBuf)server.readOutbound());
        final ProtocolException error = assertInstanceOf(ProtocolException.class, handshake.result().cause());
        assertEquals(StatusCodes.AUTH_FAILED, error.status());
        assertFalse(client.isOpen());
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }
}
