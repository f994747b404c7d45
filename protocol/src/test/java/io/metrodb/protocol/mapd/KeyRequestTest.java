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

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyRequestTest
{
    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldRoundTripEveryField()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            KeyRequest.encode(buf, 77L, Opcodes.DEL, FrameFlags.DURABLE, KEY);
            FrameFixtures.assertHeader(buf, frame, Opcodes.DEL, FrameFlags.DURABLE, StatusCodes.OK, 77L);
            assertEquals(StatusCodes.OK, KeyRequest.validate(buf, frame));
            assertTrue(KeyRequest.isDurable(buf, frame));
            assertEquals(KEY.length, KeyRequest.keyLength(buf, frame));
            assertArrayEquals(KEY, ByteBufUtil.getBytes(buf, KeyRequest.keyIndex(frame), KEY.length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldEncodeKeyFromByteBuf()
    {
        final ByteBuf key = Unpooled.wrappedBuffer(new byte[] {9, 1, 2, 3, 9});
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            KeyRequest.encode(buf, 1L, Opcodes.GET, (byte)0, key, 1, 3);
            assertEquals(StatusCodes.OK, KeyRequest.validate(buf, 0));
            assertFalse(KeyRequest.isDurable(buf, 0));
            assertEquals(Opcodes.GET, FrameHeader.opcode(buf, 0));
            assertArrayEquals(new byte[] {1, 2, 3}, ByteBufUtil.getBytes(buf, KeyRequest.keyIndex(0), 3));
        }
        finally
        {
            key.release();
            buf.release();
        }
    }

    @Test
    void shouldRejectEmptyKeyAndWrongKeyLength()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            KeyRequest.encode(buf, 1L, Opcodes.EXISTS, (byte)0, KEY);
            final int keyLengthIndex = FrameHeader.payloadIndex(0) + KeyRequest.KEY_LENGTH_OFFSET;
            buf.setShort(keyLengthIndex, 0);
            assertEquals(StatusCodes.INVALID_KEY, KeyRequest.validate(buf, 0));
            buf.setShort(keyLengthIndex, KEY.length + 1);
            assertEquals(StatusCodes.BAD_REQUEST, KeyRequest.validate(buf, 0));
            buf.setShort(keyLengthIndex, 0xFFFF);
            assertEquals(StatusCodes.BAD_REQUEST, KeyRequest.validate(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            KeyRequest.encode(buf, 1L, Opcodes.GET, (byte)0, KEY);
            FrameFixtures.assertRejectsTruncations(buf, b -> KeyRequest.validate(b, 0) == StatusCodes.OK);
            FrameFixtures.assertNeverThrows(buf, b -> KeyRequest.validate(b, 0) == StatusCodes.OK);
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRefuseToEncodeKeyOverU16()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            assertThrows(IllegalArgumentException.class,
                () -> KeyRequest.encode(buf, 1L, Opcodes.GET, (byte)0, new byte[0x10000]));
            assertEquals(0, buf.writerIndex());
        }
        finally
        {
            buf.release();
        }
    }
}
