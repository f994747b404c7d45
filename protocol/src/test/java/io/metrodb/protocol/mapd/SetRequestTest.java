package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SetRequestTest
{
    private static final byte[] KEY = {'k', 'e', 'y'};
    private static final byte[] VALUE = {1, 2, 3, 4, 5, 6, 7};
    private static final int MAX_VALUE = 1024;

    @Test
    void shouldRoundTripEveryField()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            SetRequest.encode(buf, 5L, Opcodes.SETSAFE, KEY, VALUE);
            FrameFixtures.assertHeader(buf, frame, Opcodes.SETSAFE, (byte)0, StatusCodes.OK, 5L);
            assertEquals(StatusCodes.OK, SetRequest.validate(buf, frame, MAX_VALUE));
            assertEquals(KEY.length, SetRequest.keyLength(buf, frame));
            assertEquals(VALUE.length, SetRequest.valueLength(buf, frame));
            assertArrayEquals(KEY, ByteBufUtil.getBytes(buf, SetRequest.keyIndex(frame), KEY.length));
            assertArrayEquals(VALUE, ByteBufUtil.getBytes(buf, SetRequest.valueIndex(buf, frame), VALUE.length));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldEncodeFromByteBufs()
    {
        final ByteBuf key = Unpooled.wrappedBuffer(new byte[] {0, 'a', 'b'});
        final ByteBuf value = Unpooled.wrappedBuffer(new byte[] {7, 8, 9, 0});
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            SetRequest.encode(buf, 6L, Opcodes.SET, key, 1, 2, value, 0, 3);
            assertEquals(StatusCodes.OK, SetRequest.validate(buf, 0, MAX_VALUE));
            assertEquals(Opcodes.SET, FrameHeader.opcode(buf, 0));
            assertArrayEquals(new byte[] {'a', 'b'}, ByteBufUtil.getBytes(buf, SetRequest.keyIndex(0), 2));
            assertArrayEquals(new byte[] {7, 8, 9}, ByteBufUtil.getBytes(buf, SetRequest.valueIndex(buf, 0), 3));
        }
        finally
        {
            key.release();
            value.release();
            buf.release();
        }
    }

    @Test
    void shouldRejectBadLengths()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            SetRequest.encode(buf, 1L, Opcodes.SET, KEY, VALUE);
            final int payload = FrameHeader.payloadIndex(0);
            assertEquals(StatusCodes.VALUE_TOO_LARGE, SetRequest.validate(buf, 0, VALUE.length - 1));

            buf.setInt(payload + SetRequest.VALUE_LENGTH_OFFSET, -1);
            assertEquals(StatusCodes.VALUE_TOO_LARGE, SetRequest.validate(buf, 0, Integer.MAX_VALUE));
            buf.setInt(payload + SetRequest.VALUE_LENGTH_OFFSET, VALUE.length + 1);
            assertEquals(StatusCodes.BAD_REQUEST, SetRequest.validate(buf, 0, MAX_VALUE));
            buf.setInt(payload + SetRequest.VALUE_LENGTH_OFFSET, Integer.MAX_VALUE);
            assertEquals(StatusCodes.BAD_REQUEST, SetRequest.validate(buf, 0, Integer.MAX_VALUE));
            buf.setInt(payload + SetRequest.VALUE_LENGTH_OFFSET, VALUE.length);

            buf.setShort(payload + SetRequest.KEY_LENGTH_OFFSET, 0);
            assertEquals(StatusCodes.INVALID_KEY, SetRequest.validate(buf, 0, MAX_VALUE));
            buf.setShort(payload + SetRequest.KEY_LENGTH_OFFSET, 0xFFFF);
            assertEquals(StatusCodes.BAD_REQUEST, SetRequest.validate(buf, 0, MAX_VALUE));
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
            SetRequest.encode(buf, 1L, Opcodes.SET, KEY, VALUE);
            FrameFixtures.assertRejectsTruncations(
                buf, b -> SetRequest.validate(b, 0, MAX_VALUE) == StatusCodes.OK);
            FrameFixtures.assertNeverThrows(
                buf, b -> SetRequest.validate(b, 0, Integer.MAX_VALUE) == StatusCodes.OK);
        }
        finally
        {
            buf.release();
        }
    }
}
