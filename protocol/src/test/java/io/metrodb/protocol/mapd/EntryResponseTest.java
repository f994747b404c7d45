package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryResponseTest
{
    private static final byte[] VALUE = {10, 20, 30, 40, 50};

    @Test
    void shouldRoundTripGet()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            EntryResponse.encodeGet(buf, 9L, 0x0102030405060708L, 0xFFFE, VALUE);
            FrameFixtures.assertHeader(buf, frame, Opcodes.GET, FrameFlags.RESPONSE, StatusCodes.OK, 9L);
            assertTrue(EntryResponse.isValidGet(buf, frame));
            assertFalse(EntryResponse.isValidExists(buf, frame));
            assertEquals(0x0102030405060708L, EntryResponse.version(buf, frame));
            assertEquals(0xFFFE, EntryResponse.versionNode(buf, frame));
            assertEquals(VALUE.length, EntryResponse.valueLength(buf, frame));
            assertArrayEquals(VALUE, ByteBufUtil.getBytes(buf, EntryResponse.valueIndex(frame), VALUE.length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripGetHeaderThenCallerWrittenValue()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            EntryResponse.encodeGetHeader(buf, 1L, 2L, 3, VALUE.length);
            buf.writeBytes(VALUE);
            assertTrue(EntryResponse.isValidGet(buf, 0));
            assertArrayEquals(VALUE, ByteBufUtil.getBytes(buf, EntryResponse.valueIndex(0), VALUE.length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripExists()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            EntryResponse.encodeExists(buf, 10L, -5L, 7, 123_456);
            FrameFixtures.assertHeader(buf, frame, Opcodes.EXISTS, FrameFlags.RESPONSE, StatusCodes.OK, 10L);
            assertTrue(EntryResponse.isValidExists(buf, frame));
            assertEquals(-5L, EntryResponse.version(buf, frame));
            assertEquals(7, EntryResponse.versionNode(buf, frame));
            assertEquals(123_456, EntryResponse.valueLength(buf, frame));
            assertEquals(FrameHeader.HEADER_LENGTH + EntryResponse.VALUE_OFFSET, FrameHeader.frameLength(buf, frame));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectWrongValueLength()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            EntryResponse.encodeGet(buf, 1L, 1L, 1, VALUE);
            final int index = FrameHeader.payloadIndex(0) + EntryResponse.VALUE_LENGTH_OFFSET;
            buf.setInt(index, VALUE.length + 1);
            assertFalse(EntryResponse.isValidGet(buf, 0));
            buf.setInt(index, -1);
            assertFalse(EntryResponse.isValidGet(buf, 0));
            buf.setInt(index, Integer.MAX_VALUE);
            assertFalse(EntryResponse.isValidGet(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf get = Unpooled.buffer();
        final ByteBuf exists = Unpooled.buffer();
        try
        {
            EntryResponse.encodeGet(get, 1L, 1L, 1, VALUE);
            FrameFixtures.assertRejectsTruncations(get, b -> EntryResponse.isValidGet(b, 0));
            FrameFixtures.assertNeverThrows(get, b -> EntryResponse.isValidGet(b, 0));
            EntryResponse.encodeExists(exists, 1L, 1L, 1, 99);
            FrameFixtures.assertRejectsTruncations(exists, b -> EntryResponse.isValidExists(b, 0));
            FrameFixtures.assertNeverThrows(exists, b -> EntryResponse.isValidExists(b, 0));
        }
        finally
        {
            get.release();
            exists.release();
        }
    }
}
