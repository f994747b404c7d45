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

class RepairTest
{
    private static final byte[] KEY = {'r', 'e', 'p'};
    private static final short[] LOGD_IDS = {5, (short)0xFFFF, 0};
    private static final long[] OFFSETS = {50L, -1L, 0L};

    /** Request 1 to repair KEY at version 2 from node 3, with the first {@code badCount} bad replicas. */
    private static void writeRequest(final ByteBuf out, final int badCount)
    {
        new RepairRequestFlyweight().wrapForAppend(out, 1L, KEY.length, badCount)
            .version(2L).versionNode(3).key(KEY).badReplicas(badCount, LOGD_IDS, OFFSETS)
            .commit();
    }

    @Test
    void shouldRoundTripRequest()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            new RepairRequestFlyweight().wrapForAppend(buf, 12L, KEY.length, 2)
                .version(99L).versionNode(0xFFFF).key(KEY).badReplicas(2, LOGD_IDS, OFFSETS)
                .commit();
            FrameFixtures.assertHeader(buf, frame, Opcodes.REPAIR, (byte)0, StatusCodes.OK, 12L);
            assertEquals(StatusCodes.OK, RepairRequest.validate(buf, frame));
            assertEquals(99L, RepairRequest.version(buf, frame));
            assertEquals(0xFFFF, RepairRequest.versionNode(buf, frame));
            assertEquals(2, RepairRequest.badCount(buf, frame));
            assertEquals(KEY.length, RepairRequest.keyLength(buf, frame));
            assertArrayEquals(KEY, ByteBufUtil.getBytes(buf, RepairRequest.keyIndex(frame), KEY.length));
            for (int i = 0; i < 2; i++)
            {
                assertEquals(LOGD_IDS[i] & 0xFFFF, RepairRequest.badLogdId(buf, frame, i));
                assertEquals(OFFSETS[i], RepairRequest.badOffset(buf, frame, i));
            }
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldEncodeRequestKeyFromByteBuf()
    {
        final ByteBuf key = Unpooled.wrappedBuffer(KEY);
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            new RepairRequestFlyweight().wrapForAppend(buf, 1L, 2, 0)
                .version(2L).versionNode(3).key(key, 1, 2).badReplicas(0, null, null)
                .commit();
            assertEquals(StatusCodes.OK, RepairRequest.validate(buf, 0));
            assertEquals(0, RepairRequest.badCount(buf, 0));
            assertArrayEquals(new byte[] {'e', 'p'}, ByteBufUtil.getBytes(buf, RepairRequest.keyIndex(0), 2));
        }
        finally
        {
            key.release();
            buf.release();
        }
    }

    @Test
    void shouldRoundTripResponse()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            RepairResponse.encode(buf, 13L, 3, LOGD_IDS, OFFSETS);
            FrameFixtures.assertHeader(buf, frame, Opcodes.REPAIR, FrameFlags.RESPONSE, StatusCodes.OK, 13L);
            assertTrue(RepairResponse.isValid(buf, frame));
            assertEquals(3, RepairResponse.replicaCount(buf, frame));
            for (int i = 0; i < 3; i++)
            {
                assertEquals(LOGD_IDS[i] & 0xFFFF, RepairResponse.replicaLogdId(buf, frame, i));
                assertEquals(OFFSETS[i], RepairResponse.replicaOffset(buf, frame, i));
            }
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEmptyKeyAndWrongCounts()
    {
        final ByteBuf request = Unpooled.buffer();
        final ByteBuf response = Unpooled.buffer();
        try
        {
            writeRequest(request, 2);
            final int payload = FrameHeader.payloadIndex(0);
            request.setShort(payload + RepairRequest.KEY_LENGTH_OFFSET, 0);
            assertEquals(StatusCodes.INVALID_KEY, RepairRequest.validate(request, 0));
            request.setShort(payload + RepairRequest.KEY_LENGTH_OFFSET, 0xFFFF);
            assertEquals(StatusCodes.BAD_REQUEST, RepairRequest.validate(request, 0));
            request.setShort(payload + RepairRequest.KEY_LENGTH_OFFSET, KEY.length);
            request.setByte(payload + RepairRequest.BAD_COUNT_OFFSET, 0xFF);
            assertEquals(StatusCodes.BAD_REQUEST, RepairRequest.validate(request, 0));

            RepairResponse.encode(response, 1L, 1, LOGD_IDS, OFFSETS);
            response.setByte(FrameHeader.payloadIndex(0) + RepairResponse.REPLICA_COUNT_OFFSET, 2);
            assertFalse(RepairResponse.isValid(response, 0));
        }
        finally
        {
            request.release();
            response.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf request = Unpooled.buffer();
        final ByteBuf response = Unpooled.buffer();
        try
        {
            writeRequest(request, 3);
            FrameFixtures.assertRejectsTruncations(request, b -> RepairRequest.validate(b, 0) == StatusCodes.OK);
            FrameFixtures.assertNeverThrows(request, b -> RepairRequest.validate(b, 0) == StatusCodes.OK);
            RepairResponse.encode(response, 1L, 3, LOGD_IDS, OFFSETS);
            FrameFixtures.assertRejectsTruncations(response, b -> RepairResponse.isValid(b, 0));
            FrameFixtures.assertNeverThrows(response, b -> RepairResponse.isValid(b, 0));
        }
        finally
        {
            request.release();
            response.release();
        }
    }
}
