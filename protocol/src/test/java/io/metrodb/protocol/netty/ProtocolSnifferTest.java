package io.metrodb.protocol.netty;

import io.metrodb.protocol.Preface;
import io.metrodb.protocol.Roles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first byte of a connection picks its protocol: the binary preface keeps the binary pipeline, text hands the
 * connection to the text protocol, and the sniffer is gone after the first read either way.
 */
class ProtocolSnifferTest
{
    private static final HandshakeConfig CONFIG = new HandshakeConfig(Roles.MAPD, 1, null, 4096);

    private static EmbeddedChannel channel(final List<String> installed)
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        ProtocolPipeline.initServer(channel.pipeline(), CONFIG, new ChannelInboundHandlerAdapter(),
            new ProtocolErrorHandler(), pipeline ->
            {
                installed.add("text");
                pipeline.remove("frames");
                pipeline.remove("handshake");
            });
        return channel;
    }

    @Test
    void shouldKeepTheBinaryPipelineForThePreface()
    {
        final List<String> installed = new ArrayList<>();
        final EmbeddedChannel channel = channel(installed);
        assertEquals("sniff", channel.pipeline().names().get(0));
        final ByteBuf preface = Unpooled.buffer();
        Preface.write(preface);
        channel.writeInbound(preface);
        assertTrue(installed.isEmpty());
        assertNull(channel.pipeline().get("sniff"));
        assertNotNull(channel.pipeline().get("frames"));
        assertNotNull(channel.pipeline().get("handshake"));
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldHandTextToTheTextProtocolWithTheBytesIntact()
    {
        for (final String first : new String[] {"*1\r\n$4\r\nPING\r\n", "PING\r\n", "\r\n", "\tx", " x", "~"})
        {
            final List<String> installed = new ArrayList<>();
            final EmbeddedChannel channel = channel(installed);
            channel.writeInbound(Unpooled.copiedBuffer(first, StandardCharsets.US_ASCII));
            assertEquals(List.of("text"), installed, first);
            assertNull(channel.pipeline().get("sniff"));
            assertNull(channel.pipeline().get("frames"));
            final ByteBuf passed = channel.readInbound();
            assertEquals(first, passed.toString(StandardCharsets.US_ASCII), "the first bytes go on unchanged");
            passed.release();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void shouldLeaveOtherBytesToTheBinaryDecoderWhichRefusesThem()
    {
        for (final int first : new int[] {0x00, 0x16, 0x7F, 0x80, 0xFF})
        {
            final List<String> installed = new ArrayList<>();
            final EmbeddedChannel channel = channel(installed);
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte)first, 1, 2, 3}));
            assertTrue(installed.isEmpty(), "byte " + first);
            assertFalse(channel.isOpen(), "a bad preface closes the connection, byte " + first);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void shouldClassifyBytes()
    {
        assertFalse(ProtocolSniffer.isText(Preface.FIRST_BYTE));
        assertTrue(ProtocolSniffer.isText((byte)'*'));
        assertTrue(ProtocolSniffer.isText((byte)'G'));
        assertFalse(ProtocolSniffer.isText((byte)0x1B));
    }
}
