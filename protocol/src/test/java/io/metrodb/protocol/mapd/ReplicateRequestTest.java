package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.metrodb.protocol.testing.ReplicateFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicateRequestTest
{
    private static void encodeSample(final ByteBuf out)
    {
        ReplicateFrames.wrapForAppend(out, new ChangeFlyweight(), 21L, 1L, 0xBEEF, ChangeTest.KEY.length, 3)
            .version(77L).versionNode(0xABCD).flags(Change.TOMBSTONE).valueLength(0).checksum(0x12345678)
            .key(ChangeTest.KEY).replicas(3, ChangeTest.LOGD_IDS, ChangeTest.OFFSETS)
            .commit();
    }

    @Test
    void shouldWriteNothingForRefusedLengths()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            buf.writeByte(0x5A);
            assertThrows(IllegalArgumentException.class, () ->
                ReplicateFrames.wrapForAppend(buf, new ChangeFlyweight(), 1L, 1L, 1, ChangeTest.KEY.length, 256));
            assertThrows(IllegalArgumentException.class, () ->
                ReplicateFrames.wrapForAppend(buf, new ChangeFlyweight(), 1L, 1L, 1, 0x1_0000, 1));
            assertEquals(1, buf.writerIndex());
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripEveryField()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            encodeSample(buf);
            FrameFixtures.assertHeader(buf, frame, Opcodes.REPLICATE, (byte)0, StatusCodes.OK, 21L);
            assertEquals(StatusCodes.OK, ReplicateRequest.validate(buf, frame));
            assertEquals(1L, ReplicateRequest.sequence(buf, frame));
            assertEquals(0xBEEF, ReplicateRequest.originNode(buf, frame));
            ChangeTest.assertSample(buf, ReplicateRequest.changeIndex(frame), 77L);
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldEncodeKeyFromByteBuf()
    {
        final ByteBuf key = Unpooled.wrappedBuffer(new byte[] {'k', 'e', 'y'});
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            ReplicateFrames.wrapForAppend(buf, new ChangeFlyweight(), 1L, 2L, 3, 3, 1)
                .version(4L).versionNode(5).flags(0).valueLength(6).checksum(7)
                .key(key, 0, 3).replicas(1, new short[] {8}, new long[] {9L})
                .commit();
            assertEquals(StatusCodes.OK, ReplicateRequest.validate(buf, 0));
            final int at = ReplicateRequest.changeIndex(0);
            assertArrayEquals(new byte[] {'k', 'e', 'y'}, ByteBufUtil.getBytes(buf, Change.keyIndex(at), 3));
            assertEquals(8, Change.replicaLogdId(buf, at, 0));
            assertEquals(9L, Change.replicaOffset(buf, at, 0));
        }
        finally
        {
            key.release();
            buf.release();
        }
    }

    @Test
    void shouldRoundTripAck()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            ReplicateRequest.encodeAck(buf, 33L);
            FrameFixtures.assertHeader(buf, 0, Opcodes.REPLICATE, FrameFlags.RESPONSE, StatusCodes.OK, 33L);
            assertTrue(ReplicateRequest.isValidAck(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectBadChange()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            encodeSample(buf);
            final int at = ReplicateRequest.changeIndex(0);
            buf.setShort(at + Change.KEY_LENGTH_OFFSET, 0);
            assertEquals(StatusCodes.BAD_REQUEST, ReplicateRequest.validate(buf, 0));
            buf.setShort(at + Change.KEY_LENGTH_OFFSET, 0xFFFF);
            assertEquals(StatusCodes.BAD_REQUEST, ReplicateRequest.validate(buf, 0));
            buf.setShort(at + Change.KEY_LENGTH_OFFSET, ChangeTest.KEY.length);
            buf.setByte(at + Change.REPLICA_COUNT_OFFSET, 2);
            assertEquals(StatusCodes.BAD_REQUEST, ReplicateRequest.validate(buf, 0));
            assertEquals(FrameHeader.HEADER_LENGTH + ReplicateRequest.CHANGE_OFFSET +
                Change.length(ChangeTest.KEY.length, 3), buf.writerIndex());
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
            encodeSample(buf);
            FrameFixtures.assertRejectsTruncations(buf, b -> ReplicateRequest.validate(b, 0) == StatusCodes.OK);
            FrameFixtures.assertNeverThrows(buf, b -> ReplicateRequest.validate(b, 0) == StatusCodes.OK);
        }
        finally
        {
            buf.release();
        }
    }
}
