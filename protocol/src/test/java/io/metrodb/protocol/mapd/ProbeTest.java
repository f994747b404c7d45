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

class ProbeTest
{
    private static final byte[] KEY_A = {'a'};
    private static final byte[] KEY_B = {'b', 'b', 'b'};

    private static void encodeResponse(final ByteBuf out)
    {
        ProbeResponse.encodeHeader(out, 8L, 0L, 0xFFFFFFFFL, 2,
            ProbeResponse.badReplicaLength(KEY_A.length) + ProbeResponse.badReplicaLength(KEY_B.length));
        final BadReplicaFlyweight bad = new BadReplicaFlyweight();
        bad.wrapForAppend(out, KEY_A.length)
            .logdId(0xFFFF).reason(StatusCodes.CORRUPT_RECORD).offset(4096L).version(-2L).versionNode(0xFFFF).key(KEY_A)
            .commit();
        final ByteBuf key = Unpooled.wrappedBuffer(KEY_B);
        try
        {
            bad.wrapForAppend(out, KEY_B.length)
                .logdId(2).reason(StatusCodes.NOT_A_RECORD).offset(Long.MAX_VALUE).version(77L).versionNode(3)
                .key(key, 0, KEY_B.length)
                .commit();
        }
        finally
        {
            key.release();
        }
    }

    @Test
    void shouldRoundTripRequest()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            ProbeRequest.encode(buf, 7L, ProbeRequest.MODE_SCAN, 0xFFFF, -9L);
            FrameFixtures.assertHeader(buf, frame, Opcodes.PROBE, (byte)0, StatusCodes.OK, 7L);
            assertEquals(StatusCodes.OK, ProbeRequest.validate(buf, frame));
            assertEquals(ProbeRequest.MODE_SCAN, ProbeRequest.mode(buf, frame));
            assertEquals(0xFFFF, ProbeRequest.maxKeys(buf, frame));
            assertEquals(-9L, ProbeRequest.cursor(buf, frame));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripResponseAndWalkBadReplicas()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            encodeResponse(buf);
            FrameFixtures.assertHeader(buf, frame, Opcodes.PROBE, FrameFlags.RESPONSE, StatusCodes.OK, 8L);
            assertTrue(ProbeResponse.isValid(buf, frame));
            assertEquals(0L, ProbeResponse.nextCursor(buf, frame));
            assertEquals(0xFFFFFFFFL, ProbeResponse.checked(buf, frame));
            assertEquals(2, ProbeResponse.badCount(buf, frame));

            int at = ProbeResponse.firstBadIndex(frame);
            assertEquals(0xFFFF, ProbeResponse.badLogdId(buf, at));
            assertEquals(StatusCodes.CORRUPT_RECORD, ProbeResponse.badReason(buf, at));
            assertEquals(4096L, ProbeResponse.badOffset(buf, at));
            assertEquals(-2L, ProbeResponse.badVersion(buf, at));
            assertEquals(0xFFFF, ProbeResponse.badVersionNode(buf, at));
            assertArrayEquals(KEY_A, ByteBufUtil.getBytes(buf, ProbeResponse.badKeyIndex(at),
                ProbeResponse.badKeyLength(buf, at)));

            at = ProbeResponse.nextBadIndex(buf, at);
            assertEquals(2, ProbeResponse.badLogdId(buf, at));
            assertEquals(StatusCodes.NOT_A_RECORD, ProbeResponse.badReason(buf, at));
            assertEquals(Long.MAX_VALUE, ProbeResponse.badOffset(buf, at));
            assertEquals(77L, ProbeResponse.badVersion(buf, at));
            assertEquals(3, ProbeResponse.badVersionNode(buf, at));
            assertArrayEquals(KEY_B, ByteBufUtil.getBytes(buf, ProbeResponse.badKeyIndex(at),
                ProbeResponse.badKeyLength(buf, at)));
            assertEquals(buf.writerIndex(), ProbeResponse.nextBadIndex(buf, at));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectUnknownModeAndBadFields()
    {
        final ByteBuf request = Unpooled.buffer();
        final ByteBuf response = Unpooled.buffer();
        try
        {
            ProbeRequest.encode(request, 1L, 2, 10, 0L);
            assertEquals(StatusCodes.BAD_REQUEST, ProbeRequest.validate(request, 0));

            encodeResponse(response);
            final int first = ProbeResponse.firstBadIndex(0);
            response.setShort(first + ProbeResponse.BAD_KEY_LENGTH_OFFSET, 0);
            assertFalse(ProbeResponse.isValid(response, 0));
            response.setShort(first + ProbeResponse.BAD_KEY_LENGTH_OFFSET, 0xFFFF);
            assertFalse(ProbeResponse.isValid(response, 0));
            response.setShort(first + ProbeResponse.BAD_KEY_LENGTH_OFFSET, KEY_A.length);
            response.setShort(FrameHeader.payloadIndex(0) + ProbeResponse.BAD_COUNT_OFFSET, 3);
            assertFalse(ProbeResponse.isValid(response, 0));
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
            ProbeRequest.encode(request, 1L, ProbeRequest.MODE_RANDOM, 10, 0L);
            FrameFixtures.assertRejectsTruncations(request, b -> ProbeRequest.validate(b, 0) == StatusCodes.OK);
            FrameFixtures.assertNeverThrows(request, b -> ProbeRequest.validate(b, 0) == StatusCodes.OK);
            encodeResponse(response);
            FrameFixtures.assertRejectsTruncations(response, b -> ProbeResponse.isValid(b, 0));
            FrameFixtures.assertNeverThrows(response, b -> ProbeResponse.isValid(b, 0));
        }
        finally
        {
            request.release();
            response.release();
        }
    }
}
