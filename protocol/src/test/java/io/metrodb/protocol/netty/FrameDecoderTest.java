package io.metrodb.protocol.netty;

import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.Ping;
import io.metrodb.protocol.Preface;
import io.metrodb.protocol.ProtocolException;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameDecoderTest
{
    private static final int MAX_FRAME = 1024;

    @Test
    void shouldDecodePipelinedFramesFromOneBuffer()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, true));
        final ByteBuf in = Unpooled.buffer();
        Preface.write(in);
        for (int i = 1; i <= 3; i++)
        {
            Ping.encodeRequest(in, i, i * 100L);
        }
        assertTrue(channel.writeInbound(in));
        for (int i = 1; i <= 3; i++)
        {
            final ByteBuf frame = channel.readInbound();
            assertEquals(i, FrameHeader.requestId(frame, frame.readerIndex()));
            assertEquals(i * 100L, Ping.nonce(frame, frame.readerIndex()));
            frame.release();
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldWaitForTheRestOfAPartialFrame()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        final ByteBuf frame = Unpooled.buffer();
        Ping.encodeRequest(frame, 1, 42);
        assertFalse(channel.writeInbound(frame.readRetainedSlice(3)));
        assertFalse(channel.writeInbound(frame.readRetainedSlice(10)));
        assertTrue(channel.writeInbound(frame.readRetainedSlice(frame.readableBytes())));
        frame.release();
        final ByteBuf decoded = channel.readInbound();
        assertEquals(42, Ping.nonce(decoded, decoded.readerIndex()));
        decoded.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldRejectFrameOverLimitAsSoonAsItsLengthArrives()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        final ByteBuf in = Unpooled.buffer().writeInt(MAX_FRAME + 1);
        final ProtocolException error = protocolError(assertThrows(DecoderException.class, () -> channel.writeInbound(in)));
        assertEquals(StatusCodes.FRAME_TOO_LARGE, error.status());
        assertTrue(error.isFatal());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldAcceptFrameExactlyAtLimit()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        final ByteBuf in = Unpooled.buffer();
        FrameHeader.writeRequest(in, MAX_FRAME - FrameHeader.HEADER_LENGTH, Opcodes.PING, (byte)0, 5);
        in.writeZero(MAX_FRAME - FrameHeader.HEADER_LENGTH);
        assertTrue(channel.writeInbound(in));
        final ByteBuf frame = channel.readInbound();
        assertEquals(MAX_FRAME, frame.readableBytes());
        frame.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldRejectLengthBelowHeaderAndNegativeLength()
    {
        for (final int length : new int[] {0, 15, -1, Integer.MIN_VALUE})
        {
            final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
            final ProtocolException error = protocolError(assertThrows(DecoderException.class,
                () -> channel.writeInbound(Unpooled.buffer().writeInt(length))));
            assertEquals(length < 0 ? StatusCodes.FRAME_TOO_LARGE : StatusCodes.BAD_FRAME, error.status(),
                "length " + length);
            assertFalse(channel.finishAndReleaseAll());
        }
    }

    @Test
    void shouldRejectWrongPrefaceAtItsFirstWrongByte()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, true));
        final ProtocolException error = protocolError(assertThrows(DecoderException.class,
            () -> channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", java.nio.charset.StandardCharsets.US_ASCII))));
        assertEquals(StatusCodes.BAD_PREFACE, error.status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldDiscardEverythingAfterAFatalError()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false));
        assertThrows(DecoderException.class, () -> channel.writeInbound(Unpooled.buffer().writeInt(3)));
        final ByteBuf valid = Unpooled.buffer();
        Ping.encodeRequest(valid, 1, 1);
        assertFalse(channel.writeInbound(valid));
        assertNull(channel.readInbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldReplyWithErrorFrameAndCloseOnFramingError()
    {
        final ProtocolErrorHandler errors = new ProtocolErrorHandler();
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, false), errors);
        channel.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME * 2));
        final ByteBuf reply = channel.readOutbound();
        assertNotNull(reply);
        assertEquals(Opcodes.ERROR, FrameHeader.opcode(reply, 0));
        assertEquals(StatusCodes.FRAME_TOO_LARGE, FrameHeader.status(reply, 0));
        assertEquals(0, FrameHeader.requestId(reply, 0));
        reply.release();
        assertFalse(channel.isOpen());
        assertEquals(1, errors.protocolErrors());
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldCloseSilentlyOnWrongPreface()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, true), new ProtocolErrorHandler());
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'*', '1', '\r', '\n'}));
        assertNull(channel.readOutbound());
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }

    static ProtocolException protocolError(final DecoderException e)
    {
        return assertInstanceOf(ProtocolException.class, e.getCause());
    }
}
