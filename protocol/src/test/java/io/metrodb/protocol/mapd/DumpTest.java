package io.metrodb.protocol.mapd;

import io.metrodb.protocol.FrameFixtures;
import io.metrodb.protocol.FrameFlags;
import io.metrodb.protocol.FrameHeader;
import io.metrodb.protocol.Opcodes;
import io.metrodb.protocol.StatusCodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DumpTest
{
    private static final int CHANGE_LENGTH = Change.length(ChangeTest.KEY.length, 3);

    private static void encodeResponse(final ByteBuf out)
    {
        DumpResponse.encodeHeader(out, 2L, 1234L, 2, 2 * CHANGE_LENGTH);
        ChangeTest.writeSample(out, 7L);
        ChangeTest.writeSample(out, 8L);
    }

    @Test
    void shouldRoundTripRequest()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            DumpRequest.encode(buf, 1L, Long.MIN_VALUE, 0xFFFF);
            FrameFixtures.assertHeader(buf, frame, Opcodes.DUMP, (byte)0, StatusCodes.OK, 1L);
            assertEquals(StatusCodes.OK, DumpRequest.validate(buf, frame));
            assertEquals(Long.MIN_VALUE, DumpRequest.cursor(buf, frame));
            assertEquals(0xFFFF, DumpRequest.maxKeys(buf, frame));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRoundTripResponseAndWalkChanges()
    {
        final ByteBuf buf = FrameFixtures.prefixedBuffer();
        try
        {
            final int frame = buf.writerIndex();
            encodeResponse(buf);
            FrameFixtures.assertHeader(buf, frame, Opcodes.DUMP, FrameFlags.RESPONSE, StatusCodes.OK, 2L);
            assertTrue(DumpResponse.isValid(buf, frame));
            assertEquals(1234L, DumpResponse.nextCursor(buf, frame));
            assertEquals(2, DumpResponse.count(buf, frame));
            int at = DumpResponse.firstChangeIndex(frame);
            ChangeTest.assertSample(buf, at, 7L);
            at = DumpResponse.nextChangeIndex(buf, at);
            ChangeTest.assertSample(buf, at, 8L);
            assertEquals(buf.writerIndex(), DumpResponse.nextChangeIndex(buf, at));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectWrongCount()
    {
        final ByteBuf buf = Unpooled.buffer();
        try
        {
            encodeResponse(buf);
            final int countIndex = FrameHeader.payloadIndex(0) + DumpResponse.COUNT_OFFSET;
            buf.setShort(countIndex, 3);
            assertFalse(DumpResponse.isValid(buf, 0));
            buf.setShort(countIndex, 0);
            assertFalse(DumpResponse.isValid(buf, 0));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldRejectEveryTruncationWithoutThrowing()
    {
        final ByteBuf request = Unpooled.buffer();
        final ByteBuf response = Unpooled.buffer();
        try
        {
            DumpRequest.encode(request, 1L, 0L, 100);
            FrameFixtures.assertRejectsTruncations(request, b -> DumpRequest.validate(b, 0) == StatusCodes.OK);
            encodeResponse(response);
            FrameFixtures.assertRejectsTruncations(response, b -> DumpResponse.isValid(b, 0));
            FrameFixtures.assertNeverThrows(response, b -> DumpResponse.isValid(b, 0));
        }
        finally
        {
            request.release();
            response.release();
        }
    }
}
